/*
 * http_client.c: GET and POST on libcurl (include/oretrail/http.h), for the
 * server's witness puller and the CLI's followers.
 */
#include "oretrail/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/buf.h"
#include "oretrail/status.h"

ot_status ot_http_init(ot_error *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return ot_error_set(err, OT_ERR_IO, "cannot initialise libcurl");
	return OT_OK;
}

void ot_http_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	ot_buf *b = ctx;
	size_t n = size * nmemb;
	/* Returning less than n makes libcurl fail the transfer (the cap). */
	return ot_buf_add(b, ptr, n) == OT_OK ? n : 0;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load((const atomic_int *)ctx) != 0;
}

ot_status ot_http_request(const char *base_url, const char *path, const char *content_type,
                          const void *body, size_t len, const ot_http_limits *lim,
                          ot_http_resp *resp, ot_error *err)
{
	memset(resp, 0, sizeof *resp);
	size_t blen = strlen(base_url);
	while (blen && base_url[blen - 1] == '/')
		blen--;
	size_t ulen = blen + strlen(path) + 1;
	char *url = malloc(ulen);
	if (!url)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	memcpy(url, base_url, blen);
	memcpy(url + blen, path, strlen(path) + 1);

	ot_buf b;
	ot_buf_init(&b, lim->max);
	struct curl_slist *headers = NULL;
	CURL *c = curl_easy_init();
	ot_status rc = OT_OK;
	if (!c) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "cannot create an HTTP request");
		goto out;
	}
	char ebuf[CURL_ERROR_SIZE];
	ebuf[0] = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, lim->connect_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, lim->total_s);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "oretrail/0.1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (lim->cancel) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)(uintptr_t)lim->cancel);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	if (content_type) {
		char ct[160];
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
			rc = ot_error_set(err, OT_ERR_IO, "%s: the answer is larger than %zu bytes",
			                  url, lim->max);
		else
			rc = ot_error_set(err, OT_ERR_IO, "%s: %s", url,
			                  ebuf[0] ? ebuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_off_t retry = 0;
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
		resp->retry_after_s = retry > 3600 ? 3600L : (long)retry;
	char *type = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
		snprintf(resp->content_type, sizeof resp->content_type, "%s", type);
	if ((rc = ot_buf_addc(&b, 0))) {
		rc = ot_error_set(err, rc, "%s: the answer is larger than %zu bytes", url,
		                  lim->max);
		goto out;
	}
	b.len--;
	if ((rc = ot_buf_detach(&b, &resp->body, &resp->len)))
		rc = ot_error_set(err, rc, "out of memory");
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	ot_buf_free(&b);
	free(url);
	return rc;
}

#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 60L

ot_status ot_http_get(const char *base_url, const char *path, size_t max, ot_http_resp *resp,
                      ot_error *err)
{
	const ot_http_limits lim = {max, CONNECT_TIMEOUT_S, TOTAL_TIMEOUT_S, NULL};
	return ot_http_request(base_url, path, NULL, NULL, 0, &lim, resp, err);
}

ot_status ot_http_post(const char *base_url, const char *path, const char *content_type,
                       const void *body, size_t len, size_t max, ot_http_resp *resp, ot_error *err)
{
	const ot_http_limits lim = {max, CONNECT_TIMEOUT_S, TOTAL_TIMEOUT_S, NULL};
	return ot_http_request(base_url, path, content_type, body, len, &lim, resp, err);
}

void ot_http_free(ot_http_resp *resp)
{
	if (!resp)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}
