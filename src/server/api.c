/*
 * api.c: the JSON API under /api/, for the dashboard and for scripts. Every
 * answer comes from the ledger's indexes through a read-only handle, never
 * by replaying the log; the shapes are those of the CLI's --json outputs
 * (docs/events.md) where the CLI has one.
 *
 *   GET /api/                              this list
 *   GET /api/checkpoint                    the latest checkpoint, parsed
 *   GET /api/entries/<index>               one log entry with its leaf hash and
 *                                          the interval it was logged in
 *   GET /api/checkpoints[?from=S&limit=N]  the checkpoint history: every
 *                                          checkpoint published, its signing
 *                                          time and witness cosignatures
 *   GET /api/checkpoints/<size>            one of them
 *   GET /api/proof/inclusion?index=I[&size=S]
 *   GET /api/proof/consistency?size1=A[&size2=B]
 *                                          proofs in the transparency-dev format
 *                                          of `oretrail proof`
 *   GET /api/lots[?prefix=&after=&limit=]  lots (paged, in id order)
 *   GET /api/lots/<lot>[?at=YYYY-MM-DD]    its trace: origins, ancestry, stages,
 *                                          and its determinations under the
 *                                          shipped compliance profiles
 *   GET /api/consignments[...] /api/consignments/<id>
 *   GET /api/contracts[...]    /api/contracts/<id>   with disclosure state
 *   GET /api/actors[...]       /api/actors/<id>
 *   GET /api/sites[...]        /api/sites/<id>
 *   GET /api/findings                      recorded and time-based findings
 *   GET /api/report                        the flows report
 *   GET /api/report/eiti[?period=P]        payments, receipts, contracts (EITI)
 *   GET /api/blobs/<contract>/<field>      a disclosed document, as disclosed
 *   GET /api/stats                         the server's own counters
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oretrail/encoding.h"
#include "oretrail/event.h"
#include "oretrail/json.h"
#include "oretrail/proof_file.h"
#include "oretrail/status.h"
#include "server/bounds.h"
#include "server/handlers.h"
#include "server/http.h"
#include "server/leader.h"
#include "server/readers.h"
#include "server/server_int.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_SHORT "public, max-age=2"

static enum MHD_Result respond_doc(otx_request *r, json_t *doc, const char *cache)
{
	if (!doc)
		return otx_respond_json(r, 500, NULL, NULL);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return otx_respond_json(r, 200, text, cache);
}

/* --- the request's path and query arguments, decoded strictly --- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes raw[0..len) into out (outsize bytes, NUL included), as
 * strictly as an id needs: a malformed escape ("%zz", a lone "%"), a NUL, a
 * control byte (below 0x20, or 0x7f) or bytes that are not UTF-8 fail with
 * OT_ERR_PARSE, `code`, err->index the offset in raw and a message naming
 * `what`; so does a result longer than outsize - 1 bytes. plus: '+' is a
 * space (query arguments, as libmicrohttpd reads them).
 */
static ot_status decode_strict(const char *raw, size_t len, int plus, const char *what,
                               const char *code, char *out, size_t outsize, size_t *outlen,
                               ot_error *err)
{
	size_t n = 0, seq = 0, seq_at = 0; /* the UTF-8 sequence being read */
	for (size_t i = 0; i < len; i++) {
		size_t at = i;
		int c = (unsigned char)raw[i];
		if (c == '%') {
			int hi = len - i >= 3 ? hex_value(raw[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value(raw[i + 2]) : -1;
			if (lo < 0)
				return ot_error_at(
					err, OT_ERR_PARSE, code, (int64_t)at,
					"%s has a malformed percent-encoding at byte %zu", what,
					at);
			c = hi * 16 + lo;
			i += 2;
		} else if (plus && c == '+') {
			c = ' ';
		}
		if (c == 0)
			return ot_error_at(err, OT_ERR_PARSE, code, (int64_t)at,
			                   "%s contains a NUL byte at byte %zu", what, at);
		if (c < 0x20 || c == 0x7f)
			return ot_error_at(err, OT_ERR_PARSE, code, (int64_t)at,
			                   "%s contains the control character 0x%02x at byte %zu",
			                   what, (unsigned)c, at);
		if (n + 1 >= outsize)
			return ot_error_at(err, OT_ERR_PARSE, code, -1,
			                   "%s is longer than %zu bytes", what, outsize - 1);
		if (n == seq)
			seq_at = at;
		out[n++] = (char)c;
		if (ot_utf8_valid((const uint8_t *)out + seq, n - seq))
			seq = n;
		else if (n - seq == 4)
			break;
	}
	if (seq != n)
		return ot_error_at(err, OT_ERR_PARSE, code, (int64_t)seq_at,
		                   "%s is not valid UTF-8 at byte %zu", what, seq_at);
	out[n] = 0;
	if (outlen)
		*outlen = n;
	return OT_OK;
}

/* The path of `uri` as sent (percent-encoded), without the query. */
static const char *raw_path(const char *uri, size_t *len)
{
	const char *p = uri;
	const char *scheme = strstr(p, "://");
	if (*p != '/' && scheme) { /* an absolute URI: skip to its path */
		p = scheme + 3;
		p += strcspn(p, "/?#");
	}
	*len = strcspn(p, "?#");
	return p;
}

/* The query argument `name`, decoded strictly into buf: *value NULL when it
 * is absent. OT_ERR_PARSE (code bad_argument) when it is malformed. */
static ot_status arg(otx_request *r, const char *name, char *buf, size_t size, const char **value,
                     ot_error *err)
{
	*value = NULL;
	const char *q = strchr(r->uri, '?');
	size_t nlen = strlen(name);
	for (const char *p = q ? q + 1 : NULL; p && *p && *p != '#';) {
		size_t len = strcspn(p, "&#");
		const char *eq = memchr(p, '=', len);
		if (eq && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
			char what[64];
			snprintf(what, sizeof what, "the query argument \"%s\"", name);
			ot_status rc = decode_strict(eq + 1, len - nlen - 1, 1, what,
			                             "bad_argument", buf, size, NULL, err);
			if (!rc)
				*value = buf;
			return rc;
		}
		p += len + (p[len] == '&');
	}
	return OT_OK;
}

/* A decimal argument; 0 when absent (then *present is 0), -1 when bad. */
static int arg_u64(otx_request *r, const char *name, uint64_t *out, int *present)
{
	char buf[32];
	const char *v = NULL;
	*present = 0;
	if (arg(r, name, buf, sizeof buf, &v, NULL))
		return -1;
	*present = v != NULL;
	if (!v)
		return 0;
	if (!*v || strspn(v, "0123456789") != strlen(v) || (v[0] == '0' && v[1]) || strlen(v) > 19)
		return -1;
	*out = strtoull(v, NULL, 10);
	return 0;
}

static enum MHD_Result id_too_long(otx_request *r, size_t len)
{
	return otx_respond_errorf(r, 400, OT_ERR_PARSE, "bad_id",
	                          "the id is %zu bytes long; an id is at most %d bytes", len,
	                          OT_EVENT_ID_MAX);
}

static enum MHD_Result bad_arg(otx_request *r, const char *name)
{
	return otx_respond_errorf(r, 400, OT_ERR_PARSE, "bad_argument",
	                          "the query argument \"%s\" must be a decimal number", name);
}

/* The latest checkpoint's size (what proofs default to). */
static ot_status latest_size(otx_reader *rd, uint64_t *size, ot_error *err)
{
	char *note = NULL;
	size_t len = 0;
	ot_status rc = ot_store_get_checkpoint(ot_ledger_store(rd->ledger), size, &note, &len, err);
	free(note);
	return rc;
}

static enum MHD_Result api_checkpoint(otx_request *r, otx_reader *rd)
{
	ot_error err;
	char *note = NULL;
	size_t len = 0;
	ot_status rc = ot_log_checkpoint(ot_ledger_log(rd->ledger), &note, &len, &err);
	if (rc)
		return otx_respond_error(r, &err);
	/* The body is the note's text: everything before the blank line. */
	const char *end = strstr(note, "\n\n");
	ot_checkpoint cp;
	rc = ot_checkpoint_parse(note, end ? (size_t)(end - note) + 1 : len, &cp, &err);
	if (rc) {
		free(note);
		return otx_respond_error(r, &err);
	}
	char root[64];
	ot_b64_encode(cp.root, OT_HASH_SIZE, root);
	json_t *doc = json_pack("{s:s,s:I,s:s,s:s%}", "origin", cp.origin, "size",
	                        (json_int_t)cp.size, "root", root, "note", note, len);
	free(note);
	/* The witnesses this server was configured with (serve --witness-key,
	 * --witness): the keys a reader checks the note's cosignatures with. */
	json_t *keys = json_array();
	const ot_server_options *opt = &r->srv->opt;
	for (size_t w = 0; doc && keys && w < opt->n_witnesses; w++) {
		char vkey[OT_VKEY_MAX];
		if (ot_cosig_verifier_format(opt->witnesses[w], vkey, sizeof vkey) == OT_OK)
			json_array_append_new(keys, json_string(vkey));
	}
	if (doc)
		json_object_set_new(doc, "witness_keys", keys);
	else
		json_decref(keys);
	/* The log's own key, when the server knows it (serve: the signer's, or
	 * a read-only server's DB.vkey). */
	char logkey[OT_VKEY_MAX];
	const char *vkey = opt->log_vkey;
	if (!vkey && opt->signer && ot_signer_vkey(opt->signer, logkey, sizeof logkey) == OT_OK)
		vkey = logkey;
	if (doc && vkey)
		json_object_set_new(doc, "vkey", json_string(vkey));
	return respond_doc(r, doc, CACHE_SHORT);
}

static enum MHD_Result api_entry(otx_request *r, otx_reader *rd, const char *rest)
{
	uint64_t index = 0;
	if (!*rest || strspn(rest, "0123456789") != strlen(rest) || strlen(rest) > 19 ||
	    (rest[0] == '0' && rest[1]))
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found",
		                          "/api/entries/%s: not an entry index", rest);
	index = strtoull(rest, NULL, 10);
	ot_error err;
	ot_log *log = ot_ledger_log(rd->ledger);
	if (index >= ot_log_size(log))
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "entry_not_found",
		                          "entry %" PRIu64 " is beyond the log's %" PRIu64
		                          " entries",
		                          index, ot_log_size(log));
	uint8_t *data = NULL;
	size_t len = 0;
	ot_status rc = ot_log_entry(log, index, &data, &len, &err);
	if (rc)
		return otx_respond_error(r, &err);
	uint8_t leaf[OT_HASH_SIZE];
	ot_leaf_hash(data, len, leaf);
	char hash[64];
	ot_b64_encode(leaf, OT_HASH_SIZE, hash);
	json_t *entry = json_loadb((const char *)data, len, 0, NULL);
	free(data);
	char *logged_s = NULL;
	if ((rc = ot_ledger_logged(rd->ledger, index, &logged_s, &err))) {
		json_decref(entry);
		return otx_respond_error(r, &err);
	}
	json_t *logged = json_loads(logged_s, 0, NULL);
	free(logged_s);
	json_t *doc = json_pack("{s:I,s:s,s:o,s:o}", "index", (json_int_t)index, "leaf_hash", hash,
	                        "entry", entry ? entry : json_null(), "logged",
	                        logged ? logged : json_null());
	return respond_doc(r, doc, CACHE_SHORT); /* "logged" closes later */
}

static enum MHD_Result send_proof(otx_request *r, const ot_proof_file *p, int immutable)
{
	char *json = NULL;
	if (ot_proof_file_format(p, &json) != OT_OK)
		return otx_respond_json(r, 500, NULL, NULL);
	return otx_respond_json(r, 200, json, immutable ? CACHE_IMMUTABLE : CACHE_SHORT);
}

/* A proof file to fill: an inclusion proof of entry `a` (consistency 0) or
 * a consistency proof from size `a` (1), in the tree of size b. */
static ot_proof_file *proof_file_new(int consistency, uint64_t a, uint64_t b)
{
	ot_proof_file *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->consistency = consistency;
	p->index = a;
	p->size = b;
	p->want_err = -1;
	p->a.len = p->b.len = OT_HASH_SIZE;
	return p;
}

/* Answers with the proof (rc OT_OK: `proof` holds p->n hashes), 404 for
 * sizes or indexes the log does not have, or the error; frees p and proof. */
static enum MHD_Result answer_proof(otx_request *r, ot_proof_file *p,
                                    uint8_t (*proof)[OT_HASH_SIZE], ot_status rc,
                                    const ot_error *err, int has_size)
{
	enum MHD_Result ret;
	if (rc == OT_ERR_RANGE)
		ret = otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "no_proof", "%s", err->message);
	else if (rc)
		ret = otx_respond_error(r, err);
	else {
		for (size_t i = 0; i < p->n; i++) {
			memcpy(p->proof[i].h, proof[i], OT_HASH_SIZE);
			p->proof[i].len = OT_HASH_SIZE;
		}
		ret = send_proof(r, p, has_size);
	}
	free(proof);
	free(p);
	return ret;
}

static enum MHD_Result api_inclusion(otx_request *r, otx_reader *rd)
{
	uint64_t index = 0, size = 0;
	int has_index, has_size;
	if (arg_u64(r, "index", &index, &has_index))
		return bad_arg(r, "index");
	if (arg_u64(r, "size", &size, &has_size))
		return bad_arg(r, "size");
	if (!has_index)
		return otx_respond_errorf(
			r, 400, OT_ERR_PARSE, "missing_argument",
			"an inclusion proof needs ?index=I (and optionally &size=S)");
	ot_error err;
	ot_error_clear(&err);
	if (!has_size && latest_size(rd, &size, &err))
		return otx_respond_error(r, &err);
	ot_log *log = ot_ledger_log(rd->ledger);
	ot_proof_file *p = proof_file_new(0, index, size);
	if (!p)
		return otx_respond_json(r, 500, NULL, NULL);
	uint8_t(*proof)[OT_HASH_SIZE] = malloc(OT_PROOF_MAX * OT_HASH_SIZE);
	ot_status rc = proof ? OT_OK : OT_ERR_NOMEM;
	if (!rc)
		rc = ot_log_inclusion_proof(log, index, size, proof, &p->n, &err);
	if (!rc)
		rc = ot_log_leaf_hash(log, index, p->a.h, &err);
	if (!rc)
		rc = ot_log_tree_hash(log, size, p->b.h, &err);
	return answer_proof(r, p, proof, rc, &err, has_size);
}

static enum MHD_Result api_consistency(otx_request *r, otx_reader *rd)
{
	uint64_t size1 = 0, size2 = 0;
	int has1, has2;
	if (arg_u64(r, "size1", &size1, &has1))
		return bad_arg(r, "size1");
	if (arg_u64(r, "size2", &size2, &has2))
		return bad_arg(r, "size2");
	if (!has1)
		return otx_respond_errorf(
			r, 400, OT_ERR_PARSE, "missing_argument",
			"a consistency proof needs ?size1=A (and optionally &size2=B)");
	ot_error err;
	ot_error_clear(&err);
	if (!has2 && latest_size(rd, &size2, &err))
		return otx_respond_error(r, &err);
	ot_log *log = ot_ledger_log(rd->ledger);
	ot_proof_file *p = proof_file_new(1, size1, size2);
	if (!p)
		return otx_respond_json(r, 500, NULL, NULL);
	uint8_t(*proof)[OT_HASH_SIZE] = malloc(OT_PROOF_MAX * OT_HASH_SIZE);
	ot_status rc = proof ? OT_OK : OT_ERR_NOMEM;
	if (!rc)
		rc = ot_log_consistency_proof(log, size1, size2, proof, &p->n, &err);
	if (!rc)
		rc = ot_log_tree_hash(log, size1, p->a.h, &err);
	if (!rc)
		rc = ot_log_tree_hash(log, size2, p->b.h, &err);
	return answer_proof(r, p, proof, rc, &err, has2);
}

/* --- the checkpoint history --- */

static enum MHD_Result send_text(otx_request *r, ot_status rc, char *json, const ot_error *err);

static enum MHD_Result api_checkpoints(otx_request *r, otx_reader *rd, const char *rest)
{
	char *json = NULL;
	ot_error err;
	ot_error_clear(&err);
	if (*rest == '/' && rest[1]) {
		rest++;
		if (strspn(rest, "0123456789") != strlen(rest) || strlen(rest) > 19)
			return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found",
			                          "/api/checkpoints/%s: not a tree size", rest);
		ot_status rc =
			ot_ledger_checkpoint_at(rd->ledger, strtoull(rest, NULL, 10), &json, &err);
		if (rc == OT_ERR_NOTFOUND)
			return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "checkpoint_not_found",
			                          "no checkpoint of %s entries was published",
			                          rest);
		return send_text(r, rc, json, &err);
	}
	if (*rest && strcmp(rest, "/") != 0)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found",
		                          "no such API: /api/checkpoints%s", rest);
	uint64_t limit = PAGE_DEFAULT, from = 0;
	int has;
	if (arg_u64(r, "limit", &limit, &has) || limit == 0)
		return bad_arg(r, "limit");
	if (arg_u64(r, "from", &from, &has))
		return bad_arg(r, "from");
	if (limit > PAGE_MAX)
		limit = PAGE_MAX;
	ot_status rc = ot_ledger_checkpoints(rd->ledger, from, (size_t)limit, &json, &err);
	return send_text(r, rc, json, &err);
}

/* --- records, through the ledger's queries --- */

static enum MHD_Result api_list(otx_request *r, otx_reader *rd, ot_record_kind kind)
{
	uint64_t limit = PAGE_DEFAULT;
	int has_limit;
	if (arg_u64(r, "limit", &limit, &has_limit) || limit == 0)
		return bad_arg(r, "limit");
	if (limit > PAGE_MAX)
		limit = PAGE_MAX;
	char *json = NULL;
	ot_error err;
	ot_error_clear(&err);
	char prefix_buf[OT_EVENT_ID_MAX + 1], after_buf[OT_EVENT_ID_MAX + 1];
	const char *prefix = NULL, *after = NULL;
	if (arg(r, "prefix", prefix_buf, sizeof prefix_buf, &prefix, &err) ||
	    arg(r, "after", after_buf, sizeof after_buf, &after, &err))
		return otx_respond_json(r, 400, otx_error_json(&err), NULL);
	ot_status rc = ot_ledger_list(rd->ledger, kind, prefix, after, (size_t)limit, &json, &err);
	if (rc)
		return otx_respond_error(r, &err);
	return otx_respond_json(r, 200, json, CACHE_SHORT);
}

static enum MHD_Result api_record(otx_request *r, otx_reader *rd, ot_record_kind kind,
                                  const char *key, const char *what)
{
	char *json = NULL;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = ot_ledger_record(rd->ledger, kind, key, &json, &err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found", "no %s \"%s\"",
		                          what, key);
	if (rc)
		return otx_respond_error(r, &err);
	return otx_respond_json(r, 200, json, CACHE_SHORT);
}

/* A ledger query that returns JSON text. */
static enum MHD_Result send_text(otx_request *r, ot_status rc, char *json, const ot_error *err)
{
	if (rc) {
		free(json);
		return otx_respond_error(r, err);
	}
	return otx_respond_json(r, 200, json, CACHE_SHORT);
}

/* The lot's trace with its stages and determinations under the server's
 * profiles, as of ?at=YYYY-MM-DD or today (UTC). */
static enum MHD_Result api_lot(otx_request *r, otx_reader *rd, const char *lot)
{
	char *json = NULL, buf[32], today[16];
	const char *at = NULL;
	ot_error err;
	ot_error_clear(&err);
	if (arg(r, "at", buf, sizeof buf, &at, &err))
		return otx_respond_json(r, 400, otx_error_json(&err), NULL);
	if (!at) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
		at = today;
	}
	ot_status rc = ot_ledger_lot(rd->ledger, lot, r->srv->opt.profiles, r->srv->opt.n_profiles,
	                             at, &json, &err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "lot_not_found", "no lot \"%s\"",
		                          lot);
	if (rc == OT_ERR_PARSE && strcmp(err.code, "bad_field") == 0)
		return otx_respond_errorf(r, 400, OT_ERR_PARSE, "bad_argument",
		                          "the query argument \"at\" must be a date YYYY-MM-DD, "
		                          "not \"%s\"",
		                          at);
	return send_text(r, rc, json, &err);
}

static enum MHD_Result api_findings(otx_request *r, otx_reader *rd)
{
	char *json = NULL;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = ot_ledger_findings(rd->ledger, (int64_t)time(NULL), 180, &json, &err);
	return send_text(r, rc, json, &err);
}

/* The EITI report (payments by payer, payee, stream, contract and period,
 * receipts reconciled, contracts' disclosure), for the dashboard's payments
 * page: the same JSON as `oretrail report eiti --json [--period P]`. */
static enum MHD_Result api_report_eiti(otx_request *r, otx_reader *rd)
{
	char buf[16];
	const char *period = NULL;
	char *json = NULL;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = arg(r, "period", buf, sizeof buf, &period, &err);
	if (!rc)
		rc = ot_ledger_report_eiti(rd->ledger, period, (int64_t)time(NULL), 0, &json, &err);
	return send_text(r, rc, json, &err);
}

/* The flows report scans every lot: cached for the tree size it was made at. */
static enum MHD_Result api_report(otx_request *r, otx_reader *rd)
{
	ot_server *s = r->srv;
	uint64_t size = ot_log_size(ot_ledger_log(rd->ledger));
	char *copy = NULL;
	pthread_mutex_lock(&s->cache_mu);
	if (s->report.valid && s->report.size == size)
		copy = strdup(s->report.json);
	pthread_mutex_unlock(&s->cache_mu);
	if (copy)
		return otx_respond_json(r, 200, copy, CACHE_SHORT);
	char *json = NULL;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = ot_ledger_report(rd->ledger, 0, &json, &err);
	if (rc)
		return send_text(r, rc, json, &err);
	pthread_mutex_lock(&s->cache_mu);
	if (!s->report.valid || s->report.size < size) {
		char *keep = strdup(json);
		if (keep) {
			free(s->report.json);
			s->report.json = keep;
			s->report.size = size;
			s->report.valid = 1;
		}
	}
	pthread_mutex_unlock(&s->cache_mu);
	return otx_respond_json(r, 200, json, CACHE_SHORT);
}

/* A disclosed document: the value opened by a `disclose` entry. A string
 * is served as its bytes; anything else as JSON. Disclosures never change. */
static enum MHD_Result api_blob(otx_request *r, otx_reader *rd, const char *rest)
{
	const char *slash = strchr(rest, '/');
	if (!slash || slash == rest || !slash[1])
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found",
		                          "blobs are at /api/blobs/<contract>/<field>");
	if (strlen(rest) >= 1024)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found", "no such blob");
	if (slash - rest > OT_EVENT_ID_MAX)
		return id_too_long(r, (size_t)(slash - rest));
	char contract[OT_EVENT_ID_MAX + 1];
	snprintf(contract, sizeof contract, "%.*s", (int)(slash - rest), rest);
	char *value = NULL;
	size_t len = 0;
	int is_string = 0;
	int64_t at = -1;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = ot_ledger_disclosure(rd->ledger, contract, slash + 1, &value, &len,
	                                    &is_string, &at, &err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_disclosed",
		                          "nothing has been disclosed at %s", rest);
	if (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT)
		return otx_respond_json(r, 500, NULL, NULL);
	if (rc)
		return otx_respond_error(r, &err);
	char index[32];
	snprintf(index, sizeof index, "%" PRId64, at);
	otx_header hdr[] = {{"X-Oretrail-Disclosed-At", index}, {NULL, NULL}};
	return otx_respond(r, 200, is_string ? "text/plain; charset=utf-8" : "application/json",
	                   CACHE_IMMUTABLE, value, len, hdr);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * 4;
}

static enum MHD_Result api_stats(otx_request *r)
{
	ot_server *s = r->srv;
	otx_sequencer_stats st;
	otx_sequencer_get_stats(s->seq, &st);
	otx_bounds_stats bs;
	otx_bounds_get_stats(s, &bs);
	json_t *doc = json_pack("{s:s,s:b,s:I,s:I,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I}}",
	                        "origin", s->origin, "read_only", s->seq == NULL, "uptime_ms",
	                        (json_int_t)((otx_now_ns() - s->started_ns) / 1000000u), "requests",
	                        (json_int_t)atomic_load(&s->requests), "inflight",
	                        (json_int_t)atomic_load(&s->inflight), "rss_kib",
	                        (json_int_t)rss_kib(), "sequencer", "batches",
	                        (json_int_t)st.batches, "events", (json_int_t)st.events, "rejected",
	                        (json_int_t)st.rejected, "failed", (json_int_t)st.failed, "queued",
	                        (json_int_t)st.queued, "max_batch", (json_int_t)st.max_batch,
	                        "commit_ms", (json_int_t)(st.commit_ns / 1000000u));
	json_t *bounds = json_pack(
		"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "connections", (json_int_t)bs.connections,
		"cut_header", (json_int_t)bs.cut_header, "cut_body", (json_int_t)bs.cut_body,
		"cut_min_ms", (json_int_t)bs.cut_min_ms, "cut_max_ms", (json_int_t)bs.cut_max_ms,
		"body_bytes", (json_int_t)bs.body_bytes, "body_bytes_max",
		(json_int_t)bs.body_bytes_max, "body_refused", (json_int_t)bs.body_refused);
	if (doc && json_object_set_new(doc, "bounds", bounds) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	/* Several servers on one database: which one writes. */
	if (doc && s->leader &&
	    json_object_set_new(doc, "leader", otx_leader_doc(s->leader)) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	return respond_doc(r, doc, "no-store");
}

static const char API_INDEX[] =
	"{\"endpoints\":[\"/api/checkpoint\",\"/api/checkpoints\",\"/api/checkpoints/<size>\","
	"\"/api/entries/<index>\","
	"\"/api/proof/inclusion?index=I[&size=S]\",\"/api/proof/consistency?size1=A[&size2=B]\","
	"\"/api/lots\",\"/api/lots/<lot>\",\"/api/consignments\",\"/api/consignments/<id>\","
	"\"/api/contracts\",\"/api/contracts/<id>\",\"/api/actors\",\"/api/actors/<id>\","
	"\"/api/sites\",\"/api/sites/<id>\",\"/api/findings\",\"/api/report\",\"/api/report/eiti\","
	"\"/api/blobs/<contract>/<field>\",\"/api/stats\"]}\n";

/* Collections: /api/<name> lists the namespace, /api/<name>/<id> is one. */
static const struct {
	const char *name;
	ot_record_kind kind;
	const char *what;
} COLLECTIONS[] = {
	{"lots", OT_RECORD_LOT, "lot"},
	{"consignments", OT_RECORD_CONSIGNMENT, "consignment"},
	{"contracts", OT_RECORD_CONTRACT, "contract"},
	{"actors", OT_RECORD_ACTOR, "actor"},
	{"sites", OT_RECORD_SITE, "site"},
};

static enum MHD_Result route(otx_request *r, otx_reader *rd, const char *path)
{
	if (strcmp(path, "checkpoint") == 0)
		return api_checkpoint(r, rd);
	if (strncmp(path, "entries/", 8) == 0)
		return api_entry(r, rd, path + 8);
	if (strncmp(path, "checkpoints", 11) == 0)
		return api_checkpoints(r, rd, path + 11);
	if (strcmp(path, "proof/inclusion") == 0)
		return api_inclusion(r, rd);
	if (strcmp(path, "proof/consistency") == 0)
		return api_consistency(r, rd);
	if (strcmp(path, "findings") == 0)
		return api_findings(r, rd);
	if (strcmp(path, "report") == 0)
		return api_report(r, rd);
	if (strcmp(path, "report/eiti") == 0)
		return api_report_eiti(r, rd);
	if (strncmp(path, "blobs/", 6) == 0)
		return api_blob(r, rd, path + 6);
	for (size_t i = 0; i < sizeof COLLECTIONS / sizeof COLLECTIONS[0]; i++) {
		size_t n = strlen(COLLECTIONS[i].name);
		if (strncmp(path, COLLECTIONS[i].name, n) != 0)
			continue;
		const char *rest = path + n;
		if (*rest == 0 || strcmp(rest, "/") == 0)
			return api_list(r, rd, COLLECTIONS[i].kind);
		if (*rest != '/')
			break;
		const char *id = rest + 1;
		char *json = NULL;
		ot_error err;
		ot_error_clear(&err);
		if (strcmp(COLLECTIONS[i].name, "lots") == 0) {
			/* /api/lots/<lot> and /api/lots/<lot>/trace: the trace. */
			char lot[OTX_API_PATH_MAX];
			snprintf(lot, sizeof lot, "%s", id);
			size_t ln = strlen(lot);
			if (ln > 6 && strcmp(lot + ln - 6, "/trace") == 0)
				lot[ln - 6] = 0;
			if (strlen(lot) > OT_EVENT_ID_MAX)
				return id_too_long(r, strlen(lot));
			return api_lot(r, rd, lot);
		}
		if (strlen(id) > OT_EVENT_ID_MAX)
			return id_too_long(r, strlen(id));
		if (strcmp(COLLECTIONS[i].name, "contracts") == 0) {
			ot_status rc = ot_ledger_contract_show(rd->ledger, id, 0, 0, &json, &err);
			if (rc == OT_ERR_NOTFOUND)
				return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND,
				                          "contract_not_found",
				                          "no contract \"%s\"", id);
			return send_text(r, rc, json, &err);
		}
		return api_record(r, rd, COLLECTIONS[i].kind, id, COLLECTIONS[i].what);
	}
	return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found", "no such API: /api/%s",
	                          path);
}

ot_status otx_api_path(const char *uri, char *buf, ot_error *err)
{
	size_t len, n = 0;
	const char *raw = raw_path(uri, &len);
	ot_status rc;
	if (len >= 5 && strncmp(raw, "/api/", 5) == 0) {
		raw += 5, len -= 5;
		const char *slash = memchr(raw, '/', len);
		size_t first = slash ? (size_t)(slash - raw) : len;
		rc = decode_strict(raw, first, 0, "the path", "bad_path", buf, OTX_API_PATH_MAX, &n,
		                   err);
		if (!rc && slash) {
			buf[n++] = '/';
			rc = decode_strict(slash + 1, len - first - 1, 0, "the id", "bad_id",
			                   buf + n, OTX_API_PATH_MAX - n, NULL, err);
		}
	} else {
		/* Letters of "/api" sent percent-encoded, or just "/api". */
		rc = decode_strict(raw, len, 0, "the path", "bad_path", buf, OTX_API_PATH_MAX, &n,
		                   err);
		if (!rc) {
			size_t skip = strncmp(buf, "/api/", 5) == 0 ? 5 : strlen(buf);
			memmove(buf, buf + skip, n - skip + 1);
		}
	}
	return rc;
}

/* The API path of the request, decoded by otx_api_path into buf
 * (OTX_API_PATH_MAX bytes). Answers 400 (bad_path, bad_id, with the offset
 * in the text as sent) and returns NULL when it is malformed. */
static const char *api_path(otx_request *r, char *buf, enum MHD_Result *ret)
{
	ot_error err;
	ot_error_clear(&err);
	if (otx_api_path(r->uri, buf, &err) == OT_OK)
		return buf;
	*ret = otx_respond_json(r, 400, otx_error_json(&err), NULL);
	return NULL;
}

enum MHD_Result otx_api(otx_request *r)
{
	if (!r->uri)
		return otx_respond_json(r, 500, NULL, NULL); /* out of memory */
	char buf[OTX_API_PATH_MAX];
	enum MHD_Result bad = MHD_NO;
	const char *path = api_path(r, buf, &bad);
	if (!path)
		return bad;
	if (*path == 0)
		return otx_respond_static(r, 200, "application/json", "public, max-age=60",
		                          API_INDEX, NULL);
	if (strcmp(path, "stats") == 0)
		return api_stats(r);
	ot_error err;
	ot_error_clear(&err);
	otx_reader *rd = otx_reader_get(r->srv, &err);
	if (!rd)
		return otx_respond_error(r, &err);
	enum MHD_Result ret = route(r, rd, path);
	otx_reader_put(r->srv, rd);
	return ret;
}
