/*
 * cli_ledger.h: what the ledger verbs (submit, trace, audit, contract,
 * report, commit, disclose) share beyond cli.h: opening the ledger, errors
 * that are also JSON with --json (EVENTS.md: {"error":{"code","message",
 * "index"}} on stdout), and the formatting of the readable text forms:
 * masses, contents, shares, money and aligned tables.
 */
#ifndef OT_CLI_LEDGER_H
#define OT_CLI_LEDGER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "oretrail/certificate.h"
#include "oretrail/epcis.h"
#include "oretrail/ledger.h"

/* Opens the ledger at db read-only. Prints "oretrail: <what>: ..." on
 * failure and returns the exit code (2 for a missing or unusable file, 3 for
 * a store that cannot be used); 0 on success. */
int cli_ledger_open_ro(const char *db, const char *what, ot_ledger **out);

/* Opens the ledger at db for the verbs that append (submit, import): with
 * its log key (log_key, by default db + ".key", loaded into *log_signer,
 * which the caller frees after closing the ledger), or without it for a dry
 * run; then cli_ledger_set_wait sets how long it waits for another writer. Says so when the ledger
 * or its key is missing; with json errors are also printed as JSON. Returns the exit code, 0 on
 * success. */
int cli_ledger_open_append(const char *db, const char *log_key, int dry_run, int json,
                           const char *what, ot_ledger **out, ot_signer **log_signer);
/* The writer's --wait (cli_parse_wait) set on an open ledger's store.
 * Returns the exit code, 0 on success. */
int cli_ledger_set_wait(ot_ledger *l, const char *what, const char *wait);

/* The options of the verbs that sign events and append them (submit,
 * import), one meaning for both: o is a struct with members db, key, as,
 * log_key, wait (const char *) and keep_going, dry_run, json (int). */
#define CLI_OPTS_APPEND(o)                                                                          \
	CLI_OPT_DB((o)->db),                                                                        \
		{"key", 0, "KEYFILE", "the submitter's signing key", &(o)->key, NULL},              \
		{"as", 0, "ACTOR", "sign as ACTOR instead of the key's name", &(o)->as, NULL},      \
		{"log-key",     0,   "FILE", "the ledger's log key (default: PATH.key)",            \
	         &(o)->log_key, NULL},                                                              \
		{"keep-going",    0, NULL, "append the valid events, list the rejected ones", NULL, \
	         &(o)->keep_going},                                                                 \
		{"dry-run", 0, NULL, "check without appending", NULL, &(o)->dry_run},               \
		CLI_OPT_WAIT((o)->wait), CLI_OPT_JSON((o)->json)

/* Called by cli_ledger_glns for one site (party 0) or actor (party 1) with
 * a GLN; a non-OK return (with err set) stops the walk. */
typedef ot_status (*cli_gln_fn)(void *ctx, int party, const char *id, const char *gln,
                                ot_error *err);

/* Walks the ledger's sites and actors registered with a GLN (the "gln" of
 * their records), in id order, calling fn for each. Prints "oretrail:
 * <what>: ..." and returns the exit code on failure (3 when the ledger
 * cannot be read, 2 for fn's errors); 0 on success. */
int cli_ledger_glns(ot_ledger *l, const char *what, cli_gln_fn fn, void *ctx);

/* A cli_gln_fn adding each GLN to the ot_epcis_profile ctx (import, epcis
 * registry: the ledger's GLNs name its sites and actors again). */
ot_status cli_profile_add_gln(void *ctx, int party, const char *id, const char *gln, ot_error *err);

/* Reads and parses the mapping profile at path into *out (errors prefixed
 * "profile PATH"). */
ot_status cli_load_profile(const char *path, ot_epcis_profile **out, ot_error *err);

/* Like cli_fail, and with json also prints {"error":{...}} on stdout. */
int cli_fail_json(int json, int code, const char *what, const ot_error *err);

/* Parses an RFC 3339 UTC time ("2025-09-08T00:00:00Z") or a date
 * ("2025-09-08", midnight UTC) into seconds since 1970. 1 on success. */
int cli_parse_time(const char *s, int64_t *out);

/* Prints a JSON document (a query result) as it came, with a newline. */
int cli_print_json(const char *what, const char *json);

/* --- text formatting; each writes into buf and returns it --- */

/* A mass in grams as g, kg or t with three decimals and thousands
 * separators: 750 g, 289.000 kg, 2,000.000 t. */
const char *cli_fmt_grams(char *buf, size_t size, int64_t grams);
/* An element content in milligrams, the same way (mg below a gram). */
const char *cli_fmt_mg(char *buf, size_t size, uint64_t mg);
/* mg/kg (ppm) as a percentage: 640000 -> "64.00 %", 4600 -> "0.46 %",
 * 250 -> "0.025 %". */
const char *cli_fmt_ppm(char *buf, size_t size, int64_t ppm);
/* Money in minor units with its ISO 4217 code: 1250000 PKR -> "12,500.00 PKR". */
const char *cli_fmt_money(char *buf, size_t size, int64_t minor, const char *currency);
/* An assay object {"Nd":640000,...} as "Nd 64.00 %, Pr 19.00 %". */
const char *cli_fmt_assay(char *buf, size_t size, json_t *assay);
/* Any JSON value in one line: strings as they are, arrays of strings
 * joined with ", ", money as money, commitments as "(committed)". */
const char *cli_fmt_value(char *buf, size_t size, json_t *v);
/* The English name of an element symbol ("Nd" -> "neodymium"), or NULL. */
const char *cli_element_name(const char *symbol);

/* A "logged" interval (docs/events.md, "Logged time") in words:
 * "between A and B, witnessed by N", "..., on the operator's clock (no
 * witness)", "after A; no checkpoint contains it yet", or "unknown: ...". */
const char *cli_fmt_logged(char *buf, size_t size, json_t *logged);

/* JSON member accessors that never fail: "" / fallback when absent. */
const char *cli_jstr(json_t *obj, const char *key);
int64_t cli_jint(json_t *obj, const char *key, int64_t fallback);

/* --- aligned text tables --- */

typedef struct cli_table {
	size_t ncols;
	const char *align; /* one 'l' or 'r' per column */
	char **cells;      /* row-major, the header first */
	size_t n, cap;
	int oom;
} cli_table;

/* head: ncols column titles; align: "llr..." */
void cli_table_init(cli_table *t, size_t ncols, const char *const *head, const char *align);
/* Adds a row of ncols strings (copied). */
void cli_table_row(cli_table *t, const char *const *cells);
/* Prints the table, each line starting with indent, columns two spaces
 * apart; the last column is not padded. */
void cli_table_print(const cli_table *t, FILE *out, const char *indent);
void cli_table_free(cli_table *t);

/* Prints a trace's origin rows (its "origins", by_site, or its "countries")
 * under `title` as a table of element, site and/or country, content and
 * share (trace and verify). */
void cli_print_origins(json_t *rows, int by_site, const char *title);

/* Prints a trace's "stages" rows under title: which country and site mined,
 * separated, refined... each element, with the facility's identifiers
 * (trace and verify). */
void cli_print_stages(json_t *rows, const char *title);

/* Prints a trace's "recycled" rows (or a report's lot "elements") as a
 * table of element, recycled amount, its share of the element, and the
 * post-consumer and pre-consumer parts, each line indented by `indent`. */
void cli_print_recycled(json_t *rows, const char *indent);

/* Writes one CSV record (RFC 4180: fields with a comma, quote or line
 * break quoted, quotes doubled; CRLF-free, one "\n" per record). */
void cli_csv_row(FILE *out, size_t n, const char *const *cells);

/* Reads a compliance profile: a path (with a '/' or ending in .json) or a
 * name, PROFILE.json in $OT_PROFILES_DIR or the profiles shipped with
 * oretrail. *text is malloc'ed. Prints "oretrail: <what>: unknown profile
 * ..." and returns EXIT_USAGE when it cannot be read; 0 on success. */
int cli_profile_read(const char *what, const char *profile, char **text, size_t *len);

/* Profiles read for prove and verify (certificate.h's ot_cert_profile),
 * their texts owned here. */
#define CLI_PROFILES_MAX 32
typedef struct cli_profiles {
	ot_cert_profile items[CLI_PROFILES_MAX];
	char *texts[CLI_PROFILES_MAX]; /* items[i].json */
	size_t n;
} cli_profiles;

/* Adds profile (as cli_profile_read finds it) with the flags
 * (OT_CERT_PROFILE_*); 0, or the exit code with the error printed. */
int cli_profiles_add(cli_profiles *ps, const char *what, const char *profile, int flags);
/* Adds every profile of the profiles directory (cli_profile_read's), as
 * shipped ones; a directory that cannot be listed adds none. */
int cli_profiles_add_shipped(cli_profiles *ps, const char *what);
void cli_profiles_free(cli_profiles *ps);

/* Today's date, YYYY-MM-DD, UTC. */
void cli_today(char out[16]);

#endif
