/*
 * fuzz_certificate.c: provenance certificates from hostile bytes, through
 * the whole of ot_certificate_verify: JSON, base64, the checkpoint note,
 * proofs and the replay of the entries through the ledger's rules. Never a
 * crash, a leak or an unbounded allocation, whatever the file says. Both
 * versions: the seed corpus/certificate/lot-1.json (version 1: base64
 * entries, a proof each) verifies under the key below: a three-entry ledger
 * made with `oretrail init --key-name fuzz-authority`, an actor, a mine and
 * an extraction, then `oretrail prove`; lot-1-v2.json is the same
 * certificate in version 2 (entries as JSON, the merged proof: empty, all
 * three leaves are included) and verifies too; lot-1-v2-subset.json leaves
 * entry 1 out, its merged proof (one node, leaf 1) holds, and the replay
 * finds the registration missing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/certificate.h"

#define LOG_VKEY "fuzz-authority+29c86910+AdYG6zwT+KyI5ijT8G6M+MWXRBNv6UxnjnmYATj5U60P"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ot_verifier *key;
	if (!key && ot_verifier_parse(LOG_VKEY, strlen(LOG_VKEY), &key, NULL) != OT_OK)
		__builtin_trap();
	ot_cert_options o = {key, NULL, 0, 0, NULL, 0};
	char *report = NULL;
	ot_error err;
	ot_status rc = ot_certificate_verify((const char *)data, size, &o, 0, &report, &err);
	if ((rc == OT_OK) != (report != NULL))
		__builtin_trap();
	if (rc != OT_OK && rc != OT_ERR_VERIFY && rc != OT_ERR_PARSE && rc != OT_ERR_TOOBIG &&
	    rc != OT_ERR_NOMEM)
		__builtin_trap();
	free(report);
	return 0;
}
