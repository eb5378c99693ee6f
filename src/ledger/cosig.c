/*
 * cosig.c: the log's checkpoint with its witnesses' cosignatures.
 *
 * The server keeps, per witness, the newest cosignature it accepted
 * (src/server/witness.c calls ot_ledger_cosig_keep) in the key-value
 * namespace OTX_NS_COSIG: key "<name>+<key id>", value "<signature
 * line>\n" || the checkpoint text it covers. This file alone writes and
 * reads that record. A cosignature is attached to a checkpoint only when it covers
 * exactly that checkpoint's text: an older cosignature is kept, but not
 * served, until the witness catches up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger/state.h"
#include "ledger/timeline.h"
#include "oretrail/buf.h"
#include "oretrail/encoding.h"
#include "oretrail/status.h"

/* The note text of a signed note: up to and including the newline before
 * the blank line that ends it. 0 when there is none. */
static size_t note_text_len(const char *note, size_t len)
{
	for (size_t i = len; i >= 2; i--)
		if (note[i - 2] == '\n' && note[i - 1] == '\n')
			return i - 1;
	return 0;
}

typedef struct attach_ctx {
	const char *text;
	size_t text_len;
	ot_buf *out;
	ot_status buf_rc; /* the buffer's failure, if any */
} attach_ctx;

static ot_status attach_one(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	attach_ctx *a = ctx;
	(void)key;
	const uint8_t *nl = memchr(value, '\n', len);
	if (!nl)
		return OT_OK;
	size_t line_len = (size_t)(nl - value) + 1;
	if (len - line_len == a->text_len && memcmp(nl + 1, a->text, a->text_len) == 0)
		a->buf_rc = ot_buf_add(a->out, value, line_len);
	return a->buf_rc;
}

ot_status otx_cosig_attach(ot_store *st, char **note, size_t *len, ot_error *err)
{
	size_t tl = note_text_len(*note, *len);
	if (!tl)
		return OT_OK;
	ot_buf b;
	ot_buf_init(&b, (size_t)OT_NOTE_MAX * 2);
	ot_status rc = ot_buf_add(&b, *note, *len);
	attach_ctx a = {*note, tl, &b, OT_OK};
	if (!rc)
		rc = ot_store_kv_scan(st, OTX_NS_COSIG, "", attach_one, &a, err);
	if (a.buf_rc)
		rc = ot_error_set(err, a.buf_rc, "the cosigned checkpoint is over %d bytes",
		                  OT_NOTE_MAX * 2);
	if (!rc && b.len != *len) {
		uint8_t *data = NULL;
		size_t dlen = 0;
		if ((rc = ot_buf_detach(&b, &data, &dlen))) {
			ot_error_set(err, rc, "out of memory attaching cosignatures");
		} else {
			free(*note);
			*note = (char *)data;
			*len = dlen;
		}
	}
	ot_buf_free(&b);
	return rc;
}

ot_status ot_ledger_checkpoint(ot_ledger *l, char **note, size_t *len, ot_error *err)
{
	if (!l || !note || !len)
		return ot_error_set(err, OT_ERR_ARG, "checkpoint needs a ledger and an output");
	*note = NULL;
	*len = 0;
	ot_status rc = ot_log_checkpoint(l->log, note, len, err);
	if (!rc)
		rc = otx_cosig_attach(l->st, note, len, err);
	if (rc) {
		free(*note);
		*note = NULL;
		*len = 0;
	}
	return rc;
}

/* The size of the checkpoint a stored cosignature covers (0 when unreadable). */
static uint64_t stored_size(const uint8_t *value, size_t len)
{
	const uint8_t *nl = memchr(value, '\n', len);
	ot_checkpoint cp;
	if (!nl || ot_checkpoint_parse((const char *)nl + 1, len - (size_t)(nl + 1 - value), &cp,
	                               NULL) != OT_OK)
		return 0;
	return cp.size;
}

/* A witness's key in OTX_NS_COSIG: "<name>+<key id>". */
static void cosig_key(char *key, size_t size, const char *name, uint32_t key_id)
{
	snprintf(key, size, "%s+%08x", name, key_id);
}

/* Keeps line as the witness's newest cosignature unless a newer one is
 * kept, and in the checkpoint history (timeline.h) with its timestamp, in
 * one transaction. */
static ot_status store_cosig(ot_store *st, const ot_note_sig *sig, const char *key,
                             const char *line, size_t line_len, const char *text, size_t text_len,
                             uint64_t size, ot_error *err)
{
	ot_status rc = ot_store_begin(st, err);
	if (rc)
		return rc;
	uint64_t timestamp = 0; /* tlog-cosignature/v1: timestamp(8, big-endian) || signature */
	for (int k = 0; k < 8; k++)
		timestamp = timestamp << 8 | sig->sig[k];
	rc = otx_timeline_cosigned(st, size, sig->name, sig->key_id, timestamp, line, err);
	if (rc) {
		ot_store_rollback(st);
		return rc;
	}
	uint8_t *old = NULL;
	size_t old_len = 0;
	rc = ot_store_kv_get(st, OTX_NS_COSIG, key, &old, &old_len, err);
	if (rc == OT_ERR_NOTFOUND || (rc == OT_OK && stored_size(old, old_len) <= size)) {
		uint8_t *value = malloc(line_len + text_len);
		if (!value) {
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		} else {
			memcpy(value, line, line_len);
			memcpy(value + line_len, text, text_len);
			rc = ot_store_kv_put(st, OTX_NS_COSIG, key, value, line_len + text_len,
			                     err);
			free(value);
		}
	}
	free(old);
	if (!rc)
		rc = ot_store_commit(st, err);
	else
		ot_store_rollback(st);
	return rc;
}

uint64_t ot_ledger_cosig_size(ot_store *st, const ot_cosig_verifier *v)
{
	char key[OT_KEY_NAME_MAX + 16];
	cosig_key(key, sizeof key, ot_cosig_verifier_name(v), ot_cosig_verifier_key_id(v));
	uint8_t *value = NULL;
	size_t len = 0;
	uint64_t size = 0;
	if (st && ot_store_kv_get(st, OTX_NS_COSIG, key, &value, &len, NULL) == OT_OK)
		size = stored_size(value, len);
	free(value);
	return size;
}

ot_status ot_ledger_cosig_keep(ot_store *st, const ot_cosig_verifier *v, const ot_note *note,
                               uint64_t size, ot_error *err)
{
	for (size_t i = 0; i < note->n_sigs; i++) {
		const ot_note_sig *sig = &note->sigs[i];
		ot_status vr = ot_cosignature_verify(v, note->text, note->text_len, sig, NULL);
		if (vr == OT_ERR_NOTFOUND)
			continue;
		if (vr)
			return ot_error_set(err, OT_ERR_VERIFY,
			                    "the cosignature by witness %s does not verify",
			                    ot_cosig_verifier_name(v));
		uint8_t raw[4 + sizeof sig->sig];
		char b64[256], line[OT_COSIG_LINE_MAX], key[OT_KEY_NAME_MAX + 16];
		for (int k = 0; k < 4; k++)
			raw[k] = (uint8_t)(sig->key_id >> (24 - 8 * k));
		memcpy(raw + 4, sig->sig, sig->sig_len);
		ot_b64_encode(raw, 4 + sig->sig_len, b64);
		int ll = snprintf(line, sizeof line, "\xe2\x80\x94 %s %s\n", sig->name, b64);
		if (ll < 0 || (size_t)ll >= sizeof line)
			return ot_error_set(err, OT_ERR_VERIFY,
			                    "the cosignature by witness %s is too long",
			                    ot_cosig_verifier_name(v));
		cosig_key(key, sizeof key, sig->name, sig->key_id);
		return store_cosig(st, sig, key, line, (size_t)ll, note->text, note->text_len, size,
		                   err);
	}
	return ot_error_set(err, OT_ERR_NOTFOUND, "no cosignature by witness %s",
	                    ot_cosig_verifier_name(v));
}
