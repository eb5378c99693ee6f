/*
 * replay_wasm.c: the entry point of the WebAssembly build of the replay
 * engine (web/wasm/build.sh), for the dashboard: the browser hands it the
 * log's entries it fetched and proved, the log key and the signed
 * checkpoint, and gets back the state the ledger's own rules derive from
 * them (ot_replay_state, docs/events.md "The replayed state"), the same
 * bytes the C replay gives for the same entries.
 *
 * Before replaying, it checks that the entries are the ones the checkpoint
 * commits to: the note signed by the log key (C2SP signed note), its size
 * the number of entries, its root the RFC 6962 tree hash of their leaf
 * hashes (RFC 9162 2.1.1). Anything else is an error document, never a
 * state.
 *
 * The last replay stays loaded, so that the page can then ask for one lot's
 * stage rows and determinations (otw_lot, ot_replay_lot) from the same
 * state, by the code that answers the server's GET /api/lots/<lot>.
 */
#include <emscripten.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/certificate.h"
#include "oretrail/hash.h"
#include "oretrail/note.h"
#include "oretrail/proof.h"
#include "oretrail/replay.h"

/* The module's exports (the JavaScript side is web/src/verify/replay.js). */
EMSCRIPTEN_KEEPALIVE char *otw_replay(const char *vkey, const char *checkpoint,
                                      const uint8_t *packed, size_t len, double now,
                                      uint32_t withheld_days);
EMSCRIPTEN_KEEPALIVE char *otw_lot(const char *lot, const char *at, const uint8_t *profiles,
                                   size_t len);
EMSCRIPTEN_KEEPALIVE char *otw_certificate(const char *vkey, const char *cert, size_t len,
                                           const uint8_t *profiles, size_t plen);
EMSCRIPTEN_KEEPALIVE char *otw_report_crma(const char *profile, size_t len, const char *year);
EMSCRIPTEN_KEEPALIVE void otw_free(void *p);
EMSCRIPTEN_KEEPALIVE void *otw_malloc(size_t n);

/* The entries as the caller packed them: each a 4-byte big-endian length
 * and its bytes (what tests/tools/replay_state writes as entries.bin). */
typedef struct entry_list {
	const uint8_t **data;
	size_t *lens;
	size_t n;
} entry_list;

static ot_status split_entries(const uint8_t *packed, size_t len, entry_list *out, ot_error *err)
{
	size_t cap = 0;
	for (size_t off = 0; off < len;) {
		if (len - off < 4)
			return ot_error_set(
				err, OT_ERR_PARSE,
				"entries: %zu bytes left at byte %zu, fewer than a length",
				len - off, off);
		size_t n = (size_t)packed[off] << 24 | (size_t)packed[off + 1] << 16 |
		           (size_t)packed[off + 2] << 8 | packed[off + 3];
		if (n > len - off - 4)
			return ot_error_set(
				err, OT_ERR_PARSE,
				"entries: entry %zu at byte %zu claims %zu bytes, %zu remain",
				out->n, off, n, len - off - 4);
		if (out->n == cap) {
			cap = cap ? 2 * cap : 64;
			const uint8_t **d = realloc(out->data, cap * sizeof *d);
			if (d)
				out->data = d;
			size_t *l = realloc(out->lens, cap * sizeof *l);
			if (l)
				out->lens = l;
			if (!d || !l)
				return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		}
		out->data[out->n] = packed + off + 4;
		out->lens[out->n++] = n;
		off += 4 + n;
	}
	return OT_OK;
}

/* The last successful replay, for otw_lot: the state, the key it holds
 * (borrowed by the replay) and its own copy of the entries. */
static struct {
	ot_replay *replay;
	ot_verifier *key;
	uint8_t *packed;
	entry_list entries;
} session;

static void session_clear(void)
{
	ot_replay_free(session.replay);
	ot_verifier_free(session.key);
	free(session.packed);
	free(session.entries.data);
	free(session.entries.lens);
	memset(&session, 0, sizeof session);
}

/* ot_range_hash's reader over the entries alone: leaf hashes, no stored
 * subtrees. */
static ot_status leaf_reader(void *ctx, unsigned level, uint64_t index, uint8_t out[OT_HASH_SIZE])
{
	const entry_list *e = ctx;
	if (level > 0)
		return OT_ERR_NOTFOUND;
	ot_leaf_hash(e->data[index], e->lens[index], out);
	return OT_OK;
}

/* Gives the error err holds the code `code` and the context `what`. */
static ot_status recode(ot_error *err, ot_status rc, const char *code, const char *what)
{
	char why[sizeof err->message];
	snprintf(why, sizeof why, "%s", err->message);
	return ot_error_at(err, rc, code, -1, "%s: %s", what, why);
}

/* The checkpoint signed by the log key, committing to exactly these
 * entries. The codes are those of certificate verification
 * (docs/certificate.md): checkpoint_signature, checkpoint_mismatch. */
static ot_status check_checkpoint(const char *note, ot_verifier *key, entry_list *e, ot_error *err)
{
	ot_note n = {0};
	ot_checkpoint cp;
	uint8_t root[OT_HASH_SIZE];
	ot_status rc = ot_note_open(note, strlen(note), &key, 1, &n, err);
	if (rc)
		return recode(err, rc, "checkpoint_signature",
		              "the checkpoint is not signed by the log key");
	rc = ot_checkpoint_parse(n.text, n.text_len, &cp, err);
	if (rc)
		recode(err, rc, "checkpoint_mismatch", "the checkpoint");
	else if (cp.size != e->n)
		rc = ot_error_at(err, OT_ERR_VERIFY, "checkpoint_mismatch", -1,
		                 "the checkpoint is of %" PRIu64 " entries, %zu were given",
		                 cp.size, e->n);
	else if ((rc = ot_range_hash(leaf_reader, e, 0, e->n, root)) == OT_OK &&
	         memcmp(root, cp.root, OT_HASH_SIZE) != 0)
		rc = ot_error_at(err, OT_ERR_VERIFY, "checkpoint_mismatch", -1,
		                 "the entries' tree hash is not the checkpoint's root");
	ot_note_clear(&n);
	return rc;
}

/* {"error":{"code","message"}}, as the HTTP API words its errors. */
static char *error_doc(const ot_error *err)
{
	json_t *doc = json_pack("{s:{s:s,s:s}}", "error", "code",
	                        err->code[0] ? err->code : ot_status_code(err->status), "message",
	                        err->message);
	char *out = doc ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(doc);
	return out;
}

/*
 * Replays `len` bytes of packed entries from log index 0 with the log key
 * `vkey` as the authority's, after checking them against `checkpoint` (a
 * signed note; NULL or "" skips the check, for a caller that proved the
 * entries itself). `now` (seconds since 1970; a double, exact to 2^53, as
 * JavaScript numbers are) and `withheld_days` date the time-based findings.
 * Returns ot_replay_state's document, or {"error":{"code","message"}};
 * malloc'ed, free with otw_free. NULL only when out of memory.
 */
EMSCRIPTEN_KEEPALIVE char *otw_replay(const char *vkey, const char *checkpoint,
                                      const uint8_t *packed, size_t len, double now,
                                      uint32_t withheld_days)
{
	ot_error err;
	ot_error_clear(&err);
	ot_verifier *key = NULL;
	ot_replay *replay = NULL;
	entry_list e = {0};
	char *out = NULL;
	/* Jansson seeds its hash tables from /dev/urandom, which a web page
	 * has not got; object order does not depend on the seed. */
	json_object_seed(1);
	ot_status rc = vkey ? ot_verifier_parse(vkey, strlen(vkey), &key, &err)
	                    : ot_error_set(&err, OT_ERR_ARG, "the replay needs the log key");
	if (!rc)
		rc = split_entries(packed, len, &e, &err);
	if (!rc && checkpoint && checkpoint[0])
		rc = check_checkpoint(checkpoint, key, &e, &err);
	if (!rc)
		rc = ot_replay_new(key, OT_REPLAY_SERIAL, &replay, &err);
	if (!rc)
		rc = ot_replay_entries(replay, 0, NULL, e.data, e.lens, e.n, NULL, NULL, &err);
	if (!rc)
		rc = ot_replay_state(replay, (int64_t)now, withheld_days, &out, &err);
	session_clear();
	uint8_t *copy = rc ? NULL : malloc(len ? len : 1);
	if (copy) {
		/* The entries now point into the session's copy of them. */
		memcpy(copy, packed, len);
		for (size_t i = 0; i < e.n; i++)
			e.data[i] = copy + (e.data[i] - packed);
		session.replay = replay;
		session.key = key;
		session.packed = copy;
		session.entries = e;
		return out;
	}
	if (rc)
		out = error_doc(&err);
	ot_replay_free(replay);
	ot_verifier_free(key);
	free(e.data);
	free(e.lens);
	return out;
}

/* The packed profiles (as otw_lot takes them) as ot_cert_profile items, in
 * *items (malloc'ed; its texts point into `profiles`). */
static ot_status unpack_profiles(const uint8_t *profiles, size_t len, entry_list *p,
                                 ot_cert_profile **items, ot_error *err)
{
	*items = NULL;
	ot_status rc = split_entries(profiles, len, p, err);
	if (!rc && !(*items = calloc(p->n ? p->n : 1, sizeof **items)))
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; !rc && i < p->n; i++)
		(*items)[i] = (ot_cert_profile){(const char *)p->data[i], p->lens[i], 0};
	return rc;
}

/*
 * The lot's stage rows and its determinations under the profiles as of `at`
 * (YYYY-MM-DD), from the state of the last otw_replay that succeeded:
 * ot_replay_lot's document {"lot","stages","at","compliance"}, or
 * {"error":{"code","message"}} (no_replay before a replay; lot_not_found,
 * bad_profile, bad_field as ot_replay_lot's). `profiles`: len bytes, each
 * profile's JSON text as a 4-byte big-endian length and its bytes, as the
 * entries are packed. Malloc'ed, free with otw_free; NULL only when out of
 * memory.
 */
EMSCRIPTEN_KEEPALIVE char *otw_lot(const char *lot, const char *at, const uint8_t *profiles,
                                   size_t len)
{
	ot_error err;
	ot_error_clear(&err);
	entry_list p = {0};
	char *out = NULL;
	ot_cert_profile *items = NULL;
	json_object_seed(1);
	ot_status rc = session.replay ? unpack_profiles(profiles, len, &p, &items, &err)
	                              : ot_error_at(&err, OT_ERR_ARG, "no_replay", -1,
	                                            "no entries were replayed yet");
	if (!rc)
		rc = ot_replay_lot(session.replay, lot ? lot : "", items, p.n, at ? at : "",
		                   session.entries.data, session.entries.lens, session.entries.n,
		                   &out, &err);
	if (rc)
		out = error_doc(&err);
	free(items);
	free(p.data);
	free(p.lens);
	return out;
}

/*
 * `oretrail report crma --json` (ot_replay_report_crma, the same C code as
 * the CLI's) from the state of the last otw_replay that succeeded, under
 * the profile `profile` (len bytes of its JSON text), for calendar year
 * `year` ("YYYY"; NULL or "" for all time): per element, each stage's
 * output counted once, by country. Returns the report or
 * {"error":{"code","message"}} (no_replay before a replay; bad_profile,
 * bad_field). Malloc'ed, free with otw_free; NULL only when out of memory.
 */
EMSCRIPTEN_KEEPALIVE char *otw_report_crma(const char *profile, size_t len, const char *year)
{
	ot_error err;
	ot_error_clear(&err);
	char *out = NULL;
	json_object_seed(1);
	ot_status rc = session.replay
	                       ? ot_replay_report_crma(session.replay, profile ? profile : "",
	                                               profile ? len : 0,
	                                               year && year[0] ? year : NULL, &out, &err)
	                       : ot_error_at(&err, OT_ERR_ARG, "no_replay", -1,
	                                     "no entries were replayed yet");
	if (rc)
		out = error_doc(&err);
	return out;
}

/*
 * Verifies a provenance certificate (`len` bytes of JSON) as `oretrail
 * verify --key` does, with the same C code (ot_certificate_verify): the
 * checkpoint's signature by `vkey`, every entry's inclusion, then the
 * replay of its entries through the ledger's rules, the claim (origins and
 * stage rows) against the replay's trace and each determination it carries
 * against the one recomputed; embedded profiles named like one of
 * `profiles` (packed as for otw_lot: the shipped ones) must be it. Returns
 * {"report":{...ot_certificate_verify's report...}} or
 * {"error":{"code","message"}} with the OT_CERT_* code of the first problem.
 * No witness cosignatures are required here. Malloc'ed, free with otw_free.
 */
EMSCRIPTEN_KEEPALIVE char *otw_certificate(const char *vkey, const char *cert, size_t len,
                                           const uint8_t *profiles, size_t plen)
{
	ot_error err;
	ot_error_clear(&err);
	ot_verifier *key = NULL;
	entry_list p = {0};
	ot_cert_profile *items = NULL;
	char *report = NULL, *out = NULL;
	json_object_seed(1);
	ot_status rc = vkey ? ot_verifier_parse(vkey, strlen(vkey), &key, &err)
	                    : ot_error_set(&err, OT_ERR_ARG, "the certificate needs the log key");
	if (!rc)
		rc = unpack_profiles(profiles, plen, &p, &items, &err);
	if (!rc) {
		ot_cert_options o = {.log_key = key, .profiles = items, .n_profiles = p.n};
		rc = ot_certificate_verify(cert ? cert : "", cert ? len : 0, &o, 0, &report, &err);
	}
	if (!rc) {
		size_t n = strlen(report);
		out = malloc(n + sizeof "{\"report\":}");
		if (out)
			snprintf(out, n + sizeof "{\"report\":}", "{\"report\":%s}", report);
	} else {
		out = error_doc(&err);
	}
	free(report);
	free(items);
	free(p.data);
	free(p.lens);
	ot_verifier_free(key);
	return out;
}

/* Frees what otw_replay returned, or a buffer the caller had malloc'ed. */
EMSCRIPTEN_KEEPALIVE void otw_free(void *p)
{
	free(p);
}

/* malloc for the caller's arguments (the packed entries, the strings). */
EMSCRIPTEN_KEEPALIVE void *otw_malloc(size_t n)
{
	return malloc(n ? n : 1);
}
