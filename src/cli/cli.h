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

/* True when argv holds -h or --help (before a "--"). */
int cli_wants_help(int argc, char **argv);

/* Reads a whole file (or stdin for "-"); malloc'ed, NUL-terminated. */
ot_status cli_read_file(const char *path, char **data, size_t *len, size_t max, ot_error *err);

/* Writes a file atomically with the given mode (temp file, fsync, rename). */
ot_status cli_write_file(const char *path, const char *data, size_t len, unsigned mode,
                         int exclusive, ot_error *err);

/* Loads a signer key file; checks that it is not readable by others. */
ot_status cli_load_signer(const char *path, ot_signer **out, ot_error *err);
/* Loads a verifier key file. */
ot_status cli_load_verifier(const char *path, ot_verifier **out, ot_error *err);
/* For the verbs that serve until stopped: blocks SIGINT and SIGTERM in the
 * calling thread (and so in every thread it starts later) and ignores
 * SIGPIPE; cli_wait_stop then waits for one of them. */
void cli_block_stop_signals(sigset_t *stop);
void cli_wait_stop(const sigset_t *stop);

/* A witness's key: its cosigner vkey (type 0x04) or its plain note vkey. */
ot_status cli_load_cosig_verifier(const char *path, ot_cosig_verifier **out, ot_error *err);

/* An open ledger: store, log, and (with a key) the signer. */
typedef struct cli_ledger {
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
/* Opens the ledger at db. CLI_WRITE loads the key from db + ".key" (or
 * key_path when given). Always loads db + ".vkey" when present. Prints the
 * error and returns an exit code on failure, 0 on success. */
int cli_ledger_open(cli_ledger *l, const char *db, int mode, const char *key_path);
void cli_ledger_close(cli_ledger *l);

/* Verbs. */
int cmd_init(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_verify_log(int argc, char **argv);
int cmd_proof(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_epcis(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_contract(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_disclose(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

#endif
