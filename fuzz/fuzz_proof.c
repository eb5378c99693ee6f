/*
 * fuzz_proof.c: proof files (JSON) and the RFC 9162 verifiers from hostile
 * bytes. Parsing and verifying must never crash, whatever the sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log/proof_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	otx_proof_file *p = malloc(sizeof *p);
	if (!p)
		return 0;
	if (otx_proof_file_parse((const char *)data, size, p, NULL) == OT_OK) {
		(void)otx_proof_file_verify(p, NULL);
		char *out = NULL;
		if (!p->negative && otx_proof_file_format(p, &out) == OT_OK) {
			otx_proof_file *q = malloc(sizeof *q);
			if (q && otx_proof_file_parse(out, strlen(out), q, NULL) != OT_OK)
				__builtin_trap();
			free(q);
			free(out);
		}
	}
	free(p);
	return 0;
}
