/*
 * epcis.h: GS1 EPCIS 2.0 for oretrail: reading EPCIS 2.0 JSON-LD documents,
 * their events' CBV 2.0 hash IDs (GS1 Core Business Vocabulary 2.0, "EPCIS
 * Event Hash ID"; the reference implementation is
 * RalphTro/epcis-event-hash-generator), the mapping of EPCIS events to
 * oretrail events (import) and the writing of oretrail events as an EPCIS
 * document (export). The mapping table is in the README, section "EPCIS
 * 2.0"; the implementation is src/epcis/.
 *
 * EPCIS is JSON, and this layer speaks jansson values: events are json_t
 * objects, borrowed unless said otherwise. The library is a format adapter
 * that stands on the ledger's data model (json.h) and keeps no state: all
 * functions are reentrant, a parsed document is read-only, and a writer is
 * used by one thread at a time.
 */
#ifndef ORETRAIL_EPCIS_H
#define ORETRAIL_EPCIS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/buf.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Length of a hash ID: "ni:///sha-256;" + 64 hex digits + "?ver=CBV2.0"
 * (RFC 6920). Buffers for one hold OT_EPCIS_HASH_ID_LEN + 1 bytes. */
#define OT_EPCIS_HASH_ID_LEN 89
/* Largest EPCIS document read. */
#define OT_EPCIS_INPUT_MAX ((size_t)32 << 20)
/* The namespace of oretrail's EPCIS user extensions (material, assay,
 * process, HS codes: what oretrail needs and EPCIS has no field for). */
#define OT_EPCIS_NS "https://oretrail.org/ns/epcis/"

/* ---- documents and hash IDs ---- */

/* A parsed EPCIS document (EPCISDocument, EPCISQueryDocument, or one bare
 * event): opaque, read-only once parsed. */
typedef struct ot_epcis_doc ot_epcis_doc;

/*
 * Parses an EPCIS 2.0 JSON-LD document from data[0..len) (at most
 * OT_EPCIS_INPUT_MAX bytes; duplicate member names rejected) into a new
 * document *out, which the caller frees with ot_epcis_doc_free. The event
 * list is epcisBody.eventList, epcisBody.queryResults.resultsBody.eventList
 * or epcisBody.event; a lone event object (with "type" ending in "Event")
 * is a document of one event. On failure *out is NULL and err says why:
 * OT_ERR_PARSE with code epcis_json (with line and column),
 * epcis_not_document or epcis_no_events; OT_ERR_TOOBIG (epcis_too_big);
 * OT_ERR_NOMEM.
 */
OT_EXPORT ot_status ot_epcis_doc_parse(const uint8_t *data, size_t len, ot_epcis_doc **out,
                                       ot_error *err);

/* Frees a document. NULL is a no-op. */
OT_EXPORT void ot_epcis_doc_free(ot_epcis_doc *doc);

/* The number of events of the document. */
OT_EXPORT size_t ot_epcis_doc_count(const ot_epcis_doc *doc);

/* Event i in document order, from 0 (borrowed from the document, valid until
 * it is freed; only to be read), or NULL when i is out of range. */
OT_EXPORT json_t *ot_epcis_doc_event(const ot_epcis_doc *doc, size_t i);

/*
 * Appends the CBV 2.0 pre-hash string of `event` (an event of the document,
 * or any event object read in the document's context: its namespace
 * prefixes) to `out`: the text whose SHA-256 the hash ID holds. Errors:
 * OT_ERR_PARSE with code epcis_bad_event (not an object, no string "type")
 * or epcis_too_deep; OT_ERR_TOOBIG when out's cap is reached. The event is
 * only read.
 */
OT_EXPORT ot_status ot_epcis_prehash(const ot_epcis_doc *doc, json_t *event, ot_buf *out,
                                     ot_error *err);

/* Writes the hash ID of `event`, NUL-terminated, into out. Errors as
 * ot_epcis_prehash's. */
OT_EXPORT ot_status ot_epcis_hash_id(const ot_epcis_doc *doc, json_t *event,
                                     char out[OT_EPCIS_HASH_ID_LEN + 1], ot_error *err);

/* Writes the hash ID of the pre-hash string prehash[0..len), NUL-terminated,
 * into out. */
OT_EXPORT void ot_epcis_hash_of_prehash(const char *prehash, size_t len,
                                        char out[OT_EPCIS_HASH_ID_LEN + 1]);

/* 1 when s is a well-formed CBV 2.0 SHA-256 hash ID (lowercase hex), else 0. */
OT_EXPORT int ot_epcis_is_hash_id(const char *s);

/*
 * Checks that `event` (of doc) is a usable EPCIS 2.0 event before it is
 * hashed or mapped: eventTime present and an xsd:dateTimeStamp (with its
 * offset), eventTimeZoneOffset present and +hh:mm / -hh:mm, and every
 * identifier (epcList, childEPCs, inputEPCList, outputEPCList, parentID,
 * the epcClass of each quantity, readPoint.id, bizLocation.id, sources and
 * destinations) a URI, GS1 EPC URIs (urn:epc:id|class|idpat:<GS1 scheme>)
 * well formed. Returns OT_OK, or OT_ERR_PARSE with code epcis_bad_event,
 * epcis_no_time, epcis_bad_time, epcis_no_offset, epcis_bad_offset or
 * epcis_bad_id and a message naming the field and its value (index -1).
 * Only reads; reentrant.
 */
OT_EXPORT ot_status ot_epcis_validate(const ot_epcis_doc *doc, json_t *event, ot_error *err);

/* ---- import: EPCIS events to oretrail events ---- */

/* What became of one EPCIS event. Zero it (or clear it) before first use;
 * free what it holds with ot_epcis_mapping_clear. */
typedef struct ot_epcis_mapping {
	size_t event;  /* position in the document, from 0 */
	char type[32]; /* its EPCIS type, truncated; "?" when it has none */
	char hash_id[OT_EPCIS_HASH_ID_LEN + 1]; /* "" when it could not be hashed */
	json_t *events;    /* the unsigned oretrail events (owned array), empty when not mapped */
	ot_error error;    /* status OT_OK when mapped, else what stood in the way */
	char missing[256]; /* with epcis_no_mass, epcis_not_mass, epcis_no_material,
	                      epcis_no_assay, epcis_no_process and a party that is not an
	                      actor id: the profile key that would supply it (an item's
	                      class, a lot, a bizStep, a party); else "" */
} ot_epcis_mapping;

/*
 * Maps event i of doc, as a pure function of the event and its document's
 * context, into *out (previous contents are cleared first). Every oretrail
 * event made carries its EPCIS original and its hash ID as "epcis". Returns
 * out->error.status: OT_OK, or OT_ERR_PARSE / OT_ERR_RULE with a code:
 * epcis_bad_event, epcis_unsupported (an event type, bizStep or action
 * oretrail has no counterpart for), epcis_error_declaration, epcis_no_mass,
 * epcis_not_mass, epcis_no_site, epcis_no_lot, epcis_no_material,
 * epcis_no_assay, epcis_no_process, epcis_no_consignment,
 * epcis_no_destination, epcis_no_consignee, epcis_bad_id, epcis_bad_time,
 * epcis_bad_extension, epcis_hash_mismatch (the event carries a hash ID
 * that is not its own); OT_ERR_NOMEM.
 */
OT_EXPORT ot_status ot_epcis_map_event(const ot_epcis_doc *doc, size_t i, ot_epcis_mapping *out);

/* Frees what m holds and zeroes it. NULL is a no-op. */
OT_EXPORT void ot_epcis_mapping_clear(ot_epcis_mapping *m);

/* ---- mapping profiles (docs/epcis-profiles.md) ---- */

/* What a partner's identifiers mean in this ledger: locations -> sites,
 * parties -> actors, EPC classes / LGTINs / GTINs -> material and assay,
 * bizSteps -> processes. Opaque, read-only once parsed, shareable. */
typedef struct ot_epcis_profile ot_epcis_profile;

/*
 * Parses a profile (JSON, at most OT_EPCIS_INPUT_MAX bytes, duplicate
 * members rejected) into a new *out, freed with ot_epcis_profile_free.
 * A null table value is a placeholder, read as no entry. Errors
 * OT_ERR_PARSE with code profile_json (line, column), profile_not_object,
 * profile_format, profile_unknown_member, profile_bad_table,
 * profile_bad_key, profile_bad_value, profile_conflict (two keys for one
 * identifier with different values); OT_ERR_TOOBIG (profile_too_big);
 * OT_ERR_NOMEM. On failure *out is NULL.
 */
OT_EXPORT ot_status ot_epcis_profile_parse(const uint8_t *data, size_t len, ot_epcis_profile **out,
                                           ot_error *err);

/* Frees a profile. NULL is a no-op. */
OT_EXPORT void ot_epcis_profile_free(ot_epcis_profile *p);

/* A new profile with no entries in *out (free with ot_epcis_profile_free).
 * OT_ERR_NOMEM. */
OT_EXPORT ot_status ot_epcis_profile_new(ot_epcis_profile **out, ot_error *err);

/*
 * Adds to p the Digital Link of a GLN (13 digits): as a location
 * (https://id.gs1.org/414/<gln>, an SGLN) naming site `id` when party is
 * 0, as a party (https://id.gs1.org/417/<gln>, a PGLN) naming actor `id`
 * when 1. An entry the profile already has for that identifier stays (a
 * partner's own profile wins). OT_ERR_PARSE (profile_bad_key) for a GLN
 * that is not 13 digits with its check digit; OT_ERR_NOMEM.
 */
OT_EXPORT ot_status ot_epcis_profile_add_gln(ot_epcis_profile *p, int party, const char *gln,
                                             const char *id, ot_error *err);

/* As ot_epcis_map_event, reading identifiers through profile p (NULL: no
 * profile, the same as ot_epcis_map_event). Extensions in the event
 * (oretrail:material, oretrail:process, ...) win over the profile. */
OT_EXPORT ot_status ot_epcis_map_event_with(const ot_epcis_doc *doc, size_t i,
                                            const ot_epcis_profile *p, ot_epcis_mapping *out);

/*
 * A starting profile for doc in *out (a new object; json_decref it): every
 * location of a material flow under "sites" with its default id, every
 * party under "parties", every class of new lots without material under
 * "materials" and every bizStep of a transformation without process under
 * "processes", those the mapping cannot fill null; and "unmapped": [{"kind",
 * "id","events":[1-based event numbers]}] listing each null. OT_ERR_NOMEM.
 */
OT_EXPORT ot_status ot_epcis_profile_infer(const ot_epcis_doc *doc, json_t **out, ot_error *err);

/* 1 when a mapping failed because the EPCIS event is not a material flow
 * oretrail records (aggregation, association, pure observation, error
 * declaration), 0 when it is one whose mapping is incomplete or wrong. */
OT_EXPORT int ot_epcis_mapping_unsupported(const ot_epcis_mapping *m);

/* ---- what a ledger must hold before a document comes in ---- */

typedef struct ot_ledger ot_ledger;

/* Who declares what (ot_epcis_registry). */
typedef struct ot_epcis_registry_opts {
	const char *actor;     /* the partner: the actor that will sign the import */
	const char *vkey;      /* its verifier key, for its `actor` event */
	const char *authority; /* the ledger's authority (never registered again) */
	const char *country;   /* ISO 3166-1 alpha-2: the partner's, its sites' and
	                          what it brings in */
	const char *tag;       /* prefix of the event ids made (unique per document) */
} ot_epcis_registry_opts;

/*
 * The ledger's own events that doc's mapped material flows (through
 * profile p, may be NULL) need before the rules can accept them, in
 * ledger l (NULL: an empty one; what l holds is not made again), into *out
 * (a new object; json_decref it):
 *   {"authority": [bare `actor` and `site` events, for the authority to
 *    sign], "partner": [bare events for o->actor to sign: a `transform`
 *    with one `external` input (process blending) bringing in each lot the
 *    document consumes that nothing makes, at the site where it is first
 *    used; then a `ship` to the partner of each consignment the document
 *    receives that nothing ships, from a site of the partner's],
 *    "left": [{"kind","id","reason"}: what only someone else can declare:
 *    kind actor (another actor: its own key), material (a consumed lot's
 *    material and assay: a profile line), item_mass, lot]}.
 * The partner is registered with the roles its events need, every site
 * as the kind its events need (mine, plant, lab, else warehouse), held by
 * it. Times: three, two and one days before the document's earliest
 * mapped event. OT_ERR_NOMEM.
 */
OT_EXPORT ot_status ot_epcis_registry(const ot_epcis_doc *doc, const ot_epcis_profile *p,
                                      ot_ledger *l, const ot_epcis_registry_opts *o, json_t **out,
                                      ot_error *err);

/* ---- export: oretrail events to an EPCIS document ---- */

/* An EPCISDocument being written: opaque, one thread at a time. */
typedef struct ot_epcis_writer ot_epcis_writer;

/* What a writer has written so far. */
typedef struct ot_epcis_counts {
	size_t written;     /* EPCIS events written */
	size_t as_original; /* of those, written as the EPCIS original they were imported from */
	size_t constructed; /* of those, written from their oretrail fields */
	size_t skipped;     /* oretrail events without an EPCIS form */
} ot_epcis_counts;

/* Starts an EPCISDocument created at `creation` (RFC 3339) in a new writer
 * *out, which the caller frees with ot_epcis_writer_free. OT_ERR_NOMEM. */
OT_EXPORT ot_status ot_epcis_writer_new(const char *creation, ot_epcis_writer **out, ot_error *err);

/*
 * Adds an oretrail event (the "event" object of a log entry; only read). An
 * event that carries its EPCIS original is written as that original when
 * mapping the original again gives exactly the event (so it keeps its hash
 * ID); any other from its oretrail fields. Types without an EPCIS form
 * (actor, site, resource, contract, disclose, payment, ...) are skipped:
 * OT_ERR_NOTFOUND, nothing written. Other errors say why the event could not
 * be written (OT_ERR_NOMEM among them); the writer can go on with the next.
 */
OT_EXPORT ot_status ot_epcis_writer_add(ot_epcis_writer *w, json_t *event, ot_error *err);

/*
 * The ledger's facts that events do not carry, for the events added after:
 * ot_epcis_writer_gln gives site (party 0) or actor (party 1) `id` the GLN
 * `gln`, written as its GS1 Digital Link (.../414/<gln> for a location,
 * .../417/<gln> for a party) instead of urn:oretrail:site: / actor: URIs;
 * ot_epcis_writer_shipped says that `lot` left in `consignment` with
 * `grams`, the quantity its shipping event carries. OT_ERR_PARSE for a GLN
 * that is not 13 digits with its check digit; OT_ERR_NOMEM.
 */
OT_EXPORT ot_status ot_epcis_writer_gln(ot_epcis_writer *w, int party, const char *id,
                                        const char *gln, ot_error *err);
OT_EXPORT ot_status ot_epcis_writer_shipped(ot_epcis_writer *w, const char *consignment,
                                            const char *lot, int64_t grams, ot_error *err);

/* Finishes the document: *out is a new reference to it (json_decref it). */
OT_EXPORT ot_status ot_epcis_writer_finish(ot_epcis_writer *w, json_t **out, ot_error *err);

/* What the writer has written so far. */
OT_EXPORT void ot_epcis_writer_counts(const ot_epcis_writer *w, ot_epcis_counts *out);

/* Frees a writer and its reference to the document (the one
 * ot_epcis_writer_finish gave stays valid). NULL is a no-op. */
OT_EXPORT void ot_epcis_writer_free(ot_epcis_writer *w);

#ifdef __cplusplus
}
#endif
#endif
