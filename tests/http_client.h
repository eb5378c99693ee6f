/*
 * http_client.h: a small HTTP/1.1 client over a plain socket, for the
 * server tests: real requests to 127.0.0.1, no library in between, so the
 * tests see exactly the bytes the server sends. Header-only; every socket
 * has a receive time-out so a stuck server fails a test instead of hanging
 * it. Bodies are read by Content-Length or to the end of the connection.
 */
#ifndef OT_TEST_HTTP_CLIENT_H
#define OT_TEST_HTTP_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define HC_UNUSED __attribute__((unused))

typedef struct http_resp {
	int status;    /* 0 when no response came */
	char *head;    /* status line and headers, NUL-terminated */
	uint8_t *body; /* NUL-terminated for convenience */
	size_t body_len;
	int closed; /* the server closed the connection after it */
} http_resp;

HC_UNUSED static void http_resp_free(http_resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

/* Connects to 127.0.0.1:port from 127.0.0.<source> (0: the system's
 * choice), for tests that need several client addresses; -1 on failure.
 * timeout_ms bounds each read and write. */
HC_UNUSED static int http_connect_from(uint16_t port, unsigned source, int timeout_ms)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(0x7f000000u | (source & 0xffu));
	if (source && bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connects to 127.0.0.1:port; -1 on failure. timeout_ms bounds each read. */
HC_UNUSED static int http_connect_timeout(uint16_t port, int timeout_ms)
{
	return http_connect_from(port, 0, timeout_ms);
}

HC_UNUSED static int http_connect(uint16_t port)
{
	return http_connect_timeout(port, 20000);
}

HC_UNUSED static int http_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends a request. extra: more header lines, each ending in "\r\n" (may be
 * NULL). A body gets a Content-Length unless extra sets Transfer-Encoding. */
HC_UNUSED static int http_send(int fd, const char *method, const char *path, const char *extra,
                               const void *body, size_t len)
{
	char head[8192];
	int chunked = extra && strstr(extra, "Transfer-Encoding") != NULL;
	int n;
	if (body && !chunked)
		n = snprintf(head, sizeof head,
		             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %zu\r\n\r\n",
		             method, path, extra ? extra : "", len);
	else
		n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
		             method, path, extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof head)
		return -1;
	if (http_write_all(fd, head, (size_t)n))
		return -1;
	return body && len ? http_write_all(fd, body, len) : 0;
}

/* Finds a header's value in a response head (case-insensitive name);
 * copies it into buf. NULL when absent. */
HC_UNUSED static const char *http_header(const http_resp *r, const char *name, char *buf,
                                         size_t size)
{
	if (!r->head)
		return NULL;
	size_t nl = strlen(name);
	for (const char *p = strstr(r->head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			while (*v == ' ')
				v++;
			const char *end = strstr(v, "\r\n");
			size_t vl = end ? (size_t)(end - v) : strlen(v);
			if (vl >= size)
				vl = size - 1;
			memcpy(buf, v, vl);
			buf[vl] = 0;
			return buf;
		}
	}
	return NULL;
}

/* Reads one response. is_head: a response to HEAD (no body). 0 or -1. */
HC_UNUSED static int http_recv(int fd, http_resp *r, int is_head)
{
	memset(r, 0, sizeof *r);
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap + 1);
	char *end = NULL;
	if (!buf)
		return -1;
	/* Read byte-wise up to the end of the head, so nothing of a following
	 * response is consumed. */
	while (!end) {
		if (len == cap) {
			char *p = realloc(buf, cap * 2 + 1);
			if (!p)
				break;
			buf = p;
			cap *= 2;
		}
		ssize_t n = recv(fd, buf + len, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len++;
		buf[len] = 0;
		if (len >= 4 && memcmp(buf + len - 4, "\r\n\r\n", 4) == 0)
			end = buf + len;
	}
	if (!end) {
		free(buf);
		return -1;
	}
	r->head = buf;
	if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1) {
		r->status = 0;
		return -1;
	}
	char v[64];
	r->closed = http_header(r, "Connection", v, sizeof v) && strcasecmp(v, "close") == 0;
	long long want = -1;
	if (http_header(r, "Content-Length", v, sizeof v))
		want = atoll(v);
	if (is_head || r->status == 204 || r->status == 304)
		want = 0;
	size_t bcap = want >= 0 ? (size_t)want : 65536, blen = 0;
	uint8_t *body = malloc(bcap + 1);
	if (!body)
		return -1;
	while (want < 0 || blen < (size_t)want) {
		if (blen == bcap) {
			uint8_t *p = realloc(body, bcap * 2 + 1);
			if (!p)
				break;
			body = p;
			bcap *= 2;
		}
		ssize_t n = recv(fd, body + blen, bcap - blen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		blen += (size_t)n;
	}
	body[blen] = 0;
	r->body = body;
	r->body_len = blen;
	if (want >= 0 && blen != (size_t)want)
		return -1;
	return 0;
}

/* One request on a fresh connection. 0 when a response came. */
HC_UNUSED static int http_request(uint16_t port, const char *method, const char *path,
                                  const char *extra, const void *body, size_t len, http_resp *out)
{
	memset(out, 0, sizeof *out);
	int fd = http_connect(port);
	if (fd < 0)
		return -1;
	int rc = http_send(fd, method, path, extra, body, len);
	if (!rc)
		rc = http_recv(fd, out, strcmp(method, "HEAD") == 0);
	close(fd);
	return rc;
}

HC_UNUSED static int http_get(uint16_t port, const char *path, http_resp *out)
{
	return http_request(port, "GET", path, NULL, NULL, 0, out);
}

HC_UNUSED static int http_post(uint16_t port, const char *path, const void *body, size_t len,
                               http_resp *out)
{
	return http_request(port, "POST", path, "Content-Type: application/json\r\n", body, len,
	                    out);
}

#endif
