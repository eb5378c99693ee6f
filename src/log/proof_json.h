/*
 * proof_json.h: proofs as JSON in the format of the transparency-dev/merkle
 * golden files, shared by `oretrail proof` and the tests.
 *
 *   inclusion:   {"leafIdx","treeSize","root","leafHash","proof":[...]}
 *   consistency: {"size1","size2","root1","root2","proof":[...]}
 * Hashes are standard base64. "desc" and "wantErr" are carried through.
 */
#ifndef OT_LOG_PROOF_JSON_H
#define OT_LOG_PROOF_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/log.h"
#include "oretrail/proof.h"
#include "oretrail/proof_file.h"
#include "oretrail/status.h"

/* The file's struct is public (oretrail/proof_file.h); these are its names
 * inside the layer. */
typedef ot_proof_hash otx_json_hash;
typedef ot_proof_file otx_proof_file;

/* Parses a proof file. OT_ERR_PARSE with a message naming the field when it
 * is not usable (not JSON, missing or mistyped field, bad base64, too long). */
ot_status otx_proof_file_parse(const char *text, size_t len, otx_proof_file *out, ot_error *err);

/* Verifies a parsed proof: OT_OK or OT_ERR_VERIFY (with a reason in err). */
ot_status otx_proof_file_verify(const otx_proof_file *p, ot_error *err);

/* Fills `out` from the log: an inclusion proof of entry a in the tree of b
 * entries (with its leaf hash and the root), or a consistency proof from
 * size a to size b (with both roots). */
ot_status otx_proof_file_from_log(ot_log *log, int consistency, uint64_t a, uint64_t b,
                                  otx_proof_file *out, ot_error *err);

/* Writes a proof as JSON (2-space indented, like the golden files) into a
 * malloc'ed string. */
ot_status otx_proof_file_format(const otx_proof_file *p, char **out);

#endif
