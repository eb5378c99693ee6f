/*
 * add.c: POST /add. The body is one signed envelope or a JSON array of
 * them. The HTTP thread does what needs no ledger state: it parses every
 * envelope (strict JSON, the envelope's shape), turns it into the canonical
 * entry the log will store and hashes that into its leaf hash. Only then
 * does the submission go to the sequencer, which checks signatures and
 * rules against the ledger and answers once the entries are durable.
 *
 * Answer (200):
 *   {"tree_size":N,
 *    "entries":[{"index":<log index>,"leaf_hash":"<base64>"}, ...],
 * an entry with "existing":true when the very same envelope was already in
 * the ledger at that index (a safe retry: nothing was appended for it),
 *    "checkpoint":"<signed checkpoint including them>"}
 * Errors: {"error":{"code","message","index"}}, index being the position of
 * the offending envelope in the request (0 for a single one).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/encoding.h"
#include "oretrail/event.h"
#include "oretrail/hash.h"
#include "oretrail/status.h"
#include "server/bounds.h"
#include "server/handlers.h"
#include "server/http.h"
#include "server/leader.h"
#include "server/readers.h"
#include "server/server_int.h"

struct otx_add {
	otx_submission sub;
	ot_prepared **prepared; /* each envelope parsed, its signature checked */
	int64_t *indexes;
	int *existing;
	uint8_t (*leaf)[OT_HASH_SIZE];
	size_t n;
	otx_request *req;
};

void otx_add_free(otx_add *a)
{
	if (!a)
		return;
	for (size_t i = 0; a->prepared && i < a->n; i++)
		ot_prepared_free(a->prepared[i]);
	free(a->prepared);
	free(a->indexes);
	free(a->existing);
	free(a->leaf);
	free(a->sub.checkpoint);
	free(a);
}

static ot_status add_alloc(otx_add *a, size_t n, ot_error *err)
{
	a->n = n;
	a->prepared = calloc(n, sizeof *a->prepared);
	a->indexes = calloc(n, sizeof *a->indexes);
	a->existing = calloc(n, sizeof *a->existing);
	a->leaf = calloc(n, sizeof *a->leaf);
	if (!a->prepared || !a->indexes || !a->existing || !a->leaf)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	return OT_OK;
}

/* Prepares envelope i from data (ot_ledger_prepare on a read-only handle:
 * parsed, canonical, its signature checked) and hashes its leaf. */
static ot_status add_envelope(otx_add *a, ot_ledger *reader, size_t i, const uint8_t *data,
                              size_t len, ot_error *err)
{
	ot_status rc = ot_ledger_prepare(reader, data, len, &a->prepared[i], err);
	if (rc) {
		if (err) {
			err->status = rc;
			err->index = (int64_t)i;
		}
		return rc;
	}
	size_t entry_len;
	const uint8_t *entry = ot_prepared_entry(a->prepared[i], &entry_len);
	ot_leaf_hash(entry, entry_len, a->leaf[i]);
	return OT_OK;
}

/* Skips JSON whitespace. */
static size_t skip_ws(const uint8_t *b, size_t len, size_t at)
{
	while (at < len && (b[at] == ' ' || b[at] == '\t' || b[at] == '\n' || b[at] == '\r'))
		at++;
	return at;
}

/* The end of the JSON value starting at b[at], found without parsing it:
 * strings (with their escapes) and the nesting of objects and arrays are
 * followed, nothing else is checked. The value's own parser (the envelope's)
 * checks the rest. 0 when the body ends first. */
static size_t value_end(const uint8_t *b, size_t len, size_t at)
{
	size_t depth = 0;
	for (; at < len; at++) {
		uint8_t c = b[at];
		if (c == '"') {
			for (at++; at < len && b[at] != '"'; at++)
				if (b[at] == '\\')
					at++;
			if (at >= len)
				return 0;
			if (depth == 0)
				return at + 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return at; /* a scalar ended by the array's close */
			if (--depth == 0)
				return at + 1;
		} else if (depth == 0 &&
		           (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			return at; /* the end of a scalar */
		}
	}
	return depth == 0 ? at : 0;
}

ot_status otx_add_split(const uint8_t *body, size_t len, size_t max_events, size_t **starts,
                        size_t **ends, size_t *count, ot_error *err)
{
	*starts = *ends = NULL;
	*count = 0;
	size_t at = skip_ws(body, len, 0);
	if (at == len)
		return ot_error_at(err, OT_ERR_PARSE, "empty_body", -1,
		                   "the request body is empty: send a signed envelope or a JSON "
		                   "array of them");
	size_t cap = 64, n = 0;
	size_t *start = malloc(cap * sizeof *start), *end = malloc(cap * sizeof *end);
	ot_status rc = start && end ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc && body[at] != '[') {
		/* One envelope: the whole body. */
		start[0] = 0;
		end[0] = len;
		*starts = start, *ends = end, *count = 1;
		return OT_OK;
	}
	at = skip_ws(body, len, at + 1);
	if (!rc && at < len && body[at] == ']') {
		rc = ot_error_at(err, OT_ERR_PARSE, "empty_batch", -1,
		                 "the array holds no envelope");
	}
	while (!rc) {
		size_t e = at < len ? value_end(body, len, at) : 0;
		if (e == 0 || e == at) {
			rc = ot_error_at(err, OT_ERR_PARSE, "json_syntax", (int64_t)n,
			                 "the array is malformed at byte %zu (entry %zu)", at, n);
			break;
		}
		if (n == max_events) {
			rc = ot_error_at(
				err, OT_ERR_TOOBIG, "too_many_events", -1,
				"the array holds more than %zu envelopes, the most accepted at "
				"once",
				max_events);
			break;
		}
		if (n == cap) {
			cap *= 2;
			size_t *ns = realloc(start, cap * sizeof *ns);
			if (ns)
				start = ns;
			size_t *ne = realloc(end, cap * sizeof *ne);
			if (ne)
				end = ne;
			if (!ns || !ne) {
				rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
				break;
			}
		}
		start[n] = at;
		end[n] = e;
		n++;
		at = skip_ws(body, len, e);
		if (at < len && body[at] == ',') {
			at = skip_ws(body, len, at + 1);
			continue;
		}
		if (at < len && body[at] == ']' && skip_ws(body, len, at + 1) == len)
			break;
		rc = ot_error_at(err, OT_ERR_PARSE, "json_syntax", (int64_t)(n - 1),
		                 "the array is malformed at byte %zu (after entry %zu)", at, n - 1);
	}
	if (rc) {
		free(start);
		free(end);
		return rc;
	}
	*starts = start, *ends = end, *count = n;
	return OT_OK;
}

/* Parses the body into prepared entries: split first (otx_add_split), then
 * each element is parsed once, by the strict envelope parser, and its
 * signature checked, here on the HTTP thread: the sequencer, the one
 * writer, is left the rules and the commit. */
static ot_status add_parse(ot_server *s, const uint8_t *body, size_t len, otx_add *a, ot_error *err)
{
	size_t *start, *end, n;
	ot_status rc = otx_add_split(body, len, s->opt.max_events, &start, &end, &n, err);
	otx_reader *reader = NULL;
	if (!rc)
		rc = add_alloc(a, n, err);
	if (!rc && !(reader = otx_reader_take(s, err))) {
		/* No handle to read the signers' keys with (the store busy, out
		 * of memory): the envelopes are only parsed here and the batch
		 * verifies them, as it always can. */
		otx_server_log(s,
		               "POST /add: no read handle for the keys (%s); the writer "
		               "verifies",
		               err ? err->message : "?");
		if (err)
			ot_error_clear(err);
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = add_envelope(a, reader ? reader->ledger : NULL, i, body + start[i],
		                  end[i] - start[i], err);
	otx_reader_give(s, reader);
	free(start);
	free(end);
	return rc;
}

static void on_answered(otx_submission *sub)
{
	otx_add *a = sub->ctx;
	otx_request *r = a->req;
	atomic_store(&r->answered, 1);
	MHD_resume_connection(r->conn);
}

enum MHD_Result otx_add_start(otx_request *r)
{
	ot_server *s = r->srv;
	ot_error err;
	ot_error_clear(&err);
	otx_add *a = calloc(1, sizeof *a);
	if (!a)
		return otx_respond_errorf(r, 500, OT_ERR_NOMEM, "nomem", "out of memory");
	r->add = a;
	a->req = r;
	/* The prepared entries stay in memory until the answer, in place of
	 * the body: they count in the budget of bodies in flight, at
	 * OTX_ADD_PARSED_FACTOR times the body's size. */
	if (!otx_body_reserve(r, (uint64_t)r->body.len * OTX_ADD_PARSED_FACTOR)) {
		ot_buf_free(&r->body);
		return otx_body_memory_full(r);
	}
	otx_sequencer_incoming(s->seq, 1);
	ot_status rc = add_parse(s, r->body.data, r->body.len, a, &err);
	ot_buf_free(&r->body);
	if (rc) {
		otx_sequencer_incoming(s->seq, -1);
		return otx_respond_error(r, &err);
	}
	a->sub.prepared = a->prepared;
	a->sub.n = a->n;
	a->sub.indexes = a->indexes;
	a->sub.existing = a->existing;
	a->sub.done = on_answered;
	a->sub.ctx = a;
	rc = otx_sequencer_reserve(s->seq, a->n, &err);
	if (rc) {
		otx_sequencer_incoming(s->seq, -1);
		return otx_respond_error(r, &err);
	}
	/* Suspend before queuing: the sequencer may answer (and resume the
	 * connection) before push returns. */
	r->queued = 1;
	MHD_suspend_connection(r->conn);
	otx_sequencer_push(s->seq, &a->sub);
	otx_sequencer_incoming(s->seq, -1);
	return MHD_YES;
}

enum MHD_Result otx_add_finish(otx_request *r)
{
	otx_add *a = r->add;
	if (!a || !atomic_load(&r->answered))
		return MHD_YES; /* woken early: wait for the answer */
	if (a->sub.status != OT_OK) {
		ot_error e = a->sub.err;
		if (r->srv->leader && strcmp(e.code, "not_leader") == 0)
			return otx_leader_refuse(r); /* another server took over */
		if (!otx_sequencer_is_rejection(e.status)) {
			/* The store failed: the details (paths, SQL, SQLite's words)
			 * go to the server's log, the client gets what it can act on:
			 * 503 with Retry-After while another writer holds the ledger,
			 * 507 when the disk is full, else 500. */
			otx_server_log(r->srv, "POST /add: %s", e.message);
			if (e.status != OT_ERR_BUSY && e.status != OT_ERR_FULL &&
			    e.status != OT_ERR_READONLY && e.status != OT_ERR_NOMEM)
				e.status = OT_ERR_IO;
			snprintf(e.code, sizeof e.code, "%s",
			         e.status == OT_ERR_BUSY ? "busy" : ot_status_code(e.status));
			snprintf(e.message, sizeof e.message,
			         "%s: nothing of this request was written; try again later",
			         e.status == OT_ERR_BUSY   ? "ledger busy: another writer holds it"
			         : e.status == OT_ERR_FULL ? "the ledger's disk is full"
			                                   : "the ledger cannot write just now");
			e.index = -1;
		}
		return otx_respond_error(r, &e);
	}
	json_t *doc = json_object();
	json_t *entries = json_array();
	if (!doc || !entries) {
		json_decref(doc);
		json_decref(entries);
		return otx_respond_json(r, 500, NULL, NULL);
	}
	json_object_set_new(doc, "tree_size", json_integer((json_int_t)a->sub.tree_size));
	json_object_set_new(doc, "entries", entries);
	for (size_t i = 0; i < a->n; i++) {
		char hash[64];
		ot_b64_encode(a->leaf[i], OT_HASH_SIZE, hash);
		json_t *e = json_pack("{s:I,s:s}", "index", (json_int_t)a->indexes[i], "leaf_hash",
		                      hash);
		if (e && a->existing[i])
			json_object_set_new(e, "existing", json_true());
		json_array_append_new(entries, e);
	}
	if (a->sub.checkpoint)
		json_object_set_new(doc, "checkpoint",
		                    json_stringn(a->sub.checkpoint, a->sub.checkpoint_len));
	else
		json_object_set_new(doc, "checkpoint", json_null());
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return otx_respond_json(r, 200, text, NULL);
}
