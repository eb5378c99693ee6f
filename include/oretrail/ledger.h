/*
 * ledger.h: the chain-of-custody ledger: signed events checked against the
 * ledger's rules and appended to the verifiable log, with the state that
 * answers `trace`, `contract show`, `audit` and reports.
 *
 * A ledger is a store holding a log (log.h) whose key names the ledger's
 * authority: the actor that registers the other actors and the sites.
 * Submitting events checks each one (signer, role, custody, mass and element
 * balance, ids; docs/events.md) and, in one store transaction, writes the state
 * changes and appends the entries with a new signed checkpoint: when
 * ot_ledger_submit returns OT_OK the events are durable and published.
 *
 * Queries return JSON text in the shapes of docs/events.md ("JSON outputs",
 * which lists every member; the summaries below name the main ones),
 * malloc'ed and NUL-terminated: the caller frees it with free().
 * A ledger handle is used by one thread at a time.
 */
#ifndef ORETRAIL_LEDGER_H
#define ORETRAIL_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/log.h"
#include "oretrail/note.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ot_ledger ot_ledger;

enum {
	OT_LEDGER_READONLY = 1 << 0, /* open the store read-only: queries and audit only */
	OT_LEDGER_NOWRITE = 1 << 1,  /* with READONLY: write nothing at all, not even
	                                SQLite's -wal/-shm (OT_STORE_NOWRITE) */
};

/* Creates a new ledger in a new store at `path` (SQLite file; ":memory:"
 * works for tests) whose log is named `origin` and whose authority is the
 * actor named like `authority`'s key. The authority signs the log's
 * checkpoints and, until it registers another key for itself, its events.
 * The returned ledger can append (it keeps a reference to `authority`, which
 * must outlive it). OT_ERR_EXISTS when the store already holds a log. */
OT_EXPORT ot_status ot_ledger_create(const char *path, const char *origin,
                                     const ot_signer *authority, ot_ledger **out, ot_error *err);

/* Opens an existing ledger. `log_signer` is the log's key, needed only to
 * append (NULL: read-only use); it must outlive the ledger. Flags:
 * OT_LEDGER_READONLY. */
OT_EXPORT ot_status ot_ledger_open(const char *path, const ot_signer *log_signer, int flags,
                                   ot_ledger **out, ot_error *err);

/* Closes the ledger and its store. NULL is a no-op. */
OT_EXPORT void ot_ledger_close(ot_ledger *l);

/* The ledger's store and log, borrowed (valid until ot_ledger_close), for
 * checkpoints, proofs and tiles. */
OT_EXPORT ot_store *ot_ledger_store(ot_ledger *l);
OT_EXPORT ot_log *ot_ledger_log(ot_ledger *l);
/* The log's latest signed checkpoint (malloc'ed signed note, free with
 * free()) with the cosignature lines of every witness whose newest
 * cosignature, as accepted by `oretrail serve`, covers exactly that
 * checkpoint. */
OT_EXPORT ot_status ot_ledger_checkpoint(ot_ledger *l, char **note, size_t *len, ot_error *err);
/* The authority's actor id (the log key's name). */
OT_EXPORT const char *ot_ledger_authority(const ot_ledger *l);

/* --- submitting events --- */

enum {
	/* Append the events that pass and report the others, instead of
	 * appending nothing when one fails. */
	OT_SUBMIT_KEEP_GOING = 1 << 0,
	/* Check only: nothing is written. Indexes are those the events would get. */
	OT_SUBMIT_DRY_RUN = 1 << 1,
	/* Safe retries: an envelope already in the ledger byte for byte is
	 * answered with its index (result `existing`), not refused. */
	OT_SUBMIT_RETRY = 1 << 2,
};

/* One submitted entry's outcome. */
typedef struct ot_submit_result {
	int64_t index;  /* log index of the appended entry; -1 when not appended */
	int existing;   /* OT_SUBMIT_RETRY: 1 when the very same envelope was already
	                   in the ledger at `index`; nothing was appended for it */
	ot_error error; /* why it was rejected; status OT_OK when it passed */
} ot_submit_result;

/*
 * Submits n signed envelopes (JSON, any layout; each is stored in its RFC
 * 8785 canonical form) in one transaction, each checked against the state
 * left by the ones before it.
 *
 * By default all or none: the first rejected event aborts the batch, nothing
 * is appended, and the call returns that event's status with err->index its
 * position in the batch (0-based), err->code the rule's name (e.g.
 * "mass_exceeded") and a message naming the event id, the field and why.
 * With OT_SUBMIT_KEEP_GOING the events that pass are appended and the call
 * returns OT_OK; `results` (then required) says which were rejected and why.
 * `results` (n entries, may be NULL by default) receives each entry's log
 * index; *n_appended (may be NULL) the number appended.
 * With OT_SUBMIT_RETRY retries are safe: an envelope whose event id the ledger already holds with
 * byte for byte the same canonical entry (the same event, signer and
 * signature: Ed25519 signatures are deterministic, so signing the same event
 * with the same key again gives the same entry) is not an error: its result
 * carries the existing index with `existing` set, and it is not appended
 * again. The same id with other content is rejected ("duplicate_id"), and
 * without the flag so is the same envelope (replay protection).
 * Store failures
 * (OT_ERR_IO, OT_ERR_FULL, ...) append nothing in either mode.
 * The ledger must have been opened with its log key.
 */
OT_EXPORT ot_status ot_ledger_submit(ot_ledger *l, const uint8_t *const *entries,
                                     const size_t *lens, size_t n, int flags,
                                     ot_submit_result *results, size_t *n_appended, ot_error *err);

/*
 * Submitting in two steps, for a server that receives entries on several
 * threads and writes them on one (`oretrail serve`): ot_ledger_prepare does
 * the work that needs no write lock on the receiving thread (the strict
 * parse, the canonical form, the signature checked against the keys the
 * signer holds in l's state now, or held at most a second ago: the handle
 * keeps the last few signers' keys; l may be a read-only handle, or NULL:
 * then only the parse, and the batch verifies), and
 * ot_ledger_submit_prepared then applies the rules and appends, as
 * ot_ledger_submit does with the same flags, results and errors, without
 * verifying again a signature that verified (it parses the canonical entry
 * again: a prepared entry keeps only that and the key, a small fraction of
 * the parsed JSON). The keys
 * are only a hint: the rules still confirm, under the write lock, that the
 * key that verified is the signer's and valid at the event's time, and an
 * entry whose signature matched no key then (its signer unknown, or
 * registered since) is verified again in the batch.
 *
 * ot_ledger_prepare: OT_OK and *out (free with ot_prepared_free), or the
 * envelope's parse error (code and message as ot_ledger_submit reports
 * them); keys the store cannot read just now only lose the hint. One ledger handle is used by one
 * thread at a time, as always; the prepared entries may go to another
 * thread. ot_prepared_entry: the canonical entry the log will store, owned
 * by p. ot_ledger_submit_prepared leaves the prepared entries the
 * caller's; one may be submitted again (after a rejected batch, say).
 */
typedef struct ot_prepared ot_prepared;
OT_EXPORT ot_status ot_ledger_prepare(ot_ledger *l, const uint8_t *data, size_t len,
                                      ot_prepared **out, ot_error *err);
OT_EXPORT const uint8_t *ot_prepared_entry(const ot_prepared *p, size_t *len);
/* NULL is a no-op. */
OT_EXPORT void ot_prepared_free(ot_prepared *p);
OT_EXPORT ot_status ot_ledger_submit_prepared(ot_ledger *l, ot_prepared *const *prepared, size_t n,
                                              int flags, ot_submit_result *results,
                                              size_t *n_appended, ot_error *err);

/* --- queries: JSON text, malloc'ed, free with free() --- */

enum {
	OT_JSON_PRETTY = 1 << 0,   /* indent the output (default: compact, one line) */
	OT_TRACE_CONTEXT = 1 << 1, /* trace: add "context" and "uses" (slower) */
	OT_TRACE_STAGES = 1 << 2,  /* trace: add "stages" (provenance by stage) */
	OT_TRACE_ASSAYS = 1 << 3,  /* trace: add "assays", "governing", "assay_dispute"? */
};

/*
 * Traces a lot from the index:
 *   {"lot","material","mass_g","initial_g","holder","site","status",
 *    "assay","certified"?,
 *    "origins":[{"element","site","country","grams","mg","share_ppm"}],
 *    "countries":[{"element","country","grams","mg","share_ppm"}],
 *    "stages":[{"stage","element","country","site","facility","grams","mg",
 *               "share_ppm"}]                (with OT_TRACE_STAGES)
 *    "assays":[...], "governing":{"role","index"?},
 *    "assay_dispute"?                          (with OT_TRACE_ASSAYS)
 *    "ancestry":[{"index","type","id"}],
 *    "context":[...], "uses":[...]}          (with OT_TRACE_CONTEXT)
 * origins: the lot's origin vector (mg of element by mine; grams rounded);
 * share_ppm is the site's share of that element in the lot, shares adding up
 * to exactly 10^6 per element; countries: the same summed by mine country.
 * ancestry: the entries that made the lot and its ancestors, and shipped,
 * received or assayed them before their descendant was made, in log order;
 * it is read from an index in one lookup. With OT_TRACE_CONTEXT (one lookup
 * per ancestor) also: context, the other entries that used an ancestor
 * before its descendant was made (with the ancestry, all that a replay needs
 * to recompute the vector exactly), and uses, the entries that used the lot.
 * stages: per stage (mined, concentrated, processed, separated, refined,
 * alloyed, magnet; docs/events.md "Stages"), element and site the mg of the
 * element attributed to it, the site's country and facility ({"operator",
 * "ids"} or null), and the site's share of that stage and element (10^6 per
 * stage and element); the mined rows are the origins.
 * OT_ERR_NOTFOUND (code lot_not_found) for an unknown lot.
 */
OT_EXPORT ot_status ot_ledger_trace(ot_ledger *l, const char *lot, int flags, char **json,
                                    ot_error *err);

/* Determinations of ot_ledger_comply; they are also the exit codes of
 * `oretrail comply`. */
enum {
	OT_COMPLY_PASS = 0,
	OT_COMPLY_FAIL = 1,
	OT_COMPLY_UNDETERMINED = 5,
};

/*
 * Determines whether lot complies with a compliance profile (profile_json,
 * len bytes: docs/events.md "Compliance profiles") as of `at` (YYYY-MM-DD:
 * stages whose effective date is later are not judged):
 *   {"profile","title"?,"lot","at","determination":"pass"|"fail"|
 *    "undetermined","reasons":[{"kind","stage","element","country",
 *    "share_ppm","sites":[...],"entries":[log indexes]}]}
 * kind: covered_country (a covered country holds a share of a covered
 * stage), third_country_share (one third country above the profile's
 * largest share), unattributed (content the origin vector does not account
 * for: country null; the determination is then undetermined unless another
 * reason fails it). *determination: OT_COMPLY_*. Errors: OT_ERR_PARSE code
 * bad_profile (the message names the field) or bad_field (at),
 * OT_ERR_NOTFOUND code lot_not_found. *json is malloc'ed. Not thread-safe
 * on one handle.
 */
OT_EXPORT ot_status ot_ledger_comply(ot_ledger *l, const char *profile_json, size_t len,
                                     const char *lot, const char *at, int flags, char **json,
                                     int *determination, ot_error *err);

struct ot_cert_profile; /* certificate.h: a profile's JSON text */

/*
 * The lot as the dashboard shows it (GET /api/lots/<lot>): the compact
 * trace with OT_TRACE_STAGES (ot_ledger_trace's document), then
 *   "at": the date judged (YYYY-MM-DD),
 *   "compliance": [ot_ledger_comply's document under each of the n
 *                  profiles as of at, in profile name order]
 * from one snapshot. Errors as ot_ledger_trace's and ot_ledger_comply's
 * (a bad profile: OT_ERR_PARSE, bad_profile; a bad at: bad_field). *json
 * is malloc'ed.
 */
OT_EXPORT ot_status ot_ledger_lot(ot_ledger *l, const char *lot,
                                  const struct ot_cert_profile *profiles, size_t n, const char *at,
                                  char **json, ot_error *err);

/* Audit options; zero-initialise for the defaults. */
typedef struct ot_audit_options {
	int64_t now;             /* seconds since 1970 for time-based findings; 0: the clock */
	uint32_t withheld_days;  /* a committed field undisclosed longer is a finding; 0: 180 */
	ot_progress_cb progress; /* may be NULL; called with entries replayed so far */
	void *progress_ctx;
	/* slack of the backdated / future_dated findings in seconds; 0: the
	 * handle's (ot_ledger_set_tolerance), by default 48 h; negative: none */
	int64_t tolerance_s;
} ot_audit_options;

/*
 * Audits the whole ledger: verifies the log (tiles, checkpoint signature),
 * replays every entry from scratch into an empty in-memory store, checking
 * that it is canonical and re-checking signatures, rules and origin vectors,
 * then compares every state namespace of the replay with this ledger's.
 *   {"entries":N,"ok":true|false,
 *    "findings":[{"index","kind","subject","detail"}],
 *    "problems":[{"index","code","message"}]}
 * Findings are suspicious facts (transit loss, extraction beyond resources,
 * exports without a certified assay, contract terms withheld, claimed times
 * out of order or outside the interval an entry was logged in: backdated,
 * future_dated, judged against the checkpoint history); problems are
 * where the ledger is broken. Returns OT_OK when ok is true, even with
 * findings; when the ledger is broken it returns the first problem's status
 * (OT_ERR_VERIFY, OT_ERR_CORRUPT, ...) and *json still holds the report.
 */
OT_EXPORT ot_status ot_ledger_audit(ot_ledger *l, const ot_audit_options *opts, int flags,
                                    char **json, ot_error *err);

/*
 * A contract: its public fields, each commitment with its disclosure state
 * (disclosed value, or days withheld as of `now`; 0: the clock), and the
 * payments that cite it.
 *   {"contract","index","time","signer","fields":{...},
 *    "commitments":[{"field","commit","disclosed":bool,"disclosed_index"?,
 *                    "disclosed_time"?,"value"?,"withheld_days"?}],
 *    "payments":[{"index","payer","payee","kind","amount","period"?}]}
 * OT_ERR_NOTFOUND (code contract_not_found) for an unknown contract.
 */
OT_EXPORT ot_status ot_ledger_contract_show(ot_ledger *l, const char *contract, int64_t now,
                                            int flags, char **json, ot_error *err);

/*
 * The flows report, per element ("mineral"):
 *   {"minerals":[{"element",
 *      "extracted":[{"country","grams"}],   element content of extracted lots
 *      "processed":[{"country","grams"}],   of the outputs of beneficiation,
 *                                           cracking, leaching, by site country
 *      "refined":[{"country","grams"}],     of the outputs of separation,
 *                                           smelting, refining
 *      "exported":[{"from","to","grams"}],  of lots shipped across a border
 *      "exported_origin":[{"country","grams"}],  the same by mine country
 *      "concentration":[{"stage","top_country","top_share_ppm","hhi"}]}],
 *    "payments":[{"payee","currency","amount","count"}],
 *    "findings":N}
 * Contents use the certified assay where there is one. Blending, split and
 * merge move material without processing it and count for no stage. A chain
 * of several processing steps counts at each of them (concentrate, then
 * leach product), so "processed" can exceed "extracted"; "refined" is the
 * IEA-style refining stage. Concentration per stage present (extracted,
 * processed, refined, exported, exported_origin): the largest country's
 * share and the Herfindahl-Hirschman index on the 0..10000 scale. Grams are
 * element grams, rounded. Rows are sorted by amount, largest first.
 */
OT_EXPORT ot_status ot_ledger_report(ot_ledger *l, int flags, char **json, ot_error *err);

/*
 * The EU Critical Raw Materials Act report under a profile with a
 * third-country share (profile_json, len bytes: profiles/crma.json;
 * docs/events.md "CRMA report"), for the calendar year `year` ("YYYY",
 * NULL: all time; lots by their creation, shipments by their time):
 *   {"profile","year","third_country_max_ppm","exempt_countries",
 *    "minerals":[{"element","listed",
 *      "stages":[{"stage","grams","mg","countries":[{"country","grams","mg",
 *                 "share_ppm","third_country"}],"largest_third_country",
 *                 "largest_third_country_share_ppm","judged","over_threshold"}],
 *      "exported":[{"from","to","grams","mg"}],
 *      "returned":[{"from","to","grams","mg"}]}]}
 * Each stage's output is counted once (a lot's content at the stage that
 * first gave it that stage); shipments to a country that already held the
 * lot are "returned", not "exported". Errors: OT_ERR_PARSE code bad_profile
 * (the message names the field) or bad_field (year). *json is malloc'ed.
 * Not thread-safe on one handle.
 */
OT_EXPORT ot_status ot_ledger_report_crma(ot_ledger *l, const char *profile_json, size_t len,
                                          const char *year, int flags, char **json, ot_error *err);

/*
 * The smelter and refiner list (CMRT/EMRT style; docs/events.md, "oretrail
 * report smelters") of everything `actor` received: the facilities of the separated
 * and refined stages in the lineage of the lots of every consignment
 * addressed to it and received, one row per element and facility site:
 *   {"for","received":[{"consignment","index","time","lots"}],
 *    "smelters":[{"element","smelter_look_up","smelter_name",
 *      "smelter_country","smelter_id","smelter_id_source","site","stages",
 *      "facility_ids","entries","lots"}]}
 * by element, then site. Errors: OT_ERR_NOTFOUND code actor_not_found.
 * *json is malloc'ed. Not thread-safe on one handle.
 */
OT_EXPORT ot_status ot_ledger_report_smelters(ot_ledger *l, const char *actor, int flags,
                                              char **json, ot_error *err);

/*
 * The EITI report (docs/events.md, "oretrail report eiti") of the payments whose time
 * falls in `period` ("YYYY", "YYYY-Qn" or "YYYY-MM"; NULL: all), as of
 * `now` (seconds since 1970; 0: the clock) for the days withheld:
 *   {"period","as_of","totals":[{"currency","amount","count"}],
 *    "by_payer":[{"payer","currency","amount","count"}], "by_payee",
 *    "by_stream", "by_contract", "by_period" (the same, by that field),
 *    "payments":[payment record + "stream"], "receipts":[receipt record],
 *    "reconciliation":{"payments","receipts","acknowledged",
 *      "discrepancies":[{"kind","payment","payment_index","receipt",
 *        "receipt_index","payer","payee","paid","received","difference"}]},
 *    "contracts":[{"contract","index","title","parties","status",
 *      "commitments","withheld","withheld_days","disclose_by","overdue",
 *      "overdue_days"}]}
 * Discrepancy kinds: unacknowledged_payment, amount_differs,
 * receipt_without_payment. Amounts are minor units per currency. Errors:
 * OT_ERR_PARSE code bad_field (period). *json is malloc'ed. Not
 * thread-safe on one handle.
 */
OT_EXPORT ot_status ot_ledger_report_eiti(ot_ledger *l, const char *period, int64_t now, int flags,
                                          char **json, ot_error *err);

/*
 * The resources report (docs/events.md, "oretrail report resources"): per
 * mine with a declaration or an extraction, in id order,
 *   {"sites":[{"site","holder","country","operator"?,
 *      "declarations":[{"category","standard"?,"ore_t","grade"?,"index",
 *        "time","added","attested":[{"by","index","time","report"?}]}],
 *      "declared_ore_t","attested_ore_t","attested_share_ppm",
 *      "extracted_g","extracted_t","extracted_share_ppm"}],
 *    "by_standard":[{"standard","declared_ore_t","attested_ore_t",
 *      "attested_share_ppm"}],
 *    "declared_ore_t","attested_ore_t","attested_share_ppm"}
 * Declared totals add measured, indicated and inferred ("added"); a share
 * is null when its total is 0. *json is malloc'ed. Not thread-safe on one
 * handle.
 */
OT_EXPORT ot_status ot_ledger_report_resources(ot_ledger *l, int flags, char **json, ot_error *err);

/*
 * The recycled-content report (docs/events.md, "oretrail report recycled")
 * of the lots made in `period` ("YYYY", "YYYY-Qn" or "YYYY-MM"; NULL: all),
 * by the claimed time of the entry that made them:
 *   {"period",
 *    "feed":[{"element","grams","mg","post_consumer_mg","pre_consumer_mg"}],
 *    "intake":[{"lot","index","time","site","country","scrap","source",
 *      "collected_in"?,"mass_g","assay"}],
 *    "lots":[{"lot","material","index","type","time","holder","status",
 *      "mass_g","initial_g","elements":[{"element","grams","mg","share_ppm",
 *        "post_consumer_mg","pre_consumer_mg"}]}]}
 * feed: the content of the recycled feed taken in (recycle events) by
 * element; intake: those events; lots: every lot holding recycled content,
 * in log order. Errors: OT_ERR_PARSE code bad_field (period). *json is
 * malloc'ed. Not thread-safe on one handle.
 */
OT_EXPORT ot_status ot_ledger_report_recycled(ot_ledger *l, const char *period, int flags,
                                              char **json, ot_error *err);

/* --- records as the HTTP API serves them (src/ledger/queries_public.c) ---
 * JSON text, compact, keys in stored order, malloc'ed: free with free(). */

/* The kinds of record that have an id of their own. */
typedef enum ot_record_kind {
	OT_RECORD_LOT = 0,
	OT_RECORD_CONSIGNMENT,
	OT_RECORD_CONTRACT,
	OT_RECORD_ACTOR,
	OT_RECORD_SITE,
} ot_record_kind;

/* One page of a kind's records in id order: those whose id starts with
 * `prefix` (NULL: all) and sorts after `after` (NULL: from the first), at
 * most `limit` (> 0):
 *   {"<lots|consignments|contracts|actors|sites>":[record...],
 *    "next":"<the last id of this page>"|null}
 * "next" is set only when more records follow. Contracts come overdue
 * first (ot_ledger_contract_list). */
OT_EXPORT ot_status ot_ledger_list(ot_ledger *l, ot_record_kind kind, const char *prefix,
                                   const char *after, size_t limit, char **json, ot_error *err);

/* Contracts (OT_RECORD_CONTRACT above lists them this way, as of the
 * current time): those overdue as of `now` (seconds since 1970; 0: the
 * current time) first, then the others, each group in id order. An
 * overdue contract's disclose_by date has passed with a commitment still
 * withheld (docs/events.md, "contract"). Each record is the stored one
 * with two more members, "overdue" (true/false) and "withheld" (the
 * commitments not yet disclosed):
 *   {"contracts":[record...],"next":"<the last id of this page>"|null}
 * `after` resumes after that id in this order (an id no longer listed
 * resumes among the contracts that are not overdue); `prefix` and `limit`
 * as for ot_ledger_list. Reads every contract record matching prefix:
 * meant for the tens to thousands of contracts a ledger holds. The
 * returned string is malloc'ed: free with free(). Thread safety as for
 * ot_ledger_list. */
OT_EXPORT ot_status ot_ledger_contract_list(ot_ledger *l, int64_t now, const char *prefix,
                                            const char *after, size_t limit, char **json,
                                            ot_error *err);

/* One record as stored by the rules. OT_ERR_NOTFOUND (err untouched) when
 * there is none with that id. */
OT_EXPORT ot_status ot_ledger_record(ot_ledger *l, ot_record_kind kind, const char *id, char **json,
                                     ot_error *err);

/* Recorded findings and the time-based ones as of `now` (seconds since
 * 1970; committed fields withheld longer than withheld_days):
 *   {"entries":N,"findings":[{"index","kind","subject","detail"}]} */
OT_EXPORT ot_status ot_ledger_findings(ot_ledger *l, int64_t now, uint32_t withheld_days,
                                       char **json, ot_error *err);

/* The value a `disclose` entry opened for (contract, field): a string as
 * its bytes (*is_string 1), anything else as compact JSON; *value is
 * malloc'ed and NUL-terminated, *len bytes; *index the disclosing entry.
 * OT_ERR_NOTFOUND (err untouched) when nothing was disclosed there. */
OT_EXPORT ot_status ot_ledger_disclosure(ot_ledger *l, const char *contract, const char *field,
                                         char **value, size_t *len, int *is_string, int64_t *index,
                                         ot_error *err);

/* --- the checkpoint history and logged time (src/ledger/timeline.c) ---
 * The ledger keeps every checkpoint it publishes with the time the operator
 * signed it, and every witness cosignature `oretrail serve` accepts with
 * the witness's timestamp (C2SP tlog-cosignature/v1). From them each entry
 * gets the interval in which it was logged, resting on no event signer:
 *   {"after","after_size","after_basis","before","before_size",
 *    "before_basis","witnesses","sequenced","basis"}
 * after: the time of the newest checkpoint (witnessed where one is, else
 * the operator's) not containing the entry; before: of the oldest one
 * containing it (once the log has witnesses, witnessed only), null while
 * none does (open); witnesses: the cosignatures on that one; sequenced:
 * when the operator signed the first checkpoint with it; basis "witnessed"
 * when every bound given rests on a witness, "operator" when one rests on
 * the operator's clock, "none" without a history (docs/events.md, "Logged
 * time"). */

/* The published checkpoints from size `from` on, oldest first, at most
 * `limit` (> 0):
 *   {"checkpoints":[{"size","signed_at","cosignatures":[{"witness",
 *     "key_id","time","last_seen","line"}],"note"}],"next":size|null} */
OT_EXPORT ot_status ot_ledger_checkpoints(ot_ledger *l, uint64_t from, size_t limit, char **json,
                                          ot_error *err);
/* One of them by size; OT_ERR_NOTFOUND (code checkpoint_not_found). */
OT_EXPORT ot_status ot_ledger_checkpoint_at(ot_ledger *l, uint64_t size, char **json,
                                            ot_error *err);
/* The logged interval of entry `index` (the object above);
 * OT_ERR_RANGE when the log has no such entry. */
OT_EXPORT ot_status ot_ledger_logged(ot_ledger *l, uint64_t index, char **json, ot_error *err);
/* The slack of the backdated / future_dated findings of ot_ledger_findings
 * and ot_ledger_audit, in seconds; 0: 48 h (the default), negative: none. */
OT_EXPORT void ot_ledger_set_tolerance(ot_ledger *l, int64_t seconds);

/* Witness cosignatures that `oretrail serve` accepted, kept in the ledger's
 * store `st` (a handle of the caller's own, on the ledger's file) and
 * attached by ot_ledger_checkpoint (src/ledger/cosig.c owns the record).
 * Keep: checks the lines of `note` (opened with the log's key, a checkpoint
 * of this log of `size` entries) as witness v's cosignature and keeps the
 * first valid one as v's newest, unless a newer one is kept, in one
 * transaction. OT_OK kept; OT_ERR_NOTFOUND no line of v's; OT_ERR_VERIFY
 * v's line does not verify; otherwise the store's failure. Size: the size
 * of the checkpoint v's kept cosignature covers; 0 when none. One thread
 * at a time per store handle. */
OT_EXPORT ot_status ot_ledger_cosig_keep(ot_store *st, const ot_cosig_verifier *v,
                                         const ot_note *note, uint64_t size, ot_error *err);
OT_EXPORT uint64_t ot_ledger_cosig_size(ot_store *st, const ot_cosig_verifier *v);

#ifdef __cplusplus
}
#endif
#endif
