/*
 * conneg.h: the two request headers the dashboard's files are served by
 * (static.c): Accept-Encoding, which content coding the client takes (RFC
 * 9110 section 12.5.3), and If-None-Match, whether the client already holds
 * the representation (RFC 9110 section 13.1.2). Pure functions over the
 * header's text, no allocation; thread safe.
 */
#ifndef OT_SERVER_CONNEG_H
#define OT_SERVER_CONNEG_H

#include <stddef.h>

/*
 * The quality, in thousandths (0 to 1000), that the Accept-Encoding field
 * value `header` (len bytes, not necessarily NUL-terminated; NULL: the field
 * is absent) gives the content coding `coding` ("gzip", "br"; compared
 * without regard to case): its own entry's q (1000 without one), else that
 * of "*", else 0. "x-gzip" counts as "gzip" (RFC 9110 section 8.4.1.3). An
 * entry whose q is not a qvalue ("q=2", "q=0.1234") is ignored, as is one
 * that is not a token; the rest of the list still counts.
 */
unsigned otx_accept_encoding_q(const char *header, size_t len, const char *coding);

/*
 * 1 when the If-None-Match field value `header` (len bytes; NULL: absent)
 * is "*" or lists an entity-tag that matches `etag` (a quoted opaque-tag,
 * "\"abc\"") by the weak comparison the field uses (a "W/" prefix is
 * ignored); 0 otherwise, and for a value that is not a list of entity-tags
 * from the first malformed element on (the full response is always safe).
 */
int otx_etag_matches(const char *header, size_t len, const char *etag);

#endif
