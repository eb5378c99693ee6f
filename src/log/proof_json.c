/*
 * proof_json.c: reading, checking and writing proofs in the JSON shape of
 * the transparency-dev/merkle golden files. See proof_json.h.
 */
#include "log/proof_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/encoding.h"
#include "oretrail/status.h"

/* Reads an integer field. Numbers are decoded as doubles (jansson cannot
 * hold integers above 2^63), so the exact range is 0..2^53; a negative or
 * larger value is usable input that cannot verify (the golden files test
 * 2^64-1 and -1), so it is flagged, not refused. */
static ot_status get_u64(json_t *obj, const char *name, uint64_t *out, int *negative, ot_error *err)
{
	json_t *v = json_object_get(obj, name);
	if (!v)
		return ot_error_set(err, OT_ERR_PARSE, "field \"%s\" is missing", name);
	if (!json_is_real(v))
		return ot_error_set(err, OT_ERR_PARSE, "field \"%s\" must be an integer", name);
	double d = json_real_value(v);
	if (d < 0 || d > 9007199254740992.0) {
		*negative = 1;
		*out = 0;
		return OT_OK;
	}
	*out = (uint64_t)d;
	if ((double)*out != d)
		return ot_error_set(err, OT_ERR_PARSE, "field \"%s\" must be an integer", name);
	return OT_OK;
}

static ot_status get_hash(json_t *v, const char *name, otx_json_hash *out, ot_error *err)
{
	if (!v)
		return ot_error_set(err, OT_ERR_PARSE, "field \"%s\" is missing", name);
	if (json_is_null(v)) {
		out->len = 0;
		return OT_OK;
	}
	if (!json_is_string(v))
		return ot_error_set(err, OT_ERR_PARSE, "field \"%s\" must be a base64 string",
		                    name);
	const char *s = json_string_value(v);
	ot_status rc = ot_b64_decode(s, strlen(s), out->h, sizeof out->h, &out->len);
	if (rc)
		return ot_error_set(err, OT_ERR_PARSE,
		                    "field \"%s\" is not standard base64 of at most %zu bytes",
		                    name, sizeof out->h);
	return OT_OK;
}

ot_status otx_proof_file_parse(const char *text, size_t len, otx_proof_file *out, ot_error *err)
{
	memset(out, 0, sizeof *out);
	out->want_err = -1;
	json_error_t jerr;
	json_t *root =
		json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
	if (!root)
		return ot_error_set(err, OT_ERR_PARSE, "not JSON: %s at line %d, column %d",
		                    jerr.text, jerr.line, jerr.column);
	ot_status rc = OT_OK;
	if (!json_is_object(root)) {
		rc = ot_error_set(err, OT_ERR_PARSE, "a proof file must hold a JSON object");
		goto out;
	}
	if (json_object_get(root, "leafIdx")) {
		rc = get_u64(root, "leafIdx", &out->index, &out->negative, err);
		if (!rc)
			rc = get_u64(root, "treeSize", &out->size, &out->negative, err);
		if (!rc)
			rc = get_hash(json_object_get(root, "leafHash"), "leafHash", &out->a, err);
		if (!rc)
			rc = get_hash(json_object_get(root, "root"), "root", &out->b, err);
	} else if (json_object_get(root, "size1")) {
		out->consistency = 1;
		rc = get_u64(root, "size1", &out->index, &out->negative, err);
		if (!rc)
			rc = get_u64(root, "size2", &out->size, &out->negative, err);
		if (!rc)
			rc = get_hash(json_object_get(root, "root1"), "root1", &out->a, err);
		if (!rc)
			rc = get_hash(json_object_get(root, "root2"), "root2", &out->b, err);
	} else {
		rc = ot_error_set(
			err, OT_ERR_PARSE,
			"neither an inclusion proof (leafIdx) nor a consistency proof (size1)");
	}
	if (rc)
		goto out;
	json_t *proof = json_object_get(root, "proof");
	if (!proof) {
		rc = ot_error_set(err, OT_ERR_PARSE, "field \"proof\" is missing");
		goto out;
	}
	if (!json_is_null(proof)) {
		if (!json_is_array(proof)) {
			rc = ot_error_set(err, OT_ERR_PARSE,
			                  "field \"proof\" must be an array of hashes");
			goto out;
		}
		if (json_array_size(proof) > OT_PROOF_MAX + 8) {
			rc = ot_error_set(err, OT_ERR_PARSE,
			                  "field \"proof\" has %zu hashes; at most %d",
			                  json_array_size(proof), OT_PROOF_MAX + 8);
			goto out;
		}
		size_t i;
		json_t *h;
		json_array_foreach(proof, i, h)
		{
			char name[32];
			snprintf(name, sizeof name, "proof[%zu]", i);
			rc = get_hash(h, name, &out->proof[i], err);
			if (rc)
				goto out;
		}
		out->n = json_array_size(proof);
	}
	json_t *we = json_object_get(root, "wantErr");
	if (we && json_is_boolean(we))
		out->want_err = json_is_true(we);
	json_t *desc = json_object_get(root, "desc");
	if (desc && json_is_string(desc))
		snprintf(out->desc, sizeof out->desc, "%s", json_string_value(desc));
out:
	json_decref(root);
	return rc;
}

ot_status otx_proof_file_verify(const otx_proof_file *p, ot_error *err)
{
	if (p->negative)
		return ot_error_set(err, OT_ERR_VERIFY,
		                    "an index or size is negative or above 2^53");
	if (p->a.len != OT_HASH_SIZE || p->b.len != OT_HASH_SIZE)
		return ot_error_set(err, OT_ERR_VERIFY, "a hash is %zu bytes, not 32",
		                    p->a.len != OT_HASH_SIZE ? p->a.len : p->b.len);
	if (p->n > OT_PROOF_MAX)
		return ot_error_set(err, OT_ERR_VERIFY,
		                    "the proof has %zu hashes, more than any tree needs", p->n);
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	for (size_t i = 0; i < p->n; i++) {
		if (p->proof[i].len != OT_HASH_SIZE)
			return ot_error_set(err, OT_ERR_VERIFY, "proof[%zu] is %zu bytes, not 32",
			                    i, p->proof[i].len);
		memcpy(proof[i], p->proof[i].h, OT_HASH_SIZE);
	}
	ot_status rc;
	if (p->consistency) {
		rc = ot_verify_consistency(p->index, p->size, p->a.h, p->b.h,
		                           (const uint8_t(*)[OT_HASH_SIZE])proof, p->n);
		if (rc)
			return ot_error_set(
				err, OT_ERR_VERIFY,
				"the tree of size %llu is not proven to be a prefix of the tree of "
				"size %llu",
				(unsigned long long)p->index, (unsigned long long)p->size);
		return OT_OK;
	}
	rc = ot_verify_inclusion(p->index, p->size, p->a.h, (const uint8_t(*)[OT_HASH_SIZE])proof,
	                         p->n, p->b.h);
	if (rc == OT_ERR_RANGE)
		return ot_error_set(err, OT_ERR_VERIFY,
		                    "leaf index %llu is not below the tree size %llu",
		                    (unsigned long long)p->index, (unsigned long long)p->size);
	if (rc)
		return ot_error_set(
			err, OT_ERR_VERIFY,
			"the leaf is not proven to be at index %llu in the tree of size %llu",
			(unsigned long long)p->index, (unsigned long long)p->size);
	return OT_OK;
}

ot_status otx_proof_file_from_log(ot_log *log, int consistency, uint64_t a, uint64_t b,
                                  otx_proof_file *out, ot_error *err)
{
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	memset(out, 0, sizeof *out);
	out->consistency = consistency;
	out->index = a;
	out->size = b;
	out->want_err = -1;
	out->a.len = out->b.len = OT_HASH_SIZE;
	ot_status rc;
	if (consistency)
		rc = ot_log_consistency_proof(log, a, b, proof, &out->n, err);
	else
		rc = ot_log_inclusion_proof(log, a, b, proof, &out->n, err);
	if (!rc)
		rc = consistency ? ot_log_tree_hash(log, a, out->a.h, err)
		                 : ot_log_leaf_hash(log, a, out->a.h, err);
	if (!rc)
		rc = ot_log_tree_hash(log, b, out->b.h, err);
	for (size_t i = 0; !rc && i < out->n; i++) {
		memcpy(out->proof[i].h, proof[i], OT_HASH_SIZE);
		out->proof[i].len = OT_HASH_SIZE;
	}
	return rc;
}

static json_t *hash_json(const otx_json_hash *h)
{
	char b64[128];
	ot_b64_encode(h->h, h->len, b64);
	return json_string(b64);
}

ot_status otx_proof_file_format(const otx_proof_file *p, char **out)
{
	json_t *o = json_object();
	json_t *arr = json_array();
	if (!o || !arr) {
		json_decref(o);
		json_decref(arr);
		return OT_ERR_NOMEM;
	}
	if (p->consistency) {
		json_object_set_new(o, "size1", json_integer((json_int_t)p->index));
		json_object_set_new(o, "size2", json_integer((json_int_t)p->size));
		json_object_set_new(o, "root1", hash_json(&p->a));
		json_object_set_new(o, "root2", hash_json(&p->b));
	} else {
		json_object_set_new(o, "leafIdx", json_integer((json_int_t)p->index));
		json_object_set_new(o, "treeSize", json_integer((json_int_t)p->size));
		json_object_set_new(o, "root", hash_json(&p->b));
		json_object_set_new(o, "leafHash", hash_json(&p->a));
	}
	for (size_t i = 0; i < p->n; i++)
		json_array_append_new(arr, hash_json(&p->proof[i]));
	json_object_set_new(o, "proof", arr);
	*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return *out ? OT_OK : OT_ERR_NOMEM;
}

/* --- the public names (oretrail/proof_file.h) --- */

ot_status ot_proof_file_parse(const char *text, size_t len, ot_proof_file *out, ot_error *err)
{
	return otx_proof_file_parse(text, len, out, err);
}

ot_status ot_proof_file_verify(const ot_proof_file *p, ot_error *err)
{
	return otx_proof_file_verify(p, err);
}

ot_status ot_proof_file_from_log(ot_log *log, int consistency, uint64_t a, uint64_t b,
                                 ot_proof_file *out, ot_error *err)
{
	return otx_proof_file_from_log(log, consistency, a, b, out, err);
}

ot_status ot_proof_file_format(const ot_proof_file *p, char **out)
{
	return otx_proof_file_format(p, out);
}
