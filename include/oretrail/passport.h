/*
 * passport.h: a lot's Digital Product Passport in the UN Transparency
 * Protocol shape (UNTP DPP 0.5.0, JSON-LD; docs/passport.md), made from the
 * lot's provenance certificate (certificate.h), which it embeds or
 * references by its SHA-256. Every figure in the passport (masses, origin
 * shares, determinations) is taken from the certificate's claim, so
 * checking a passport is verifying its certificate and making the passport
 * again from it.
 */
#ifndef ORETRAIL_PASSPORT_H
#define ORETRAIL_PASSPORT_H

#include <stddef.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The UNTP DPP version the passport follows, and its JSON-LD context. */
#define OT_PASSPORT_UNTP_VERSION "0.5.0"
#define OT_PASSPORT_CONTEXT "https://test.uncefact.org/vocabulary/untp/untp-v1"

/* Why a passport is refused (ot_error.code): */
/* not JSON, or not a passport this build writes */
#define OT_PASSPORT_MALFORMED "passport_malformed"
/* a figure or member is not what the certificate makes */
#define OT_PASSPORT_MISMATCH "passport_mismatch"
/* the referenced certificate's SHA-256 is not the one given */
#define OT_PASSPORT_CERT_HASH "certificate_hash_mismatch"

/* How the certificate is attached. */
enum {
	OT_PASSPORT_EMBED = 1 << 8
};

/*
 * Makes the passport of the certificate cert[0..len) (a certificate from
 * ot_ledger_prove; not verified here): embedded whole with
 * OT_PASSPORT_EMBED in flags, else referenced by its SHA-256. JSON
 * malloc'ed into *json (OT_JSON_PRETTY honoured). OT_ERR_PARSE (code
 * cert_malformed) when cert is not a certificate.
 */
OT_EXPORT ot_status ot_passport_make(const char *cert, size_t len, int flags, char **json,
                                     ot_error *err);

/*
 * The certificate of passport[0..len): the embedded one (malloc'ed into
 * *cert), or, when it is referenced, checks that ref[0..ref_len) hashes to
 * the reference (OT_ERR_VERIFY, OT_PASSPORT_CERT_HASH) and copies it.
 * OT_ERR_PARSE (OT_PASSPORT_MALFORMED) for a passport it cannot read, or a
 * referenced certificate not given (ref NULL).
 */
OT_EXPORT ot_status ot_passport_certificate(const char *passport, size_t len, const char *ref,
                                            size_t ref_len, char **cert, size_t *cert_len,
                                            ot_error *err);

/*
 * Compares passport[0..len) with the passport cert makes (the certificate
 * verified by the caller): OT_ERR_VERIFY, code OT_PASSPORT_MISMATCH, with
 * the path of the first member that differs in the message.
 */
OT_EXPORT ot_status ot_passport_compare(const char *passport, size_t len, const char *cert,
                                        size_t cert_len, ot_error *err);

#ifdef __cplusplus
}
#endif
#endif
