/*
 * epcis/hash.h: GS1 EPCIS 2.0 JSON-LD documents and the CBV 2.0 event hash
 * ID (GS1 Core Business Vocabulary 2.0, section "EPCIS Event Hash ID"; the
 * reference implementation is RalphTro/epcis-event-hash-generator).
 *
 * An EPCIS event has many serialisations (member order, bare or URI
 * vocabulary, EPC URNs or GS1 Digital Link, time zones); the hash ID names
 * the event itself. Its pre-hash string lists the event's fields in the
 * canonical property order as key=value pairs without separators: times in
 * UTC at millisecond precision, numbers without trailing zeros, vocabulary
 * as GS1 web URIs, GS1 identifiers as constrained canonical Digital Link
 * URIs, list items and user extensions sorted. The ID is
 * ni:///sha-256;<hex of SHA-256(pre-hash)>?ver=CBV2.0 (RFC 6920).
 *
 * Documents are parsed with jansson (duplicate member names rejected).
 * Numbers that are not integers are written as the shortest decimal that
 * reads back as the same double, never in jansson's "%.17g" form.
 * All functions are reentrant; an ot_epcis_doc is read-only once parsed.
 *
 * The public side (parsing into a new document, events, pre-hash strings
 * and hash IDs) is declared in oretrail/epcis.h; this header adds the
 * document's layout, documents on the stack, and the normalisations the
 * mapping shares.
 */
#ifndef OT_EPCIS_HASH_H
#define OT_EPCIS_HASH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/buf.h"
#include "oretrail/epcis.h"
#include "oretrail/status.h"

/* Deepest nesting of arrays and objects followed inside an event. */
#define OTX_EPCIS_MAX_DEPTH 48
/* Canonical time "YYYY-MM-DDTHH:MM:SS.mmmZ". */
#define OTX_EPCIS_TIME_LEN 24
/* Most namespace prefixes kept from a document's @context. */
#define OTX_EPCIS_MAX_PREFIXES 64

typedef struct otx_epcis_prefix {
	const char *prefix; /* borrowed from the document */
	const char *iri;
} otx_epcis_prefix;

/* A parsed EPCIS document (EPCISDocument, EPCISQueryDocument, or one bare
 * event). Owns `root`; everything else points into it. */
struct ot_epcis_doc {
	json_t *root;
	json_t *events; /* the event list: borrowed, or owned when `own_events` */
	int own_events;
	otx_epcis_prefix prefixes[OTX_EPCIS_MAX_PREFIXES]; /* from @context */
	size_t n_prefixes;
	json_t *ignore; /* array of field names the document says to leave out, or NULL */
};

/*
 * Parses an EPCIS 2.0 JSON-LD document into *out (cleared first), as
 * ot_epcis_doc_parse does into a new one, with the same errors.
 */
ot_status otx_epcis_doc_parse(const uint8_t *data, size_t len, ot_epcis_doc *out, ot_error *err);

/* Initialises an empty document (safe to clear). */
void otx_epcis_doc_init(ot_epcis_doc *doc);
/* Frees what doc owns and leaves it empty. NULL is a no-op. */
void otx_epcis_doc_clear(ot_epcis_doc *doc);

/*
 * Makes a document of an already parsed JSON value (the reference to root
 * is taken over, also on failure), as otx_epcis_doc_parse does.
 */
ot_status otx_epcis_doc_from_json(json_t *root, ot_epcis_doc *out, ot_error *err);

/* ---- normalisations, shared with the EPCIS mapping ---- */

/* How a value is read: which bare vocabulary it may use (rule 16). */
typedef enum otx_epcis_vocab {
	OTX_EPCIS_PLAIN,
	OTX_EPCIS_TIME,
	OTX_EPCIS_BIZSTEP,
	OTX_EPCIS_DISPOSITION,
	OTX_EPCIS_BTT, /* business transaction types */
	OTX_EPCIS_SDT, /* source and destination types */
} otx_epcis_vocab;

/* Appends the canonical form of a scalar value, as the pre-hash string has
 * it ("shipping" read as a bizStep -> "https://ref.gs1.org/cbv/BizStep-
 * shipping"). OT_ERR_NOTFOUND (nothing written) for null, arrays and
 * objects; OT_ERR_TOOBIG when out's cap is reached. */
ot_status otx_epcis_canonical(const ot_epcis_doc *doc, otx_epcis_vocab vocab, json_t *v,
                              ot_buf *out);

/* Appends a member name as the pre-hash string has it: "{namespace}local"
 * for "prefix:local" with a prefix the document (or the standard EPCIS
 * context) defines, otherwise the name as it is. */
ot_status otx_epcis_expand_key(const ot_epcis_doc *doc, const char *key, ot_buf *out);

/* The namespace a prefix stands for in the document, or NULL. */
const char *otx_epcis_prefix_iri(const ot_epcis_doc *doc, const char *prefix, size_t len);

/*
 * Writes the canonical form of an xsd:dateTimeStamp (any offset, any number
 * of fractional digits) as UTC with milliseconds, "YYYY-MM-DDTHH:MM:SS.mmmZ",
 * rounding half up on the fourth fractional digit. A time without an offset
 * is taken as UTC. Sets *unix_ms when not NULL. OT_ERR_PARSE when s is not
 * such a time.
 */
ot_status otx_epcis_time(const char *s, size_t len, char out[OTX_EPCIS_TIME_LEN + 1],
                         int64_t *unix_ms);

/*
 * Converts a GS1 identifier, an EPC URI (urn:epc:id:...), EPC class URI
 * (urn:epc:class:lgtin:...), EPC pattern URI (urn:epc:idpat:...) or any GS1
 * Digital Link URI, into the constrained canonical Digital Link URI of the
 * CBV 2.0 hash rules: host id.gs1.org, numeric AIs, no query, only the
 * finest level of identification. Appends it to out and returns 1; returns
 * 0 (out unchanged) when s is none of these. -1 when out's cap is reached.
 */
int otx_epcis_digital_link(const char *s, size_t len, ot_buf *out);

/*
 * Writes the shortest plain decimal (no exponent, no trailing zeros) that
 * reads back as the double d, into out (at least 400 bytes for any finite
 * double). OT_ERR_RANGE for NaN and infinities.
 */
ot_status otx_epcis_format_real(double d, char *out, size_t size);

#endif
