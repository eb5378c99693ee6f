/*
 * note.h: C2SP signed-note with Ed25519 keys, and C2SP tlog-checkpoint.
 *
 * Key formats are exactly those of Go's golang.org/x/mod/sumdb/note:
 *   verifier key  <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>
 * with key id = first 4 bytes of SHA-256(name || "\n" || 0x01 || public key).
 * A signed note is its text (UTF-8 lines, each ending in "\n"), one empty
 * line, then one line per signature: "\u2014 <name> <base64(key id || sig)>\n".
 *
 * Handles are immutable after creation and may be shared between threads.
 */
#ifndef ORETRAIL_NOTE_H
#define ORETRAIL_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/hash.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OT_NOTE_MAX 65536    /* largest note we parse or produce */
#define OT_NOTE_MAX_SIGS 100 /* largest number of signature lines accepted */
#define OT_KEY_NAME_MAX 128  /* longest key name */
#define OT_ORIGIN_MAX 256    /* longest checkpoint origin line */
#define OT_VKEY_MAX 256      /* longest verifier key string, with its NUL */
#define OT_SKEY_MAX 272      /* longest signer key string, with its NUL */

typedef struct ot_signer ot_signer;
typedef struct ot_verifier ot_verifier;

/* Generates a new Ed25519 key pair named `name` (a valid note key name: no
 * '+', no whitespace, non-empty, at most OT_KEY_NAME_MAX bytes). */
OT_EXPORT ot_status ot_signer_generate(const char *name, ot_signer **out, ot_error *err);

/* Parses a signer key string (trailing newline allowed). */
OT_EXPORT ot_status ot_signer_parse(const char *text, size_t len, ot_signer **out, ot_error *err);

/* Writes the signer key string (NUL-terminated) into buf. Secret material:
 * the caller must keep it private. */
OT_EXPORT ot_status ot_signer_format(const ot_signer *s, char *buf, size_t size);

/* Writes the matching verifier key string into buf. */
OT_EXPORT ot_status ot_signer_vkey(const ot_signer *s, char *buf, size_t size);

OT_EXPORT const char *ot_signer_name(const ot_signer *s);
OT_EXPORT uint32_t ot_signer_key_id(const ot_signer *s);

/* Signs `len` bytes with the raw Ed25519 key (no note framing); sig is 64 bytes. */
OT_EXPORT ot_status ot_signer_sign_raw(const ot_signer *s, const void *msg, size_t len,
                                       uint8_t sig[64]);

/* Frees a signer, wiping its secret. NULL is a no-op. */
OT_EXPORT void ot_signer_free(ot_signer *s);

/* Parses a verifier key string; checks that the key id matches name and key. */
OT_EXPORT ot_status ot_verifier_parse(const char *text, size_t len, ot_verifier **out,
                                      ot_error *err);
OT_EXPORT ot_status ot_verifier_format(const ot_verifier *v, char *buf, size_t size);
OT_EXPORT const char *ot_verifier_name(const ot_verifier *v);
OT_EXPORT uint32_t ot_verifier_key_id(const ot_verifier *v);
OT_EXPORT const uint8_t *ot_verifier_public_key(const ot_verifier *v); /* 32 bytes */
OT_EXPORT OT_NODISCARD ot_status ot_verifier_verify_raw(const ot_verifier *v, const void *msg,
                                                        size_t len, const uint8_t sig[64]);
OT_EXPORT void ot_verifier_free(ot_verifier *v);

/* Signs the note text (which must be valid note text ending in "\n") with each
 * signer and writes the whole signed note into a newly allocated buffer
 * (*out, *out_len; NUL-terminated for convenience; free with free()). */
OT_EXPORT ot_status ot_note_sign(const char *text, size_t text_len, ot_signer *const *signers,
                                 size_t n_signers, char **out, size_t *out_len, ot_error *err);

/* A parsed signature line of a note. */
typedef struct ot_note_sig {
	char name[OT_KEY_NAME_MAX + 1];
	uint32_t key_id;
	uint8_t sig[128]; /* signature bytes after the key id */
	size_t sig_len;
	int verified; /* 1 when checked against a known verifier */
} ot_note_sig;

/* A parsed note: `text` points into the caller's buffer (not copied). */
typedef struct ot_note {
	const char *text;
	size_t text_len;
	ot_note_sig *sigs; /* owned, free with ot_note_clear */
	size_t n_sigs;
} ot_note;

/* Parses a signed note and verifies the signatures of every known verifier.
 * Succeeds when the note is well formed, at least one signature comes from a
 * known verifier, and every signature from a known verifier is valid.
 * Unknown signatures are kept unverified. Errors: OT_ERR_PARSE (malformed),
 * OT_ERR_VERIFY (bad signature by a known key, or no known signature). */
OT_EXPORT OT_NODISCARD ot_status ot_note_open(const char *msg, size_t len,
                                              ot_verifier *const *verifiers, size_t n_verifiers,
                                              ot_note *out, ot_error *err);
OT_EXPORT void ot_note_clear(ot_note *n);

/* A checkpoint body: origin, tree size, root hash (C2SP tlog-checkpoint). */
typedef struct ot_checkpoint {
	char origin[OT_ORIGIN_MAX + 1];
	uint64_t size;
	uint8_t root[OT_HASH_SIZE];
} ot_checkpoint;

/* Formats the checkpoint body ("origin\nsize\nbase64(root)\n") into buf. */
OT_EXPORT ot_status ot_checkpoint_format(const ot_checkpoint *c, char *buf, size_t size,
                                         size_t *out_len);

/* Parses a checkpoint body (the note text). Extension lines after the root are
 * allowed and ignored. Strict about decimal size and root encoding. */
OT_EXPORT ot_status ot_checkpoint_parse(const char *text, size_t len, ot_checkpoint *out,
                                        ot_error *err);

/*
 * Witness cosignatures, C2SP tlog-cosignature v1 with Ed25519 (src/log/cosign.c).
 *
 * A cosignature is a note signature line of signature type 0x04:
 *   "\u2014 <name> base64(key id(4) || timestamp(8, big-endian) || Ed25519 sig(64))"
 * with key id = SHA-256(name || "\n" || 0x04 || public key)[0:4], over the message
 *   "cosignature/v1\ntime <decimal timestamp>\n" || checkpoint note text.
 * A cosigner signs with an ordinary note signer key (ot_signer); its verifier
 * key is written "<name>+<8 hex key id>+base64(0x04 || 32-byte public key)".
 * ot_note_open keeps cosignature lines (as signatures of unknown keys); check
 * them with ot_cosignature_verify.
 */
#define OT_COSIG_LINE_MAX (OT_KEY_NAME_MAX + 128) /* a cosignature line, with its NUL */

typedef struct ot_cosig_verifier ot_cosig_verifier;

/* The key id of s as a cosigner (type 0x04; differs from ot_signer_key_id). */
OT_EXPORT uint32_t ot_signer_cosig_key_id(const ot_signer *s);

/* Writes the cosignature line of `s` over the note text (valid note text
 * ending in "\n") at `timestamp` (seconds since 1970, at most 2^63-1) into
 * line: "\u2014 <name> <base64>\n", NUL-terminated; *line_len (may be NULL)
 * its length without the NUL. */
OT_EXPORT ot_status ot_note_cosign(const ot_signer *s, const char *text, size_t text_len,
                                   uint64_t timestamp, char *line, size_t size, size_t *line_len,
                                   ot_error *err);

/* Parses a cosigner verifier key: the native form (type 0x04) or an ordinary
 * note verifier key (type 0x01) of the same Ed25519 key, whose key id is then
 * recomputed for type 0x04. Free with ot_cosig_verifier_free. */
OT_EXPORT ot_status ot_cosig_verifier_parse(const char *text, size_t len, ot_cosig_verifier **out,
                                            ot_error *err);
/* The cosigner verifier of a signer's key. */
OT_EXPORT ot_status ot_cosig_verifier_from_signer(const ot_signer *s, ot_cosig_verifier **out,
                                                  ot_error *err);
/* Writes the native (type 0x04) verifier key string into buf. */
OT_EXPORT ot_status ot_cosig_verifier_format(const ot_cosig_verifier *v, char *buf, size_t size);
OT_EXPORT const char *ot_cosig_verifier_name(const ot_cosig_verifier *v);
OT_EXPORT uint32_t ot_cosig_verifier_key_id(const ot_cosig_verifier *v);
OT_EXPORT void ot_cosig_verifier_free(ot_cosig_verifier *v);

/* Checks one signature line of a parsed note (ot_note_open) as v's
 * cosignature over the note text. OT_ERR_NOTFOUND when the line is not v's
 * (another name or key id); OT_ERR_VERIFY when it is v's but does not verify
 * (wrong length, timestamp over 2^63-1, bad signature). On OT_OK,
 * *timestamp (may be NULL) is the cosignature's time. */
OT_EXPORT OT_NODISCARD ot_status ot_cosignature_verify(const ot_cosig_verifier *v, const char *text,
                                                       size_t text_len, const ot_note_sig *sig,
                                                       uint64_t *timestamp);

/* Counts the distinct cosigners among `keys` whose valid cosignature the
 * parsed note carries (each key once); *first_bad (may be NULL) receives the
 * index of a key whose line is present but invalid, or -1. */
OT_EXPORT size_t ot_note_count_cosignatures(const ot_note *n, ot_cosig_verifier *const *keys,
                                            size_t n_keys, long *first_bad);

#ifdef __cplusplus
}
#endif
#endif
