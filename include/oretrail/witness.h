/*
 * witness.h: a witness of one log (C2SP tlog-witness, tlog-cosignature v1):
 * its state and its rule, without the network.
 *
 * The state is the checkpoint the witness last cosigned, kept in a
 * directory (DIR/checkpoint, written atomically with fsync; DIR/lock makes
 * compare-and-write one step across processes sharing DIR). The rule: a
 * checkpoint signed by the log's key is cosigned only when it extends the
 * cosigned one, proven by a consistency proof against both signed roots;
 * the state is only ever replaced by such a checkpoint, so the witness
 * never cosigns a fork of what it cosigned before. A validly signed
 * checkpoint that is not consistent is evidence: both checkpoints are
 * written to DIR/fork-<time>.txt.
 *
 * ot_witness_add_checkpoint decides a C2SP tlog-witness add-checkpoint
 * request (its body) and ot_witness_latest answers the spec's monitoring
 * request; the HTTP side is the server layer's,
 * include/oretrail/witness_http.h. A handle is used by one thread at a
 * time (the HTTP endpoint serialises its requests).
 */
#ifndef ORETRAIL_WITNESS_H
#define ORETRAIL_WITNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "oretrail/hash.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ot_witness ot_witness;

/* Opens (creating it, mode 0700, when absent) the state directory `dir` of
 * the witness of the log signing with `log_key`, cosigning with `key`.
 * `source` names where checkpoints come from, for the evidence files.
 * `diag` receives the lines that need a human ("oretrail: witness: ...":
 * refusals, where evidence went, failures while answering); NULL: none.
 * log_key, key, source and diag are borrowed and must outlive the handle.
 * OT_ERR_IO (message "cannot create DIR: ...") when dir cannot be made. */
OT_EXPORT ot_status ot_witness_open(const char *dir, const ot_verifier *log_key,
                                    const ot_signer *key, const char *source, FILE *diag,
                                    ot_witness **out, ot_error *err);
/* NULL is a no-op. */
OT_EXPORT void ot_witness_free(ot_witness *w);

/* Opens a signed checkpoint note by the log's key and parses it. */
OT_EXPORT ot_status ot_witness_open_checkpoint(const ot_witness *w, const char *note, size_t len,
                                               ot_checkpoint *cp, ot_error *err);

/* The checkpoint last cosigned. */
typedef struct ot_witness_state {
	int have;   /* 0: never cosigned (note is NULL) */
	char *note; /* the kept note, malloc'ed */
	size_t len;
	ot_checkpoint cp; /* parsed, when have */
} ot_witness_state;

/* Reads the state. An unreadable or badly signed state file is an error
 * (prefixed "the cosigned checkpoint in PATH"). Free with
 * ot_witness_state_clear. */
OT_EXPORT ot_status ot_witness_load(const ot_witness *w, ot_witness_state *st, ot_error *err);
OT_EXPORT void ot_witness_state_clear(ot_witness_state *st);

/* Checks that `small` is a prefix of `big` with the consistency proof,
 * against the roots the log signed (not those a proof document states).
 * OT_OK or OT_ERR_VERIFY with a sentence saying which trees. */
OT_EXPORT OT_NODISCARD ot_status ot_witness_verify_consistency(const ot_checkpoint *small,
                                                               const ot_checkpoint *big,
                                                               const uint8_t (*proof)[OT_HASH_SIZE],
                                                               size_t n, ot_error *err);

/* Is `note` (signed by the log) already cosigned by this witness? */
OT_EXPORT int ot_witness_cosigned_by_self(const ot_witness *w, const char *note, size_t len);

/* Cosigns the note's text exactly as the log signed it and keeps it as the
 * state, before anyone is told: a crash after this never lets the witness
 * cosign a fork of what it answered. The state must still be `expect` (as
 * loaded when the checkpoint was checked): OT_ERR_CONFLICT when another
 * process moved it meanwhile. What is kept is the text, the log's
 * signature and this cosignature. *cosigned (malloc'ed, *clen bytes) is
 * what was kept; its last *line_len bytes are the cosignature line. */
OT_EXPORT ot_status ot_witness_cosign(ot_witness *w, const char *note, size_t len,
                                      const ot_witness_state *expect, char **cosigned, size_t *clen,
                                      size_t *line_len, ot_error *err);

/* Refuses a validly signed checkpoint that does not extend the state:
 * says "REFUSED: [ABOUT: ]WHY" on diag and, when there is a cosigned
 * checkpoint (old->have), writes both and the reason to
 * DIR/fork-<time>.txt (never overwriting earlier evidence) and says where;
 * at most 100 files per handle, since anyone can replay a signed
 * checkpoint with a bad proof. `about` may be NULL. */
OT_EXPORT void ot_witness_refuse(ot_witness *w, const char *about, const char *why,
                                 const ot_witness_state *old, const char *new_note, size_t new_len);

/* --- C2SP tlog-witness add-checkpoint --- */

#define OT_WITNESS_BODY_MAX ((size_t)64 << 10) /* the largest add-checkpoint body */

/* The answer: an HTTP status, its content type and body (the cosignature
 * line, "<size>\n" for text/x.tlog.size, or a one-line reason). */
typedef struct ot_witness_answer {
	unsigned status;
	const char *type;
	char body[OT_COSIG_LINE_MAX + 512];
	size_t len;
} ot_witness_answer;

/* Decides an add-checkpoint request whose body is "old <size>\n", at most
 * 63 base64 consistency proof lines, an empty line and the checkpoint's
 * signed note, in the order of C2SP tlog-witness as revised on 2026-07-06
 * (C2SP/C2SP 95978ca): body shape (400), origin (404), signature (403),
 * old size larger than the checkpoint's (400), old size other than the one
 * last cosigned (409, "<size>\n" as text/x.tlog.size), then 422 for a
 * size-zero checkpoint whose root is not the empty tree's, a non-empty
 * proof with old 0, the same size with another root, or a proof that does
 * not verify (each refused through ot_witness_refuse, evidence kept); then
 * cosigns and keeps the state before answering 200. The body need not be
 * NUL-terminated. */
OT_EXPORT void ot_witness_add_checkpoint(ot_witness *w, const char *body, size_t len,
                                         ot_witness_answer *ans);

/* --- C2SP tlog-witness monitoring: GET <prefix>/<origin hash>/checkpoint --- */

/* The checkpoint last cosigned, as kept (its text, the log's signature,
 * this witness's cosignature), when `origin_hash` is the lowercase hex
 * SHA-256 of its origin line. OT_OK with *note (malloc'ed, *len bytes; the
 * caller frees it); OT_ERR_NOTFOUND when the witness never cosigned or
 * `origin_hash` names another log (or is not lowercase hex); another error
 * when the state cannot be read (as ot_witness_load). */
OT_EXPORT ot_status ot_witness_latest(const ot_witness *w, const char *origin_hash, char **note,
                                      size_t *len, ot_error *err);

#ifdef __cplusplus
}
#endif
#endif
