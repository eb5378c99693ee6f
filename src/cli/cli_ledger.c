/*
 * cli_ledger.c: the helpers the ledger verbs share. See cli_ledger.h.
 */
#include "cli/cli_ledger.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "oretrail/buf.h"
#include "oretrail/certificate.h"
#include "oretrail/commit.h"
#include "oretrail/event.h"
#include "oretrail/file.h"
#include "oretrail/status.h"

int cli_nowrite;

/* The one way the CLI opens a ledger: to append when key (the log key) is
 * given, else read-only (and writing nothing with --read-only). */
static int open_ledger(const char *db, const ot_signer *key, const char *what, ot_ledger **out)
{
	ot_error err;
	ot_error_clear(&err);
	int flags = key ? 0 : OT_LEDGER_READONLY | (cli_nowrite ? OT_LEDGER_NOWRITE : 0);
	ot_status rc = ot_ledger_open(db, key, flags, out, &err);
	if (rc)
		return cli_fail(cli_exit_for(rc) == EXIT_USAGE ? EXIT_USAGE : EXIT_STORE, what,
		                &err);
	return EXIT_OK;
}

int cli_ledger_open_ro(const char *db, const char *what, ot_ledger **out)
{
	return open_ledger(db, NULL, what, out);
}

/* With the log key loaded from log_key into *signer (the caller frees it
 * after closing the ledger). */
static int open_rw(const char *db, const char *log_key, const char *what, ot_ledger **out,
                   ot_signer **signer)
{
	ot_error err;
	ot_error_clear(&err);
	*out = NULL;
	*signer = NULL;
	if (cli_load_signer(log_key, signer, &err)) {
		char w[200];
		snprintf(w, sizeof w, "%s: loading the ledger key", what);
		return cli_fail(EXIT_USAGE, w, &err);
	}
	int code = open_ledger(db, *signer, what, out);
	if (code) {
		ot_signer_free(*signer);
		*signer = NULL;
	}
	return code;
}

int cli_ledger_open_append(const char *db, const char *log_key, int dry_run, int json,
                           const char *what, ot_ledger **out, ot_signer **log_signer)
{
	ot_error err;
	ot_error_clear(&err);
	*out = NULL;
	*log_signer = NULL;
	if (dry_run) {
		ot_status rc = ot_ledger_open(db, NULL, 0, out, &err);
		if (rc)
			return cli_fail_json(
				json, cli_exit_for(rc) == EXIT_USAGE ? EXIT_USAGE : EXIT_STORE,
				what, &err);
		return EXIT_OK;
	}
	char default_key[4200];
	cli_key_path(db, ".key", default_key, sizeof default_key);
	struct stat sb;
	if (!ot_store_is_uri(db) && stat(db, &sb) != 0) {
		/* No ledger: say so, rather than that its key is missing. */
		int code = cli_ledger_open_ro(db, what, out);
		if (code)
			return code;
		ot_ledger_close(*out);
		*out = NULL;
	}
	if (!log_key && stat(default_key, &sb) != 0)
		return cli_failf(EXIT_USAGE, what,
		                 "%s is missing: appending needs the ledger's log key (written by "
		                 "init); give it with --log-key FILE",
		                 default_key);
	return open_rw(db, log_key ? log_key : default_key, what, out, log_signer);
}

int cli_ledger_set_wait(ot_ledger *l, const char *what, const char *wait)
{
	unsigned ms = 0;
	int code = cli_parse_wait(what, wait, &ms);
	if (!code)
		ot_store_set_wait(ot_ledger_store(l), ms);
	return code;
}

int cli_ledger_open(cli_ledger *l, const char *db, int mode, const char *key_path)
{
	memset(l, 0, sizeof *l);
	snprintf(l->db, sizeof l->db, "%s", db);
	ot_error err;
	ot_error_clear(&err);
	char path[4200];
	if (mode == CLI_WRITE) {
		if (key_path)
			snprintf(path, sizeof path, "%s", key_path);
		else
			cli_key_path(db, ".key", path, sizeof path);
		if (cli_load_signer(path, &l->signer, &err))
			return cli_fail(EXIT_USAGE, "loading the ledger key", &err);
	}
	cli_key_path(db, ".vkey", path, sizeof path);
	struct stat sb;
	int code = EXIT_OK;
	if (stat(path, &sb) == 0 && cli_load_verifier(path, &l->verifier, &err))
		code = cli_fail(EXIT_USAGE, "loading the verifier key", &err);
	else
		code = open_ledger(db, l->signer, "opening the ledger", &l->ledger);
	if (code) {
		cli_ledger_close(l);
		return code;
	}
	l->st = ot_ledger_store(l->ledger);
	l->log = ot_ledger_log(l->ledger);
	return EXIT_OK;
}

void cli_ledger_close(cli_ledger *l)
{
	ot_ledger_close(l->ledger);
	ot_signer_free(l->signer);
	ot_verifier_free(l->verifier);
	memset(l, 0, sizeof *l);
}

/* One page of records of `kind` into fn; *more when another follows
 * (after then holds the last id). */
static int glns_page(ot_ledger *l, const char *what, int party, char *after, size_t size, int *more,
                     cli_gln_fn fn, void *ctx)
{
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	if (ot_ledger_list(l, party ? OT_RECORD_ACTOR : OT_RECORD_SITE, NULL,
	                   after[0] ? after : NULL, 1000, &text, &err))
		return cli_fail(EXIT_STORE, what, &err);
	json_t *page = json_loads(text, 0, NULL);
	free(text);
	if (!page)
		return cli_failf(EXIT_STORE, what, "out of memory");
	int code = EXIT_OK;
	size_t i;
	json_t *rec;
	json_array_foreach(json_object_get(page, party ? "actors" : "sites"), i, rec)
	{
		const char *gln = json_string_value(json_object_get(rec, "gln"));
		const char *id = json_string_value(json_object_get(rec, party ? "actor" : "site"));
		if (gln && id && fn(ctx, party, id, gln, &err)) {
			code = cli_fail(cli_exit_for(err.status) == EXIT_STORE ? EXIT_STORE
			                                                       : EXIT_USAGE,
			                what, &err);
			break;
		}
	}
	const char *next = json_string_value(json_object_get(page, "next"));
	*more = code == EXIT_OK && next;
	if (*more)
		snprintf(after, size, "%s", next);
	json_decref(page);
	return code;
}

int cli_ledger_glns(ot_ledger *l, const char *what, cli_gln_fn fn, void *ctx)
{
	for (int party = 0; party < 2; party++) {
		char after[OT_EVENT_ID_MAX + 1] = "";
		int more = 1, code;
		while (more)
			if ((code = glns_page(l, what, party, after, sizeof after, &more, fn, ctx)))
				return code;
	}
	return EXIT_OK;
}

int cli_fail_json(int json, int code, const char *what, const ot_error *err)
{
	int rc = cli_fail(code, what, err);
	if (json && err) {
		json_t *e =
			json_pack("{s:{s:s,s:s}}", "error", "code",
		                  err->code[0] ? err->code : ot_status_code(err->status), "message",
		                  err->message[0] ? err->message : ot_status_str(err->status));
		if (e && err->index >= 0)
			json_object_set_new(json_object_get(e, "error"), "index",
			                    json_integer((json_int_t)err->index));
		char *s = e ? json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(e);
	}
	return rc;
}

int cli_parse_time(const char *s, int64_t *out)
{
	char full[OT_TIME_LEN + 1];
	if (strlen(s) == 10) {
		snprintf(full, sizeof full, "%sT00:00:00Z", s);
		s = full;
	}
	return ot_time_parse(s, out) == OT_OK;
}

int cli_print_json(const char *what, const char *json)
{
	if (printf("%s\n", json) < 0 || fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, what, "cannot write to standard output");
	return EXIT_OK;
}

/* --- formatting --- */

/* Writes v with thousands separators. */
static void group(char *buf, size_t size, uint64_t v)
{
	char digits[32];
	int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n && o + 1 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0 && o + 2 < size)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
}

const char *cli_fmt_mg(char *buf, size_t size, uint64_t mg)
{
	char whole[40];
	if (mg < 1000) {
		snprintf(buf, size, "%" PRIu64 " mg", mg);
		return buf;
	}
	/* Three decimals of the unit: g from mg, kg from g, t from kg. */
	const char *unit = "g";
	uint64_t div = 1000; /* mg per unit */
	if (mg >= UINT64_C(1000000000)) {
		unit = "t";
		div = UINT64_C(1000000000);
	} else if (mg >= 1000000) {
		unit = "kg";
		div = 1000000;
	}
	uint64_t milli_div = div / 1000;
	uint64_t thousandths = (mg + milli_div / 2) / milli_div;
	group(whole, sizeof whole, thousandths / 1000);
	snprintf(buf, size, "%s.%03" PRIu64 " %s", whole, thousandths % 1000, unit);
	return buf;
}

const char *cli_fmt_grams(char *buf, size_t size, int64_t grams)
{
	char whole[40];
	if (grams < 0) {
		snprintf(buf, size, "%" PRId64 " g", grams);
		return buf;
	}
	if (grams < 1000) {
		snprintf(buf, size, "%" PRId64 " g", grams);
		return buf;
	}
	if ((uint64_t)grams <= UINT64_MAX / 1000)
		return cli_fmt_mg(buf, size, (uint64_t)grams * 1000);
	group(whole, sizeof whole, (uint64_t)grams);
	snprintf(buf, size, "%s g", whole);
	return buf;
}

const char *cli_fmt_ppm(char *buf, size_t size, int64_t ppm)
{
	/* ppm / 10^4 is the percentage: four decimals, trailing zeros trimmed
	 * down to two. */
	int neg = ppm < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)ppm : (uint64_t)ppm;
	char frac[8];
	snprintf(frac, sizeof frac, "%04" PRIu64, v % 10000);
	size_t len = 4;
	while (len > 2 && frac[len - 1] == '0')
		frac[--len] = 0;
	snprintf(buf, size, "%s%" PRIu64 ".%s %%", neg ? "-" : "", v / 10000, frac);
	return buf;
}

/* Currencies whose minor unit is not a hundredth (ISO 4217). */
static unsigned minor_digits(const char *currency)
{
	static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
	                                   "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
	                                   "VND", "VUV", "XAF", "XOF", "XPF", NULL};
	static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};
	for (size_t i = 0; zero[i]; i++)
		if (strcmp(currency, zero[i]) == 0)
			return 0;
	for (size_t i = 0; three[i]; i++)
		if (strcmp(currency, three[i]) == 0)
			return 3;
	return 2;
}

const char *cli_fmt_money(char *buf, size_t size, int64_t minor, const char *currency)
{
	char whole[40];
	unsigned d = minor_digits(currency ? currency : "");
	uint64_t v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t scale = d == 0 ? 1 : d == 3 ? 1000 : 100;
	group(whole, sizeof whole, v / scale);
	if (d == 0)
		snprintf(buf, size, "%s%s %s", minor < 0 ? "-" : "", whole,
		         currency ? currency : "");
	else
		snprintf(buf, size, "%s%s.%0*" PRIu64 " %s", minor < 0 ? "-" : "", whole, (int)d,
		         v % scale, currency ? currency : "");
	return buf;
}

const char *cli_fmt_assay(char *buf, size_t size, json_t *assay)
{
	size_t used = 0;
	const char *el;
	json_t *v;
	buf[0] = 0;
	json_object_foreach(assay, el, v)
	{
		char pct[32];
		cli_fmt_ppm(pct, sizeof pct, (int64_t)json_integer_value(v));
		int n = snprintf(buf + used, size - used, "%s%s %s", used ? ", " : "", el, pct);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, size, "none");
	return buf;
}

const char *cli_fmt_value(char *buf, size_t size, json_t *v)
{
	buf[0] = 0;
	if (json_is_string(v)) {
		snprintf(buf, size, "%s", json_string_value(v));
	} else if (ot_commit_is(v)) {
		snprintf(buf, size, "(committed: %.19s...)",
		         json_string_value(json_object_get(v, "commit")));
	} else if (json_is_object(v) && json_object_size(v) == 2 &&
	           json_is_integer(json_object_get(v, "amount")) &&
	           json_is_string(json_object_get(v, "currency"))) {
		cli_fmt_money(buf, size, (int64_t)json_integer_value(json_object_get(v, "amount")),
		              json_string_value(json_object_get(v, "currency")));
	} else if (json_is_array(v)) {
		int strings = 1;
		for (size_t i = 0; i < json_array_size(v); i++)
			strings &= json_is_string(json_array_get(v, i));
		if (strings) {
			size_t used = 0;
			for (size_t i = 0; i < json_array_size(v); i++) {
				int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
				                 json_string_value(json_array_get(v, i)));
				if (n < 0 || (size_t)n >= size - used)
					break;
				used += (size_t)n;
			}
			return buf;
		}
	}
	if (!buf[0]) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		snprintf(buf, size, "%s", s ? s : "?");
		free(s);
	}
	return buf;
}

const char *cli_element_name(const char *symbol)
{
	static const char *const names[][2] = {
		{"Ag", "silver"},       {"Al", "aluminium"},  {"Au", "gold"},
		{"Ce", "cerium"},       {"Co", "cobalt"},     {"Cr", "chromium"},
		{"Cu", "copper"},       {"Dy", "dysprosium"}, {"Er", "erbium"},
		{"Eu", "europium"},     {"Fe", "iron"},       {"Ga", "gallium"},
		{"Gd", "gadolinium"},   {"Ge", "germanium"},  {"Ho", "holmium"},
		{"La", "lanthanum"},    {"Li", "lithium"},    {"Lu", "lutetium"},
		{"Mn", "manganese"},    {"Mo", "molybdenum"}, {"Nb", "niobium"},
		{"Nd", "neodymium"},    {"Ni", "nickel"},     {"Pb", "lead"},
		{"Pr", "praseodymium"}, {"Pt", "platinum"},   {"Sb", "antimony"},
		{"Sc", "scandium"},     {"Sm", "samarium"},   {"Sn", "tin"},
		{"Ta", "tantalum"},     {"Tb", "terbium"},    {"Ti", "titanium"},
		{"Tm", "thulium"},      {"U", "uranium"},     {"V", "vanadium"},
		{"W", "tungsten"},      {"Y", "yttrium"},     {"Yb", "ytterbium"},
		{"Zn", "zinc"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i][0], symbol) == 0)
			return names[i][1];
	return NULL;
}

const char *cli_fmt_logged(char *buf, size_t size, json_t *logged)
{
	const char *basis = cli_jstr(logged, "basis");
	const char *after = cli_jstr(logged, "after"), *before = cli_jstr(logged, "before");
	const char *how = strcmp(basis, "witnessed") == 0 ? "witnessed by"
	                                                  : "on the operator's clock (no witness)";
	if (!*after && !*before)
		snprintf(buf, size, "unknown: the ledger has no checkpoint history for it");
	else if (!*before && strcmp(basis, "witnessed") == 0)
		snprintf(buf, size,
		         "after %s (witnessed); open: no witness has cosigned a checkpoint with it "
		         "yet",
		         after);
	else if (!*before)
		snprintf(buf, size, "after %s (operator); open: no checkpoint contains it yet",
		         after);
	else if (!*after)
		snprintf(buf, size, "before %s, %s", before, how);
	else
		snprintf(buf, size, "between %s and %s, %s", after, before, how);
	if (strcmp(basis, "witnessed") == 0 && *before) {
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, " %" PRId64, cli_jint(logged, "witnesses", 0));
	}
	return buf;
}

const char *cli_jstr(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

int64_t cli_jint(json_t *obj, const char *key, int64_t fallback)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

/* --- tables --- */

void cli_table_init(cli_table *t, size_t ncols, const char *const *head, const char *align)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->align = align;
	cli_table_row(t, head);
}

void cli_table_row(cli_table *t, const char *const *cells)
{
	if (t->oom)
		return;
	if (t->n + t->ncols > t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16 * t->ncols;
		char **p = realloc(t->cells, nc * sizeof *p);
		if (!p) {
			t->oom = 1;
			return;
		}
		t->cells = p;
		t->cap = nc;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *s = strdup(cells[i] ? cells[i] : "");
		if (!s) {
			for (size_t k = 0; k < i; k++)
				free(t->cells[t->n + k]);
			t->oom = 1;
			return;
		}
		t->cells[t->n + i] = s;
	}
	t->n += t->ncols;
}

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

void cli_table_print(const cli_table *t, FILE *out, const char *indent)
{
	size_t w[16] = {0};
	size_t ncols = t->ncols < 16 ? t->ncols : 16;
	for (size_t i = 0; i < t->n; i++) {
		size_t c = i % t->ncols;
		if (c < ncols && width(t->cells[i]) > w[c])
			w[c] = width(t->cells[i]);
	}
	for (size_t r = 0; r < t->n; r += t->ncols) {
		fputs(indent, out);
		for (size_t c = 0; c < ncols; c++) {
			const char *s = t->cells[r + c];
			size_t pad = w[c] - width(s);
			int last = c + 1 == ncols;
			if (t->align[c] == 'r')
				fprintf(out, "%*s%s", (int)pad, "", s);
			else
				fprintf(out, "%s%*s", s, last ? 0 : (int)pad, "");
			if (!last)
				fputs("  ", out);
		}
		fputc('\n', out);
	}
}

void cli_table_free(cli_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

void cli_print_origins(json_t *rows, int by_site, const char *title)
{
	static const char *const head_site[] = {"element", "site", "country", "content", "share"};
	static const char *const head_country[] = {"element", "country", "content", "share"};
	cli_table t;
	cli_table_init(&t, by_site ? 5 : 4, by_site ? head_site : head_country,
	               by_site ? "lllrr" : "llrr");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		char mg[48], share[32];
		cli_fmt_mg(mg, sizeof mg, (uint64_t)cli_jint(r, "mg", 0));
		cli_fmt_ppm(share, sizeof share, cli_jint(r, "share_ppm", 0));
		const char *site_row[] = {cli_jstr(r, "element"), cli_jstr(r, "site"),
		                          cli_jstr(r, "country"), mg, share};
		const char *country_row[] = {cli_jstr(r, "element"), cli_jstr(r, "country"), mg,
		                             share};
		cli_table_row(&t, by_site ? site_row : country_row);
	}
	printf("\n%s\n", title);
	if (json_array_size(rows) == 0)
		printf("  none: no tracked element of the lot was mined (recycled feed and\n"
		       "  external inputs are listed by stage)\n");
	else
		cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);
}

void cli_print_stages(json_t *rows, const char *title)
{
	static const char *const head[] = {"stage",    "element", "country", "site",
	                                   "facility", "amount",  "share"};
	cli_table t;
	cli_table_init(&t, 7, head, "lllllrr");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i), *f = json_object_get(r, "facility");
		char g[48], sh[32], fac[256] = "";
		ot_buf b;
		ot_buf_init(&b, 0);
		const char *scheme;
		json_t *id;
		json_object_foreach(json_object_get(f, "ids"), scheme, id) ot_buf_printf(
			&b, "%s%s:%s", b.len ? " " : "", scheme, json_string_value(id));
		snprintf(fac, sizeof fac, "%s%s%s", cli_jstr(f, "operator"),
		         json_object_get(f, "operator") && b.len ? " " : "",
		         b.len ? (const char *)b.data : "");
		ot_buf_free(&b);
		const char *row[] = {cli_jstr(r, "stage"),
		                     cli_jstr(r, "element"),
		                     cli_jstr(r, "country"),
		                     cli_jstr(r, "site"),
		                     fac,
		                     cli_fmt_grams(g, sizeof g, cli_jint(r, "grams", 0)),
		                     cli_fmt_ppm(sh, sizeof sh, cli_jint(r, "share_ppm", 0))};
		cli_table_row(&t, row);
	}
	printf("\n%s\n", title);
	cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);
}

void cli_print_recycled(json_t *rows, const char *indent)
{
	static const char *const head[] = {"element", "recycled", "share", "post-consumer",
	                                   "pre-consumer"};
	cli_table t;
	cli_table_init(&t, 5, head, "lrrrr");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		char mg[48], sh[32], post[48], pre[48];
		const char *row[] = {
			cli_jstr(r, "element"),
			cli_fmt_mg(mg, sizeof mg, (uint64_t)cli_jint(r, "mg", 0)),
			json_object_get(r, "share_ppm")
				? cli_fmt_ppm(sh, sizeof sh, cli_jint(r, "share_ppm", 0))
				: "-",
			cli_fmt_mg(post, sizeof post, (uint64_t)cli_jint(r, "post_consumer_mg", 0)),
			cli_fmt_mg(pre, sizeof pre, (uint64_t)cli_jint(r, "pre_consumer_mg", 0))};
		cli_table_row(&t, row);
	}
	cli_table_print(&t, stdout, indent);
	cli_table_free(&t);
}

void cli_csv_row(FILE *out, size_t n, const char *const *cells)
{
	for (size_t i = 0; i < n; i++) {
		const char *c = cells[i] ? cells[i] : "";
		if (i)
			fputc(',', out);
		if (!strpbrk(c, ",\"\r\n")) {
			fputs(c, out);
			continue;
		}
		fputc('"', out);
		for (; *c; c++) {
			if (*c == '"')
				fputc('"', out);
			fputc(*c, out);
		}
		fputc('"', out);
	}
	fputc('\n', out);
}

#ifndef OT_PROFILES_DIR
#define OT_PROFILES_DIR "profiles"
#endif
/* The profiles' place under the install prefix (CMake's datadir). */
#ifndef OT_INSTALL_PROFILES
#define OT_INSTALL_PROFILES "share/oretrail/profiles"
#endif
#define PROFILE_MAX (64 * 1024)

/* Where the compliance profiles are: $OT_PROFILES_DIR; else, for an
 * installed oretrail, share/oretrail/profiles beside its bin/ (what
 * `cmake --install` writes); else the source tree's profiles/, where the
 * build and the tests run from. */
static const char *profiles_dir(void)
{
	static char installed[4096];
	const char *dir = getenv("OT_PROFILES_DIR");
	if (dir && *dir)
		return dir;
	struct stat sb;
	if (cli_beside_self(installed, sizeof installed, "../" OT_INSTALL_PROFILES) == 0 &&
	    stat(installed, &sb) == 0 && S_ISDIR(sb.st_mode))
		return installed;
	return OT_PROFILES_DIR;
}

int cli_profile_read(const char *what, const char *profile, char **text, size_t *len)
{
	char path[4096];
	size_t n = strlen(profile);
	int w;
	if (strchr(profile, '/') || (n > 5 && strcmp(profile + n - 5, ".json") == 0))
		w = snprintf(path, sizeof path, "%s", profile);
	else
		w = snprintf(path, sizeof path, "%s/%s.json", profiles_dir(), profile);
	if (w < 0 || (size_t)w >= sizeof path)
		return cli_failf(EXIT_USAGE, what, "unknown profile %.64s...: its path is too long",
		                 profile);
	ot_error err;
	ot_error_clear(&err);
	if (ot_file_read(path, text, len, PROFILE_MAX, &err))
		return cli_failf(EXIT_USAGE, what,
		                 "unknown profile %s: cannot read %s: %s (profiles: dfars-7052, "
		                 "crma, or a file)",
		                 profile, path, err.message);
	return 0;
}

int cli_profiles_add(cli_profiles *ps, const char *what, const char *profile, int flags)
{
	char *text = NULL;
	size_t len = 0;
	if (ps->n == CLI_PROFILES_MAX)
		return cli_failf(EXIT_USAGE, what, "at most %d profiles", CLI_PROFILES_MAX);
	int code = cli_profile_read(what, profile, &text, &len);
	if (code)
		return code;
	ps->texts[ps->n] = text;
	ps->items[ps->n++] = (ot_cert_profile){text, len, flags};
	return 0;
}

int cli_profiles_add_shipped(cli_profiles *ps, const char *what)
{
	DIR *d = opendir(profiles_dir());
	struct dirent *de;
	char path[4096];
	int code = 0;
	while (d && !code && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		int w = snprintf(path, sizeof path, "%s/%s", profiles_dir(), de->d_name);
		if (w < 0 || (size_t)w >= sizeof path)
			continue; /* cannot be opened by name */
		code = cli_profiles_add(ps, what, path, OT_CERT_PROFILE_SHIPPED);
	}
	if (d)
		closedir(d);
	return code;
}

void cli_profiles_free(cli_profiles *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->texts[i]);
	ps->n = 0;
}

void cli_today(char out[16])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}
