/*
 * epcis_map.h: GS1 EPCIS 2.0 events to oretrail events and back (the
 * mapping table is in the README, section "EPCIS 2.0").
 *
 * Import maps one EPCIS event at a time, as a pure function, to the
 * unsigned oretrail events of EVENTS.md, or says why it cannot:
 *
 *   ObjectEvent ADD commissioning          -> extract (one per lot)
 *   ObjectEvent shipping                   -> ship
 *   ObjectEvent receiving                  -> receive
 *   TransformationEvent                    -> transform
 *   AggregationEvent ADD shipping|loading  -> ship (the parent is the consignment)
 *   AggregationEvent DELETE receiving|unloading -> receive
 *
 * Masses come from quantity lists with a unit of mass (GRM, KGM, TNE, ...),
 * converted to grams; what oretrail needs and EPCIS has no field for
 * (material, assay, process, HS codes) comes from user extensions in the
 * oretrail namespace OTX_EPCIS_NS, in the ILMD or on the event. Every
 * mapped event carries the EPCIS event it came from, with its CBV 2.0 hash
 * ID, as "epcis":{"hash","context"?,"event"} (sensor data, certification,
 * business transactions and extensions all kept), with numbers that are
 * not integers written as decimal strings: oretrail events hold integers
 * only, and the hash reads "26.1" and 26.1 alike.
 *
 * Export writes an EPCIS 2.0 document from oretrail events: an event that
 * carries its EPCIS original is written as that original when mapping the
 * original again gives exactly the ledger's event (so what is written is
 * what the ledger checked, and keeps its hash ID); any other is written
 * from its oretrail fields. Each exported event has its hash ID as
 * "oretrail:hash" (which the document lists in "oretrail:ignoreFields", so
 * that it does not change the hash) and as eventID when it has no other.
 */
#ifndef OT_LEDGER_EPCIS_MAP_H
#define OT_LEDGER_EPCIS_MAP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/epcis_hash.h"
#include "oretrail/status.h"

/* The namespace of oretrail's EPCIS user extensions, and its usual prefix. */
#define OTX_EPCIS_NS "https://oretrail.org/ns/epcis/"
#define OTX_EPCIS_NS_PREFIX "oretrail"

/* URIs for oretrail ids that are not URIs themselves: "urn:oretrail:lot:" +
 * the lot id, and so on. Import reads them back to the bare id. */
#define OTX_EPCIS_URN_LOT "urn:oretrail:lot:"
#define OTX_EPCIS_URN_SITE "urn:oretrail:site:"
#define OTX_EPCIS_URN_ACTOR "urn:oretrail:actor:"
#define OTX_EPCIS_URN_CONSIGNMENT "urn:oretrail:consignment:"
#define OTX_EPCIS_URN_EVENT "urn:oretrail:event:"

/* The standard JSON-LD context of EPCIS 2.0. */
#define OTX_EPCIS_CONTEXT_URL "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

/* What became of one EPCIS event. */
typedef struct otx_epcis_mapping {
	size_t event;  /* position in the document, from 0 */
	char type[32]; /* its EPCIS type, truncated; "?" when it has none */
	char hash_id[OTX_EPCIS_HASH_ID_LEN + 1]; /* "" when it could not be hashed */
	json_t *events; /* the oretrail events (owned array), empty when not mapped */
	ot_error error; /* status OT_OK when mapped, else what stood in the way */
} otx_epcis_mapping;

/*
 * Maps event i of doc into *out (any previous contents are cleared first;
 * out must be zeroed or cleared before its first use). Returns
 * out->error.status: OT_OK, or OT_ERR_PARSE / OT_ERR_RULE with a code:
 * epcis_bad_event, epcis_unsupported (an event type, bizStep or action
 * oretrail has no counterpart for), epcis_error_declaration (corrections of
 * earlier events are not imported), epcis_no_mass, epcis_not_mass (a
 * quantity in a unit that is not a mass), epcis_no_site, epcis_no_lot,
 * epcis_no_material, epcis_no_assay, epcis_no_process,
 * epcis_no_consignment, epcis_no_destination, epcis_no_consignee,
 * epcis_bad_id, epcis_bad_time, epcis_bad_extension, epcis_hash_mismatch
 * (the event carries a hash ID that is not its own); OT_ERR_NOMEM.
 */
ot_status otx_epcis_map_event(const otx_epcis_doc *doc, size_t i, otx_epcis_mapping *out);

/* Frees what m owns and zeroes it. NULL is a no-op. */
void otx_epcis_mapping_clear(otx_epcis_mapping *m);

/* Grams in `quantity` of unit `uom` (UN/CEFACT Rec. 20: GRM, KGM, TNE, MGM,
 * HGM, DTN, KTN, LBR, ONZ, APZ, STN, LTN), rounded to the nearest gram.
 * OT_ERR_PARSE when uom is not a unit of mass, OT_ERR_RANGE when the mass
 * is not positive or too large. */
ot_status otx_epcis_grams(double quantity, const char *uom, int64_t *grams);

/* ---- export ---- */

typedef struct otx_epcis_writer {
	json_t *doc;     /* the document being written */
	json_t *list;    /* its eventList (borrowed) */
	json_t *context; /* the prefixes object of its @context (borrowed) */
	json_t *pending; /* events of a multi-part import waiting for their parts */
	size_t written;  /* EPCIS events written */
	size_t as_original, constructed, skipped;
} otx_epcis_writer;

/* Starts an EPCISDocument created at `creation` (RFC 3339). */
ot_status otx_epcis_writer_init(otx_epcis_writer *w, const char *creation, ot_error *err);

/*
 * Adds an oretrail event (the "event" object of a log entry; only read).
 * Types without an EPCIS form (actor, site, resource, assay, contract,
 * disclose, payment) are skipped: OT_ERR_NOTFOUND, nothing written.
 */
ot_status otx_epcis_writer_add(otx_epcis_writer *w, json_t *event, ot_error *err);

/* Finishes the document: *out is a new reference to it. */
ot_status otx_epcis_writer_finish(otx_epcis_writer *w, json_t **out, ot_error *err);

void otx_epcis_writer_clear(otx_epcis_writer *w);

#endif
