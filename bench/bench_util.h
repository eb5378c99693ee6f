/*
 * bench_util.h: the helpers bench_log, bench_custody and bench_server share.
 *
 * The clock, dying with a message, the statistics of timed calls, what the
 * machine is and how busy it was, temporary stores that are removed however
 * a run ends, and option parsing. Each bench is a program of its own, so the
 * state kept here (the program's name, the store in use) is global to the
 * process. None of this is oretrail's API.
 */
#ifndef OT_BENCH_UTIL_H
#define OT_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

/* --- errors; both set in main, before anything can fail --- */

/* The program's name, the prefix of bench_die's messages ("bench_log"). */
extern const char *bench_name;
/* Nonzero: bench_check shows ot_error.code before the message. */
extern int bench_check_code;

/* Prints "NAME: message" on stderr and exits with status 1. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Dies unless rc is OT_OK: "what: [code: ]message (status)"; err may be NULL. */
void bench_check(ot_status rc, const ot_error *err, const char *what);
/* malloc that dies when out of memory; n = 0 still gives a pointer to free. */
void *bench_xmalloc(size_t n);

/* --- time and statistics --- */

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);
/* qsort comparison: doubles in ascending order. */
int bench_cmp_double(const void *a, const void *b);
/* Sorts v in place; returns v[n / 2] (the upper middle for even n), 0 if n = 0. */
double bench_median(double *v, size_t n);

typedef struct bench_stats {
	double p50, p99, mean, max;
	size_t n;
} bench_stats;

/* Sorts v in place; median, p99, mean and max of its n values (zeros if n = 0). */
bench_stats bench_summarise(double *v, size_t n);
/* Context switches forced on this process so far (getrusage ru_nivcsw). */
long bench_involuntary_switches(void);

/* The latencies of one operation, and the same without the calls during
 * which the scheduler preempted the process (another one took the CPU): on
 * a shared machine those measure the neighbours, not the code. Voluntary
 * switches (waiting for the disk) are the code's own cost and stay in. */
typedef struct bench_latency {
	double *all, *calm;
	size_t n_all, n_calm;
} bench_latency;

/* Room for n calls (allocated; dies when out of memory). */
void bench_latency_init(bench_latency *l, size_t n);
/* Adds one call's latency; `preempted`: involuntary switches during it. */
void bench_latency_add(bench_latency *l, double v, int preempted);
/* Sorts both series; their statistics into *all and *calm. */
void bench_latency_summarise(bench_latency *l, bench_stats *all, bench_stats *calm);
/* Frees the series (not l itself). */
void bench_latency_free(bench_latency *l);

/* --- the machine --- */

/* Prints "oretrail NAME, YYYY-MM-DD HH:MM UTC", and a note when quick. */
void bench_banner(int quick);
/* Prints "machine: CPU model, N CPUs online[, SHA-NI yes|no]; LIBS", LIBS
 * formatted from libs_fmt (the libraries the bench depends on). */
void bench_machine_line(int show_sha_ni, const char *libs_fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The 1-minute load average (how many others ran on a shared machine); -1 if unknown. */
double bench_loadavg(void);
/* The process's peak resident memory so far, MiB (ru_maxrss). */
double bench_peak_mib(void);
/* "PASS" or "MISS", for the goal lines. */
const char *bench_verdict(int ok);

/* --- temporary files, removed however the run ends (error, ^C) --- */

/* Room for a store's path and the suffix of its files. */
#define BENCH_PATH_MAX 4200

/* Removes the store claimed before, if any, and any files left of a store
 * at path (path, -wal, -shm, -journal); remembers path's for removal. */
void bench_claim_store(const char *path);
/* Remembers one plain file for removal (one at a time). */
void bench_claim_file(const char *path);
/* Removes the file claimed with bench_claim_file now, and forgets it. */
void bench_remove_file(void);
/* Removes the claimed store and file now, and forgets them. */
void bench_remove_live_store(void);
/* Calls bench_remove_live_store at exit and on SIGINT, SIGTERM and SIGHUP. */
void bench_remove_at_exit(void);
/* The size of the files of the store at path, MiB. */
double bench_store_mib(const char *path);

/* --- options --- */

/* v as a non-negative decimal integer; dies naming the option otherwise. */
uint64_t bench_parse_u64(const char *opt, const char *v);
/* The same, at most SIZE_MAX / 2. */
size_t bench_parse_size(const char *opt, const char *v);
/* A comma-separated list of phase names as a mask: bit i for names[i]
 * (names ends with NULL); dies on a name not in the list. */
int bench_parse_phases(const char *list, const char *const names[]);

#endif
