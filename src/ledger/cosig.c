/*
 * cosig.c: the log's checkpoint with its witnesses' cosignatures.
 *
 * The server keeps, per witness, the newest cosignature it accepted
 * (src/server/witness.c) in the key-value namespace OTX_NS_COSIG: key
 * "<name>+<key id>", value "<signature line>\n" || the checkpoint text it
 * covers. A cosignature is attached to a checkpoint only when it covers
 * exactly that checkpoint's text: an older cosignature is kept, but not
 * served, until the witness catches up.
 */
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger/state.h"
#include "oretrail/buf.h"
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
