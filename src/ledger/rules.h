/*
 * rules.h: the ledger's validation rules and their effects on the state.
 *
 * otx_rules_apply takes one parsed envelope, checks its signer (a registered
 * actor whose key, not revoked by an earlier entry, verifies the signature), the
 * signer's role, and every rule of the event's type (DESIGN.md "Rules checked
 * on submission", docs/events.md), then writes the effects into the state
 * namespaces (state.h): new lots, custody, origin vectors, consignments,
 * contracts, payments, and findings for facts that are suspicious but
 * possible. On failure it returns a precise error and may have written part
 * of the effects: the caller wraps each call in ot_store_savepoint and
 * ot_store_rollback_to / ot_store_release, so a rejected event changes nothing.
 *
 * Who may sign what (a signer needs any one of the roles listed; the
 * ledger's authority, the actor named by the log key, always holds the
 * authority role, even before it registers itself):
 *
 *   type       roles                                   and also
 *   actor      authority                               -
 *   site       authority                               holder is a registered actor
 *   resource   any                                     the site's holder, or an authority
 *   extract    miner                                   the mine's holder
 *   assay      lab                                     -
 *   transform  processor, miner                        holds every input at the site
 *   ship       miner, processor, exporter, carrier,    holds every lot at `from`
 *              importer
 *   receive    miner, processor, exporter, carrier,    the consignee
 *              importer
 *   contract   any                                     a party, or an authority
 *   disclose   any                                     a party, or an authority
 *   payment    any                                     the payer
 *   correct,   any                                     the signer of the event
 *   void                                               named, or an authority
 *                                                      (rules_correct.c)
 *   transfer   any                                     the owner of every lot
 *                                                      (rules_title.c)
 *   declare    customs                                 of the country the goods
 *                                                      leave or enter
 *                                                      (rules_customs.c)
 *
 * auditor is a reading role: it signs nothing yet.
 *
 * Error statuses and codes (ot_error.code), with messages that name the event
 * id, the field path (outputs[0].assay.Nd) and the numbers:
 *   OT_ERR_PARSE     missing_field, bad_field, unknown_type
 *   OT_ERR_SIGNER    unknown_signer, key_revoked (a key revoked by an earlier
 *                    entry: revocation is by log position), missing_role,
 *                    not_site_holder, not_consignee, not_party, not_payer,
 *                    not_original_signer, not_owner, wrong_customs_country
 *   OT_ERR_VERIFY    bad_signature, commitment_mismatch
 *   OT_ERR_RULE      licence_not_valid, wrong_site_kind, mass_exceeded,
 *                    element_created, time_order (an event dated before the
 *                    lot it uses was made, or a receipt before its shipment),
 *                    not_correctable, correction_changes_type,
 *                    correction_changes_id, correction_changes_subject,
 *                    correction_breaks_downstream, bad_hs_code, mixed_owners
 *   OT_ERR_CONFLICT  duplicate_id, duplicate_lot, duplicate_site,
 *                    duplicate_consignment, duplicate_contract, actor_not_found,
 *                    site_not_found, lot_not_found, lot_not_held,
 *                    lot_not_at_site, lot_in_transit, lot_consumed,
 *                    consignment_not_found, consignment_closed, site_mismatch,
 *                    lot_not_in_consignment, consignment_mismatch,
 *                    contract_not_found, not_committed, already_disclosed,
 *                    event_not_found, event_voided, correction_superseded,
 *                    lot_used, lot_voided, duplicate_declaration
 */
#ifndef OT_LEDGER_RULES_H
#define OT_LEDGER_RULES_H

#include <stdint.h>

#include "ledger/envelope.h"
#include "oretrail/note.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

/* Mass lost (or gained) in transit beyond this share of the shipped mass is
 * a finding: 0.5 %, a common contractual weighing tolerance for bulk
 * concentrates (illustrative). Fixed, so that a replay finds the same. */
#define OTX_TRANSIT_TOLERANCE_PPM 5000
/* Largest assay uncertainty accepted: 20 %. Beyond it an assay says nothing,
 * and the element balance would let almost anything through. */
#define OTX_UNCERTAINTY_MAX 200000
/* Most inputs, outputs or lots one event may list. */
#define OTX_ITEMS_MAX 1000

/* A cache of parsed actor records (roles, keys), checked against the
 * stored bytes on every use, so it can be shared by any number of stores
 * (the ledger's and an audit's replay). Not thread-safe. */
typedef struct otx_signer_cache otx_signer_cache;
otx_signer_cache *otx_signer_cache_new(void);
void otx_signer_cache_free(otx_signer_cache *c);

/* What the rules need besides the store. */
typedef struct otx_ledger_ctx {
	const char *authority;            /* the authority's actor id: the log key's name */
	const ot_verifier *authority_key; /* its key until it registers one itself */
	otx_signer_cache *cache;          /* may be NULL */
} otx_ledger_ctx;

/* Checks env (to be appended at log index `index`) against the state in st
 * and applies its effects. See above for the errors; ot_error.index is left
 * at -1 for the caller to fill with the event's position. */
ot_status otx_rules_apply(ot_store *st, const otx_ledger_ctx *ctx, uint64_t index,
                          const otx_envelope *env, ot_error *err);

/* The same, knowing that env's signature verifies with the Ed25519 public
 * key verified_pk (NULL: not known), as found by otx_batch_prepare: the
 * rules then check that this key is the signer's and valid at the event's
 * time, without verifying again. Keys other than verified_pk are taken not
 * to verify (an Ed25519 signature verifies under one key only). */
ot_status otx_rules_apply_ex(ot_store *st, const otx_ledger_ctx *ctx, uint64_t index,
                             const otx_envelope *env, const uint8_t *verified_pk, ot_error *err);

/* Role bits and names, for the rules and the reports. */
enum {
	OTX_ROLE_AUTHORITY = 1u << 0,
	OTX_ROLE_MINER = 1u << 1,
	OTX_ROLE_PROCESSOR = 1u << 2,
	OTX_ROLE_LAB = 1u << 3,
	OTX_ROLE_CARRIER = 1u << 4,
	OTX_ROLE_EXPORTER = 1u << 5,
	OTX_ROLE_IMPORTER = 1u << 6,
	OTX_ROLE_CUSTOMS = 1u << 7,
	OTX_ROLE_AUDITOR = 1u << 8,
	OTX_ROLE_COMPETENT_PERSON = 1u << 9,
};
/* The bit of a role name, 0 when unknown. */
unsigned otx_role_bit(const char *name);
/* The name of role bit i (1u << i), NULL past the last. */
const char *otx_role_name(unsigned i);

#endif
