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
 * newest cosignature in the store (key-value namespace OTX_NS_COSIG, key
 * "<name>+<key id>", value "<signature line>" || checkpoint text), written
 * through a store handle of its own (SQLite serialises it with the
 * sequencer's transactions).
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

#include "ledger/state.h"
#include "oretrail/encoding.h"
#include "oretrail/status.h"
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

/* The store handle for cosignatures, opened on first use; under cosig_mu. */
static ot_status cosig_store(ot_server *s, ot_error *err)
{
	return s->cosig_st ? OT_OK : ot_store_open(s->db, 0, &s->cosig_st, err);
}

/* A witness's key in OTX_NS_COSIG: "<name>+<key id>". */
static void cosig_key(char *key, size_t size, const char *name, uint32_t key_id)
{
	snprintf(key, size, "%s+%08x", name, key_id);
}

/* Keeps line as the witness's newest cosignature unless a newer one is kept. */
static ot_status store_cosig(ot_server *s, const char *key, const char *line, size_t line_len,
                             const char *text, size_t text_len, uint64_t size, ot_error *err)
{
	pthread_mutex_lock(&s->cosig_mu);
	ot_status rc = cosig_store(s, err);
	if (!rc)
		rc = ot_store_begin(s->cosig_st, err);
	if (rc)
		goto out;
	uint8_t *old = NULL;
	size_t old_len = 0;
	rc = ot_store_kv_get(s->cosig_st, OTX_NS_COSIG, key, &old, &old_len, err);
	if (rc == OT_ERR_NOTFOUND || (rc == OT_OK && stored_size(old, old_len) <= size)) {
		uint8_t *value = malloc(line_len + text_len);
		if (!value) {
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		} else {
			memcpy(value, line, line_len);
			memcpy(value + line_len, text, text_len);
			rc = ot_store_kv_put(s->cosig_st, OTX_NS_COSIG, key, value,
			                     line_len + text_len, err);
			free(value);
		}
	}
	free(old);
	if (!rc)
		rc = ot_store_commit(s->cosig_st, err);
	else
		ot_store_rollback(s->cosig_st);
out:
	pthread_mutex_unlock(&s->cosig_mu);
	return rc;
}

uint64_t otx_witness_stored_size(ot_server *s, const ot_cosig_verifier *v)
{
	char key[OT_KEY_NAME_MAX + 16];
	cosig_key(key, sizeof key, ot_cosig_verifier_name(v), ot_cosig_verifier_key_id(v));
	uint8_t *value = NULL;
	size_t len = 0;
	uint64_t size = 0;
	pthread_mutex_lock(&s->cosig_mu);
	if (cosig_store(s, NULL) == OT_OK &&
	    ot_store_kv_get(s->cosig_st, OTX_NS_COSIG, key, &value, &len, NULL) == OT_OK)
		size = stored_size(value, len);
	pthread_mutex_unlock(&s->cosig_mu);
	free(value);
	return size;
}

ot_status otx_witness_keep(ot_server *s, const ot_cosig_verifier *v, const ot_note *note,
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
		return store_cosig(s, key, line, (size_t)ll, note->text, note->text_len, size, err);
	}
	return ot_error_set(err, OT_ERR_NOTFOUND, "no cosignature by witness %s",
	                    ot_cosig_verifier_name(v));
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
