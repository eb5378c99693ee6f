/*
 * replay.h: the ledger's replay engine: walks log entries through the
 * ledger's rules (signer, roles, custody, balances, origin vectors; rules.h
 * in src/ledger) over a state, and reports each entry's outcome.
 *
 * The ledger applies submissions with it over its own store, the audit and
 * certificate verification over an empty in-memory store; so does a monitor
 * that follows a log from outside, through the handle below: an empty
 * in-memory state that knows only the authority's key, fed entry bytes with
 * their log indexes. An entry is parsed as a signed event envelope, its
 * signature verified (on every core, ahead of the rules, unless the handle
 * is serial) and the rules checked against the state the earlier entries
 * left; an accepted entry's effects stay in the state, a rejected one
 * changes nothing. The engine does no I/O beyond the store.
 */
#ifndef ORETRAIL_REPLAY_H
#define ORETRAIL_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/note.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ot_replay ot_replay;

enum {
	/* Start no thread: parse, verify and apply on the calling thread only
	 * (a build for WebAssembly, or a caller that must not spawn). */
	OT_REPLAY_SERIAL = 1 << 0,
};

/* What became of one entry, for an ot_replay_fn. Pointers are valid during
 * the call only. */
typedef struct ot_replay_outcome {
	uint64_t index;        /* its log index (the rules see it) */
	size_t position;       /* its place among the entries fed in one call */
	ot_status status;      /* OT_OK: accepted, its effects are in the state;
	                          otherwise rejected, the state unchanged */
	int parsed;            /* 0: not a signed event envelope (status, error say why) */
	const ot_error *error; /* when status != OT_OK: the parse's or the rule's
	                          error: code (e.g. "lot_not_found"), message */
	const char *type;      /* the event's type and id; NULL when not parsed */
	const char *id;
	const uint8_t *data;      /* the entry as fed */
	size_t len;               /* its length */
	const uint8_t *canonical; /* the envelope's canonical (RFC 8785) bytes, */
	size_t canonical_len;     /* which a well-formed entry equals; NULL, 0 when not parsed */
	const char *time;         /* the event's claimed time ("time"); NULL when not parsed */
	int verified_ahead;       /* 1: its signature was verified ahead of the rules (on
	                             every core, with the keys its signer held when the run
	                             began); 0: by the rules, or not at all */
} ot_replay_outcome;

/* Called for each entry, in order, after it was applied or rejected. A
 * non-OK return stops the replay, which returns it. */
typedef ot_status (*ot_replay_fn)(void *ctx, const ot_replay_outcome *outcome);

/* A new replay: an empty in-memory state whose authority (the actor that
 * registers actors and sites) is named and keyed by authority_key, the
 * log's verifier key. The key is borrowed: it must outlive the handle.
 * Flags: OT_REPLAY_SERIAL. Free with ot_replay_free. */
OT_EXPORT ot_status ot_replay_new(const ot_verifier *authority_key, int flags, ot_replay **out,
                                  ot_error *err);

/* Replays n entries (entries[i], lens[i] bytes; borrowed for the call) in
 * order: entry i has log index indexes[i], or first + i when indexes is
 * NULL. Calls fn(ctx, outcome) for each (fn may be NULL). Returns OT_OK
 * when every entry was replayed, whether accepted or rejected; a store or
 * memory failure (err says which), or fn's non-OK status. Not thread-safe:
 * one call at a time per handle. */
OT_EXPORT ot_status ot_replay_entries(ot_replay *r, uint64_t first, const uint64_t *indexes,
                                      const uint8_t *const *entries, const size_t *lens, size_t n,
                                      ot_replay_fn fn, void *ctx, ot_error *err);

/* ot_replay_entries for one entry at log index `index`. */
OT_EXPORT ot_status ot_replay_entry(ot_replay *r, uint64_t index, const uint8_t *entry, size_t len,
                                    ot_replay_fn fn, void *ctx, ot_error *err);

/* The findings of the state so far (facts suspicious but possible, as
 * `oretrail audit` lists them): those recorded by the entries, then the
 * time-based ones as of `now` (seconds since 1970) with withheld_days as
 * the withholding limit. *json: a JSON array of {"index", "kind",
 * "subject", "detail"}, compact, malloc'ed; the caller frees it. */
OT_EXPORT ot_status ot_replay_findings(ot_replay *r, int64_t now, uint32_t withheld_days,
                                       char **json, ot_error *err);

/* The state the entries replayed so far derived, as one JSON document
 * (compact, keys in this order, non-ASCII escaped; docs/events.md, "The
 * replayed state"):
 *   {"accepted": N, "rejected": N,
 *    "rejections": [{"index","code","message"}]  (the first 1000),
 *    "actors": {id: record}, "sites": {...}, "lots": {...},
 *    "consignments": {...}, "contracts": {...},   (ids in byte order)
 *    "findings": [...]}                           (as ot_replay_findings)
 * Each record is exactly the one `oretrail serve` gives for that id under
 * /api/<kind>/<id> when the ledger holds the same entries: the dashboard
 * compares the server's summaries with it. *json is malloc'ed; the caller
 * frees it. Not thread-safe with other calls on the handle. */
OT_EXPORT ot_status ot_replay_state(ot_replay *r, int64_t now, uint32_t withheld_days, char **json,
                                    ot_error *err);

struct ot_cert_profile; /* certificate.h: a profile's JSON text */

/*
 * The lot's provenance by stage and its determinations, from the state the
 * entries replayed so far derived, by the code the ledger answers
 * GET /api/lots/<lot> with (ot_ledger_lot):
 *   {"lot", "stages":[...as ot_ledger_trace's with OT_TRACE_STAGES...],
 *    "at", "compliance":[...as ot_ledger_lot's...]}
 * The determinations cite the extractions and transforms of the lineage,
 * which they read from the entries: entries[i] (lens[i] bytes, borrowed for
 * the call) is the entry at log index i, n_entries of them. Errors:
 * OT_ERR_NOTFOUND (lot_not_found), OT_ERR_PARSE (bad_profile, bad_field)
 * as ot_ledger_comply's; OT_ERR_NOTFOUND (entry_not_found) when the lineage
 * cites an entry past n_entries. *json is compact, malloc'ed; the caller
 * frees it. Not thread-safe with other calls on the handle.
 */
OT_EXPORT ot_status ot_replay_lot(ot_replay *r, const char *lot,
                                  const struct ot_cert_profile *profiles, size_t n, const char *at,
                                  const uint8_t *const *entries, const size_t *lens,
                                  size_t n_entries, char **json, ot_error *err);

/*
 * `oretrail report crma --json` (ot_ledger_report_crma's document, by the
 * same code) from the state the entries replayed so far derived, under the
 * profile `profile_json` (len bytes; one with third_country_max_ppm), for
 * calendar year `year` ("YYYY") or all time (NULL): each stage's output
 * counted once. Errors as ot_ledger_report_crma's (bad_profile,
 * bad_field). *json is compact, malloc'ed; the caller frees it. Not
 * thread-safe with other calls on the handle.
 */
OT_EXPORT ot_status ot_replay_report_crma(ot_replay *r, const char *profile_json, size_t len,
                                          const char *year, char **json, ot_error *err);

/* Frees the handle and its state. NULL is a no-op. */
OT_EXPORT void ot_replay_free(ot_replay *r);

#ifdef __cplusplus
}
#endif
#endif
