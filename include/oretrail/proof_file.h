/*
 * proof_file.h: inclusion and consistency proofs as JSON files in the
 * format of the transparency-dev/merkle golden files, so that oretrail's
 * proofs and theirs go through one checker (`oretrail proof`):
 *
 *   inclusion:   {"leafIdx","treeSize","root","leafHash","proof":[...]}
 *   consistency: {"size1","size2","root1","root2","proof":[...]}
 *
 * Hashes are standard base64; "desc" and "wantErr" are carried through.
 * All functions are reentrant; a log handle is used by one thread at a time.
 */
#ifndef ORETRAIL_PROOF_FILE_H
#define ORETRAIL_PROOF_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/log.h"
#include "oretrail/proof.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A hash as found in a file: it may have the wrong length (then it cannot
 * verify, but the file is still usable). */
typedef struct ot_proof_hash {
	uint8_t h[64];
	size_t len;
} ot_proof_hash;

/* A proof file, parsed. Plain data (about 5 KiB: allocate it, rather than
 * put it on a small stack); owns nothing. */
typedef struct ot_proof_file {
	int consistency;      /* 0 inclusion, 1 consistency */
	uint64_t index, size; /* inclusion: leafIdx, treeSize; consistency: size1, size2 */
	ot_proof_hash a, b;   /* inclusion: leafHash, root; consistency: root1, root2 */
	ot_proof_hash proof[OT_PROOF_MAX + 8];
	size_t n;
	int negative; /* an index or size was negative: cannot verify */
	int want_err; /* -1 when absent */
	char desc[200];
} ot_proof_file;

/* Parses a proof file from text[0..len) into *out (caller's). OT_ERR_PARSE
 * with a message naming the field when it is not usable (not JSON, missing
 * or mistyped field, bad base64, too long). */
OT_EXPORT ot_status ot_proof_file_parse(const char *text, size_t len, ot_proof_file *out,
                                        ot_error *err);

/* Verifies a parsed proof: OT_OK or OT_ERR_VERIFY (with the reason in err). */
OT_EXPORT OT_NODISCARD ot_status ot_proof_file_verify(const ot_proof_file *p, ot_error *err);

/* Fills *out (caller's) from the log: an inclusion proof of entry a in the
 * tree of b entries (with its leaf hash and the root), or with consistency
 * set a consistency proof from size a to size b (with both roots). */
OT_EXPORT ot_status ot_proof_file_from_log(ot_log *log, int consistency, uint64_t a, uint64_t b,
                                           ot_proof_file *out, ot_error *err);

/* Writes a proof as JSON, 2-space indented like the golden files, into a
 * malloc'ed string *out that the caller frees with free(). */
OT_EXPORT ot_status ot_proof_file_format(const ot_proof_file *p, char **out);

#ifdef __cplusplus
}
#endif
#endif
