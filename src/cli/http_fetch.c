/*
 * http_fetch.c: GET and POST on libcurl (http_fetch.h). One easy handle per
 * request keeps it simple; the verbs make a handful of requests per round.
 */
#include "cli/http_fetch.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

#include "util/buf.h"
#include "util/error.h"

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 60L

ot_status cli_http_init(ot_error *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return otx_err(err, OT_ERR_IO, "cannot initialise libcurl");
	return OT_OK;
}

void cli_http_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	otx_buf *b = ctx;
	size_t n = size * nmemb;
	/* Returning less than n makes libcurl fail the transfer (the cap). */
	return otx_buf_add(b, ptr, n) == OT_OK ? n : 0;
}

static ot_status perform(const char *base_url, const char *path, const char *content_type,
                         const void *body, size_t len, int post, size_t max,
                         cli_http_resp *resp, ot_error *err)
{
	memset(resp, 0, sizeof *resp);
	size_t blen = strlen(base_url);
	while (blen && base_url[blen - 1] == '/')
		blen--;
	size_t ulen = blen + strlen(path) + 1;
	char *url = malloc(ulen);
	if (!url)
		return otx_err(err, OT_ERR_NOMEM, "out of memory");
	memcpy(url, base_url, blen);
	memcpy(url + blen, path, strlen(path) + 1);

	otx_buf b;
	otx_buf_init(&b, max);
	struct curl_slist *headers = NULL;
	CURL *c = curl_easy_init();
	ot_status rc = OT_OK;
	if (!c) {
		rc = otx_err(err, OT_ERR_NOMEM, "cannot create an HTTP request");
		goto out;
	}
	char ebuf[CURL_ERROR_SIZE];
	ebuf[0] = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "oretrail/0.1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (post) {
		char ct[128];
		snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
		headers = curl_slist_append(headers, ct);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		if (cc == CURLE_WRITE_ERROR)
			rc = otx_err(err, OT_ERR_IO, "%s: the answer is larger than %zu bytes", url, max);
		else
			rc = otx_err(err, OT_ERR_IO, "%s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if ((rc = otx_buf_addc(&b, 0))) {
		rc = otx_err(err, rc, "%s: the answer is larger than %zu bytes", url, max);
		goto out;
	}
	b.len--;
	if ((rc = otx_buf_detach(&b, &resp->body, &resp->len)))
		rc = otx_err(err, rc, "out of memory");
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	otx_buf_free(&b);
	free(url);
	return rc;
}

ot_status cli_http_get(const char *base_url, const char *path, size_t max, cli_http_resp *resp,
                       ot_error *err)
{
	return perform(base_url, path, NULL, NULL, 0, 0, max, resp, err);
}

ot_status cli_http_post(const char *base_url, const char *path, const char *content_type,
                        const void *body, size_t len, size_t max, cli_http_resp *resp,
                        ot_error *err)
{
	return perform(base_url, path, content_type, body, len, 1, max, resp, err);
}

void cli_http_free(cli_http_resp *resp)
{
	if (!resp)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
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
