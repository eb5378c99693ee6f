/*
 * hash.c: RFC 6962 section 2.1 hashing (RFC 9162 section 2.1.1).
 *
 * SHA-256 comes from OpenSSL's libcrypto, whose implementation uses the
 * SHA-NI instructions where the CPU has them. The low-level SHA256_* calls
 * are used on purpose: a tree hash is millions of tiny messages, and the
 * EVP layer's per-call dispatch costs more than the compression itself.
 * They are deprecated in OpenSSL 3 but remain supported through 3.x.
 * The WebAssembly build (web/wasm, OT_SHA256_SODIUM), which has no
 * OpenSSL, maps the same three calls onto libsodium's SHA-256.
 *
 * The log's append path hashes many leaves and nodes at once (hash_int.h):
 * on x86-64 with SHA-NI two messages go through the SHA-256 rounds side by
 * side (bench/README.md, "Tree hashing"); elsewhere one after the other.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "oretrail/hash.h"

#include <string.h>

#include "log/hash_int.h"

/* The SHA-NI path: x86-64 with a compiler that takes per-function target
 * attributes, so that the rest of the build needs no -msha. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(OT_SHA256_SODIUM)
#define OT_HASH_SHANI 1
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>
#endif

#ifdef OT_SHA256_SODIUM
#include <sodium.h>
typedef crypto_hash_sha256_state SHA256_CTX;
#define SHA256_Init(c) crypto_hash_sha256_init(c)
#define SHA256_Update(c, d, n) crypto_hash_sha256_update((c), (const unsigned char *)(d), (n))
#define SHA256_Final(out, c) crypto_hash_sha256_final((c), (out))
#else
#include <openssl/sha.h>
#endif

void ot_sha256(const void *data, size_t len, uint8_t out[OT_HASH_SIZE])
{
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void ot_leaf_hash(const void *entry, size_t len, uint8_t out[OT_HASH_SIZE])
{
	static const uint8_t prefix = 0x00;
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, &prefix, 1);
	SHA256_Update(&c, entry, len);
	SHA256_Final(out, &c);
}

void ot_node_hash(const uint8_t left[OT_HASH_SIZE], const uint8_t right[OT_HASH_SIZE],
                  uint8_t out[OT_HASH_SIZE])
{
	uint8_t msg[1 + 2 * OT_HASH_SIZE];
	msg[0] = 0x01;
	for (int i = 0; i < OT_HASH_SIZE; i++) {
		msg[1 + i] = left[i];
		msg[1 + OT_HASH_SIZE + i] = right[i];
	}
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, msg, sizeof msg);
	SHA256_Final(out, &c);
}

void ot_empty_root(uint8_t out[OT_HASH_SIZE])
{
	ot_sha256("", 0, out);
}

/* --- many hashes at once (hash_int.h) --- */

/* A message as the hash sees it: an optional one-byte prefix (RFC 6962's
 * 0x00 or 0x01), then `len` bytes of data. The prefix is not copied in
 * front of the data: only the blocks that hold it, or the padding, are
 * assembled in a scratch block; the others are read in place. */
typedef struct message {
	const uint8_t *data;
	size_t len;
	size_t prefix_len; /* 0 or 1 */
	uint8_t prefix;
	size_t blocks; /* 64-byte blocks after padding */
} message;

static message message_of(int prefix, const void *data, size_t len)
{
	message m;
	m.data = data;
	m.len = len;
	m.prefix_len = prefix < 0 ? 0 : 1;
	m.prefix = (uint8_t)(prefix < 0 ? 0 : prefix);
	/* FIPS 180-4 5.1.1: a 0x80 byte and the 8-byte bit length follow. */
	m.blocks = (m.prefix_len + len + 8) / 64 + 1;
	return m;
}

#ifdef OT_HASH_SHANI
/* SHA-256 with the SHA extensions (Intel, "Intel SHA Extensions", 2013;
 * the instructions in the Intel SDM vol. 2). sha256rnds2 does two rounds
 * on the state held as two registers, ABEF and CDGH (A in the high lane),
 * taking W[t] + K[t] for the two rounds in the low 64 bits of its third
 * operand; sha256msg1 and sha256msg2 compute the sigma0 and sigma1 parts
 * of the message schedule four words at a time. */
#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

/* Block i of the padded message: in place, or assembled in scratch. */
static const uint8_t *message_block(const message *m, size_t i, uint8_t scratch[64])
{
	size_t total = m->prefix_len + m->len, start = 64 * i;
	if (start >= m->prefix_len && start + 64 <= total)
		return m->data + (start - m->prefix_len);
	memset(scratch, 0, 64);
	size_t from = start;
	if (start < m->prefix_len) {
		scratch[0] = m->prefix;
		from = m->prefix_len;
	}
	if (from < total) {
		size_t to = total < start + 64 ? total : start + 64;
		memcpy(scratch + (from - start), m->data + (from - m->prefix_len), to - from);
	}
	if (total >= start && total < start + 64)
		scratch[total - start] = 0x80;
	if (i + 1 == m->blocks) {
		uint64_t bits = (uint64_t)total * 8;
		for (int k = 0; k < 8; k++)
			scratch[56 + k] = (uint8_t)(bits >> (56 - 8 * k));
	}
	return scratch;
}

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

/* FIPS 180-4 5.3.3: the initial hash value H(0), A..H. */
static const uint32_t IV256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

typedef struct shani_state {
	__m128i abef, cdgh;
} shani_state;

/* Reverses the bytes of each 32-bit lane: big-endian words in and out. */
SHANI static __m128i bswap32x4(__m128i v)
{
	return _mm_shuffle_epi8(v, _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL));
}

SHANI static shani_state shani_init(void)
{
	__m128i abcd = _mm_loadu_si128((const __m128i *)(const void *)IV256);
	__m128i efgh = _mm_loadu_si128((const __m128i *)(const void *)(IV256 + 4));
	__m128i badc = _mm_shuffle_epi32(abcd, 0xB1);
	__m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
	shani_state s;
	s.abef = _mm_alignr_epi8(badc, hgfe, 8);
	s.cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);
	return s;
}

SHANI static void shani_final(const shani_state *s, uint8_t out[OT_HASH_SIZE])
{
	__m128i feba = _mm_shuffle_epi32(s->abef, 0x1B);
	__m128i dchg = _mm_shuffle_epi32(s->cdgh, 0xB1);
	__m128i abcd = _mm_blend_epi16(feba, dchg, 0xF0);
	__m128i efgh = _mm_alignr_epi8(dchg, feba, 8);
	_mm_storeu_si128((__m128i *)(void *)out, bswap32x4(abcd));
	_mm_storeu_si128((__m128i *)(void *)(out + 16), bswap32x4(efgh));
}

/* Message words 4q..4q+3 from words 4q-16..4q-1 held in w0..w3 (w0 the
 * oldest), into w0: W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. */
#define SCHEDULE(w0, w1, w2, w3)   \
	w0 = _mm_sha256msg2_epu32( \
		_mm_add_epi32(_mm_sha256msg1_epu32(w0, w1), _mm_alignr_epi8(w3, w2, 4)), w3)

/* Rounds 4q..4q+3 of state s with message words w. */
#define ROUNDS(s, w, q)                                                                          \
	do {                                                                                     \
		__m128i wk_ = _mm_add_epi32(                                                     \
			w, _mm_loadu_si128((const __m128i *)(const void *)(K256 + 4 * (q))));    \
		(s).cdgh = _mm_sha256rnds2_epu32((s).cdgh, (s).abef, wk_);                       \
		(s).abef =                                                                       \
			_mm_sha256rnds2_epu32((s).abef, (s).cdgh, _mm_shuffle_epi32(wk_, 0x0E)); \
	} while (0)

/* Both messages' four rounds 4q..4q+3, interleaved: the point of pairing. */
#define ROUNDS2(wa, wb, q)         \
	do {                       \
		ROUNDS(*a, wa, q); \
		ROUNDS(*b, wb, q); \
	} while (0)

#define LOAD(p, k) bswap32x4(_mm_loadu_si128((const __m128i *)(const void *)((p) + 16 * (k))))

/* One 64-byte block into each of two states. */
SHANI static void shani_block_x2(shani_state *a, shani_state *b, const uint8_t *pa,
                                 const uint8_t *pb)
{
	shani_state a0 = *a, b0 = *b;
	__m128i a_w0 = LOAD(pa, 0), a_w1 = LOAD(pa, 1), a_w2 = LOAD(pa, 2), a_w3 = LOAD(pa, 3);
	__m128i b_w0 = LOAD(pb, 0), b_w1 = LOAD(pb, 1), b_w2 = LOAD(pb, 2), b_w3 = LOAD(pb, 3);
	ROUNDS2(a_w0, b_w0, 0);
	ROUNDS2(a_w1, b_w1, 1);
	ROUNDS2(a_w2, b_w2, 2);
	ROUNDS2(a_w3, b_w3, 3);
	for (int q = 4; q < 16; q += 4) {
		SCHEDULE(a_w0, a_w1, a_w2, a_w3);
		SCHEDULE(b_w0, b_w1, b_w2, b_w3);
		ROUNDS2(a_w0, b_w0, q);
		SCHEDULE(a_w1, a_w2, a_w3, a_w0);
		SCHEDULE(b_w1, b_w2, b_w3, b_w0);
		ROUNDS2(a_w1, b_w1, q + 1);
		SCHEDULE(a_w2, a_w3, a_w0, a_w1);
		SCHEDULE(b_w2, b_w3, b_w0, b_w1);
		ROUNDS2(a_w2, b_w2, q + 2);
		SCHEDULE(a_w3, a_w0, a_w1, a_w2);
		SCHEDULE(b_w3, b_w0, b_w1, b_w2);
		ROUNDS2(a_w3, b_w3, q + 3);
	}
	a->abef = _mm_add_epi32(a->abef, a0.abef);
	a->cdgh = _mm_add_epi32(a->cdgh, a0.cdgh);
	b->abef = _mm_add_epi32(b->abef, b0.abef);
	b->cdgh = _mm_add_epi32(b->cdgh, b0.cdgh);
}

/* Both messages to their hashes. Where one is longer, its last blocks are
 * paired with a throw-away copy of themselves: one message alone runs at
 * the latency of sha256rnds2 anyway, so the copy costs next to nothing. */
SHANI static void shani_hash_x2(const message *ma, const message *mb, uint8_t out_a[OT_HASH_SIZE],
                                uint8_t out_b[OT_HASH_SIZE])
{
	shani_state a = shani_init(), b = shani_init(), spare;
	uint8_t sa[64], sb[64];
	size_t both = ma->blocks < mb->blocks ? ma->blocks : mb->blocks;
	for (size_t i = 0; i < both; i++)
		shani_block_x2(&a, &b, message_block(ma, i, sa), message_block(mb, i, sb));
	const message *rest = ma->blocks > both ? ma : mb;
	shani_state *rs = ma->blocks > both ? &a : &b;
	for (size_t i = both; i < rest->blocks; i++) {
		const uint8_t *p = message_block(rest, i, sa);
		spare = *rs;
		shani_block_x2(rs, &spare, p, p);
	}
	shani_final(&a, out_a);
	shani_final(&b, out_b);
}

/* Whether the CPU has SHA-NI and the SSE levels the code above uses. Read
 * with cpuid rather than __builtin_cpu_supports("sha"), which clang 14
 * does not know: CPUID.(EAX=7,ECX=0):EBX bit 29 is SHA, CPUID.1:ECX bit 9
 * SSSE3 and bit 19 SSE4.1 (Intel SDM vol. 2, CPUID). */
static int cpu_has_shani(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return 0;
	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	return (b >> 29) & 1;
}

static int use_shani(void)
{
	/* -1: not yet asked. Every thread that asks gets the same answer. */
	static _Atomic int have = -1;
	int h = atomic_load_explicit(&have, memory_order_relaxed);
	if (h < 0) {
		h = cpu_has_shani();
		atomic_store_explicit(&have, h, memory_order_relaxed);
	}
	return h;
}
#endif /* OT_HASH_SHANI */

/* Hashes two messages: paired on SHA-NI, else one after the other. */
static void hash_x2(const message *ma, const message *mb, uint8_t out_a[OT_HASH_SIZE],
                    uint8_t out_b[OT_HASH_SIZE])
{
#ifdef OT_HASH_SHANI
	if (use_shani()) {
		shani_hash_x2(ma, mb, out_a, out_b);
		return;
	}
#endif
	const message *ms[2] = {ma, mb};
	uint8_t *outs[2] = {out_a, out_b};
	for (int k = 0; k < 2; k++) {
		SHA256_CTX c;
		SHA256_Init(&c);
		SHA256_Update(&c, &ms[k]->prefix, ms[k]->prefix_len);
		SHA256_Update(&c, ms[k]->data, ms[k]->len);
		SHA256_Final(outs[k], &c);
	}
}

int otx_hash_accelerated(void)
{
#ifdef OT_HASH_SHANI
	return use_shani();
#else
	return 0;
#endif
}

void otx_sha256_x2(const void *m0, size_t len0, const void *m1, size_t len1,
                   uint8_t out0[OT_HASH_SIZE], uint8_t out1[OT_HASH_SIZE])
{
	message a = message_of(-1, m0, len0), b = message_of(-1, m1, len1);
	hash_x2(&a, &b, out0, out1);
}

void otx_leaf_hash_x2(const void *e0, size_t len0, const void *e1, size_t len1,
                      uint8_t out0[OT_HASH_SIZE], uint8_t out1[OT_HASH_SIZE])
{
	message a = message_of(0x00, e0, len0), b = message_of(0x00, e1, len1);
	hash_x2(&a, &b, out0, out1);
}

void otx_node_hash_x2(const uint8_t l0[OT_HASH_SIZE], const uint8_t r0[OT_HASH_SIZE],
                      const uint8_t l1[OT_HASH_SIZE], const uint8_t r1[OT_HASH_SIZE],
                      uint8_t out0[OT_HASH_SIZE], uint8_t out1[OT_HASH_SIZE])
{
	uint8_t c0[2 * OT_HASH_SIZE], c1[2 * OT_HASH_SIZE];
	memcpy(c0, l0, OT_HASH_SIZE);
	memcpy(c0 + OT_HASH_SIZE, r0, OT_HASH_SIZE);
	memcpy(c1, l1, OT_HASH_SIZE);
	memcpy(c1 + OT_HASH_SIZE, r1, OT_HASH_SIZE);
	message a = message_of(0x01, c0, sizeof c0), b = message_of(0x01, c1, sizeof c1);
	hash_x2(&a, &b, out0, out1);
}

void otx_leaf_hash_many(const uint8_t *const *entries, const size_t *lens, size_t n,
                        uint8_t (*out)[OT_HASH_SIZE])
{
	size_t k = 0;
	for (; k + 1 < n; k += 2)
		otx_leaf_hash_x2(entries[k], lens[k], entries[k + 1], lens[k + 1], out[k],
		                 out[k + 1]);
	if (k < n)
		ot_leaf_hash(entries[k], lens[k], out[k]);
}

void otx_node_hash_many(const uint8_t (*children)[OT_HASH_SIZE], size_t n,
                        uint8_t (*out)[OT_HASH_SIZE])
{
	/* A parent's two children are adjacent: 64 bytes hashed in place. Both
	 * children of a pair are read before either parent is written, and
	 * parent k lies at or before child 2k: in place is safe. */
	size_t k = 0;
	for (; k + 1 < n; k += 2) {
		message a = message_of(0x01, children[2 * k], 2 * OT_HASH_SIZE);
		message b = message_of(0x01, children[2 * k + 2], 2 * OT_HASH_SIZE);
		uint8_t h0[OT_HASH_SIZE], h1[OT_HASH_SIZE];
		hash_x2(&a, &b, h0, h1);
		memcpy(out[k], h0, OT_HASH_SIZE);
		memcpy(out[k + 1], h1, OT_HASH_SIZE);
	}
	if (k < n)
		ot_node_hash(children[2 * k], children[2 * k + 1], out[k]);
}
