/*
 * conneg.c: reading Accept-Encoding and If-None-Match (conneg.h). Both are
 * comma-separated lists (RFC 9110 section 5.6.1) whose elements may be
 * empty and are surrounded by optional white space; an element this code
 * cannot read is skipped (Accept-Encoding) or ends the list (If-None-Match)
 * rather than failing the request: either way the client gets a correct,
 * if larger, answer.
 */
#include <string.h>
#include <strings.h>

#include "server/conneg.h"

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 section 5.6.2 tchar. */
static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A cursor over the field value. */
typedef struct {
	const char *p, *end;
} cursor;

static void skip_ows(cursor *c)
{
	while (c->p < c->end && is_ows(*c->p))
		c->p++;
}

/* Skips to just past the next comma (or to the end). */
static void next_element(cursor *c)
{
	while (c->p < c->end && *c->p != ',')
		c->p++;
	if (c->p < c->end)
		c->p++;
}

/* RFC 9110 section 12.4.2 qvalue, in thousandths; -1 when malformed. */
static int qvalue(cursor *c)
{
	if (c->p >= c->end || (*c->p != '0' && *c->p != '1'))
		return -1;
	int one = *c->p++ == '1';
	int q = one ? 1000 : 0, scale = 100, digits = 0;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
			if (++digits > 3 || (one && *c->p != '0'))
				return -1;
			q += (*c->p++ - '0') * scale;
			scale /= 10;
		}
	}
	return q;
}

/* One Accept-Encoding element: its coding (*name, *name_len) and q; 0 when
 * it is not "token [ OWS ; OWS q=qvalue ]" followed by OWS and "," or the
 * end. Leaves the cursor at that comma or the end. */
static int read_coding(cursor *c, const char **name, size_t *name_len, int *q)
{
	*name = c->p;
	while (c->p < c->end && is_tchar(*c->p))
		c->p++;
	*name_len = (size_t)(c->p - *name);
	*q = 1000;
	if (*name_len == 0)
		return 0;
	skip_ows(c);
	if (c->p < c->end && *c->p == ';') {
		c->p++;
		skip_ows(c);
		if (c->end - c->p < 2 || (c->p[0] != 'q' && c->p[0] != 'Q') || c->p[1] != '=')
			return 0;
		c->p += 2;
		*q = qvalue(c);
		if (*q < 0)
			return 0;
		skip_ows(c);
	}
	return c->p == c->end || *c->p == ',';
}

static int coding_is(const char *name, size_t len, const char *coding)
{
	return strlen(coding) == len && strncasecmp(name, coding, len) == 0;
}

unsigned otx_accept_encoding_q(const char *header, size_t len, const char *coding)
{
	if (!header || !coding)
		return 0;
	cursor c = {header, header + len};
	int own = -1, any = -1;
	while (c.p < c.end) {
		skip_ows(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			continue;
		}
		const char *name;
		size_t name_len;
		int q;
		int ok = read_coding(&c, &name, &name_len, &q);
		next_element(&c);
		if (!ok)
			continue;
		if (coding_is(name, name_len, coding) ||
		    (strcasecmp(coding, "gzip") == 0 && coding_is(name, name_len, "x-gzip"))) {
			if (q > own)
				own = q;
		} else if (coding_is(name, name_len, "*")) {
			any = q;
		}
	}
	if (own >= 0)
		return (unsigned)own;
	return any >= 0 ? (unsigned)any : 0;
}

int otx_etag_matches(const char *header, size_t len, const char *etag)
{
	if (!header || !etag)
		return 0;
	size_t elen = strlen(etag);
	if (elen < 2 || etag[0] != '"' || etag[elen - 1] != '"')
		return 0;
	cursor c = {header, header + len};
	skip_ows(&c);
	if (c.p < c.end && *c.p == '*') {
		c.p++;
		skip_ows(&c);
		return c.p == c.end;
	}
	while (c.p < c.end) {
		skip_ows(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			continue;
		}
		if (c.end - c.p >= 2 && c.p[0] == 'W' && c.p[1] == '/')
			c.p += 2;
		if (c.p >= c.end || *c.p != '"')
			return 0;
		const char *open = c.p++;
		/* etagc: %x21 / %x23-7E / obs-text; no quote, no white space */
		while (c.p < c.end && *c.p != '"' && (unsigned char)*c.p > 0x20 &&
		       (unsigned char)*c.p != 0x7f)
			c.p++;
		if (c.p >= c.end || *c.p != '"')
			return 0;
		c.p++;
		if ((size_t)(c.p - open) == elen && memcmp(open, etag, elen) == 0)
			return 1;
		skip_ows(&c);
		if (c.p < c.end && *c.p != ',')
			return 0;
	}
	return 0;
}
