/*
 * certificate.h: provenance certificates: one self-contained file that lets
 * anyone check, offline and without the ledger, where a lot's elements were
 * mined (DESIGN.md "Provenance"; the format is docs/certificate.md).
 *
 * A certificate holds the log entries a replay of the ledger's rules needs
 * to recompute the lot's origin vector exactly (its ancestry, the other uses
 * of its ancestors, the entries that touched any lot those entries touch,
 * and the registrations of the actors and sites involved), an inclusion
 * proof for each of them, the log's signed checkpoint (with whatever
 * cosignatures it carries, verbatim) and the claim: the lot's trace as the
 * ledger answers it. Verifying checks every signature and proof, replays the
 * entries in log order through the same rules into an empty in-memory state,
 * and compares the replay's trace of the lot with the claim. A certificate
 * may also carry determinations under compliance profiles (the profile
 * embedded whole); verifying recomputes each from the replay, by the same
 * code as `oretrail comply`.
 */
#ifndef ORETRAIL_CERTIFICATE_H
#define ORETRAIL_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/ledger.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The certificate format this build writes (version 2: the entries as JSON
 * and one merged proof), and the oldest it still reads (version 1: base64
 * entries, each with its own inclusion proof). */
#define OT_CERT_VERSION 2
#define OT_CERT_VERSION_MIN 1
/* Largest certificate ot_certificate_verify reads. */
#define OT_CERT_MAX ((size_t)64 << 20)

/*
 * Why a certificate does not verify: ot_error.code after
 * ot_certificate_verify, with ot_error.index the log index concerned (or
 * -1). All are OT_ERR_VERIFY except OT_CERT_MALFORMED (OT_ERR_PARSE, or
 * OT_ERR_TOOBIG) and OT_CERT_UNSUPPORTED (OT_ERR_PARSE): the file is not a
 * certificate this build can read.
 */
/* not JSON, a bad member */
#define OT_CERT_MALFORMED "cert_malformed"
/* a version this build does not read ("unsupported certificate version N") */
#define OT_CERT_UNSUPPORTED "cert_version"
/* no valid signature by the log key */
#define OT_CERT_CHECKPOINT_SIGNATURE "checkpoint_signature"
/* fewer valid C2SP cosignatures than asked */
#define OT_CERT_WITNESSES "not_enough_witnesses"
/* the log summary or an index disagrees with the checkpoint */
#define OT_CERT_CHECKPOINT_MISMATCH "checkpoint_mismatch"
/* the bytes do not hash to the stated leaf hash */
#define OT_CERT_ENTRY_ALTERED "entry_altered"
/* an inclusion proof does not lead to the root */
#define OT_CERT_PROOF "proof_invalid"
/* an envelope signature is not the signer's */
#define OT_CERT_ENTRY_SIGNATURE "entry_signature"
/* an entry the replay needs is absent */
#define OT_CERT_MISSING_ENTRY "missing_entry"
/* an entry breaks a ledger rule on replay */
#define OT_CERT_RULE "rule_broken"
/* the claim (origins, stages, ...) is not what the entries imply */
#define OT_CERT_CLAIM "claim_mismatch"
/* a determination the certificate carries is not what its entries imply */
#define OT_CERT_DETERMINATION "determination_mismatch"
/* an embedded profile has a known profile's name but other content */
#define OT_CERT_PROFILE "profile_mismatch"
/* a determination asked for (required profile) is not in the certificate */
#define OT_CERT_DETERMINATION_MISSING "determination_missing"

/* A compliance profile (docs/events.md "Compliance profiles") given to
 * prove or verify: its JSON text, borrowed for the call. */
typedef struct ot_cert_profile {
	const char *json;
	size_t len;
	/* verify: OT_CERT_PROFILE_SHIPPED, a profile shipped with oretrail;
	 * OT_CERT_PROFILE_REQUIRED, the certificate must carry its
	 * determination. prove ignores them. */
	int flags;
} ot_cert_profile;

enum {
	OT_CERT_PROFILE_SHIPPED = 1 << 0,
	OT_CERT_PROFILE_REQUIRED = 1 << 1,
};

/*
 * Makes the certificate of `lot` at the ledger's latest checkpoint: a JSON
 * document (malloc'ed, NUL-terminated; free with free()), indented with
 * OT_JSON_PRETTY. Before returning it verifies the certificate it made
 * against the ledger's own key, so a certificate that is returned verifies.
 * OT_ERR_NOTFOUND (code lot_not_found) for an unknown lot. Reads only: the
 * ledger may be open read-only. The selection reads every registration of
 * the log once (a scan of the entries), the rest from the ledger's index.
 */
OT_EXPORT ot_status ot_ledger_prove(ot_ledger *l, const char *lot, int flags, char **json,
                                    ot_error *err);

/*
 * ot_ledger_prove, with the lot's determination under each of the n
 * profiles as of `at` (YYYY-MM-DD) in the certificate's "compliance":
 *   [{"profile":{...the profile as given...},
 *     "determination":{...ot_ledger_comply's document...}}]
 * Errors as ot_ledger_prove's, and ot_ledger_comply's for a bad profile
 * (OT_ERR_PARSE, code bad_profile) or date (code bad_field).
 */
OT_EXPORT ot_status ot_ledger_prove_comply(ot_ledger *l, const char *lot,
                                           const ot_cert_profile *profiles, size_t n,
                                           const char *at, int flags, char **json, ot_error *err);

/* What to verify against. */
typedef struct ot_cert_options {
	ot_verifier *log_key;                /* the log's key (required) */
	ot_cosig_verifier *const *witnesses; /* witness cosigner keys, may be NULL */
	size_t n_witnesses;
	size_t min_witnesses; /* cosignatures by distinct witnesses required */
	/* Profiles the verifier knows (may be NULL): an embedded profile with
	 * the name of one of them must be it, byte for byte as JSON values;
	 * those flagged OT_CERT_PROFILE_REQUIRED must have a determination. */
	const ot_cert_profile *profiles;
	size_t n_profiles;
} ot_cert_options;

/*
 * Verifies a certificate (data[0..len), at most OT_CERT_MAX bytes) with no
 * database: the checkpoint's signature by opts->log_key and at least
 * opts->min_witnesses valid cosignatures by the witness keys; the log
 * summary against the checkpoint; each entry against its leaf hash and its
 * inclusion proof against the checkpoint's root and size; then the replay
 * of the entries, in log order, through the ledger's rules into an empty
 * in-memory store (signatures against the keys the registrations in the
 * certificate give, roles, custody, mass and element balances, origin
 * vectors); the replay's trace of the lot against the claim ("stages"
 * included when the claim has them: older certificates have none); and
 * each determination in "compliance" against the one recomputed from the
 * replay under its embedded profile, as of its own "at"
 * (OT_CERT_DETERMINATION), each embedded profile against the known profile
 * of its name (OT_CERT_PROFILE), and each required profile's presence
 * (OT_CERT_DETERMINATION_MISSING).
 *
 * Returns OT_OK when the certificate verifies; otherwise the first problem
 * found, with err->code one of the OT_CERT_* codes above and a message that
 * says where and why. *report (may be NULL; malloc'ed JSON, free with
 * free()) is set when the certificate verifies:
 *   {"lot","origin","size","root","entries","registrations","witnesses",
 *    "trace":{...}, "compliance":[{"profile","source","determination"}]}
 * trace: the replay's trace of the lot, as ledger.h's; compliance: one item
 * per determination carried, "source" "shipped", "given" (a required
 * profile that is not shipped) or "certificate" (the certificate's own),
 * "determination" the recomputed document.
 * Uses no files: the replay's store is in memory.
 */
OT_EXPORT OT_NODISCARD ot_status ot_certificate_verify(const char *data, size_t len,
                                                       const ot_cert_options *opts, int flags,
                                                       char **report, ot_error *err);

#ifdef __cplusplus
}
#endif
#endif
