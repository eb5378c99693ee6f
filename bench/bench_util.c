/*
 * bench_util.c: the helpers the benchmarks share (bench_util.h).
 *
 * One copy of what bench_log, bench_custody and bench_server each used to
 * carry: the clock, errors, statistics over timed calls, the machine's
 * description, the store or scratch file in use (unlinked at exit and on a
 * signal, since a proof log is close to a gigabyte) and option parsing.
 */
#include "bench_util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *bench_name = "bench";
int bench_check_code;

/* --- errors --- */

void bench_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", bench_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void bench_check(ot_status rc, const ot_error *err, const char *what)
{
	if (!rc)
		return;
	int code = bench_check_code && err && err->code[0];
	bench_die("%s: %s%s%s (%s)", what, code ? err->code : "", code ? ": " : "",
	          err && err->message[0] ? err->message : "", ot_status_str(rc));
}

void *bench_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		bench_die("out of memory (%zu bytes)", n);
	return p;
}

/* --- time and statistics --- */

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, bench_cmp_double);
	return n ? v[n / 2] : 0;
}

bench_stats bench_summarise(double *v, size_t n)
{
	bench_stats s = {0, 0, 0, 0, n};
	if (!n)
		return s;
	qsort(v, n, sizeof *v, bench_cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s.p50 = v[n / 2];
	s.p99 = v[(size_t)(0.99 * (double)(n - 1))];
	s.mean = sum / (double)n;
	s.max = v[n - 1];
	return s;
}

long bench_involuntary_switches(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nivcsw;
}

void bench_latency_init(bench_latency *l, size_t n)
{
	l->all = bench_xmalloc(n * sizeof(double));
	l->calm = bench_xmalloc(n * sizeof(double));
	l->n_all = l->n_calm = 0;
}

void bench_latency_add(bench_latency *l, double v, int preempted)
{
	l->all[l->n_all++] = v;
	if (!preempted)
		l->calm[l->n_calm++] = v;
}

void bench_latency_summarise(bench_latency *l, bench_stats *all, bench_stats *calm)
{
	*all = bench_summarise(l->all, l->n_all);
	*calm = bench_summarise(l->calm, l->n_calm);
}

void bench_latency_free(bench_latency *l)
{
	free(l->all);
	free(l->calm);
}

/* --- the machine --- */

void bench_banner(int quick)
{
	char when[64];
	time_t t = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&t));
	printf("oretrail %s, %s%s\n", bench_name, when, quick ? " (--quick: smoke sizes)" : "");
}

void bench_machine_line(int show_sha_ni, const char *libs_fmt, ...)
{
	char model[256] = "unknown CPU", sha[32] = "", libs[512];
	int got_model = 0, sha_ni = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[4096];
		/* The first model name; the flags of any CPU, if asked for. */
		while (fgets(line, sizeof line, f)) {
			if (!got_model && strncmp(line, "model name", 10) == 0) {
				const char *c = strchr(line, ':');
				if (c) {
					snprintf(model, sizeof model, "%s", c + 2);
					model[strcspn(model, "\n")] = 0;
					got_model = 1;
				}
			}
			if (strncmp(line, "flags", 5) == 0 && strstr(line, " sha_ni"))
				sha_ni = 1;
			if (got_model && !show_sha_ni)
				break;
		}
		fclose(f);
	}
	if (show_sha_ni)
		snprintf(sha, sizeof sha, ", SHA-NI %s", sha_ni ? "yes" : "no");
	va_list ap;
	va_start(ap, libs_fmt);
	vsnprintf(libs, sizeof libs, libs_fmt, ap);
	va_end(ap);
	printf("machine: %s, %ld CPUs online%s; %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), sha,
	       libs);
}

double bench_loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

double bench_peak_mib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

const char *bench_verdict(int ok)
{
	return ok ? "PASS" : "MISS";
}

/* --- temporary files --- */

#define STORE_FILES 5
static char live_store[STORE_FILES][BENCH_PATH_MAX];
static char live_file[BENCH_PATH_MAX];

static void store_files(const char *path, char (*out)[BENCH_PATH_MAX])
{
	static const char *const sfx[STORE_FILES] = {"", "-wal", "-shm", "-journal", "-tiles"};
	for (size_t i = 0; i < STORE_FILES; i++)
		snprintf(out[i], sizeof out[i], "%s%s", path, sfx[i]);
}

/* Only unlink and plain stores: this also runs in the signal handler. */
static void remove_store_files(void)
{
	if (live_store[0][0])
		for (size_t i = 0; i < STORE_FILES; i++)
			unlink(live_store[i]);
	live_store[0][0] = 0;
}

void bench_claim_store(const char *path)
{
	remove_store_files();
	store_files(path, live_store);
	remove_store_files();
	store_files(path, live_store);
}

void bench_claim_file(const char *path)
{
	snprintf(live_file, sizeof live_file, "%s", path);
}

void bench_remove_file(void)
{
	if (live_file[0])
		unlink(live_file);
	live_file[0] = 0;
}

void bench_remove_live_store(void)
{
	remove_store_files();
	bench_remove_file();
}

static void on_signal(int sig)
{
	bench_remove_live_store(); /* unlink is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

void bench_remove_at_exit(void)
{
	atexit(bench_remove_live_store);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
}

double bench_store_mib(const char *path)
{
	char files[STORE_FILES][BENCH_PATH_MAX];
	double total = 0;
	store_files(path, files);
	for (size_t i = 0; i < STORE_FILES; i++) {
		struct stat sb;
		if (stat(files[i], &sb) == 0)
			total += (double)sb.st_size;
	}
	return total / (1024.0 * 1024.0);
}

/* --- options --- */

static unsigned long long parse_uint(const char *opt, const char *v, unsigned long long max)
{
	char *end = NULL;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno || !end || end == v || *end || v[0] == '-' || x > max)
		bench_die("%s wants a non-negative integer, not \"%s\"", opt, v);
	return x;
}

uint64_t bench_parse_u64(const char *opt, const char *v)
{
	return (uint64_t)parse_uint(opt, v, UINT64_MAX);
}

size_t bench_parse_size(const char *opt, const char *v)
{
	return (size_t)parse_uint(opt, v, SIZE_MAX / 2);
}

int bench_parse_phases(const char *list, const char *const names[])
{
	int phases = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int i = 0;
		while (names[i] && strcmp(w, names[i]) != 0)
			i++;
		if (!names[i]) {
			/* "a, b and c" */
			char all[256] = "";
			size_t at = 0;
			for (int k = 0; names[k]; k++) {
				const char *sep = k == 0 ? "" : ", ";
				if (k > 0 && !names[k + 1])
					sep = " and ";
				int n = snprintf(all + at, sizeof all - at, "%s%s", sep, names[k]);
				if (n < 0 || (size_t)n >= sizeof all - at)
					break;
				at += (size_t)n;
			}
			bench_die("--only takes %s (comma-separated), not \"%s\"", all, w);
		}
		phases |= 1 << i;
	}
	return phases;
}
