/*
 * witness.c: cosignatures from the log's witnesses (C2SP tlog-cosignature
 * v1), received and served.
 *
 *   POST /witness/cosignature   body: the checkpoint as the log served it
 *                               (text/plain signed note) with the witness's
 *                               cosignature line(s) appended
 *
 * The witness pushes to the log (the reverse of C2SP tlog-witness, where the
 * log calls the witness: our witnesses are followers behind no public
 * endpoint); witness_pull.c does it the C2SP way and keeps what it gets
 * through otx_witness_keep, as here. The server checks that the note carries the log's own valid
 * signature, that its checkpoint is one of this log's trees (origin, and the
 * root of the tree of that size), and that each line by a witness key given
 * with `serve --witness-key` verifies; it then keeps, per witness, its
 * newest cosignature in the store (ot_ledger_cosig_keep, src/ledger/cosig.c,
 * which owns the record's format), written through a store handle of its
 * own (SQLite serialises it with the sequencer's transactions).
 *
 * GET /checkpoint appends to the log's signed checkpoint the lines of every
 * witness whose newest cosignature covers exactly that checkpoint text
 * (ot_ledger_checkpoint, src/ledger/cosig.c; `oretrail prove` uses it too).
 *
 * Answers: 200 {"size":N,"witnesses":["name",...]}; 400 not a signed
 * checkpoint of this log's origin; 401 the log's signature or a configured
 * witness's cosignature does not verify; 403 no cosignature by a configured
 * witness; 409 the checkpoint is not a tree of this log; 413 over
 * OT_NOTE_MAX bytes; 503 read-only server or no witness keys configured.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/encoding.h"
#include "oretrail/status.h"
#include "server/handlers.h"
#include "server/http.h"
#include "server/readers.h"
#include "server/server_int.h"

ot_status otx_witness_setup(ot_server *s, ot_error *err)
{
	if (!s->opt.n_witnesses || !s->opt.signer)
		return OT_OK;
	char vkey[OT_VKEY_MAX];
	ot_status rc = ot_signer_vkey(s->opt.signer, vkey, sizeof vkey);
	if (rc)
		return ot_error_set(err, rc, "cannot read the log key");
	return ot_verifier_parse(vkey, strlen(vkey), &s->log_verifier, err);
}

void otx_witness_teardown(ot_server *s)
{
	ot_store_close(s->cosig_st);
	s->cosig_st = NULL;
	ot_verifier_free(s->log_verifier);
	s->log_verifier = NULL;
	pthread_mutex_destroy(&s->cosig_mu);
}

/* The store handle for cosignatures, opened on first use; under cosig_mu. */
static ot_status cosig_store(ot_server *s, ot_error *err)
{
	return s->cosig_st ? OT_OK : ot_store_open(s->db, 0, &s->cosig_st, err);
}

uint64_t otx_witness_stored_size(ot_server *s, const ot_cosig_verifier *v)
{
	pthread_mutex_lock(&s->cosig_mu);
	uint64_t size = cosig_store(s, NULL) == OT_OK ? ot_ledger_cosig_size(s->cosig_st, v) : 0;
	pthread_mutex_unlock(&s->cosig_mu);
	return size;
}

ot_status otx_witness_keep(ot_server *s, const ot_cosig_verifier *v, const ot_note *note,
                           uint64_t size, ot_error *err)
{
	pthread_mutex_lock(&s->cosig_mu);
	ot_status rc = cosig_store(s, err);
	if (!rc)
		rc = ot_ledger_cosig_keep(s->cosig_st, v, note, size, err);
	pthread_mutex_unlock(&s->cosig_mu);
	return rc;
}

/* The checkpoint must be a tree of this log. */
static enum MHD_Result check_tree(otx_request *r, const ot_checkpoint *cp, int *ok)
{
	ot_error err;
	ot_error_clear(&err);
	*ok = 0;
	otx_reader *rd = otx_reader_get(r->srv, &err);
	if (!rd)
		return otx_respond_error(r, &err);
	ot_log *log = ot_ledger_log(rd->ledger);
	uint64_t size = ot_log_size(log);
	uint8_t root[OT_HASH_SIZE];
	ot_status rc = cp->size <= size ? ot_log_tree_hash(log, cp->size, root, &err) : OT_OK;
	otx_reader_put(r->srv, rd);
	if (rc)
		return otx_respond_error(r, &err);
	if (cp->size > size)
		return otx_respond_errorf(r, 409, OT_ERR_CONFLICT, "not_this_log",
		                          "the checkpoint is for %" PRIu64
		                          " entries; this log holds %" PRIu64,
		                          cp->size, size);
	if (memcmp(root, cp->root, OT_HASH_SIZE) != 0)
		return otx_respond_errorf(r, 409, OT_ERR_CONFLICT, "not_this_log",
		                          "the checkpoint's root is not this log's tree of %" PRIu64
		                          " entries",
		                          cp->size);
	*ok = 1;
	return MHD_YES;
}

enum MHD_Result otx_witness_post(otx_request *r)
{
	ot_server *s = r->srv;
	if (!s->log_verifier)
		return otx_respond_errorf(r, 503, OT_ERR_READONLY, "no_witnesses",
		                          "this server takes no cosignatures (no --witness-key, or "
		                          "read-only)");
	const char *body = (const char *)r->body.data;
	size_t len = r->body.len;
	ot_error err;
	ot_error_clear(&err);
	ot_note note;
	ot_verifier *keys[1] = {s->log_verifier};
	if (ot_note_open(body ? body : "", len, keys, 1, &note, &err) != OT_OK) {
		ot_error_prefix(&err, "the body is not the log's signed checkpoint");
		if (!err.code[0])
			snprintf(err.code, sizeof err.code, "%s",
			         err.status == OT_ERR_VERIFY ? "bad_log_signature" : "bad_note");
		return otx_respond_error(r, &err);
	}
	enum MHD_Result ret;
	ot_checkpoint cp;
	if (ot_checkpoint_parse(note.text, note.text_len, &cp, &err) != OT_OK) {
		ret = otx_respond_errorf(r, 400, OT_ERR_PARSE, "bad_checkpoint", "%s", err.message);
		goto out;
	}
	if (strcmp(cp.origin, s->origin) != 0) {
		ret = otx_respond_errorf(r, 400, OT_ERR_PARSE, "wrong_origin",
		                         "the checkpoint is of log \"%s\", this is \"%s\"",
		                         cp.origin, s->origin);
		goto out;
	}
	int ok = 0;
	ret = check_tree(r, &cp, &ok);
	if (!ok)
		goto out;

	json_t *names = json_array();
	size_t bad = (size_t)-1;
	for (size_t w = 0; w < s->opt.n_witnesses; w++) {
		const ot_cosig_verifier *v = s->opt.witnesses[w];
		ot_status kr = otx_witness_keep(s, v, &note, cp.size, &err);
		if (kr == OT_ERR_NOTFOUND)
			continue;
		if (kr == OT_ERR_VERIFY) {
			bad = w;
			break;
		}
		if (kr) {
			json_decref(names);
			otx_server_log(s, "storing a cosignature: %s", err.message);
			ret = otx_respond_error(r, &err);
			goto out;
		}
		json_array_append_new(names, json_string(ot_cosig_verifier_name(v)));
	}
	if (bad != (size_t)-1) {
		json_decref(names);
		ret = otx_respond_errorf(r, 401, OT_ERR_VERIFY, "bad_cosignature",
		                         "the cosignature by witness %s does not verify",
		                         ot_cosig_verifier_name(s->opt.witnesses[bad]));
		goto out;
	}
	if (json_array_size(names) == 0) {
		json_decref(names);
		ret = otx_respond_errorf(r, 403, OT_ERR_SIGNER, "unknown_witness",
		                         "the checkpoint carries no cosignature by a witness this "
		                         "log knows");
		goto out;
	}
	json_t *doc = json_pack("{s:I,s:o}", "size", (json_int_t)cp.size, "witnesses", names);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	ret = otx_respond_json(r, 200, text, NULL);
out:
	ot_note_clear(&note);
	return ret;
}
