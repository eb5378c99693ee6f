/*
 * cmd_commit.c: `oretrail commit` and `oretrail disclose`: the submitter's
 * side of confidential fields (DESIGN.md, "Confidential fields and
 * disclosure").
 *
 * `commit` makes the commitment {"commit":"sha256:<hex>"} to a value (or to
 * a document's text), SHA-256 over a fresh random 32-byte salt and the
 * value's RFC 8785 form, for the submitter to put in a `contract` event. The
 * salt and the value, the opening, are what a later disclosure reveals: they
 * go to a local openings file (mode 0600, one JSON object per line, appended
 * under an exclusive lock and fsynced before the commitment is printed, so a
 * commitment never leaves without its opening kept).
 *
 * `disclose` finds the opening of a contract field there and prints the
 * unsigned `disclose` event that reveals it, ready for `oretrail submit`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "cli/openings.h"
#include "oretrail/buf.h"
#include "oretrail/commit.h"
#include "oretrail/encoding.h"
#include "oretrail/event.h"
#include "oretrail/json.h"
#include "oretrail/status.h"

#define OPENINGS_DEFAULT "oretrail-openings.jsonl"
/* Largest value or document: its disclosure must fit in one log entry
 * (64 KiB, with JSON escapes and the event around it). */
#define VALUE_MAX_KIB 48
#define VALUE_MAX ((size_t)VALUE_MAX_KIB << 10)
#define STR_(x) #x
#define STR(x) STR_(x)
/* Largest openings file read. */
#define OPENINGS_MAX ((size_t)64 << 20)

static const cli_spec COMMIT_SPEC = {
	"oretrail commit [--openings FILE] [--contract ID --field PATH] VALUE\n"
	"       oretrail commit [--openings FILE] [--contract ID --field PATH] --file DOC",
	"Makes a commitment to VALUE (JSON: a number, an object, or a quoted\n"
	"string such as '\"text\"'), or to the text of the document DOC (UTF-8, at\n"
	"most " STR(VALUE_MAX_KIB) " KiB), and prints it: {\"commit\":\"sha256:<hex>\"}, the "
				   "SHA-256 of a\n"
				   "fresh random 32-byte salt followed by the value's canonical "
				   "JSON (RFC 8785).\n"
				   "Put it in place of the field's value in a `contract` event.\n"
				   "\n"
				   "The salt and the value (the opening) are appended to FILE "
				   "(default\n"
				   "./" OPENINGS_DEFAULT
				   "; mode 0600, one JSON object per line), labelled with the\n"
				   "contract and field when given. Keep that file: without it the "
				   "commitment\n"
				   "can never be opened. `oretrail disclose` reads it later.\n",
	0,
};

static const cli_spec DISCLOSE_SPEC = {
	"oretrail disclose --contract ID --field PATH [--openings FILE]\n"
	"                         [--db PATH | --commit sha256:HEX] [--id ID] [--time TIME]",
	"Prints the unsigned `disclose` event that opens the commitment made to\n"
	"field PATH (e.g. text, or terms.royalty) of contract ID, from the opening\n"
	"kept in FILE (default ./" OPENINGS_DEFAULT ") by `oretrail commit`. The opening is\n"
	"found by the commitment the ledger at --db holds for that field, or by\n"
	"--commit, or else by the contract and field it was labelled with; it is\n"
	"checked against the commitment before it is printed.\n"
	"\n"
	"The event's id is ID (default disclose-<contract>-<field>) and its time\n"
	"TIME (RFC 3339 or YYYY-MM-DD; default now). Submit it with\n"
	"  oretrail disclose ... | oretrail submit --db PATH --key KEYFILE -\n"
	"`oretrail commit open` is the same verb.\n",
	0,
};

/* Refuses an openings file that others can read: the salts are secrets. */
static int check_private(const char *what, const char *path, int fd)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return cli_failf(EXIT_STORE, what, "%s: %s", path, strerror(errno));
	if (sb.st_mode & 077)
		return cli_failf(EXIT_USAGE, what,
		                 "%s is readable by others (mode %03o): openings are secret until "
		                 "disclosed; run chmod 600 %s",
		                 path, (unsigned)(sb.st_mode & 0777), path);
	return 0;
}

/* Appends one line to the openings file, durably and under a lock, so that
 * two commits at once cannot interleave their lines. */
static int append_opening(const char *path, const char *line, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return cli_failf(errno == ENOENT || errno == EACCES ? EXIT_USAGE : EXIT_STORE,
		                 "commit", "%s: %s", path, strerror(errno));
	int code = check_private("commit", path, fd);
	if (!code && flock(fd, LOCK_EX) != 0)
		code = cli_failf(EXIT_STORE, "commit", "%s: cannot lock: %s", path,
		                 strerror(errno));
	size_t off = 0;
	while (!code && off < len) {
		ssize_t w = write(fd, line + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			code = cli_failf(EXIT_STORE, "commit", "%s: %s", path, strerror(errno));
		else
			off += (size_t)w;
	}
	if (!code && fsync(fd) != 0)
		code = cli_failf(EXIT_STORE, "commit", "%s: %s", path, strerror(errno));
	close(fd); /* releases the lock */
	return code;
}

static int read_document(const char *path, json_t **out)
{
	ot_error err;
	ot_error_clear(&err);
	char *data = NULL;
	size_t len = 0;
	if (cli_read_file(path, &data, &len, VALUE_MAX, &err))
		return cli_fail(EXIT_USAGE, "commit", &err);
	int code = 0;
	if (memchr(data, 0, len) || !ot_utf8_valid((const uint8_t *)data, len))
		code = cli_failf(
			EXIT_USAGE, "commit",
			"%s is not UTF-8 text: commit to a text document, or to the SHA-256 "
			"of a binary one",
			path);
	else if (!(*out = json_stringn(data, len)))
		code = cli_failf(EXIT_STORE, "commit", "out of memory");
	free(data);
	return code;
}

/* The value committed to: the JSON text VALUE, or the document's text. */
static int read_value(const char *file, const char *text, json_t **value)
{
	if (file)
		return read_document(file, value);
	ot_error err;
	ot_error_clear(&err);
	if (ot_json_parse((const uint8_t *)text, strlen(text), VALUE_MAX, value, &err))
		return cli_failf(EXIT_USAGE, "commit",
		                 "VALUE is not JSON (%s); to commit to a text, quote it as a JSON "
		                 "string ('\"...\"') or use --file",
		                 err.message);
	return EXIT_OK;
}

/* The line kept in the openings file: commitment, salt, value, time, and
 * the labels given. */
static int format_opening(json_t *commitment, const uint8_t salt[OT_COMMIT_SALT_SIZE],
                          json_t *value, const char *contract, const char *field, const char *file,
                          ot_buf *line)
{
	ot_error err;
	ot_error_clear(&err);
	char salt_b64[OT_COMMIT_SALT_B64_LEN + 1], now[OT_TIME_LEN + 1];
	ot_b64_encode(salt, OT_COMMIT_SALT_SIZE, salt_b64);
	if (ot_time_format((int64_t)time(NULL), now))
		snprintf(now, sizeof now, "1970-01-01T00:00:00Z");
	json_t *rec =
		json_pack("{s:O,s:s,s:O,s:s}", "commit", json_object_get(commitment, "commit"),
	                  "salt", salt_b64, "value", value, "time", now);
	if (rec && contract)
		json_object_set_new(rec, "contract", json_string(contract));
	if (rec && field)
		json_object_set_new(rec, "field", json_string(field));
	if (rec && file)
		json_object_set_new(rec, "file", json_string(file));
	if (!rec || ot_json_canonical(line, rec, NULL, &err) || ot_buf_addc(line, '\n')) {
		int code = cli_failf(EXIT_STORE, "commit", "cannot format the opening: %s",
		                     err.message[0] ? err.message : "out of memory");
		json_decref(rec);
		return code;
	}
	json_decref(rec);
	return EXIT_OK;
}

static int commit_run(int argc, char **argv)
{
	const char *openings = OPENINGS_DEFAULT, *contract = NULL, *field = NULL, *file = NULL;
	const cli_opt opts[] = {
		{"openings", 0, "FILE", "the openings file (default: ./" OPENINGS_DEFAULT ")",
	         &openings, NULL},
		{"contract", 0, "ID", "the contract ID", &contract, NULL},
		{"field", 0, "PATH", "the field PATH (e.g. text, or terms.royalty)", &field, NULL},
		{"file", 0, "DOC", "commit to the text of the document DOC", &file, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&COMMIT_SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	int nargs = argc - first;
	if ((file && nargs != 0) || (!file && nargs != 1))
		return cli_failf(EXIT_USAGE, "commit", "expected one VALUE (JSON) or --file DOC");
	if (!contract != !field)
		return cli_failf(EXIT_USAGE, "commit", "--contract and --field go together");

	ot_error err;
	ot_error_clear(&err);
	json_t *value = NULL, *commitment = NULL;
	ot_buf line;
	ot_buf_init(&line, 0);
	uint8_t salt[OT_COMMIT_SALT_SIZE];
	code = 0;

	if ((code = read_value(file, file ? NULL : argv[first], &value)))
		goto out;
	if (ot_commit_make(value, NULL, salt, &commitment, &err)) {
		code = cli_fail(0, "commit", &err);
		goto out;
	}
	if ((code = format_opening(commitment, salt, value, contract, field, file, &line)))
		goto out;
	/* The opening is kept before the commitment is shown. */
	if ((code = append_opening(openings, (const char *)line.data, line.len)))
		goto out;
	ot_buf_reset(&line);
	if (ot_json_canonical(&line, commitment, NULL, &err)) {
		code = cli_fail(EXIT_STORE, "commit", &err);
		goto out;
	}
	printf("%s\n", (const char *)line.data);
	fprintf(stderr, "oretrail: commit: the opening (salt and value) is kept in %s\n", openings);
out:
	memset(salt, 0, sizeof salt);
	ot_buf_free(&line);
	json_decref(value);
	json_decref(commitment);
	return code;
}

/* The commitment the ledger holds for contract/field, for finding its
 * opening. */
static int ledger_commit(const char *db, const char *contract, const char *field, char *out,
                         size_t size)
{
	ot_ledger *l = NULL;
	int code = cli_ledger_open_ro(db, "disclose", &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	json_t *doc = NULL;
	ot_status rc = ot_ledger_contract_show(l, contract, 0, 0, &text, &err);
	if (rc) {
		code = cli_fail(rc == OT_ERR_NOTFOUND ? EXIT_USAGE : EXIT_STORE, "disclose", &err);
		goto out;
	}
	doc = json_loads(text, 0, NULL);
	json_t *cms = json_object_get(doc, "commitments");
	size_t i = 0;
	while (i < json_array_size(cms) &&
	       strcmp(cli_jstr(json_array_get(cms, i), "field"), field) != 0)
		i++;
	if (i == json_array_size(cms)) {
		code = cli_failf(EXIT_USAGE, "disclose",
		                 "contract %s has no commitment at field %s", contract, field);
		goto out;
	}
	json_t *cm = json_array_get(cms, i);
	if (json_is_true(json_object_get(cm, "disclosed"))) {
		code = cli_failf(EXIT_USAGE, "disclose",
		                 "field %s of contract %s was already disclosed at entry %lld",
		                 field, contract, (long long)cli_jint(cm, "disclosed_index", -1));
		goto out;
	}
	snprintf(out, size, "%s", cli_jstr(cm, "commit"));
out:
	json_decref(doc);
	free(text);
	ot_ledger_close(l);
	return code;
}

/* Finds the opening: by commitment when one is known, else by label; the
 * last matching line wins. *out is a new reference. */
static int find_opening(const char *path, const char *commit, const char *contract,
                        const char *field, json_t **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_failf(EXIT_USAGE, "disclose", "%s: %s", path, strerror(errno));
	int code = check_private("disclose", path, fd);
	close(fd);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *data = NULL;
	size_t len = 0;
	if (cli_read_file(path, &data, &len, OPENINGS_MAX, &err))
		return cli_fail(EXIT_USAGE, "disclose", &err);
	*out = NULL;
	if (cli_openings_find(data, len, commit, contract, field, out, &err))
		code = cli_failf(EXIT_USAGE, "disclose", "%s: %s", path, err.message);
	free(data);
	if (!code && !*out) {
		if (commit)
			code = cli_failf(EXIT_USAGE, "disclose", "%s holds no opening for %s", path,
			                 commit);
		else
			code = cli_failf(
				EXIT_USAGE, "disclose",
				"%s holds no opening labelled contract %s, field %s (give --db or "
				"--commit to find it by its commitment)",
				path, contract, field);
	}
	return code;
}

/* What disclose was asked for. */
typedef struct disclose_args {
	const char *openings, *contract, *field, *db, *commit, *id;
	char when[OT_TIME_LEN + 1];
	char id_buf[OT_EVENT_ID_MAX + 64];
} disclose_args;

/* Parses and checks the options into a. -1: go on; otherwise the exit code. */
static int disclose_opts(int argc, char **argv, disclose_args *a)
{
	const char *time_s = NULL;
	a->openings = OPENINGS_DEFAULT;
	const cli_opt opts[] = {
		{"openings", 0, "FILE", "the openings file (default: ./" OPENINGS_DEFAULT ")",
	         &a->openings, NULL},
		{"contract", 0, "ID", "the contract ID", &a->contract, NULL},
		{"field", 0, "PATH", "the field PATH (e.g. text, or terms.royalty)", &a->field,
	         NULL},
		CLI_OPT_DB(a->db),
		CLI_OPT_READ_ONLY,
		{"commit", 0, "sha256:HEX", "the commitment to open", &a->commit, NULL},
		{"id", 0, "ID", "the event's id", &a->id, NULL},
		{"time", 0, "TIME", "the event's time (RFC 3339 or YYYY-MM-DD; default now)",
	         &time_s, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&DISCLOSE_SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if (first != argc)
		return cli_failf(EXIT_USAGE, "disclose", "unexpected argument \"%s\"", argv[first]);
	if (!a->contract || !a->field)
		return cli_failf(EXIT_USAGE, "disclose", "--contract and --field are required");
	if (a->db && a->commit)
		return cli_failf(EXIT_USAGE, "disclose", "give --db or --commit, not both");
	int64_t t = (int64_t)time(NULL);
	if (time_s && !cli_parse_time(time_s, &t))
		return cli_failf(EXIT_USAGE, "disclose",
		                 "--time %s is not a time: use YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
		                 time_s);
	if (ot_time_format(t, a->when))
		return cli_failf(EXIT_USAGE, "disclose", "--time is out of range");
	if (!a->id) {
		snprintf(a->id_buf, sizeof a->id_buf, "disclose-%s-%s", a->contract, a->field);
		a->id = a->id_buf;
	}
	return -1;
}

/* The value of the opening rec, once checked against its commitment. */
static int opened_value(const char *openings, json_t *rec, json_t **value)
{
	ot_error err;
	ot_error_clear(&err);
	json_t *cm = json_object_get(rec, "commit");
	*value = json_object_get(rec, "value");
	if (!*value || !json_is_string(cm))
		return cli_failf(EXIT_USAGE, "disclose", "%s: the opening of %s has no value",
		                 openings,
		                 json_string_value(cm) ? json_string_value(cm) : "that field");
	if (ot_commit_check(cm, cli_jstr(rec, "salt"), *value, &err))
		return cli_failf(EXIT_USAGE, "disclose", "%s: the opening does not open %s: %s",
		                 openings, json_string_value(cm), err.message);
	return EXIT_OK;
}

/* Prints the disclose event (canonical JSON, one line). */
static int print_disclose(const disclose_args *a, json_t *rec, json_t *value)
{
	ot_error err;
	ot_error_clear(&err);
	json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "type", "disclose", "id", a->id,
	                       "time", a->when, "contract", a->contract, "field", a->field, "salt",
	                       cli_jstr(rec, "salt"), "value", value);
	if (!ev)
		return cli_failf(EXIT_STORE, "disclose", "out of memory");
	ot_buf out;
	ot_buf_init(&out, 0);
	int code = EXIT_OK;
	if (ot_event_check(ev, NULL, &err) || ot_json_canonical(&out, ev, NULL, &err)) {
		code = cli_fail(EXIT_USAGE, "disclose", &err);
	} else {
		printf("%s\n", (const char *)out.data);
		if (fflush(stdout) != 0)
			code = cli_failf(EXIT_STORE, "disclose", "cannot write to standard output");
	}
	ot_buf_free(&out);
	json_decref(ev);
	return code;
}

static int disclose_run(int argc, char **argv)
{
	disclose_args a;
	memset(&a, 0, sizeof a);
	int code = disclose_opts(argc, argv, &a);
	if (code >= 0)
		return code;
	char digest[OT_COMMIT_STR_LEN + 1] = "";
	if (a.db && (code = ledger_commit(a.db, a.contract, a.field, digest, sizeof digest)))
		return code;
	if (a.commit)
		snprintf(digest, sizeof digest, "%s", a.commit);
	json_t *rec = NULL, *value = NULL;
	if (!(code = find_opening(a.openings, digest[0] ? digest : NULL, a.contract, a.field,
	                          &rec)) &&
	    !(code = opened_value(a.openings, rec, &value)))
		code = print_disclose(&a, rec, value);
	json_decref(rec);
	return code;
}

int cmd_commit(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "open") == 0)
		return disclose_run(argc - 1, argv + 1);
	return commit_run(argc, argv);
}

int cmd_disclose(int argc, char **argv)
{
	return disclose_run(argc, argv);
}
