/*
 * cli_util.c: the helpers every verb uses. See cli.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/gzip.h"
#include "oretrail/buf.h"
#include "oretrail/certificate.h"
#include "oretrail/file.h"
#include "oretrail/status.h"

int cli_exit_for(ot_status s)
{
	switch (s) {
	case OT_OK: return EXIT_OK;
	case OT_ERR_VERIFY: return EXIT_INVALID;
	case OT_ERR_ARG:
	case OT_ERR_PARSE:
	case OT_ERR_KEY:
	case OT_ERR_TOOBIG:
	case OT_ERR_RANGE:
	case OT_ERR_NOTFOUND:
	case OT_ERR_EXISTS: return EXIT_USAGE;
	case OT_ERR_RULE:
	case OT_ERR_CONFLICT:
	case OT_ERR_SIGNER: return EXIT_REJECTED;
	default: return EXIT_STORE;
	}
}

const char *cli_key_path(const char *db, const char *ext, char *out, size_t size)
{
	char name[256];
	if (ot_store_is_uri(db))
		snprintf(out, size, "%s%s", ot_store_name(db, name, sizeof name), ext);
	else
		snprintf(out, size, "%s%s", db, ext);
	return out;
}

const char *cli_db_shown(const char *db, char *out, size_t size)
{
	return ot_store_redact(db, out, size);
}

int cli_fail(int code, const char *what, const ot_error *err)
{
	const char *why = err && err->message[0] ? err->message
	                  : err                  ? ot_status_str(err->status)
	                                         : "failed";
	fprintf(stderr, "oretrail: %s: %s\n", what, why);
	if (code)
		return code;
	return err ? cli_exit_for(err->status) : EXIT_STORE;
}

int cli_failf(int code, const char *what, const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	fprintf(stderr, "oretrail: %s: %s\n", what, why);
	return code;
}

int cli_parse_wait(const char *what, const char *s, unsigned *ms)
{
	*ms = CLI_WAIT_DEFAULT_MS;
	if (!s)
		return 0;
	char num[24];
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	uint64_t v = 0, scale = strcmp(unit, "ms") == 0            ? 1
	                        : strcmp(unit, "s") == 0 || !*unit ? 1000
	                        : strcmp(unit, "m") == 0           ? 60000
	                                                           : 0;
	if (n == 0 || n >= sizeof num || !scale)
		return cli_failf(EXIT_USAGE, what,
		                 "--wait %s: expected a duration such as 500ms, 5s or 2m", s);
	memcpy(num, s, n);
	num[n] = 0;
	if (!cli_parse_u64(num, &v) || v > 3600000 / scale)
		return cli_failf(EXIT_USAGE, what, "--wait %s: expected at most one hour (60m)", s);
	*ms = (unsigned)(v * scale);
	return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || (s[0] == '0' && s[1]))
		return 0;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

ot_status cli_read_file(const char *path, char **data, size_t *len, size_t max, ot_error *err)
{
	return ot_file_read(path, data, len, max, err);
}

ot_status cli_write_file(const char *path, const char *data, size_t len, unsigned mode,
                         int exclusive, ot_error *err)
{
	return ot_file_write(path, data, len, mode, exclusive, err);
}

ot_status cli_load_signer(const char *path, ot_signer **out, ot_error *err)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return ot_error_set(err, OT_ERR_NOTFOUND, "%s: %s", path, strerror(errno));
	if (sb.st_mode & 077)
		return ot_error_set(
			err, OT_ERR_KEY,
			"%s: the private key is readable by others (mode %03o); run chmod 600 %s",
			path, (unsigned)(sb.st_mode & 0777), path);
	char *text = NULL;
	size_t len = 0;
	ot_status rc = cli_read_file(path, &text, &len, 4096, err);
	if (rc)
		return rc;
	rc = ot_signer_parse(text, len, out, err);
	memset(text, 0, len);
	free(text);
	if (rc)
		ot_error_prefix(err, "%s", path);
	return rc;
}

int cli_make_key(const char *what, const char *name, const char *key_path, const char *vkey_path,
                 int vkey_exclusive, ot_signer **signer, char vkey[OT_VKEY_MAX])
{
	ot_error err;
	ot_error_clear(&err);
	char skey[OT_SKEY_MAX];
	int code = EXIT_OK;
	*signer = NULL;
	if (ot_signer_generate(name, signer, &err))
		return cli_fail(EXIT_USAGE, what, &err);
	if (ot_signer_format(*signer, skey, sizeof skey) ||
	    ot_signer_vkey(*signer, vkey, OT_VKEY_MAX)) {
		code = cli_failf(EXIT_STORE, what, "cannot format the keys");
		goto out;
	}
	/* The private key first: a verifier key without it would be useless. */
	size_t sl = strlen(skey), vl = strlen(vkey);
	skey[sl] = '\n';
	vkey[vl] = '\n';
	if (cli_write_file(key_path, skey, sl + 1, 0600, 1, &err)) {
		code = cli_fail(0, what, &err);
	} else if (cli_write_file(vkey_path, vkey, vl + 1, 0644, vkey_exclusive, &err)) {
		code = cli_fail(0, what, &err);
		unlink(key_path); /* written just now, exclusively: ours */
	}
	vkey[vl] = 0;
out:
	memset(skey, 0, sizeof skey);
	if (code) {
		ot_signer_free(*signer);
		*signer = NULL;
	}
	return code;
}

ot_status cli_load_verifier(const char *path, ot_verifier **out, ot_error *err)
{
	char *text = NULL;
	size_t len = 0;
	ot_status rc = cli_read_file(path, &text, &len, 4096, err);
	if (rc)
		return rc;
	rc = ot_verifier_parse(text, len, out, err);
	free(text);
	if (rc)
		ot_error_prefix(err, "%s", path);
	return rc;
}

void cli_block_stop_signals(sigset_t *stop)
{
	sigemptyset(stop);
	sigaddset(stop, SIGINT);
	sigaddset(stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, stop, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void cli_wait_stop(const sigset_t *stop)
{
	int sig = 0;
	sigwait(stop, &sig);
}

ot_status cli_load_cosig_verifier(const char *path, ot_cosig_verifier **out, ot_error *err)
{
	char *text = NULL;
	size_t len = 0;
	ot_status rc = cli_read_file(path, &text, &len, 4096, err);
	if (rc)
		return rc;
	rc = ot_cosig_verifier_parse(text, len, out, err);
	free(text);
	if (rc)
		ot_error_prefix(err, "%s", path);
	return rc;
}

int cli_parse_duration(const char *s, int64_t *seconds)
{
	char num[32];
	size_t n = s ? strlen(s) : 0;
	int64_t unit = 1;
	if (n == 0 || n >= sizeof num)
		return 0;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: unit = 0; break;
	}
	if (unit)
		num[n - 1] = '\0';
	else
		unit = 1;
	uint64_t v = 0;
	if (!cli_parse_u64(num, &v) || v > (uint64_t)100 * 366 * 86400 / (uint64_t)unit)
		return 0;
	*seconds = (int64_t)v * unit;
	return 1;
}

int cli_tolerance(const char *verb, const char *arg, int64_t *seconds)
{
	*seconds = 0;
	if (!arg)
		return 0;
	if (!cli_parse_duration(arg, seconds))
		return cli_failf(EXIT_USAGE, verb,
		                 "--tolerance %s is not a duration: use e.g. 48h, 2d, 90m or 3600",
		                 arg);
	if (*seconds == 0)
		*seconds = -1; /* none */
	return 0;
}

ot_status cli_read_certificate(const char *path, char **data, size_t *len, ot_error *err)
{
	ot_status rc = cli_read_file(path, data, len, OT_CERT_MAX, err);
	if (rc || !cli_is_gzip(*data, *len))
		return rc;
	char *plain = NULL;
	size_t n = 0;
	ot_error e;
	ot_error_clear(&e);
	rc = cli_gunzip(*data, *len, OT_CERT_MAX, &plain, &n, &e);
	free(*data);
	*data = NULL;
	*len = 0;
	if (rc) {
		ot_error_set(err, rc, "%s: %s", path, e.message);
		snprintf(err->code, sizeof err->code, "%s", "cert_malformed");
		return rc;
	}
	*data = plain;
	*len = n;
	return OT_OK;
}
