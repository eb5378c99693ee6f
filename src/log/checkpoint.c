/*
 * checkpoint.c: C2SP tlog-checkpoint bodies, and one-time crypto set-up.
 *
 * A checkpoint is the text of a signed note: the origin line, the tree size
 * in decimal without leading zeros, the root hash in standard base64, each
 * ended by a newline, then optional extension lines.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "log/crypto.h"
#include "oretrail/encoding.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_init_once(void)
{
	/* sodium_init only fails when no entropy source exists; randombytes
	 * then aborts on use, so there is nothing better to do here. */
	if (sodium_init() < 0)
		return;
}

void otx_crypto_init(void)
{
	pthread_once(&crypto_once, crypto_init_once);
}

ot_status ot_checkpoint_format(const ot_checkpoint *c, char *buf, size_t size, size_t *out_len)
{
	if (!c || !buf)
		return OT_ERR_ARG;
	size_t olen = strnlen(c->origin, sizeof c->origin);
	if (olen == 0 || olen > OT_ORIGIN_MAX)
		return OT_ERR_ARG;
	for (size_t i = 0; i < olen; i++)
		if ((unsigned char)c->origin[i] < 0x20)
			return OT_ERR_ARG;
	char root[64];
	ot_b64_encode(c->root, OT_HASH_SIZE, root);
	int w = snprintf(buf, size, "%s\n%llu\n%s\n", c->origin, (unsigned long long)c->size, root);
	if (w < 0 || (size_t)w >= size)
		return OT_ERR_TOOBIG;
	if (out_len)
		*out_len = (size_t)w;
	return OT_OK;
}

ot_status ot_checkpoint_parse(const char *text, size_t len, ot_checkpoint *out, ot_error *err)
{
	if (!text || !out)
		return ot_error_set(err, OT_ERR_ARG, "no checkpoint given");
	memset(out, 0, sizeof *out);
	const char *p = text, *end = text + len;
	const char *nl = memchr(p, '\n', len);
	if (!nl || nl == p)
		return ot_error_set(err, OT_ERR_PARSE, "checkpoint has no origin line");
	if ((size_t)(nl - p) > OT_ORIGIN_MAX)
		return ot_error_set(err, OT_ERR_PARSE, "checkpoint origin is longer than %d bytes",
		                    OT_ORIGIN_MAX);
	for (const char *q = p; q < nl; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return ot_error_set(err, OT_ERR_PARSE,
			                    "checkpoint origin has a control character");
	memcpy(out->origin, p, (size_t)(nl - p));
	p = nl + 1;

	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || nl == p || (nl - p > 1 && *p == '0') || nl - p > 20)
		return ot_error_set(err, OT_ERR_PARSE,
		                    "checkpoint tree size line is not a decimal number");
	uint64_t size = 0;
	for (const char *q = p; q < nl; q++) {
		if (*q < '0' || *q > '9')
			return ot_error_set(err, OT_ERR_PARSE,
			                    "checkpoint tree size line is not a decimal number");
		uint64_t d = (uint64_t)(*q - '0');
		if (size > (UINT64_MAX - d) / 10)
			return ot_error_set(err, OT_ERR_PARSE,
			                    "checkpoint tree size overflows 64 bits");
		size = size * 10 + d;
	}
	out->size = size;
	p = nl + 1;

	nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = 0;
	if (!nl || ot_b64_decode(p, (size_t)(nl - p), out->root, sizeof out->root, &n) != OT_OK ||
	    n != OT_HASH_SIZE)
		return ot_error_set(err, OT_ERR_PARSE,
		                    "checkpoint root hash line is not base64 of 32 bytes");
	/* Extension lines follow; each must be a non-empty line. */
	p = nl + 1;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl || nl == p)
			return ot_error_set(err, OT_ERR_PARSE,
			                    "checkpoint has an empty or unterminated line");
		p = nl + 1;
	}
	return OT_OK;
}
