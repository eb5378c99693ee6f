/*
 * cli.h: what the oretrail command's verbs share: exit codes, error
 * printing in the one format "oretrail: <what>: <why>", option parsing
 * helpers, and opening a ledger with or without its key.
 */
#ifndef OT_CLI_H
#define OT_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "oretrail/ledger.h"
#include "oretrail/log.h"
#include "oretrail/note.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

/* Exit codes (documented in the README and in `oretrail --help`). */
enum {
	EXIT_OK = 0,
	EXIT_INVALID = 1,  /* something checked is not valid: a proof, a log, a signature */
	EXIT_USAGE = 2,    /* bad arguments or unusable input */
	EXIT_STORE = 3,    /* the ledger cannot be used: storage, schema, I/O */
	EXIT_REJECTED = 4, /* the ledger rules rejected a submission */
};

typedef struct cli_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_verb;

/* Prints "oretrail: <what>: <why>" on stderr; returns the exit code that
 * fits err's status (or `code` when nonzero). */
int cli_fail(int code, const char *what, const ot_error *err);
/* Same with a printf message as the why. */
int cli_failf(int code, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The exit code for a status. */
int cli_exit_for(ot_status s);

/* Parses a decimal unsigned 64-bit number strictly. */
int cli_parse_u64(const char *s, uint64_t *out);
/* Parses a duration: a number of seconds with an optional unit s, m, h or
 * d ("48h", "2d", "0"), at most 100 years. */
int cli_parse_duration(const char *s, int64_t *seconds);
/* --tolerance D of `verb` (NULL: not given, *seconds 0, the default) into
 * the library's convention: seconds, negative for none. 0 or an exit code. */
int cli_tolerance(const char *verb, const char *arg, int64_t *seconds);

/* --wait DURATION: how long a writer waits for another one to finish
 * (ot_store_set_wait). A number with a unit, ms, s or m ("500ms", "5s",
 * "2m"; a bare number is seconds), 0 to 1 hour. On error prints
 * "oretrail: <what>: --wait X: ..." and returns EXIT_USAGE; 0 on success. */
#define CLI_WAIT_DEFAULT_MS 5000u
#define CLI_OPT_WAIT(var)                                                                   \
	{                                                                                   \
		"wait", 0, "DURATION", "wait this long for another writer (5s; 500ms, 2m)", \
			&(var), NULL                                                        \
	}
int cli_parse_wait(const char *what, const char *s, unsigned *ms);

/* --- options: each verb declares them once, in a table --- */

/* One option of a verb: its long name, its short letter if any, the name of
 * its argument (NULL for a flag), its line in --help, and where it goes: the
 * argument into *value, or 1 into *flag. --help (-h) is every verb's and is
 * not declared. A table ends with an entry whose name is NULL. */
typedef struct cli_opt {
	const char *name;
	char short_name;
	const char *arg;
	const char *help;
	const char **value;
	int *flag;
} cli_opt;

/* The rows every ledger verb shares, so that --db and --json mean one thing. */
#define CLI_OPT_DB(var)                                                       \
	{                                                                     \
		"db", 0, "PATH", "the ledger (its SQLite file)", &(var), NULL \
	}
#define CLI_OPT_JSON(var)                                                   \
	{                                                                   \
		"json", 0, NULL, "print JSON instead of text", NULL, &(var) \
	}
/* --read-only on the verbs that only read: open the ledger writing nothing
 * at all, not even SQLite's -wal and -shm (OT_LEDGER_NOWRITE): for read-only
 * media, published archives and forensic copies. Sets cli_nowrite. */
extern int cli_nowrite;
#define CLI_OPT_READ_ONLY                                                                      \
	{                                                                                      \
		"read-only", 0, NULL,                                                          \
			"write nothing, not even SQLite's -wal/-shm (archives, copies)", NULL, \
			&cli_nowrite                                                           \
	}
#define CLI_OPT_END                             \
	{                                       \
		NULL, 0, NULL, NULL, NULL, NULL \
	}

/* A verb's --help: "usage: <usage>", a blank line, <about>, then the
 * options generated from the table. in_order: options stop at the first
 * operand (verbs whose operands are sub-verbs or take their own options). */
typedef struct cli_spec {
	const char *usage;
	const char *about;
	int in_order;
} cli_spec;

/* Prints a verb's --help to out. */
void cli_help(const cli_spec *spec, const cli_opt *opts, FILE *out);
/* Parses argv[1..argc) with the table (getopt_long underneath, so its
 * messages and argument forms). Returns the index of the first operand, or
 * -1 when the verb is done: --help was printed on stdout (*code = 0), or an
 * option was unknown or lacked its argument (getopt's message and the help
 * on stderr, *code = EXIT_USAGE). */
int cli_parse(const cli_spec *spec, const cli_opt *opts, int argc, char **argv, int *code);
/* For options that act each time they are given (repeatable ones, and values
 * checked as they come): after storing the option as cli_parse does, calls
 * each(ctx, option, its argument or NULL), in command-line order. A nonzero
 * return is the exit code: parsing stops and cli_parse_each returns -1 with
 * *code set to it (each prints its own message). */
typedef int (*cli_each_fn)(void *ctx, const cli_opt *opt, char *arg);
int cli_parse_each(const cli_spec *spec, const cli_opt *opts, int argc, char **argv,
                   cli_each_fn each, void *ctx, int *code);
/* "oretrail: <what>: unexpected argument "X"" (exit 2) when argv[first..]
 * holds an operand; 0 when it does not. */
int cli_no_operands(const char *what, int argc, char **argv, int first);

/* Reads a whole file (or stdin for "-"); malloc'ed, NUL-terminated. */
ot_status cli_read_file(const char *path, char **data, size_t *len, size_t max, ot_error *err);

/* Writes a file atomically with the given mode (temp file, fsync, rename). */
ot_status cli_write_file(const char *path, const char *data, size_t len, unsigned mode,
                         int exclusive, ot_error *err);

/* Makes a new Ed25519 key named `name`, writes it to key_path (mode 0600,
 * never over an existing file) and its verifier key to vkey_path (mode 0644;
 * not over an existing file either when vkey_exclusive). On success *signer
 * is the key (the caller frees it) and vkey the verifier key, one line.
 * Prints "oretrail: <what>: ..." and returns the exit code on failure. */
int cli_make_key(const char *what, const char *name, const char *key_path, const char *vkey_path,
                 int vkey_exclusive, ot_signer **signer, char vkey[OT_VKEY_MAX]);
/* Loads a signer key file; checks that it is not readable by others. */
ot_status cli_load_signer(const char *path, ot_signer **out, ot_error *err);
/* Loads a verifier key file. */
ot_status cli_load_verifier(const char *path, ot_verifier **out, ot_error *err);
/* For the verbs that serve until stopped: blocks SIGINT and SIGTERM in the
 * calling thread (and so in every thread it starts later) and ignores
 * SIGPIPE; cli_wait_stop then waits for one of them. */
void cli_block_stop_signals(sigset_t *stop);
void cli_wait_stop(const sigset_t *stop);

/* Where a ledger's key files are by default: ext (".key" or ".vkey")
 * appended to an SQLite file's path (l.db -> l.db.key); for a PostgreSQL
 * URI, which is not a place for files, the database's name in the current
 * directory (postgresql://h/ledger -> ledger.key). Returns out. */
const char *cli_key_path(const char *db, const char *ext, char *out, size_t size);
/* db as messages may show it: a URI without its password (ot_store_redact). */
const char *cli_db_shown(const char *db, char *out, size_t size);

/* A witness's key: its cosigner vkey (type 0x04) or its plain note vkey. */
ot_status cli_load_cosig_verifier(const char *path, ot_cosig_verifier **out, ot_error *err);

/* An open ledger (the ledger's public API, oretrail/ledger.h) with its log
 * and store borrowed from it, and the keys that came with it. */
typedef struct cli_ledger {
	ot_ledger *ledger;
	ot_store *st;
	ot_log *log;
	ot_signer *signer;
	ot_verifier *verifier;
	char db[4096];
} cli_ledger;

enum {
	CLI_READ = 0,
	CLI_WRITE = 1
};
/* Opens the ledger at db (cli_ledger.c): CLI_WRITE loads the log key from
 * db + ".key" (or key_path when given). Always loads db + ".vkey" when
 * present. Prints the error and returns an exit code on failure, 0 on
 * success; then cli_ledger_close releases everything. */
int cli_ledger_open(cli_ledger *l, const char *db, int mode, const char *key_path);
void cli_ledger_close(cli_ledger *l);

/* Verbs. */
int cmd_init(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_verify_log(int argc, char **argv);
int cmd_proof(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_epcis(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_comply(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_contract(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_passport(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_disclose(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/* The program holding the verbs that speak HTTP (serve, witness, monitor,
 * submit --server), installed beside `oretrail`, which links no HTTP
 * library so that the other verbs start fast (issue 16; src/CMakeLists.txt). */
#define CLI_NET_PROGRAM "oretrail-net"

/* Runs the verb argv[0] with its arguments in CLI_NET_PROGRAM, found in the
 * directory of the running program (/proc/self/exe): execs it with the same
 * arguments, so it keeps this process (its id, standard streams, signals).
 * Returns only when it cannot: EXIT_STORE with a message naming the path. */
int cli_net_exec(int argc, char **argv);

/* The path `rel` relative to the directory of the running program
 * (/proc/self/exe) into path; -1 with errno when it cannot be read or does
 * not fit (path then names what could not be read). */
int cli_beside_self(char *path, size_t size, const char *rel);

#endif
