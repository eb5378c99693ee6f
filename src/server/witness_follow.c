/*
 * witness_follow.c: one round of a witness following a log over HTTP
 * (ot_witness_follow_round, witness_http.h), the rule being the witness's
 * (src/log/witness.c).
 *
 * GET /checkpoint, verify the log's signature; compare with the checkpoint
 * last cosigned: same size must mean same root; a larger tree must come
 * with a consistency proof (GET /api/proof/consistency) that verifies
 * against both signed roots; a smaller one (a cache serving an older
 * checkpoint) must be proven a prefix of the cosigned one. Then cosign,
 * keep, and POST the cosigned note to /witness/cosignature. Anything else
 * is a fork or a rollback: refused, with both checkpoints kept as evidence.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/http.h"
#include "oretrail/proof.h"
#include "oretrail/proof_file.h"
#include "oretrail/witness_http.h"

#define FETCH_MAX ((size_t)1 << 20)

/* The proof hashes of a consistency proof document into proof[]. */
static ot_status parse_proof(const ot_http_resp *resp, uint8_t (*proof)[OT_HASH_SIZE], size_t *n,
                             ot_error *err)
{
	ot_proof_file *p = calloc(1, sizeof *p);
	if (!p)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = ot_proof_file_parse((const char *)resp->body, resp->len, p, err);
	if (rc)
		ot_error_prefix(err, "the log's consistency proof");
	else if (!p->consistency || p->n > OT_PROOF_MAX)
		rc = ot_error_set(err, OT_ERR_VERIFY,
		                  "the log's answer is not a consistency proof");
	for (size_t i = 0; !rc && i < p->n; i++) {
		if (p->proof[i].len != OT_HASH_SIZE)
			rc = ot_error_set(err, OT_ERR_VERIFY,
			                  "hash %zu of the proof is not 32 bytes", i);
		else
			memcpy(proof[i], p->proof[i].h, OT_HASH_SIZE);
	}
	*n = rc ? 0 : p->n;
	free(p);
	return rc;
}

/* Fetches and checks the consistency proof from small to big. OT_OK: the
 * trees are consistent; OT_ERR_VERIFY: the proof does not verify; other:
 * the proof could not be had. */
static ot_status check_consistency(const char *url, const ot_checkpoint *small,
                                   const ot_checkpoint *big, ot_error *err)
{
	if (small->size == 0)
		return ot_witness_verify_consistency(small, big, NULL, 0, err);
	char path[128];
	snprintf(path, sizeof path, "/api/proof/consistency?size1=%" PRIu64 "&size2=%" PRIu64,
	         small->size, big->size);
	ot_http_resp resp;
	ot_status rc = ot_http_get(url, path, FETCH_MAX, &resp, err);
	if (rc)
		return rc;
	if (resp.status != 200) {
		rc = ot_error_set(err, OT_ERR_NOTFOUND,
		                  "the log gives no consistency proof from %" PRIu64 " to %" PRIu64
		                  " entries (HTTP %ld)",
		                  small->size, big->size, resp.status);
		ot_http_free(&resp);
		return rc;
	}
	size_t n = 0;
	uint8_t(*proof)[OT_HASH_SIZE] = calloc(OT_PROOF_MAX, OT_HASH_SIZE);
	rc = proof ? parse_proof(&resp, proof, &n, err)
	           : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = ot_witness_verify_consistency(small, big,
		                                   (const uint8_t(*)[OT_HASH_SIZE])proof, n, err);
	free(proof);
	ot_http_free(&resp);
	return rc;
}

/* Why `cp` cannot follow the state (why[0] == 0: it can). A failure to get
 * a proof of a larger tree is the round's failure (status returned). */
static ot_status compare(const char *url, const ot_witness_state *st, const ot_checkpoint *cp,
                         char *why, size_t why_size, ot_error *err)
{
	why[0] = 0;
	const ot_checkpoint *old = &st->cp;
	if (!st->have)
		return OT_OK;
	if (strcmp(old->origin, cp->origin) != 0) {
		snprintf(why, why_size, "the log's origin changed from \"%s\" to \"%s\"",
		         old->origin, cp->origin);
		return OT_OK;
	}
	if (cp->size == old->size) {
		if (memcmp(cp->root, old->root, OT_HASH_SIZE) != 0)
			snprintf(why, why_size,
			         "the log signed two different trees of %" PRIu64 " entries",
			         cp->size);
		return OT_OK;
	}
	int back = cp->size < old->size;
	ot_error pe;
	ot_error_clear(&pe);
	ot_status rc = check_consistency(url, back ? cp : old, back ? old : cp, &pe);
	if (rc == OT_ERR_VERIFY || (rc && back)) {
		/* No proof of a smaller tree: the log rolled back. */
		snprintf(why, why_size, "%s%s", pe.message,
		         back ? " (the log went back from the tree this witness cosigned)" : "");
		return OT_OK;
	}
	if (rc) {
		*err = pe;
		ot_error_prefix(err, "checking consistency");
	}
	return rc;
}

/* POSTs the cosigned note to the log; says how it went in detail. */
static void submit_cosigned(const char *url, const char *cosigned, size_t clen, char *detail,
                            size_t size)
{
	ot_error err;
	ot_error_clear(&err);
	ot_http_resp pr;
	if (ot_http_post(url, "/witness/cosignature", "text/plain; charset=utf-8", cosigned, clen,
	                 FETCH_MAX, &pr, &err) != OT_OK) {
		snprintf(detail, size, "cosigned; not submitted: %.500s", err.message);
	} else {
		if (pr.status == 200)
			snprintf(detail, size, "cosigned and submitted");
		else
			snprintf(detail, size, "cosigned; the log refused it (HTTP %ld): %.180s",
			         pr.status, pr.body ? (const char *)pr.body : "");
		ot_http_free(&pr);
	}
	size_t dl = strlen(detail);
	while (dl && detail[dl - 1] == '\n')
		detail[--dl] = 0;
}

/* After the checkpoint verified: compare, then refuse, skip or cosign. */
static ot_status decide(ot_witness *w, const char *url, int submit, const char *note, size_t len,
                        ot_witness_round *out, ot_error *err)
{
	ot_witness_state st;
	ot_status rc = ot_witness_load(w, &st, err);
	if (rc) {
		ot_error_prefix(err, "reading the state");
		return rc;
	}
	char why[700];
	char *cosigned = NULL;
	size_t clen = 0, line_len = 0;
	if ((rc = compare(url, &st, &out->cp, why, sizeof why, err)))
		goto out;
	if (why[0]) {
		ot_witness_refuse(w, url, why, &st, note, len);
		out->event = "fork";
		out->refused = 1;
		snprintf(out->detail, sizeof out->detail, "%s", why);
		goto out;
	}
	if (st.have && out->cp.size < st.cp.size) {
		out->event = "stale";
		snprintf(out->detail, sizeof out->detail,
		         "an older checkpoint, consistent; nothing to cosign");
		goto out;
	}
	/* Already cosigned and served with our cosignature: nothing to do. */
	if (st.have && out->cp.size == st.cp.size && ot_witness_cosigned_by_self(w, note, len)) {
		out->event = "unchanged";
		goto out;
	}
	if ((rc = ot_witness_cosign(w, note, len, &st, &cosigned, &clen, &line_len, err))) {
		ot_error_prefix(err, "cosigning");
		goto out;
	}
	snprintf(out->detail, sizeof out->detail, "cosigned");
	if (submit)
		submit_cosigned(url, cosigned, clen, out->detail, sizeof out->detail);
	out->event = "cosigned";
out:
	free(cosigned);
	ot_witness_state_clear(&st);
	return rc;
}

ot_status ot_witness_follow_round(ot_witness *w, const char *url, int submit, ot_witness_round *out,
                                  ot_error *err)
{
	memset(out, 0, sizeof *out);
	ot_http_resp resp;
	ot_status rc = ot_http_get(url, "/checkpoint", OT_NOTE_MAX + 1, &resp, err);
	if (rc) {
		ot_error_prefix(err, "fetching the checkpoint");
		return rc;
	}
	if (resp.status != 200) {
		rc = ot_error_set(err, OT_ERR_IO, "GET %s/checkpoint: HTTP %ld", url, resp.status);
	} else if ((rc = ot_witness_open_checkpoint(w, (const char *)resp.body, resp.len, &out->cp,
	                                            err))) {
		out->event = "bad_signature";
		out->refused = 1;
		snprintf(out->detail, sizeof out->detail, "%s", err->message);
		ot_error_prefix(err, "the log's checkpoint does not verify");
	} else {
		out->has_cp = 1;
		rc = decide(w, url, submit, (const char *)resp.body, resp.len, out, err);
	}
	ot_http_free(&resp);
	return rc;
}
