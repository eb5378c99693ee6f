/*
 * http_fetch.c: GET and POST for the verbs that follow a log (http_fetch.h),
 * on the client the server uses too (src/server/http_client.c), and their
 * loop. The verbs make a handful of requests per round.
 */
#include "cli/http_fetch.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

#include "oretrail/status.h"

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 60L

static const otx_http_limits LIMITS = {0, CONNECT_TIMEOUT_S, TOTAL_TIMEOUT_S, NULL};

ot_status cli_http_init(ot_error *err)
{
	return otx_http_init(err);
}

void cli_http_cleanup(void)
{
	otx_http_cleanup();
}

ot_status cli_http_get(const char *base_url, const char *path, size_t max, cli_http_resp *resp,
                       ot_error *err)
{
	otx_http_limits lim = LIMITS;
	lim.max = max;
	return otx_http_request(base_url, path, NULL, NULL, 0, &lim, resp, err);
}

ot_status cli_http_post(const char *base_url, const char *path, const char *content_type,
                        const void *body, size_t len, size_t max, cli_http_resp *resp,
                        ot_error *err)
{
	otx_http_limits lim = LIMITS;
	lim.max = max;
	return otx_http_request(base_url, path, content_type, body, len, &lim, resp, err);
}

void cli_http_free(cli_http_resp *resp)
{
	otx_http_free(resp);
}

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
	if (cli_http_init(&err))
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
	cli_http_cleanup();
	return code;
}
