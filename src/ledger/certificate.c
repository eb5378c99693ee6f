/*
 * certificate.c: provenance certificates (certificate.h, docs/certificate.md):
 * ot_ledger_prove selects the entries a replay of one lot's provenance needs
 * and packs them with inclusion proofs and the signed checkpoint;
 * ot_certificate_verify checks all of it offline and replays the entries
 * through the ledger's own rules into an empty in-memory store.
 *
 * The selection is a closure, so that every included entry meets, in the
 * replay, exactly the state it met in the ledger for everything it reads:
 *   - every entry that touched the lot (up to the checkpoint);
 *   - for each included entry that reads a lot made earlier (the inputs of a
 *     transform, the lots of a shipment or receipt, an assayed lot), every
 *     entry that touched that lot before it: its creation, assays, uses,
 *     shipments and receipts, and so on transitively. A shipment that carried
 *     the lot with others thus brings the others' histories too, since a
 *     receipt must list every lot of its consignment;
 *   - the registrations: every `actor` entry of each actor that signs an
 *     included entry, receives a consignment or holds an included site, and
 *     the `site` entry of each site an included entry names, transitively
 *     (a registration's signer is an actor too).
 * What an included entry reads beyond that (resources, contracts, payments,
 * findings) decides no rule, only findings, which a certificate leaves out.
 */
#include "oretrail/certificate.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/comply.h"
#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/ledger_int.h"
#include "ledger/query.h"
#include "ledger/replay_int.h"
#include "ledger/state.h"
#include "oretrail/encoding.h"
#include "oretrail/proof.h"
#include "oretrail/status.h"

#define CERT_FORMAT "oretrail-provenance-certificate"
/* A certificate of fewer entries is replayed on the calling thread only:
 * `oretrail verify` is a short process, and starting helper threads in it
 * (their stacks, the allocator's per-thread caches) cost more CPU time
 * than checking a few dozen signatures on one core, for the same wall
 * time (the demo's 35 entries: 3.9 ms of CPU serial, 4.4-5.7 threaded, 4.4
 * ms wall either way; bench/README.md, "CLI start-up"). */
#define CERT_SERIAL_BELOW 64

static ot_status nomem(ot_error *err)
{
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------ */
/* prove: the selection                                                */

typedef struct sel {
	ot_ledger *l;
	uint64_t size; /* the checkpoint's tree size: nothing at or beyond it */
	uint8_t *bits; /* included entries, one bit per index */
	uint64_t *idx; /* included indexes, in the order found */
	size_t n, cap;
	size_t parsed;  /* idx[0..parsed) have been parsed and followed */
	json_t *lots;   /* lot -> the highest cutoff its history was read to */
	json_t *work;   /* [[lot, cutoff], ...] still to read */
	json_t *actors; /* actor ids needed (object used as a set) */
	json_t *sites;  /* site ids needed */
	ot_error *err;
} sel;

static int sel_has(const sel *s, uint64_t i)
{
	return (s->bits[i / 8] >> (i % 8)) & 1;
}

static ot_status sel_add(sel *s, uint64_t i)
{
	if (i >= s->size || sel_has(s, i))
		return OT_OK;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		uint64_t *p = realloc(s->idx, nc * sizeof *p);
		if (!p)
			return nomem(s->err);
		s->idx = p;
		s->cap = nc;
	}
	s->idx[s->n++] = i;
	s->bits[i / 8] = (uint8_t)(s->bits[i / 8] | (1u << (i % 8)));
	return OT_OK;
}

/* The history of `lot` before entry `cutoff` is needed. */
static ot_status need_lot(sel *s, const char *lot, uint64_t cutoff)
{
	if (!lot)
		return OT_OK;
	json_t *seen = json_object_get(s->lots, lot);
	if (seen && (uint64_t)json_integer_value(seen) >= cutoff)
		return OT_OK;
	if (json_object_set_new(s->lots, lot, json_integer((json_int_t)cutoff)) ||
	    json_array_append_new(s->work, json_pack("[s,I]", lot, (json_int_t)cutoff)))
		return nomem(s->err);
	return OT_OK;
}

static ot_status need_name(sel *s, json_t *set, const char *name)
{
	if (name && json_object_set_new(set, name, json_true()))
		return nomem(s->err);
	return OT_OK;
}

typedef struct scan_ctx {
	sel *s;
	uint64_t cutoff;
	ot_status rc;
} scan_ctx;

static ot_status add_lot_event(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	scan_ctx *c = ctx;
	(void)value;
	(void)len;
	/* key: "<lot> <20-digit index>"; key order is log order */
	const char *sp = strrchr(key, ' ');
	if (!sp)
		return OT_ERR_CORRUPT;
	uint64_t i = strtoull(sp + 1, NULL, 10);
	if (i >= c->cutoff)
		return OT_OK;
	return sel_add(c->s, i);
}

/* Follows one included entry: what it reads is needed too. */
static ot_status follow(sel *s, uint64_t index)
{
	uint8_t *data = NULL;
	size_t len = 0;
	otx_envelope env;
	otx_envelope_init(&env);
	ot_status rc = ot_log_entry(s->l->log, index, &data, &len, s->err);
	if (rc)
		return rc;
	if ((rc = otx_envelope_parse(data, len, &env, s->err))) {
		ot_error_prefix(s->err, "entry %" PRIu64 " of the log", index);
		rc = OT_ERR_CORRUPT;
		goto out;
	}
	json_t *ev = env.event;
	const char *type = env.type;
	if ((rc = need_name(s, s->actors, env.signer)))
		goto out;
	if (strcmp(type, "extract") == 0 || strcmp(type, "recycle") == 0) {
		rc = need_name(s, s->sites, otx_jstr(ev, "site"));
	} else if (strcmp(type, "assay") == 0) {
		if (!(rc = need_lot(s, otx_jstr(ev, "lot"), index)))
			rc = need_name(s, s->sites, otx_jstr(ev, "lab"));
	} else if (strcmp(type, "transform") == 0) {
		json_t *inputs = json_object_get(ev, "inputs");
		rc = need_name(s, s->sites, otx_jstr(ev, "site"));
		for (size_t i = 0; !rc && i < json_array_size(inputs); i++)
			rc = need_lot(s, otx_jstr(json_array_get(inputs, i), "lot"), index);
	} else if (strcmp(type, "ship") == 0) {
		json_t *lots = json_object_get(ev, "lots");
		if (!(rc = need_name(s, s->sites, otx_jstr(ev, "from"))) &&
		    !(rc = need_name(s, s->sites, otx_jstr(ev, "to"))))
			rc = need_name(s, s->actors, otx_jstr(ev, "consignee"));
		for (size_t i = 0; !rc && i < json_array_size(lots); i++)
			rc = need_lot(s, json_string_value(json_array_get(lots, i)), index);
	} else if (strcmp(type, "receive") == 0) {
		json_t *lots = json_object_get(ev, "lots");
		rc = need_name(s, s->sites, otx_jstr(ev, "site"));
		for (size_t i = 0; !rc && i < json_array_size(lots); i++)
			rc = need_lot(s, otx_jstr(json_array_get(lots, i), "lot"), index);
	} else if (strcmp(type, "transfer") == 0) {
		json_t *lots = json_object_get(ev, "lots");
		rc = need_name(s, s->actors, otx_jstr(ev, "to"));
		for (size_t i = 0; !rc && i < json_array_size(lots); i++)
			rc = need_lot(s, json_string_value(json_array_get(lots, i)), index);
	}
out:
	otx_envelope_clear(&env);
	free(data);
	return rc;
}

/* One registration of the log: an actor or site entry. */
typedef struct reg {
	uint64_t index;
	int is_site;
	char *subject; /* actor or site id */
	char *signer;
	char *holder; /* site: its holder */
} reg;

typedef struct reg_scan {
	reg *regs;
	size_t n, cap;
	ot_error *err;
} reg_scan;

/* Whether needle (NUL-terminated) occurs in data[0..len). */
static int contains(const uint8_t *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; n <= len && i <= len - n; i++) {
		const uint8_t *p = memchr(data + i, needle[0], len - n - i + 1);
		if (!p)
			return 0;
		i = (size_t)(p - data);
		if (memcmp(p, needle, n) == 0)
			return 1;
	}
	return 0;
}

static ot_status collect_reg(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	reg_scan *r = ctx;
	/* Stored entries are canonical (RFC 8785), so a registration holds
	 * one of these byte strings; the parse below confirms it. */
	if (!contains(data, len, "\"type\":\"actor\"") && !contains(data, len, "\"type\":\"site\""))
		return OT_OK;
	otx_envelope env;
	otx_envelope_init(&env);
	if (otx_envelope_parse(data, len, &env, NULL) != OT_OK)
		return OT_OK; /* not ours to judge here: the replay will */
	int is_site = strcmp(env.type, "site") == 0;
	if (!is_site && strcmp(env.type, "actor") != 0) {
		otx_envelope_clear(&env);
		return OT_OK;
	}
	const char *subject = otx_jstr(env.event, is_site ? "site" : "actor");
	const char *holder = is_site ? otx_jstr(env.event, "holder") : NULL;
	ot_status rc = OT_OK;
	if (subject) {
		if (r->n == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 32;
			reg *p = realloc(r->regs, nc * sizeof *p);
			if (!p) {
				otx_envelope_clear(&env);
				return nomem(r->err);
			}
			r->regs = p;
			r->cap = nc;
		}
		reg *g = &r->regs[r->n];
		g->index = index;
		g->is_site = is_site;
		g->subject = strdup(subject);
		g->signer = strdup(env.signer);
		g->holder = holder ? strdup(holder) : NULL;
		r->n++;
		if (!g->subject || !g->signer || (holder && !g->holder))
			rc = nomem(r->err);
	}
	otx_envelope_clear(&env);
	return rc;
}

static void regs_free(reg_scan *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->regs[i].subject);
		free(r->regs[i].signer);
		free(r->regs[i].holder);
	}
	free(r->regs);
}

/* Adds the registrations the included entries need, to a fixed point. */
static ot_status add_registrations(sel *s, const reg_scan *r)
{
	int changed = 1;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < r->n; i++) {
			const reg *g = &r->regs[i];
			if (sel_has(s, g->index) ||
			    !json_object_get(g->is_site ? s->sites : s->actors, g->subject))
				continue;
			ot_status rc = sel_add(s, g->index);
			if (!rc)
				rc = need_name(s, s->actors, g->signer);
			if (!rc && g->holder)
				rc = need_name(s, s->actors, g->holder);
			if (rc)
				return rc;
			changed = 1;
		}
	}
	return OT_OK;
}

static ot_status select_entries(sel *s, const char *lot)
{
	ot_status rc = need_lot(s, lot, s->size);
	while (!rc && (json_array_size(s->work) > 0 || s->parsed < s->n)) {
		while (!rc && s->parsed < s->n)
			rc = follow(s, s->idx[s->parsed++]);
		if (rc || json_array_size(s->work) == 0)
			break;
		size_t last = json_array_size(s->work) - 1;
		json_t *item = json_incref(json_array_get(s->work, last));
		json_array_remove(s->work, last);
		char prefix[OTX_EVENT_ID_MAX + 2];
		snprintf(prefix, sizeof prefix, "%s ", json_string_value(json_array_get(item, 0)));
		scan_ctx c = {s, (uint64_t)json_integer_value(json_array_get(item, 1)), OT_OK};
		rc = ot_store_kv_scan(ot_ledger_store(s->l), OTX_NS_LOT_EVENT, prefix,
		                      add_lot_event, &c, s->err);
		json_decref(item);
	}
	if (rc)
		return rc;
	/* The registrations: one pass over the log. */
	reg_scan r = {NULL, 0, 0, s->err};
	rc = ot_store_scan_entries(ot_ledger_store(s->l), 0, s->size, collect_reg, &r, s->err);
	if (!rc)
		rc = add_registrations(s, &r);
	/* A registration follows nothing but its signer and holder (done). */
	regs_free(&r);
	return rc;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static json_t *b64_json(const uint8_t *data, size_t len)
{
	char *text = malloc(ot_b64_len(len) + 1);
	if (!text)
		return NULL;
	ot_b64_encode(data, len, text);
	json_t *v = json_string(text);
	free(text);
	return v;
}

/* {"index": i, "entry": the envelope as a JSON value}: the stored bytes are
 * its RFC 8785 form, so a reader gets them back exactly. */
static ot_status entry_json(ot_log *log, uint64_t i, json_t **out, ot_error *err)
{
	uint8_t *data = NULL;
	size_t len = 0;
	json_t *env = NULL;
	*out = NULL;
	ot_status rc = ot_log_entry(log, i, &data, &len, err);
	if (rc)
		return rc;
	rc = otx_json_parse(data, len, OT_ENTRY_MAX, &env, err);
	free(data);
	if (rc)
		return ot_error_set(err, OT_ERR_CORRUPT,
		                    "entry %" PRIu64 " of the log is not JSON: %s", i,
		                    err ? err->message : "");
	if (!(*out = json_pack("{s:I,s:o}", "index", (json_int_t)i, "entry", env)))
		return nomem(err);
	return OT_OK;
}

/* The merged proof of the selected entries, as base64 hashes. */
static ot_status proof_json(ot_log *log, const sel *s, uint64_t size, json_t **out, ot_error *err)
{
	uint8_t(*nodes)[OT_HASH_SIZE] = NULL;
	size_t n = 0;
	ot_status rc = ot_log_multiproof(log, s->idx, s->n, size, &nodes, &n, err);
	json_t *list = rc ? NULL : json_array();
	if (!rc && !list)
		rc = nomem(err);
	for (size_t k = 0; !rc && k < n; k++)
		if (json_array_append_new(list, b64_json(nodes[k], OT_HASH_SIZE)))
			rc = nomem(err);
	free(nodes);
	if (rc) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return OT_OK;
}

static void sel_free(sel *s)
{
	free(s->bits);
	free(s->idx);
	json_decref(s->lots);
	json_decref(s->work);
	json_decref(s->actors);
	json_decref(s->sites);
}

/* The latest checkpoint with its cosignatures, opened with the authority's
 * key and parsed into *cp (which points into *parsed). *opened says that
 * *parsed is to be cleared; *note is the caller's to free. */
static ot_status prove_checkpoint(ot_ledger *l, char **note, size_t *note_len, ot_note *parsed,
                                  int *opened, ot_checkpoint *cp, ot_error *err)
{
	ot_status rc;
	if ((rc = ot_log_checkpoint(l->log, note, note_len, err)) ||
	    (rc = otx_cosig_attach(l->st, note, note_len, err)))
		return rc;
	ot_verifier *keys[1] = {l->authority_key};
	if ((rc = ot_note_open(*note, *note_len, keys, 1, parsed, err)))
		return ot_error_set(err, OT_ERR_CORRUPT,
		                    "the latest checkpoint does not verify: %s",
		                    err ? err->message : "");
	*opened = 1;
	return ot_checkpoint_parse(parsed->text, parsed->text_len, cp, err);
}

/* The entries the certificate of lot holds, within the tree of `size`
 * entries, in log order (s is the caller's to sel_free). */
static ot_status prove_select(ot_ledger *l, const char *lot, uint64_t size, sel *s, ot_error *err)
{
	s->l = l;
	s->size = size;
	s->err = err;
	s->bits = calloc((size_t)(size / 8 + 1), 1);
	s->lots = json_object();
	s->work = json_array();
	s->actors = json_object();
	s->sites = json_object();
	if (!s->bits || !s->lots || !s->work || !s->actors || !s->sites)
		return nomem(err);
	ot_status rc = select_entries(s, lot);
	if (rc)
		return rc;
	qsort(s->idx, s->n, sizeof *s->idx, u64_cmp);
	return OT_OK;
}

/* The certificate: the checkpoint, the claim and the selected entries with
 * their inclusion proofs, into *doc_out. */
static ot_status prove_document(ot_ledger *l, const char *lot, const ot_checkpoint *cp,
                                const char *note, size_t note_len, json_t *claim, const sel *s,
                                json_t **doc_out, ot_error *err)
{
	json_t *entries = json_array(), *proof = NULL;
	char root[64];
	ot_b64_encode(cp->root, OT_HASH_SIZE, root);
	json_t *doc = json_pack("{s:s,s:i,s:s,s:{s:s,s:I,s:s},s:s%,s:O,s:O}", "format", CERT_FORMAT,
	                        "version", OT_CERT_VERSION, "lot", lot, "log", "origin", cp->origin,
	                        "size", (json_int_t)cp->size, "root", root, "checkpoint", note,
	                        note_len, "claim", claim, "entries", entries);
	ot_status rc = !doc || !entries ? nomem(err) : OT_OK;
	for (size_t i = 0; !rc && i < s->n; i++) {
		json_t *e = NULL;
		if ((rc = entry_json(l->log, s->idx[i], &e, err)))
			break;
		if (json_array_append_new(entries, e))
			rc = nomem(err);
	}
	json_decref(entries);
	if (!rc && !(rc = proof_json(l->log, s, cp->size, &proof, err)) &&
	    json_object_set_new(doc, "proof", proof))
		rc = nomem(err);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	*doc_out = doc;
	return OT_OK;
}

/* ",\n  \"name\": [...]" into b: the list's items one per line, compact. */
static ot_status emit_lines(ot_buf *b, const char *name, json_t *list)
{
	ot_status rc = ot_buf_printf(b, ",\n  \"%s\": [", name);
	for (size_t i = 0; !rc && i < json_array_size(list); i++) {
		char *item = json_dumps(json_array_get(list, i),
		                        JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
		                                JSON_ENCODE_ANY);
		if (!item)
			return OT_ERR_NOMEM;
		rc = ot_buf_printf(b, "%s\n    %s", i ? "," : "", item);
		free(item);
	}
	if (!rc)
		rc = ot_buf_adds(b, json_array_size(list) ? "\n  ]" : "]");
	return rc;
}

/* The certificate's text. Indented (OT_JSON_PRETTY) as any document, but
 * with each entry and proof node on a line of its own: indenting the
 * events' members would make the file half as large again. */
static ot_status emit_certificate(json_t *doc, int flags, char **text, ot_error *err)
{
	if (!(flags & OT_JSON_PRETTY))
		return otx_ledger_emit(doc, flags, text, err);
	json_t *entries = json_incref(json_object_get(doc, "entries"));
	json_t *proof = json_incref(json_object_get(doc, "proof"));
	char *head = NULL;
	ot_buf b;
	ot_buf_init(&b, 0);
	ot_status rc = OT_OK;
	if (json_object_del(doc, "entries") || json_object_del(doc, "proof"))
		rc = ot_error_set(err, OT_ERR_ARG, "a certificate without entries or proof");
	if (!rc)
		rc = otx_ledger_emit(doc, flags, &head, err);
	/* head ends with "\n}": the lists go before it. */
	size_t hl = head ? strlen(head) : 0;
	if (!rc && (hl < 2 || (rc = ot_buf_add(&b, head, hl - 2)) ||
	            (rc = emit_lines(&b, "entries", entries)) ||
	            (rc = emit_lines(&b, "proof", proof)) || (rc = ot_buf_add(&b, "\n}", 2))))
		rc = nomem(err);
	free(head);
	json_decref(entries);
	json_decref(proof);
	uint8_t *out = NULL;
	size_t len = 0;
	if (!rc && ot_buf_detach(&b, &out, &len))
		rc = nomem(err);
	ot_buf_free(&b);
	if (!rc)
		*text = (char *)out;
	return rc;
}

/* Whether one of rows ({"profile": a profile document or its name, ...})
 * is under the profile named name. */
static int has_profile(json_t *rows, const char *name)
{
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *v = json_object_get(json_array_get(rows, i), "profile");
		const char *n = json_is_object(v) ? otx_jstr(v, "profile") : json_string_value(v);
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

/* The lot's determination under each profile, as of at, into the
 * certificate's "compliance" (none: no member). */
static ot_status prove_compliance(ot_ledger *l, const char *lot, const ot_cert_profile *profiles,
                                  size_t n, const char *at, json_t *doc, ot_error *err)
{
	otx_entry_reader rd = {otx_ledger_read_entry, l};
	if (n == 0)
		return OT_OK;
	json_t *list = json_array();
	if (!list || json_object_set_new(doc, "compliance", list))
		return nomem(err);
	ot_status rc = otx_comply_check_at(at, err);
	for (size_t i = 0; !rc && i < n; i++) {
		otx_profile p;
		json_t *pdoc = NULL, *det = NULL, *item = NULL;
		int d = 0;
		rc = otx_profile_load(profiles[i].json, profiles[i].len, &pdoc, &p, err);
		if (!rc && has_profile(list, p.name))
			rc = ot_error_at(err, OT_ERR_PARSE, "bad_profile", -1,
			                 "profile %s is given twice", p.name);
		if (!rc)
			rc = otx_comply_determine(l->st, &rd, &p, lot, at, &det, &d, err);
		if (!rc &&
		    (!(item = json_pack("{s:O,s:O}", "profile", pdoc, "determination", det)) ||
		     json_array_append_new(list, item)))
			rc = nomem(err);
		json_decref(det);
		json_decref(pdoc);
	}
	return rc;
}

/* What we hand out must verify: a gap in the selection shows here. */
static ot_status prove_self_check(const ot_ledger *l, const char *lot, const char *text,
                                  const ot_cert_profile *profiles, size_t n, ot_error *err)
{
	ot_cert_options opts = {l->authority_key, NULL, 0, 0, profiles, n};
	ot_error verr;
	ot_error_clear(&verr);
	if (ot_certificate_verify(text, strlen(text), &opts, 0, NULL, &verr))
		return ot_error_at(err, OT_ERR_CORRUPT, verr.code, verr.index,
		                   "the certificate made for lot %s does not verify: %s", lot,
		                   verr.message);
	return OT_OK;
}

ot_status ot_ledger_prove(ot_ledger *l, const char *lot, int flags, char **json, ot_error *err)
{
	return ot_ledger_prove_comply(l, lot, NULL, 0, NULL, flags, json, err);
}

ot_status ot_ledger_prove_comply(ot_ledger *l, const char *lot, const ot_cert_profile *profiles,
                                 size_t n, const char *at, int flags, char **json, ot_error *err)
{
	sel s;
	json_t *doc = NULL, *claim = NULL;
	char *note = NULL, *text = NULL;
	size_t note_len = 0;
	ot_note parsed;
	ot_checkpoint cp;
	int reading = 0, opened = 0;
	ot_status rc;
	memset(&s, 0, sizeof s);
	memset(&parsed, 0, sizeof parsed);
	if (!l || !lot || !json || (n && !profiles))
		return ot_error_set(err, OT_ERR_ARG, "prove needs a ledger, a lot and an output");
	*json = NULL;
	/* Catch up with appends by other processes, then one snapshot. */
	if ((rc = ot_log_refresh(l->log, err)) || (rc = ot_store_read_begin(l->st, err)))
		return rc;
	reading = 1;
	/* The checkpoint fixes the tree: everything is proved against it. */
	if ((rc = prove_checkpoint(l, &note, &note_len, &parsed, &opened, &cp, err)) ||
	    (rc = otx_trace_json(l->st, lot, OT_TRACE_CONTEXT | OT_TRACE_STAGES, &claim, err)) ||
	    (rc = prove_select(l, lot, cp.size, &s, err)) ||
	    (rc = prove_document(l, lot, &cp, note, note_len, claim, &s, &doc, err)) ||
	    (rc = prove_compliance(l, lot, profiles, n, at, doc, err)) ||
	    (rc = emit_certificate(doc, flags, &text, err)) ||
	    (rc = prove_self_check(l, lot, text, profiles, n, err)))
		goto out;
	*json = text;
	text = NULL;
out:
	if (reading)
		ot_store_read_end(l->st);
	if (opened)
		ot_note_clear(&parsed);
	free(note);
	free(text);
	sel_free(&s);
	json_decref(claim);
	json_decref(doc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* verify                                                              */

typedef struct centry {
	uint64_t index;
	uint8_t *data;
	size_t len;
} centry;

static ot_status bad(ot_error *err, const char *code, int64_t index, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ot_status bad(ot_error *err, const char *code, int64_t index, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ot_status st =
		strcmp(code, OT_CERT_MALFORMED) == 0 || strcmp(code, OT_CERT_UNSUPPORTED) == 0
			? OT_ERR_PARSE
			: OT_ERR_VERIFY;
	return ot_error_at(err, st, code, index, "%s", msg);
}

/* A base64 member of exactly `want` bytes (want 0: any up to cap). */
static int get_b64(json_t *v, uint8_t *out, size_t cap, size_t want, size_t *got)
{
	const char *s = json_string_value(v);
	size_t n = 0;
	if (!s || ot_b64_decode(s, json_string_length(v), out, cap, &n) != OT_OK)
		return -1;
	if (want && n != want)
		return -1;
	if (got)
		*got = n;
	return 0;
}

static int get_u64(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* Rule codes of the replay that mean "something it needs is not here". */
static int is_missing_code(const char *code)
{
	static const char *const codes[] = {"unknown_signer",        "lot_not_found",
	                                    "site_not_found",        "actor_not_found",
	                                    "consignment_not_found", NULL};
	for (size_t i = 0; codes[i]; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/* The entry of log index `index` among ents (sorted by index), or NULL. */
static const centry *find_entry(const centry *ents, size_t n, uint64_t index)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ents[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ents[lo].index == index ? &ents[lo] : NULL;
}

/* Is every index the claim lists (ancestry, context, uses, created) present? */
static ot_status claim_entries_present(json_t *claim, const centry *ents, size_t n, ot_error *err)
{
	static const char *const lists[] = {"ancestry", "context", "uses", NULL};
	for (size_t k = 0; lists[k]; k++) {
		json_t *list = json_object_get(claim, lists[k]);
		for (size_t i = 0; i < json_array_size(list); i++) {
			json_t *it = json_array_get(list, i);
			uint64_t want;
			if (get_u64(json_object_get(it, "index"), &want))
				return bad(err, OT_CERT_MALFORMED, -1,
				           "claim.%s[%zu].index is not an index", lists[k], i);
			if (!find_entry(ents, n, want))
				return bad(err, OT_CERT_MISSING_ENTRY, (int64_t)want,
				           "the claim's %s names entry %" PRIu64
				           " (%s %s), which the "
				           "certificate does not include",
				           lists[k], want,
				           otx_jstr(it, "type") ? otx_jstr(it, "type") : "?",
				           otx_jstr(it, "id") ? otx_jstr(it, "id") : "?");
		}
	}
	return OT_OK;
}

/* Why the replay stopped at an entry the rules reject, as a certificate
 * error. */
static ot_status rule_error(const ot_replay_outcome *o, ot_error *err)
{
	int64_t at = (int64_t)o->index;
	const ot_error *re = o->error;
	const char *code = re->code[0] ? re->code : ot_status_code(o->status);
	if (o->status == OT_ERR_NOMEM || o->status == OT_ERR_IO)
		return ot_error_set(err, o->status, "replay of entry %" PRId64 ": %s", at,
		                    re->message);
	if (strcmp(code, "bad_signature") == 0 || strcmp(code, "revoked_signer") == 0 ||
	    strcmp(code, "key_revoked") == 0)
		return bad(err, OT_CERT_ENTRY_SIGNATURE, at,
		           "entry %" PRId64 " is not signed by a key its signer had: %s", at,
		           re->message);
	if (is_missing_code(code))
		return bad(err, OT_CERT_MISSING_ENTRY, at,
		           "entry %" PRId64 " needs an entry the certificate lacks: %s: %s", at,
		           code, re->message);
	return bad(err, OT_CERT_RULE, at,
	           "entry %" PRId64 " breaks the ledger's rules on replay: %s: %s", at, code,
	           re->message);
}

/* The state of the replay, for replay_checked. */
typedef struct cert_replay {
	size_t n_regs; /* actor and site entries */
	ot_error *err;
} cert_replay;

/* What became of one entry of the replay: the first that is not a
 * canonical signed event or breaks the rules stops it. */
static ot_status replay_checked(void *ctx, const ot_replay_outcome *o)
{
	cert_replay *c = ctx;
	int64_t at = (int64_t)o->index;
	if (!o->parsed)
		return bad(c->err, OT_CERT_RULE, at,
		           "entry %" PRId64 " is not a valid signed event: %s", at,
		           o->error->message);
	if (o->canonical_len != o->len || memcmp(o->canonical, o->data, o->len) != 0)
		return bad(c->err, OT_CERT_RULE, at,
		           "entry %" PRId64 " is not in canonical (RFC 8785) form", at);
	if (o->status)
		return rule_error(o, c->err);
	if (strcmp(o->type, "actor") == 0 || strcmp(o->type, "site") == 0)
		c->n_regs++;
	return OT_OK;
}

/* Replays the entries, in log order, into an empty in-memory state (the
 * replay engine, replay.h); *out holds it on success. */
static ot_status replay(const centry *ents, size_t n, ot_verifier *log_key, ot_replay **out,
                        size_t *n_regs, ot_error *err)
{
	const uint8_t **data = calloc(n ? n : 1, sizeof *data);
	size_t *lens = calloc(n ? n : 1, sizeof *lens);
	uint64_t *indexes = calloc(n ? n : 1, sizeof *indexes);
	cert_replay c = {0, err};
	ot_replay *r = NULL;
	ot_status rc = OT_OK;
	*out = NULL;
	if (!data || !lens || !indexes)
		rc = nomem(err);
	for (size_t i = 0; !rc && i < n; i++) {
		data[i] = ents[i].data;
		lens[i] = ents[i].len;
		indexes[i] = ents[i].index;
	}
	if (!rc)
		rc = ot_replay_new(log_key, n < CERT_SERIAL_BELOW ? OT_REPLAY_SERIAL : 0, &r, err);
	/* One call: the engine's runs end after each actor registration that
	 * later entries are signed by (batch.h), so every signature is checked
	 * ahead on every core (the larger certificates). */
	if (!rc)
		rc = ot_replay_entries(r, 0, indexes, data, lens, n, replay_checked, &c, err);
	if (!rc) {
		*out = r;
		r = NULL;
	}
	*n_regs = c.n_regs;
	ot_replay_free(r);
	free(data);
	free(lens);
	free(indexes);
	return rc;
}

/* Where a (what the certificate says) and b (what the replay gives) first
 * differ: path (extended in place, within cap) names the member or row,
 * *va and *vb are the values there (borrowed; NULL when absent). Arrays
 * of one length are compared row by row, objects member by member. */
static int first_diff(json_t *a, json_t *b, char *path, size_t cap, json_t **va, json_t **vb)
{
	size_t len = strlen(path);
	const char *key;
	json_t *v;
	if (json_equal(a, b))
		return 0;
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(b, key, v)
		{
			json_t *x = json_object_get(a, key);
			if (x && json_equal(x, v))
				continue;
			snprintf(path + len, cap - len, ".%s", key);
			if (x)
				return first_diff(x, v, path, cap, va, vb);
			*va = NULL;
			*vb = v;
			return 1;
		}
		json_object_foreach(a, key, v) if (!json_object_get(b, key))
		{
			snprintf(path + len, cap - len, ".%s", key);
			*va = v;
			*vb = NULL;
			return 1;
		}
	}
	if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b))
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_equal(json_array_get(a, i), json_array_get(b, i))) {
				snprintf(path + len, cap - len, "[%zu]", i);
				return first_diff(json_array_get(a, i), json_array_get(b, i), path,
				                  cap, va, vb);
			}
	*va = a;
	*vb = b;
	return 1;
}

/* code when what the certificate says (`said`, at `path`) is not what
 * `other` (the replay's, or a known profile) holds; OT_OK when they agree. */
static ot_status compare_as(const char *code, char *path, size_t cap, json_t *said, json_t *other,
                            const char *is_not, const char *gives, ot_error *err)
{
	json_t *va = NULL, *vb = NULL;
	if (!first_diff(said, other, path, cap, &va, &vb))
		return OT_OK;
	char *got = va ? json_dumps(va, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	char *want = vb ? json_dumps(vb, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	ot_status rc = bad(err, code, -1, "%s %s: the certificate says %.120s, %s %.120s", path,
	                   is_not, got ? got : "nothing", gives, want ? want : "nothing");
	free(want);
	free(got);
	return rc;
}

static ot_status compare(const char *code, char *path, size_t cap, json_t *said, json_t *replayed,
                         ot_error *err)
{
	return compare_as(code, path, cap, said, replayed, "is not what the entries imply",
	                  "the replay gives", err);
}

static int same_key(const ot_note_sig *s, const ot_verifier *v)
{
	return s->verified && s->key_id == ot_verifier_key_id(v) &&
	       strcmp(s->name, ot_verifier_name(v)) == 0;
}

/* The checkpoint: the log's signature and enough witness cosignatures
 * (C2SP tlog-cosignature, src/log/cosign.c). */
static ot_status check_note(const char *note, size_t len, const ot_cert_options *opts,
                            ot_checkpoint *cp, size_t *n_witnesses, ot_error *err)
{
	ot_note parsed;
	ot_error e;
	ot_error_clear(&e);
	memset(&parsed, 0, sizeof parsed);
	ot_verifier *keys[1] = {opts->log_key};
	ot_status rc = ot_note_open(note, len, keys, 1, &parsed, &e);
	if (rc)
		return bad(err, OT_CERT_CHECKPOINT_SIGNATURE, -1,
		           "the checkpoint does not verify: %s", e.message);
	int by_log = 0;
	for (size_t i = 0; i < parsed.n_sigs; i++)
		by_log |= same_key(&parsed.sigs[i], opts->log_key);
	long wrong = -1;
	size_t count =
		ot_note_count_cosignatures(&parsed, opts->witnesses, opts->n_witnesses, &wrong);
	if (!by_log) {
		rc = bad(err, OT_CERT_CHECKPOINT_SIGNATURE, -1,
		         "the checkpoint carries no signature by the log key %s",
		         ot_verifier_name(opts->log_key));
	} else if (count < opts->min_witnesses && wrong >= 0) {
		rc = bad(err, OT_CERT_WITNESSES, -1,
		         "the cosignature of witness %s does not verify (%zu valid, %zu required)",
		         ot_cosig_verifier_name(opts->witnesses[wrong]), count,
		         opts->min_witnesses);
	} else if (count < opts->min_witnesses) {
		rc = bad(err, OT_CERT_WITNESSES, -1,
		         "the checkpoint is cosigned by %zu of the witnesses given, %zu are "
		         "required",
		         count, opts->min_witnesses);
	} else if (ot_checkpoint_parse(parsed.text, parsed.text_len, cp, &e)) {
		rc = bad(err, OT_CERT_CHECKPOINT_MISMATCH, -1,
		         "the signed checkpoint is not a tlog-checkpoint: %s", e.message);
	}
	*n_witnesses = count;
	ot_note_clear(&parsed);
	return rc;
}

/* A certificate being verified: its document and the members read from it. */
typedef struct cert {
	json_t *doc;
	json_t *claim, *list, *note; /* borrowed from doc */
	json_t *proof;               /* version 2: the merged proof (borrowed) */
	const char *lot, *origin;
	uint64_t version;
	uint64_t size;
	uint8_t root[OT_HASH_SIZE];
	centry *ents;
	size_t n;
	ot_checkpoint cp;
	size_t n_witnesses, n_regs;
	ot_replay *replay;
	json_t *replayed; /* the replay's trace of the lot */
	json_t *judged;   /* the report's "compliance" */
} cert;

/* The shape: anything unusable is a malformed certificate. */
static ot_status read_shape(cert *c, ot_error *err)
{
	json_t *doc = c->doc, *log = json_object_get(doc, "log");
	c->claim = json_object_get(doc, "claim");
	c->list = json_object_get(doc, "entries");
	c->note = json_object_get(doc, "checkpoint");
	c->lot = otx_jstr(doc, "lot");
	c->origin = otx_jstr(log, "origin");
	if (!json_is_object(doc) || !otx_jstr(doc, "format") ||
	    strcmp(otx_jstr(doc, "format"), CERT_FORMAT) != 0)
		return bad(err, OT_CERT_MALFORMED, -1,
		           "not an oretrail provenance certificate "
		           "(format \"" CERT_FORMAT "\")");
	if (get_u64(json_object_get(doc, "version"), &c->version))
		return bad(err, OT_CERT_MALFORMED, -1, "the certificate's version is not a number");
	if (c->version < OT_CERT_VERSION_MIN || c->version > OT_CERT_VERSION)
		return bad(err, OT_CERT_UNSUPPORTED, -1,
		           "unsupported certificate version %" PRIu64
		           ": this oretrail reads versions %d to %d",
		           c->version, OT_CERT_VERSION_MIN, OT_CERT_VERSION);
	c->proof = json_object_get(doc, "proof");
	if (c->version >= 2 && !json_is_array(c->proof))
		return bad(err, OT_CERT_MALFORMED, -1,
		           "a version 2 certificate needs proof, the merged proof's nodes");
	if (!c->lot || !json_is_object(c->claim) || !json_is_array(c->list) ||
	    !json_is_string(c->note) || !c->origin ||
	    get_u64(json_object_get(log, "size"), &c->size) ||
	    get_b64(json_object_get(log, "root"), c->root, sizeof c->root, OT_HASH_SIZE, NULL))
		return bad(err, OT_CERT_MALFORMED, -1,
		           "a certificate needs lot, log {origin, size, root (base64 SHA-256)}, "
		           "checkpoint, claim and entries");
	return OT_OK;
}

/* Version 1: entries[i] is {index, entry (base64), leaf_hash, proof}. */
static ot_status read_entry_v1(cert *c, size_t i, json_t *it, ot_error *err)
{
	json_t *entry = json_object_get(it, "entry");
	centry *e = &c->ents[i];
	if (!json_is_string(entry) || !json_is_array(json_object_get(it, "proof")) ||
	    json_array_size(json_object_get(it, "proof")) > OT_PROOF_MAX)
		return bad(err, OT_CERT_MALFORMED, -1,
		           "entries[%zu] is not {index, entry, leaf_hash, proof} with indexes "
		           "in increasing order",
		           i);
	e->data = malloc(json_string_length(entry) + 1);
	if (!e->data)
		return nomem(err);
	if (get_b64(entry, e->data, OT_ENTRY_MAX, 0, &e->len) || e->len == 0)
		return bad(err, OT_CERT_MALFORMED, (int64_t)e->index,
		           "entries[%zu].entry is not base64 of 1..%d bytes", i, OT_ENTRY_MAX);
	return OT_OK;
}

/* Version 2: entries[i] is {index, entry (the envelope as JSON)}; the bytes
 * are its RFC 8785 form. */
static ot_status read_entry_v2(cert *c, size_t i, json_t *it, ot_error *err)
{
	json_t *entry = json_object_get(it, "entry");
	centry *e = &c->ents[i];
	char path[48];
	ot_error je;
	ot_buf b;
	if (!json_is_object(entry))
		return bad(err, OT_CERT_MALFORMED, -1,
		           "entries[%zu] is not {index, entry} with indexes in increasing order "
		           "and the entry a signed envelope",
		           i);
	snprintf(path, sizeof path, "entries[%zu].entry", i);
	ot_error_clear(&je);
	ot_buf_init(&b, OT_ENTRY_MAX);
	ot_status rc = otx_jcs_write(&b, entry, path, &je);
	if (!rc && b.len == 0)
		rc = OT_ERR_PARSE;
	if (rc == OT_ERR_NOMEM) {
		ot_buf_free(&b);
		return nomem(err);
	}
	if (rc) {
		ot_buf_free(&b);
		return bad(err, OT_CERT_MALFORMED, (int64_t)e->index,
		           "entries[%zu].entry has no canonical form of 1..%d bytes: %s", i,
		           OT_ENTRY_MAX, je.message);
	}
	if ((rc = ot_buf_detach(&b, &e->data, &e->len)))
		return nomem(err);
	return OT_OK;
}

/* The entries' indexes and bytes. */
static ot_status read_entries(cert *c, ot_error *err)
{
	c->n = json_array_size(c->list);
	c->ents = calloc(c->n ? c->n : 1, sizeof *c->ents);
	if (!c->ents)
		return nomem(err);
	for (size_t i = 0; i < c->n; i++) {
		json_t *it = json_array_get(c->list, i);
		centry *e = &c->ents[i];
		if (get_u64(json_object_get(it, "index"), &e->index) ||
		    (i > 0 && e->index <= c->ents[i - 1].index))
			return bad(err, OT_CERT_MALFORMED, -1,
			           "entries[%zu] has no index, or not one above the entry before",
			           i);
		ot_status rc = c->version == 1 ? read_entry_v1(c, i, it, err)
		                               : read_entry_v2(c, i, it, err);
		if (rc)
			return rc;
	}
	return OT_OK;
}

/* 1. The checkpoint: signed by the log, cosigned by enough witnesses, and
 * the one the log summary and the proofs speak of. */
static ot_status check_checkpoint(cert *c, const ot_cert_options *opts, ot_error *err)
{
	ot_checkpoint *cp = &c->cp;
	ot_status rc = check_note(json_string_value(c->note), json_string_length(c->note), opts, cp,
	                          &c->n_witnesses, err);
	if (rc)
		return rc;
	if (strcmp(cp->origin, c->origin) != 0 || cp->size != c->size ||
	    memcmp(cp->root, c->root, OT_HASH_SIZE) != 0)
		return bad(err, OT_CERT_CHECKPOINT_MISMATCH, -1,
		           "the log summary (%s, %" PRIu64 " entries) is not the signed "
		           "checkpoint (%s, %" PRIu64 " entries%s)",
		           c->origin, c->size, cp->origin, cp->size,
		           cp->size == c->size && !strcmp(cp->origin, c->origin) ? ", another root"
		                                                                 : "");
	return OT_OK;
}

/* 2. Entry i: its bytes, then its place in the tree. */
static ot_status check_entry(const cert *c, size_t i, ot_error *err)
{
	json_t *it = json_array_get(c->list, i);
	json_t *proof = json_object_get(it, "proof");
	uint8_t leaf[OT_HASH_SIZE], stated[OT_HASH_SIZE];
	uint8_t path[OT_PROOF_MAX][OT_HASH_SIZE];
	const centry *e = &c->ents[i];
	int64_t at = (int64_t)e->index;
	if (get_b64(json_object_get(it, "leaf_hash"), stated, sizeof stated, OT_HASH_SIZE, NULL))
		return bad(err, OT_CERT_MALFORMED, at,
		           "entries[%zu].leaf_hash is not a base64 SHA-256 hash", i);
	for (size_t k = 0; k < json_array_size(proof); k++)
		if (get_b64(json_array_get(proof, k), path[k], OT_HASH_SIZE, OT_HASH_SIZE, NULL))
			return bad(err, OT_CERT_MALFORMED, at,
			           "entries[%zu].proof[%zu] is not a base64 SHA-256 hash", i, k);
	if (e->index >= c->cp.size)
		return bad(err, OT_CERT_CHECKPOINT_MISMATCH, at,
		           "entry %" PRId64 " lies beyond the checkpoint's %" PRIu64 " entries", at,
		           c->cp.size);
	ot_leaf_hash(e->data, e->len, leaf);
	if (memcmp(leaf, stated, OT_HASH_SIZE) != 0)
		return bad(err, OT_CERT_ENTRY_ALTERED, at,
		           "entry %" PRId64
		           " does not hash to its leaf hash: the entry was altered",
		           at);
	if (ot_verify_inclusion(e->index, c->cp.size, leaf, (const uint8_t(*)[OT_HASH_SIZE])path,
	                        json_array_size(proof), c->cp.root) != OT_OK)
		return bad(err, OT_CERT_PROOF, at,
		           "the inclusion proof of entry %" PRId64 " does not lead to the "
		           "checkpoint's root: the entry is not in the log at that index",
		           at);
	return OT_OK;
}

/* 2, version 2: every entry inside the tree, and the merged proof leads
 * from all their leaves to the checkpoint's root. */
static ot_status check_merged_proof(const cert *c, ot_error *err)
{
	size_t want = 0, got = json_array_size(c->proof);
	uint64_t *idx = calloc(c->n ? c->n : 1, sizeof *idx);
	uint8_t(*leaves)[OT_HASH_SIZE] = calloc(c->n ? c->n : 1, sizeof *leaves);
	uint8_t(*nodes)[OT_HASH_SIZE] = calloc(got ? got : 1, sizeof *nodes);
	ot_status rc = !idx || !leaves || !nodes ? nomem(err) : OT_OK;
	for (size_t i = 0; !rc && i < c->n; i++) {
		idx[i] = c->ents[i].index;
		if (idx[i] >= c->cp.size)
			rc = bad(err, OT_CERT_CHECKPOINT_MISMATCH, (int64_t)idx[i],
			         "entry %" PRIu64 " lies beyond the checkpoint's %" PRIu64
			         " entries",
			         idx[i], c->cp.size);
		ot_leaf_hash(c->ents[i].data, c->ents[i].len, leaves[i]);
	}
	for (size_t k = 0; !rc && k < got; k++)
		if (get_b64(json_array_get(c->proof, k), nodes[k], OT_HASH_SIZE, OT_HASH_SIZE,
		            NULL))
			rc = bad(err, OT_CERT_MALFORMED, -1,
			         "proof[%zu] is not a base64 SHA-256 hash", k);
	if (!rc && ot_multiproof_count(c->cp.size, idx, c->n, &want) != OT_OK)
		rc = bad(err, OT_CERT_CHECKPOINT_MISMATCH, -1,
		         "the entries' indexes do not fit the checkpoint's tree of %" PRIu64,
		         c->cp.size);
	if (!rc && want != got)
		rc = bad(
			err, OT_CERT_PROOF, -1,
			"the merged proof has %zu nodes; entries at these %zu indexes of a tree of "
			"%" PRIu64 " need %zu",
			got, c->n, c->cp.size, want);
	if (!rc &&
	    ot_verify_multiproof(c->cp.size, idx, (const uint8_t(*)[OT_HASH_SIZE])leaves, c->n,
	                         (const uint8_t(*)[OT_HASH_SIZE])nodes, got, c->cp.root) != OT_OK)
		rc = bad(err, OT_CERT_PROOF, -1,
		         "the entries and the merged proof's %zu nodes do not lead to the "
		         "checkpoint's root: an entry or a proof node was altered, or an entry is "
		         "not in the log at its index",
		         got);
	free(idx);
	free(leaves);
	free(nodes);
	return rc;
}

/* 3. The claim is about the certificate's lot and names entries that are
 * all here. */
static ot_status check_claim_entries(const cert *c, ot_error *err)
{
	const char *claimed = otx_jstr(c->claim, "lot");
	if (strcmp(claimed ? claimed : "", c->lot) != 0)
		return bad(err, OT_CERT_CLAIM, -1,
		           "the claim is about lot %s, the certificate about %s",
		           claimed ? claimed : "(none)", c->lot);
	return claim_entries_present(c->claim, c->ents, c->n, err);
}

/* 4. The replay through the ledger's rules, and the claim it implies. */
static ot_status check_replay(cert *c, const ot_cert_options *opts, ot_error *err)
{
	ot_error e;
	ot_error_clear(&e);
	ot_status rc = replay(c->ents, c->n, opts->log_key, &c->replay, &c->n_regs, err);
	if (rc)
		return rc;
	/* Certificates made before stages were claimed have none. */
	int stages = json_object_get(c->claim, "stages") ? OT_TRACE_STAGES : 0;
	rc = otx_trace_json(otx_replay_store(c->replay), c->lot, OT_TRACE_CONTEXT | stages,
	                    &c->replayed, &e);
	if (rc == OT_ERR_NOTFOUND)
		return bad(err, OT_CERT_MISSING_ENTRY, -1,
		           "no entry in the certificate makes lot %s", c->lot);
	if (rc) {
		if (err)
			*err = e;
		return rc;
	}
	/* A certificate made before title was separate from custody claims no
	 * owner: the owner was the holder. */
	json_t *want = json_incref(c->replayed);
	json_t *owner = json_object_get(want, "owner");
	if (!json_object_get(c->claim, "owner") && owner &&
	    json_equal(owner, json_object_get(want, "holder"))) {
		json_decref(want);
		if (!(want = json_copy(c->replayed)) || json_object_del(want, "owner")) {
			json_decref(want);
			return nomem(err);
		}
	}
	char path[160] = "claim";
	rc = compare(OT_CERT_CLAIM, path, sizeof path, c->claim, want, err);
	json_decref(want);
	return rc;
}

/* otx_entry_reader's read over the certificate's entries. */
static ot_status cert_read_entry(void *ctx, uint64_t index, uint8_t **data, size_t *len,
                                 ot_error *err)
{
	const cert *c = ctx;
	const centry *e = find_entry(c->ents, c->n, index);
	if (e) {
		if (!(*data = malloc(e->len)))
			return nomem(err);
		memcpy(*data, e->data, e->len);
		*len = e->len;
		return OT_OK;
	}
	return bad(err, OT_CERT_MISSING_ENTRY, (int64_t)index,
	           "a determination needs entry %" PRIu64 ", which the certificate does not "
	           "include",
	           index);
}

/* The embedded profile pdoc (named name, at compliance[i]) against every
 * known profile of that name; *source says whose it is. */
static ot_status check_profile(const ot_cert_options *opts, size_t i, json_t *pdoc,
                               const char *name, const char **source, ot_error *err)
{
	*source = "certificate";
	for (size_t k = 0; k < opts->n_profiles; k++) {
		otx_profile p;
		json_t *known = NULL;
		ot_status rc = otx_profile_load(opts->profiles[k].json, opts->profiles[k].len,
		                                &known, &p, err);
		if (!rc && strcmp(p.name, name) == 0) {
			const char *whose = opts->profiles[k].flags & OT_CERT_PROFILE_SHIPPED
			                            ? "shipped"
			                            : "given";
			char path[160], is_not[160], gives[64];
			snprintf(path, sizeof path, "compliance[%zu].profile", i);
			snprintf(is_not, sizeof is_not, "is not the %s profile %s", whose, name);
			snprintf(gives, sizeof gives, "the %s one has", whose);
			rc = compare_as(OT_CERT_PROFILE, path, sizeof path, pdoc, known, is_not,
			                gives, err);
			if (strcmp(*source, "shipped") != 0)
				*source = whose;
		}
		json_decref(known);
		if (rc)
			return rc;
	}
	return OT_OK;
}

/* compliance[i]: its profile is the known one of its name, if any, and
 * its determination is the one the replay gives under it. */
static ot_status check_determination(cert *c, size_t i, const ot_cert_options *opts, ot_error *err)
{
	json_t *item = json_array_get(json_object_get(c->doc, "compliance"), i);
	json_t *pdoc = json_object_get(item, "profile");
	json_t *said = json_object_get(item, "determination");
	json_t *det = NULL, *row = NULL;
	otx_profile p;
	ot_error e;
	ot_error_clear(&e);
	const char *at = otx_jstr(said, "at");
	if (!json_is_object(said) || otx_comply_check_at(at, NULL))
		return bad(err, OT_CERT_MALFORMED, -1,
		           "compliance[%zu] is not {\"profile\":{...}, \"determination\":{..., "
		           "\"at\"}}",
		           i);
	if (otx_profile_read(pdoc, &p, &e))
		return bad(err, OT_CERT_MALFORMED, -1, "compliance[%zu].%s", i, e.message);
	if (has_profile(c->judged, p.name))
		return bad(err, OT_CERT_MALFORMED, -1, "compliance[%zu]: profile %s is there twice",
		           i, p.name);
	const char *source;
	ot_status rc = check_profile(opts, i, pdoc, p.name, &source, err);
	if (rc)
		return rc;
	char path[160];
	int d = 0;
	otx_entry_reader rd = {cert_read_entry, c};
	if ((rc = otx_comply_determine(otx_replay_store(c->replay), &rd, &p, c->lot, at, &det, &d,
	                               err)))
		goto out;
	snprintf(path, sizeof path, "compliance[%zu].determination", i);
	if ((rc = compare(OT_CERT_DETERMINATION, path, sizeof path, said, det, err)))
		goto out;
	row = json_pack("{s:s,s:s,s:O}", "profile", p.name, "source", source, "determination", det);
	if (!row || json_array_append_new(c->judged, row))
		rc = nomem(err);
out:
	json_decref(det);
	return rc;
}

/* 5. The determinations the certificate carries, and those asked for. */
static ot_status check_compliance(cert *c, const ot_cert_options *opts, ot_error *err)
{
	json_t *list = json_object_get(c->doc, "compliance");
	if (list && !json_is_array(list))
		return bad(err, OT_CERT_MALFORMED, -1, "compliance is not a list");
	if (!(c->judged = json_array()))
		return nomem(err);
	ot_status rc = OT_OK;
	for (size_t i = 0; !rc && i < json_array_size(list); i++)
		rc = check_determination(c, i, opts, err);
	for (size_t k = 0; !rc && k < opts->n_profiles; k++) {
		otx_profile p;
		json_t *doc = NULL;
		if (!(opts->profiles[k].flags & OT_CERT_PROFILE_REQUIRED))
			continue;
		rc = otx_profile_load(opts->profiles[k].json, opts->profiles[k].len, &doc, &p, err);
		if (!rc && !has_profile(c->judged, p.name))
			rc = bad(err, OT_CERT_DETERMINATION_MISSING, -1,
			         "the certificate carries no determination under profile %s (it "
			         "carries %zu)",
			         p.name, json_array_size(c->judged));
		json_decref(doc);
	}
	return rc;
}

/* The report of a certificate that verifies. */
static ot_status write_report(const cert *c, int flags, char **report, ot_error *err)
{
	char rb[64];
	ot_b64_encode(c->cp.root, OT_HASH_SIZE, rb);
	json_t *rep = json_pack("{s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:O,s:O}", "lot", c->lot, "origin",
	                        c->cp.origin, "size", (json_int_t)c->cp.size, "root", rb, "entries",
	                        (json_int_t)c->n, "registrations", (json_int_t)c->n_regs,
	                        "witnesses", (json_int_t)c->n_witnesses, "trace", c->replayed,
	                        "compliance", c->judged);
	if (!rep)
		return nomem(err);
	ot_status rc = otx_ledger_emit(rep, flags, report, err);
	json_decref(rep);
	return rc;
}

ot_status ot_certificate_verify(const char *data, size_t len, const ot_cert_options *opts,
                                int flags, char **report, ot_error *err)
{
	cert c;
	ot_error e;
	ot_status rc;
	if (report)
		*report = NULL;
	if (!data || !opts || !opts->log_key || (opts->n_witnesses && !opts->witnesses) ||
	    (opts->n_profiles && !opts->profiles))
		return ot_error_set(err, OT_ERR_ARG,
		                    "verify needs a certificate and the log's key");
	memset(&c, 0, sizeof c);
	ot_error_clear(&e);
	if (otx_json_parse((const uint8_t *)data, len, OT_CERT_MAX, &c.doc, &e))
		return bad(err, OT_CERT_MALFORMED, -1, "not a JSON document: %s", e.message);
	if ((rc = read_shape(&c, err)) || (rc = read_entries(&c, err)) ||
	    (rc = check_checkpoint(&c, opts, err)))
		goto out;
	for (size_t i = 0; c.version == 1 && i < c.n; i++)
		if ((rc = check_entry(&c, i, err)))
			goto out;
	if (c.version >= 2 && (rc = check_merged_proof(&c, err)))
		goto out;
	if ((rc = check_claim_entries(&c, err)) || (rc = check_replay(&c, opts, err)) ||
	    (rc = check_compliance(&c, opts, err)))
		goto out;
	if (report)
		rc = write_report(&c, flags, report, err);
out:
	ot_replay_free(c.replay);
	for (size_t i = 0; c.ents && i < c.n; i++)
		free(c.ents[i].data);
	free(c.ents);
	json_decref(c.replayed);
	json_decref(c.judged);
	json_decref(c.doc);
	return rc;
}
