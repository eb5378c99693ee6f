/*
 * fuzz_keys.h: the signed-note example key of C2SP (PeterNeumann) as the
 * fuzzers' signer, its verifier and the same key as a witness's cosigner,
 * so that seeds signed with it reach past the signature checks.
 */
#ifndef OT_FUZZ_KEYS_H
#define OT_FUZZ_KEYS_H

#include <string.h>

#include "oretrail/note.h"

static inline void fuzz_keys(ot_signer **signer, ot_verifier **verifier,
                             ot_cosig_verifier **cosigner)
{
	static const char skey[] =
		"PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
	static const char vkey[] =
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	if (ot_signer_parse(skey, strlen(skey), signer, NULL) ||
	    ot_verifier_parse(vkey, strlen(vkey), verifier, NULL) ||
	    ot_cosig_verifier_from_signer(*signer, cosigner, NULL))
		__builtin_trap();
}

#endif
