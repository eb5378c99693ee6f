/*
 * follow.c: the loop of the verbs that follow a log (follow.h): a round,
 * then a pause that a signal cuts short.
 */
#include "cli/follow.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"

#include "oretrail/status.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int cli_follow(const char *verb, int once, uint64_t interval, cli_round_fn round, void *ctx)
{
	ot_error err;
	ot_error_clear(&err);
	if (ot_http_init(&err))
		return cli_fail(EXIT_STORE, verb, &err);
	signal(SIGPIPE, SIG_IGN);
	if (!once) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	int code = EXIT_OK;
	for (;;) {
		int stop = once;
		code = round(ctx, &stop);
		if (stop)
			break;
		for (uint64_t t = 0; t < interval * 10 && !stopping; t++) {
			struct timespec ts = {0, 100000000};
			nanosleep(&ts, NULL);
		}
		if (stopping)
			break;
	}
	ot_http_cleanup();
	return code;
}

int cli_follow_interval(const char *verb, const char *s, uint64_t *interval)
{
	if (s && (!cli_parse_u64(s, interval) || *interval == 0 || *interval > 86400))
		return cli_failf(EXIT_USAGE, verb,
		                 "--interval %s: expected seconds from 1 to 86400", s);
	return 0;
}
