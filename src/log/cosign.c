/*
 * cosign.c: witness cosignatures, C2SP tlog-cosignature v1 with Ed25519
 * (signature type 0x04), compatible with transparency-dev/formats' note
 * package (NewSignerForCosignatureV1, NewVerifierForCosignatureV1).
 *
 * A cosignature states that, at its timestamp, the checkpoint is the largest
 * consistent tree head the cosigner has seen for the log. It signs
 *   "cosignature/v1\ntime <timestamp>\n" || checkpoint note text
 * and its note signature is key id(4) || timestamp(8, big-endian) ||
 * Ed25519 signature(64). The key id binds the name to the key with the type
 * byte 0x04, so a cosigner's line never passes for an ordinary signature by
 * the same key. Everything here goes through the note module's public
 * interface (note.h); only the Ed25519 verification calls libsodium.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/crypto.h"
#include "oretrail/encoding.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

#define ALG_ED25519 0x01
#define ALG_COSIG_V1 0x04
#define COSIG_SIG_LEN (8 + 64) /* timestamp || Ed25519 signature */
#define TIMESTAMP_MAX ((uint64_t)INT64_MAX)
static const char SIG_PREFIX[] = "\xe2\x80\x94 "; /* EM DASH, space */

struct ot_cosig_verifier {
	char name[OT_KEY_NAME_MAX + 1];
	uint32_t key_id;
	uint8_t pk[32];
};

static uint32_t key_id_for(const char *name, uint8_t alg, const uint8_t pk[32])
{
	uint8_t msg[OT_KEY_NAME_MAX + 2 + 32];
	size_t nl = strlen(name);
	memcpy(msg, name, nl);
	msg[nl] = '\n';
	msg[nl + 1] = alg;
	memcpy(msg + nl + 2, pk, 32);
	uint8_t h[OT_HASH_SIZE];
	ot_sha256(msg, nl + 2 + 32, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* The signed message: header, time line, note text. malloc'ed. */
static char *cosig_message(const char *text, size_t text_len, uint64_t timestamp, size_t *len)
{
	char head[64];
	int h = snprintf(head, sizeof head, "cosignature/v1\ntime %llu\n",
	                 (unsigned long long)timestamp);
	if (h < 0 || (size_t)h >= sizeof head)
		return NULL;
	char *msg = malloc((size_t)h + text_len);
	if (!msg)
		return NULL;
	memcpy(msg, head, (size_t)h);
	memcpy(msg + h, text, text_len);
	*len = (size_t)h + text_len;
	return msg;
}

/* A signer's public key, through its verifier key string. */
static ot_status signer_public_key(const ot_signer *s, uint8_t pk[32], ot_error *err)
{
	char vkey[OT_VKEY_MAX];
	ot_verifier *v = NULL;
	ot_status rc = ot_signer_vkey(s, vkey, sizeof vkey);
	if (!rc)
		rc = ot_verifier_parse(vkey, strlen(vkey), &v, err);
	if (rc)
		return err && err->status ? rc
		                          : ot_error_set(err, rc, "cannot read the signer's key");
	memcpy(pk, ot_verifier_public_key(v), 32);
	ot_verifier_free(v);
	return OT_OK;
}

uint32_t ot_signer_cosig_key_id(const ot_signer *s)
{
	uint8_t pk[32];
	if (!s || signer_public_key(s, pk, NULL))
		return 0;
	return key_id_for(ot_signer_name(s), ALG_COSIG_V1, pk);
}

ot_status ot_note_cosign(const ot_signer *s, const char *text, size_t text_len, uint64_t timestamp,
                         char *line, size_t size, size_t *line_len, ot_error *err)
{
	if (!s || !text || !line)
		return ot_error_set(err, OT_ERR_ARG, "nothing to cosign");
	if (text_len == 0 || text[text_len - 1] != '\n' || memchr(text, 0, text_len))
		return ot_error_set(err, OT_ERR_PARSE,
		                    "the note text to cosign must end in a newline");
	if (timestamp > TIMESTAMP_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "a cosignature timestamp is at most 2^63-1");
	uint8_t pk[32];
	ot_status rc = signer_public_key(s, pk, err);
	if (rc)
		return rc;
	size_t mlen = 0;
	char *msg = cosig_message(text, text_len, timestamp, &mlen);
	if (!msg)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	uint8_t raw[4 + COSIG_SIG_LEN];
	uint32_t id = key_id_for(ot_signer_name(s), ALG_COSIG_V1, pk);
	for (int i = 0; i < 4; i++)
		raw[i] = (uint8_t)(id >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		raw[4 + i] = (uint8_t)(timestamp >> (56 - 8 * i));
	rc = ot_signer_sign_raw(s, msg, mlen, raw + 12);
	free(msg);
	if (rc)
		return ot_error_set(err, rc, "cannot sign");
	char b64[128];
	ot_b64_encode(raw, sizeof raw, b64);
	int w = snprintf(line, size, "%s%s %s\n", SIG_PREFIX, ot_signer_name(s), b64);
	if (w < 0 || (size_t)w >= size)
		return ot_error_set(err, OT_ERR_TOOBIG,
		                    "the cosignature line does not fit in %zu bytes", size);
	if (line_len)
		*line_len = (size_t)w;
	return OT_OK;
}

/* Splits "<name>+<hex id>+<base64 key>" (the name has no '+'; base64 may). */
ot_status ot_cosig_verifier_parse(const char *text, size_t len, ot_cosig_verifier **out,
                                  ot_error *err)
{
	if (!text || !out)
		return ot_error_set(err, OT_ERR_ARG, "no cosigner key given");
	otx_crypto_init();
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	const char *p1 = memchr(text, '+', len);
	const char *p2 = p1 ? memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - text)) : NULL;
	if (!p1 || !p2 || p1 == text || p2 - p1 != 9)
		return ot_error_set(err, OT_ERR_KEY,
		                    "not a cosigner key: expected <name>+<id>+<key>");
	size_t nlen = (size_t)(p1 - text);
	if (nlen > OT_KEY_NAME_MAX)
		return ot_error_set(err, OT_ERR_KEY, "cosigner key name is longer than %d bytes",
		                    OT_KEY_NAME_MAX);
	uint8_t raw[64];
	size_t rawlen = 0;
	const char *key = p2 + 1;
	if (ot_b64_decode(key, len - (size_t)(key - text), raw, sizeof raw, &rawlen) != OT_OK ||
	    rawlen != 33)
		return ot_error_set(err, OT_ERR_KEY, "cosigner key data is not base64 of 33 bytes");
	if (raw[0] != ALG_COSIG_V1 && raw[0] != ALG_ED25519)
		return ot_error_set(
			err, OT_ERR_KEY,
			"cosigner key type %u is neither Ed25519 cosignature/v1 (4) nor "
			"Ed25519 (1)",
			raw[0]);
	ot_cosig_verifier tmp;
	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.name, text, nlen);
	memcpy(tmp.pk, raw + 1, 32);

	/* The name's validity is the note module's to say: ask it through the
	 * ordinary verifier key of the same name and public key. */
	char plain[OT_VKEY_MAX], b64[64];
	uint8_t plain_raw[33];
	plain_raw[0] = ALG_ED25519;
	memcpy(plain_raw + 1, tmp.pk, 32);
	ot_b64_encode(plain_raw, sizeof plain_raw, b64);
	snprintf(plain, sizeof plain, "%s+%08x+%s", tmp.name,
	         key_id_for(tmp.name, ALG_ED25519, tmp.pk), b64);
	ot_verifier *v = NULL;
	ot_status rc = ot_verifier_parse(plain, strlen(plain), &v, err);
	ot_verifier_free(v);
	if (rc)
		return rc;

	char hex[9];
	memcpy(hex, p1 + 1, 8);
	hex[8] = 0;
	char want[9];
	snprintf(want, sizeof want, "%08x", key_id_for(tmp.name, raw[0], tmp.pk));
	if (strcmp(hex, want) != 0)
		return ot_error_set(err, OT_ERR_KEY,
		                    "cosigner key id %s does not match its name and key "
		                    "(want %s)",
		                    hex, want);
	tmp.key_id = key_id_for(tmp.name, ALG_COSIG_V1, tmp.pk);
	ot_cosig_verifier *cv = malloc(sizeof *cv);
	if (!cv)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	*cv = tmp;
	*out = cv;
	return OT_OK;
}

ot_status ot_cosig_verifier_from_signer(const ot_signer *s, ot_cosig_verifier **out, ot_error *err)
{
	if (!s || !out)
		return ot_error_set(err, OT_ERR_ARG, "no signer given");
	ot_cosig_verifier *cv = calloc(1, sizeof *cv);
	if (!cv)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = signer_public_key(s, cv->pk, err);
	if (rc) {
		free(cv);
		return rc;
	}
	snprintf(cv->name, sizeof cv->name, "%s", ot_signer_name(s));
	cv->key_id = key_id_for(cv->name, ALG_COSIG_V1, cv->pk);
	*out = cv;
	return OT_OK;
}

ot_status ot_cosig_verifier_format(const ot_cosig_verifier *v, char *buf, size_t size)
{
	if (!v || !buf)
		return OT_ERR_ARG;
	uint8_t raw[33];
	char b64[64];
	raw[0] = ALG_COSIG_V1;
	memcpy(raw + 1, v->pk, 32);
	ot_b64_encode(raw, sizeof raw, b64);
	int w = snprintf(buf, size, "%s+%08x+%s", v->name, v->key_id, b64);
	return w < 0 || (size_t)w >= size ? OT_ERR_TOOBIG : OT_OK;
}

const char *ot_cosig_verifier_name(const ot_cosig_verifier *v)
{
	return v ? v->name : NULL;
}

uint32_t ot_cosig_verifier_key_id(const ot_cosig_verifier *v)
{
	return v ? v->key_id : 0;
}

void ot_cosig_verifier_free(ot_cosig_verifier *v)
{
	free(v);
}

ot_status ot_cosignature_verify(const ot_cosig_verifier *v, const char *text, size_t text_len,
                                const ot_note_sig *sig, uint64_t *timestamp)
{
	if (!v || !text || !sig)
		return OT_ERR_ARG;
	if (sig->key_id != v->key_id || strcmp(sig->name, v->name) != 0)
		return OT_ERR_NOTFOUND;
	if (sig->sig_len != COSIG_SIG_LEN)
		return OT_ERR_VERIFY;
	uint64_t ts = 0;
	for (int i = 0; i < 8; i++)
		ts = ts << 8 | sig->sig[i];
	if (ts > TIMESTAMP_MAX)
		return OT_ERR_VERIFY;
	size_t mlen = 0;
	char *msg = cosig_message(text, text_len, ts, &mlen);
	if (!msg)
		return OT_ERR_NOMEM;
	otx_crypto_init();
	int bad =
		crypto_sign_verify_detached(sig->sig + 8, (const unsigned char *)msg, mlen, v->pk);
	free(msg);
	if (bad)
		return OT_ERR_VERIFY;
	if (timestamp)
		*timestamp = ts;
	return OT_OK;
}

size_t ot_note_count_cosignatures(const ot_note *n, ot_cosig_verifier *const *keys, size_t n_keys,
                                  long *first_bad)
{
	size_t count = 0;
	if (first_bad)
		*first_bad = -1;
	if (!n || (!keys && n_keys))
		return 0;
	for (size_t k = 0; k < n_keys; k++) {
		int dup = 0;
		for (size_t j = 0; j < k && !dup; j++)
			dup = keys[j]->key_id == keys[k]->key_id &&
			      strcmp(keys[j]->name, keys[k]->name) == 0;
		if (dup)
			continue;
		for (size_t i = 0; i < n->n_sigs; i++) {
			ot_status rc = ot_cosignature_verify(keys[k], n->text, n->text_len,
			                                     &n->sigs[i], NULL);
			if (rc == OT_OK) {
				count++;
				break;
			}
			if (rc != OT_ERR_NOTFOUND && first_bad && *first_bad < 0)
				*first_bad = (long)k;
		}
	}
	return count;
}
