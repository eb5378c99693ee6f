/*
 * note.c: C2SP signed-note with Ed25519 (signature type 0x01), byte for byte
 * compatible with Go's golang.org/x/mod/sumdb/note.
 *
 * A note's text is everything up to and including the newline before the
 * last blank line; the signature block after it is one line per signature,
 * "\u2014 <key name> <base64(4-byte key id || signature)>". The key id binds
 * the name to the key: SHA-256(name || "\n" || 0x01 || public key)[0:4].
 * Ed25519 comes from libsodium.
 */
#include "oretrail/note.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/crypto.h"
#include "oretrail/buf.h"
#include "oretrail/encoding.h"
#include "oretrail/status.h"

#define ALG_ED25519 0x01
static const char SIG_PREFIX[] = "\xe2\x80\x94 "; /* EM DASH, space */
#define SIG_PREFIX_LEN 4

struct ot_signer {
	char name[OT_KEY_NAME_MAX + 1];
	uint32_t key_id;
	uint8_t seed[32];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

struct ot_verifier {
	char name[OT_KEY_NAME_MAX + 1];
	uint32_t key_id;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
};

/* Decodes one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Unicode White_Space, as Go's unicode.IsSpace. */
static int is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
	       c == 0x205f || c == 0x3000;
}

/* A key name: non-empty valid UTF-8, no white space, no '+'. */
static int valid_name(const char *name, size_t len)
{
	if (len == 0 || len > OT_KEY_NAME_MAX)
		return 0;
	const unsigned char *s = (const unsigned char *)name;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (!n || is_space(cp) || cp == '+' || cp == 0)
			return 0;
		i += n;
	}
	return 1;
}

static uint32_t key_id(const char *name, const uint8_t pk[32])
{
	uint8_t msg[OT_KEY_NAME_MAX + 2 + 32];
	size_t nl = strlen(name);
	memcpy(msg, name, nl);
	msg[nl] = '\n';
	msg[nl + 1] = ALG_ED25519;
	memcpy(msg + nl + 2, pk, 32);
	uint8_t h[OT_HASH_SIZE];
	ot_sha256(msg, nl + 2 + 32, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static ot_status signer_from_seed(const char *name, size_t nlen, const uint8_t seed[32],
                                  ot_signer **out)
{
	ot_signer *s = sodium_malloc(sizeof *s);
	if (!s)
		return OT_ERR_NOMEM;
	memset(s, 0, sizeof *s);
	memcpy(s->name, name, nlen);
	s->name[nlen] = 0;
	memcpy(s->seed, seed, 32);
	crypto_sign_seed_keypair(s->pk, s->sk, s->seed);
	s->key_id = key_id(s->name, s->pk);
	*out = s;
	return OT_OK;
}

ot_status ot_signer_generate(const char *name, ot_signer **out, ot_error *err)
{
	if (!name || !out)
		return ot_error_set(err, OT_ERR_ARG, "no key name given");
	otx_crypto_init();
	size_t nlen = strlen(name);
	if (!valid_name(name, nlen))
		return ot_error_set(err, OT_ERR_KEY,
		                    "key name \"%s\" is not valid: it must be 1-%d bytes of UTF-8 "
		                    "without spaces or '+'",
		                    name, OT_KEY_NAME_MAX);
	uint8_t seed[32];
	randombytes_buf(seed, sizeof seed);
	ot_status rc = signer_from_seed(name, nlen, seed, out);
	sodium_memzero(seed, sizeof seed);
	return rc ? ot_error_set(err, rc, "cannot allocate a key") : OT_OK;
}

/* Splits "a+b+c..." at '+' into exactly `want` fields, the last taking the
 * rest (base64 key data may itself contain '+'); returns the count found. */
static size_t split_plus(const char *s, size_t len, const char **f, size_t *fl, size_t want)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i < len && n + 1 < want; i++) {
		if (s[i] == '+') {
			f[n] = s + start;
			fl[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	f[n] = s + start;
	fl[n] = len - start;
	return n + 1;
}

static int parse_hex32(const char *s, size_t len, uint32_t *out)
{
	if (len != 8)
		return 0;
	uint32_t v = 0;
	for (size_t i = 0; i < 8; i++) {
		char c = s[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else
			return 0;
		v = v << 4 | d;
	}
	*out = v;
	return 1;
}

static size_t trim_newline(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	return len;
}

/* The parts of a key string after any "PRIVATE+KEY+" prefix:
 * <name>+<8 hex id>+<base64(0x01 || 32 key bytes)>. `kind` names the key in
 * messages. The caller wipes `key` when it is secret. */
static ot_status parse_key_parts(const char *text, size_t len, const char *kind,
                                 char name[OT_KEY_NAME_MAX + 1], uint32_t *id, uint8_t key[32],
                                 ot_error *err)
{
	const char *f[3];
	size_t fl[3];
	uint8_t raw[64];
	size_t rawlen = 0;
	if (split_plus(text, len, f, fl, 3) != 3)
		return ot_error_set(err, OT_ERR_KEY, "not a %s key: expected <name>+<id>+<key>",
		                    kind);
	if (!valid_name(f[0], fl[0]))
		return ot_error_set(err, OT_ERR_KEY, "%s key has an invalid name", kind);
	if (!parse_hex32(f[1], fl[1], id))
		return ot_error_set(err, OT_ERR_KEY, "%s key id is not 8 lowercase hex digits",
		                    kind);
	if (ot_b64_decode(f[2], fl[2], raw, sizeof raw, &rawlen) != OT_OK || rawlen != 33) {
		sodium_memzero(raw, sizeof raw);
		return ot_error_set(err, OT_ERR_KEY, "%s key data is not base64 of 33 bytes", kind);
	}
	if (raw[0] != ALG_ED25519) {
		sodium_memzero(raw, sizeof raw);
		return ot_error_set(err, OT_ERR_KEY, "%s key algorithm %u is not Ed25519 (1)", kind,
		                    raw[0]);
	}
	memcpy(name, f[0], fl[0]);
	name[fl[0]] = 0;
	memcpy(key, raw + 1, 32);
	sodium_memzero(raw, sizeof raw);
	return OT_OK;
}

static ot_status key_id_mismatch(ot_error *err, const char *kind, uint32_t id, uint32_t want)
{
	return ot_error_set(err, OT_ERR_KEY,
	                    "%s key id %08x does not match its name and key (want %08x)", kind, id,
	                    want);
}

ot_status ot_signer_parse(const char *text, size_t len, ot_signer **out, ot_error *err)
{
	if (!text || !out)
		return ot_error_set(err, OT_ERR_ARG, "no key given");
	otx_crypto_init();
	len = trim_newline(text, len);
	static const char prefix[] = "PRIVATE+KEY+";
	size_t plen = sizeof prefix - 1;
	if (len < plen || memcmp(text, prefix, plen) != 0)
		return ot_error_set(err, OT_ERR_KEY,
		                    "not a signer key: expected PRIVATE+KEY+<name>+<id>+<key>");
	char name[OT_KEY_NAME_MAX + 1];
	uint32_t id;
	uint8_t seed[32];
	ot_status rc = parse_key_parts(text + plen, len - plen, "signer", name, &id, seed, err);
	if (rc)
		return rc;
	ot_signer *s = NULL;
	rc = signer_from_seed(name, strlen(name), seed, &s);
	sodium_memzero(seed, sizeof seed);
	if (rc)
		return ot_error_set(err, rc, "cannot allocate a key");
	if (s->key_id != id) {
		uint32_t want = s->key_id;
		ot_signer_free(s);
		return key_id_mismatch(err, "signer", id, want);
	}
	*out = s;
	return OT_OK;
}

static ot_status format_key(char *buf, size_t size, const char *prefix, const char *name,
                            uint32_t id, const uint8_t key[32])
{
	uint8_t raw[33];
	char b64[64];
	raw[0] = ALG_ED25519;
	memcpy(raw + 1, key, 32);
	ot_b64_encode(raw, sizeof raw, b64);
	sodium_memzero(raw, sizeof raw);
	int w = snprintf(buf, size, "%s%s+%08x+%s", prefix, name, id, b64);
	sodium_memzero(b64, sizeof b64);
	if (w < 0 || (size_t)w >= size)
		return OT_ERR_TOOBIG;
	return OT_OK;
}

ot_status ot_signer_format(const ot_signer *s, char *buf, size_t size)
{
	if (!s || !buf)
		return OT_ERR_ARG;
	return format_key(buf, size, "PRIVATE+KEY+", s->name, s->key_id, s->seed);
}

ot_status ot_signer_vkey(const ot_signer *s, char *buf, size_t size)
{
	if (!s || !buf)
		return OT_ERR_ARG;
	return format_key(buf, size, "", s->name, s->key_id, s->pk);
}

const char *ot_signer_name(const ot_signer *s)
{
	return s ? s->name : NULL;
}

uint32_t ot_signer_key_id(const ot_signer *s)
{
	return s ? s->key_id : 0;
}

ot_status ot_signer_sign_raw(const ot_signer *s, const void *msg, size_t len, uint8_t sig[64])
{
	if (!s || (!msg && len) || !sig)
		return OT_ERR_ARG;
	crypto_sign_detached(sig, NULL, msg, len, s->sk);
	return OT_OK;
}

void ot_signer_free(ot_signer *s)
{
	if (s)
		sodium_free(s); /* sodium_free wipes the memory */
}

ot_status ot_verifier_parse(const char *text, size_t len, ot_verifier **out, ot_error *err)
{
	if (!text || !out)
		return ot_error_set(err, OT_ERR_ARG, "no verifier key given");
	otx_crypto_init();
	len = trim_newline(text, len);
	ot_verifier tmp;
	uint32_t id;
	ot_status rc = parse_key_parts(text, len, "verifier", tmp.name, &id, tmp.pk, err);
	if (rc)
		return rc;
	tmp.key_id = key_id(tmp.name, tmp.pk);
	if (tmp.key_id != id)
		return key_id_mismatch(err, "verifier", id, tmp.key_id);
	ot_verifier *v = malloc(sizeof *v);
	if (!v)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot allocate a key");
	*v = tmp;
	*out = v;
	return OT_OK;
}

ot_status ot_verifier_format(const ot_verifier *v, char *buf, size_t size)
{
	if (!v || !buf)
		return OT_ERR_ARG;
	return format_key(buf, size, "", v->name, v->key_id, v->pk);
}

const char *ot_verifier_name(const ot_verifier *v)
{
	return v ? v->name : NULL;
}

uint32_t ot_verifier_key_id(const ot_verifier *v)
{
	return v ? v->key_id : 0;
}

const uint8_t *ot_verifier_public_key(const ot_verifier *v)
{
	return v ? v->pk : NULL;
}

ot_status ot_verifier_verify_raw(const ot_verifier *v, const void *msg, size_t len,
                                 const uint8_t sig[64])
{
	if (!v || (!msg && len) || !sig)
		return OT_ERR_ARG;
	otx_crypto_init();
	return crypto_sign_verify_detached(sig, msg, len, v->pk) == 0 ? OT_OK : OT_ERR_VERIFY;
}

void ot_verifier_free(ot_verifier *v)
{
	free(v);
}

/* Valid note text: UTF-8 without control characters other than newline. */
static int valid_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (!n || (cp < 0x20 && cp != '\n'))
			return 0;
		i += n;
	}
	return 1;
}

ot_status ot_note_sign(const char *text, size_t text_len, ot_signer *const *signers,
                       size_t n_signers, char **out, size_t *out_len, ot_error *err)
{
	if (!text || !out || (n_signers && !signers))
		return ot_error_set(err, OT_ERR_ARG, "nothing to sign");
	if (text_len == 0 || text[text_len - 1] != '\n' || !valid_text(text, text_len))
		return ot_error_set(
			err, OT_ERR_PARSE,
			"note text must be UTF-8 without control characters and end in a newline");
	if (text_len > OT_NOTE_MAX / 2)
		return ot_error_set(err, OT_ERR_TOOBIG, "note text is %zu bytes, the limit is %d",
		                    text_len, OT_NOTE_MAX / 2);
	ot_buf b;
	ot_buf_init(&b, OT_NOTE_MAX);
	ot_status rc = ot_buf_add(&b, text, text_len);
	if (!rc)
		rc = ot_buf_addc(&b, '\n');
	for (size_t i = 0; !rc && i < n_signers; i++) {
		const ot_signer *s = signers[i];
		uint8_t raw[4 + 64];
		char b64[128];
		raw[0] = (uint8_t)(s->key_id >> 24);
		raw[1] = (uint8_t)(s->key_id >> 16);
		raw[2] = (uint8_t)(s->key_id >> 8);
		raw[3] = (uint8_t)s->key_id;
		crypto_sign_detached(raw + 4, NULL, (const unsigned char *)text, text_len, s->sk);
		ot_b64_encode(raw, sizeof raw, b64);
		rc = ot_buf_printf(&b, "%s%s %s\n", SIG_PREFIX, s->name, b64);
	}
	if (!rc)
		rc = ot_buf_detach(&b, (uint8_t **)out, out_len);
	ot_buf_free(&b);
	return rc ? ot_error_set(err, rc, "cannot build the signed note") : OT_OK;
}

void ot_note_clear(ot_note *n)
{
	if (!n)
		return;
	free(n->sigs);
	n->sigs = NULL;
	n->n_sigs = 0;
	n->text = NULL;
	n->text_len = 0;
}

static const char *find_last_blank(const char *msg, size_t len)
{
	for (size_t i = len; i >= 2; i--)
		if (msg[i - 2] == '\n' && msg[i - 1] == '\n')
			return msg + i - 2;
	return NULL;
}

ot_status ot_note_open(const char *msg, size_t len, ot_verifier *const *verifiers,
                       size_t n_verifiers, ot_note *out, ot_error *err)
{
	if (!msg || !out || (n_verifiers && !verifiers))
		return ot_error_set(err, OT_ERR_ARG, "no note given");
	otx_crypto_init();
	memset(out, 0, sizeof *out);
	if (len > OT_NOTE_MAX)
		return ot_error_set(err, OT_ERR_TOOBIG, "note is %zu bytes, the limit is %d", len,
		                    OT_NOTE_MAX);
	if (!valid_text(msg, len))
		return ot_error_set(err, OT_ERR_PARSE,
		                    "note is not UTF-8 text without control characters");
	const char *split = find_last_blank(msg, len);
	if (!split)
		return ot_error_set(err, OT_ERR_PARSE,
		                    "note has no signature block (no blank line)");
	const char *text = msg;
	size_t text_len = (size_t)(split - msg) + 1;
	const char *sigs = split + 2, *end = msg + len;
	if (sigs == end || end[-1] != '\n')
		return ot_error_set(err, OT_ERR_PARSE,
		                    "note signature block is empty or not ended by a newline");

	ot_note_sig *list = calloc(OT_NOTE_MAX_SIGS, sizeof *list);
	if (!list)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot allocate signatures");
	size_t count = 0, verified = 0, line_no = 0;
	ot_status rc = OT_OK;
	while (sigs < end) {
		const char *nl = memchr(sigs, '\n', (size_t)(end - sigs));
		size_t ll = (size_t)(nl - sigs);
		line_no++;
		if (line_no > OT_NOTE_MAX_SIGS) {
			rc = ot_error_set(err, OT_ERR_PARSE, "note has more than %d signatures",
			                  OT_NOTE_MAX_SIGS);
			goto out;
		}
		if (ll < SIG_PREFIX_LEN || memcmp(sigs, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
			rc = ot_error_set(
				err, OT_ERR_PARSE,
				"note signature line %zu does not start with an em dash and a "
				"space",
				line_no);
			goto out;
		}
		const char *name = sigs + SIG_PREFIX_LEN;
		const char *sp = memchr(name, ' ', (size_t)(nl - name));
		uint8_t raw[4 + 128];
		size_t rawlen = 0;
		if (!sp || !valid_name(name, (size_t)(sp - name)) ||
		    ot_b64_decode(sp + 1, (size_t)(nl - sp - 1), raw, sizeof raw, &rawlen) !=
		            OT_OK ||
		    rawlen < 5) {
			rc = ot_error_set(err, OT_ERR_PARSE, "note signature line %zu is malformed",
			                  line_no);
			goto out;
		}
		ot_note_sig s;
		memset(&s, 0, sizeof s);
		memcpy(s.name, name, (size_t)(sp - name));
		s.key_id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 |
		           raw[3];
		s.sig_len = rawlen - 4;
		memcpy(s.sig, raw + 4, s.sig_len);
		sigs = nl + 1;

		/* Repeated identical lines count once. A line of the same key
		 * name and id with other signature bytes is not a repeat: a
		 * known key's must verify too (C2SP signed-note: verifiers MUST
		 * verify every line matching a known key; tlog-witness answers
		 * such a note 403). */
		int dup = 0;
		for (size_t i = 0; i < count && !dup; i++)
			dup = list[i].key_id == s.key_id && strcmp(list[i].name, s.name) == 0 &&
			      list[i].sig_len == s.sig_len &&
			      memcmp(list[i].sig, s.sig, s.sig_len) == 0;
		if (dup)
			continue;

		for (size_t i = 0; i < n_verifiers; i++) {
			const ot_verifier *v = verifiers[i];
			if (v->key_id != s.key_id || strcmp(v->name, s.name) != 0)
				continue;
			if (s.sig_len != 64 ||
			    crypto_sign_verify_detached(s.sig, (const unsigned char *)text,
			                                text_len, v->pk) != 0) {
				rc = ot_error_set(
					err, OT_ERR_VERIFY,
					"the signature of key %s+%08x on the note is invalid",
					s.name, s.key_id);
				goto out;
			}
			s.verified = 1;
			verified++;
			break;
		}
		list[count++] = s;
	}
	if (verified == 0) {
		rc = ot_error_set(err, OT_ERR_VERIFY,
		                  "the note has no signature by a known key%s%s",
		                  count ? " (signed by " : "", count ? list[0].name : "");
		if (count && err) {
			size_t l = strlen(err->message);
			if (l + 1 < sizeof err->message) {
				err->message[l] = ')';
				err->message[l + 1] = 0;
			}
		}
		goto out;
	}
	out->text = text;
	out->text_len = text_len;
	out->sigs = list;
	out->n_sigs = count;
	return OT_OK;
out:
	free(list);
	return rc;
}
