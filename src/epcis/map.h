/*
 * epcis/map.h: GS1 EPCIS 2.0 events to oretrail events and back (the
 * mapping table is in the README, section "EPCIS 2.0").
 *
 * Import maps one EPCIS event at a time, as a pure function, to the
 * unsigned oretrail events of docs/events.md, or says why it cannot:
 *
 *   ObjectEvent ADD commissioning          -> extract (one per lot)
 *   ObjectEvent shipping                   -> ship
 *   ObjectEvent receiving                  -> receive
 *   ObjectEvent OBSERVE inspecting with element contents -> assay
 *   TransformationEvent                    -> transform
 *   AggregationEvent ADD shipping|loading  -> ship (the parent is the consignment)
 *   AggregationEvent DELETE receiving|unloading -> receive
 *
 * Masses come from quantity lists with a unit of mass (GRM, KGM, TNE, ...),
 * converted to grams; what oretrail needs and EPCIS has no field for
 * (material, assay, process, HS codes) comes from user extensions in the
 * oretrail namespace OT_EPCIS_NS, in the ILMD or on the event. Every
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
#ifndef OT_EPCIS_MAP_H
#define OT_EPCIS_MAP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "epcis/hash.h"
#include "oretrail/epcis.h"
#include "oretrail/status.h"

/* GS1 Digital Link prefixes of a GLN as a location (AI 414, an SGLN) and
 * as a party (AI 417, a PGLN). */
#define OTX_EPCIS_DL_SGLN "https://id.gs1.org/414/"
#define OTX_EPCIS_DL_PGLN "https://id.gs1.org/417/"

/* The usual prefix of oretrail's namespace OT_EPCIS_NS. */
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

/* ot_epcis_map_event and ot_epcis_mapping_clear are declared in
 * oretrail/epcis.h. */
/*
 * The oretrail id an EPCIS identifier s[0..len) stands for (surrounding
 * white space ignored): the rest after `urn` (NULL: none) when it starts
 * with it, else the constrained canonical Digital Link of a GS1 key, else
 * s itself. Appended to b, NUL-terminated (b->len excludes the NUL).
 * OT_ERR_PARSE when that is not 1..OT_EVENT_ID_MAX printable ASCII
 * characters; OT_ERR_NOMEM / OT_ERR_TOOBIG from the buffer.
 */
ot_status otx_epcis_id_text(const char *s, size_t len, const char *urn, ot_buf *b);

/* A mapping profile (oretrail/epcis.h, docs/epcis-profiles.md), with every
 * table keyed the way the mapping looks it up: sites, parties and
 * materials by oretrail id (otx_epcis_id_text of the partner's URI),
 * processes by canonical bizStep URI. All objects, owned. */
struct ot_epcis_profile {
	json_t *sites;     /* id -> site id */
	json_t *parties;   /* id -> actor id */
	json_t *materials; /* lot or class id -> {"material","assay"?,"uncertainty_ppm"?} */
	json_t *processes; /* bizStep URI -> process */
	json_t *item_mass; /* item or class id -> grams per serialised item */
	json_t *defaults;  /* {"consignment"?,"destination"?,"consignee"?}: ids */
	int keep_hash_ids; /* "hash_ids":"keep": a carried hash ID that is not the
	                      event's own is kept as its eventID, not refused */
};

/* The profile's material entry for a lot id: the id itself, else its GS1
 * class (the GTIN of a Digital Link with a /10/ batch or /21/ serial), or
 * NULL. */
json_t *otx_epcis_profile_material(const ot_epcis_profile *p, const char *lot);

/* The GS1 class of an id: "https://id.gs1.org/01/<GTIN-14>" when id is that
 * followed by nothing or a '/' (a batch, a serial), written to out; else
 * 0. */
int otx_epcis_gtin_class(const char *id, char out[64]);

/* The grams of one serialised item of lot id (its own entry in
 * item_mass_g, else its class's), or -1. */
int64_t otx_epcis_profile_item_mass(const ot_epcis_profile *p, const char *id);

/* A new profile with empty tables, or NULL (out of memory). */
ot_epcis_profile *otx_epcis_profile_empty(void);

/* Grams in `quantity` of unit `uom` (UN/CEFACT Rec. 20: GRM, KGM, TNE, MGM,
 * HGM, DTN, KTN, LBR, ONZ, APZ, STN, LTN), rounded to the nearest gram.
 * OT_ERR_PARSE when uom is not a unit of mass, OT_ERR_RANGE when the mass
 * is not positive or too large. */
ot_status otx_epcis_grams(double quantity, const char *uom, int64_t *grams);

/* ---- export ---- */

struct ot_epcis_writer {
	json_t *doc;             /* the document being written */
	json_t *list;            /* its eventList (borrowed) */
	json_t *context;         /* the prefixes object of its @context (borrowed) */
	json_t *pending;         /* events of a multi-part import waiting for their parts */
	json_t *glns;            /* {"sites":{id:GLN},"actors":{id:GLN}}: the ledger's GLNs */
	json_t *shipped;         /* consignment -> {lot -> grams}: the masses each ship carried */
	ot_epcis_profile *names; /* GLN Digital Links -> ids, to map originals again */
	size_t written;          /* EPCIS events written */
	size_t as_original, constructed, skipped;
};

/* Starts an EPCISDocument created at `creation` (RFC 3339) in a writer on
 * the caller's side, as ot_epcis_writer_new does in a new one. Adding and
 * finishing are ot_epcis_writer_add and ot_epcis_writer_finish. */
ot_status otx_epcis_writer_init(ot_epcis_writer *w, const char *creation, ot_error *err);

/* Frees what w holds and zeroes it. NULL is a no-op. */
void otx_epcis_writer_clear(ot_epcis_writer *w);

#endif
