/*
 * ledger_fixture.h: a ledger in a temporary SQLite file with named keys, and
 * helpers that sign and submit events, for the ledger tests. Header-only:
 * each test includes it once.
 */
#ifndef OT_TEST_LEDGER_FIXTURE_H
#define OT_TEST_LEDGER_FIXTURE_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/envelope.h"
#include "ledger/state.h"
#include "oretrail/buf.h"
#include "oretrail/ledger.h"
#include "test.h"

#define FX_UNUSED __attribute__((unused))
#define FX_MAX_KEYS 32
#define FX_TIME "2025-09-10T00:00:00Z"

typedef struct fx {
	char path[4200];
	ot_ledger *l;
	ot_signer *auth;
	ot_signer *keys[FX_MAX_KEYS];
	size_t nkeys;
	unsigned next_id;
	ot_error err; /* the last submission's error */
} fx;

/* JSON from printf-style text with ' for " (J("{'a':%d}", 1)); NULL if bad. */
FX_UNUSED __attribute__((format(printf, 1, 2))) static json_t *J(const char *fmt, ...)
{
	char buf[65536];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_error_t e;
	json_t *v = json_loads(buf, JSON_DECODE_ANY, &e);
	if (!v)
		fprintf(stderr, "J: %s: %s\n", e.text, buf);
	return v;
}

/* A new ledger whose authority is "gov". */
FX_UNUSED static int fx_open(fx *f, const char *name)
{
	memset(f, 0, sizeof *f);
	const char *dir = test_tmpdir(name);
	if (!dir)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/ledger.db", dir);
	if (ot_signer_generate("gov", &f->auth, NULL) != OT_OK)
		return -1;
	f->keys[f->nkeys++] = f->auth;
	ot_error err;
	if (ot_ledger_create(f->path, "oretrail.test/ledger", f->auth, &f->l, &err) != OT_OK) {
		fprintf(stderr, "ot_ledger_create: %s\n", err.message);
		return -1;
	}
	return 0;
}

FX_UNUSED static void fx_close(fx *f)
{
	ot_ledger_close(f->l);
	for (size_t i = 0; i < f->nkeys; i++)
		ot_signer_free(f->keys[i]);
	memset(f, 0, sizeof *f);
}

/* The key named `name`, generated on first use. */
FX_UNUSED static ot_signer *fx_key(fx *f, const char *name)
{
	for (size_t i = 0; i < f->nkeys; i++)
		if (strcmp(ot_signer_name(f->keys[i]), name) == 0)
			return f->keys[i];
	if (f->nkeys == FX_MAX_KEYS || ot_signer_generate(name, &f->keys[f->nkeys], NULL))
		return NULL;
	return f->keys[f->nkeys++];
}

/* A second, different key with the same name (not remembered by fx_key). */
FX_UNUSED static ot_signer *fx_other_key(fx *f, const char *name)
{
	ot_signer *s = NULL;
	if (f->nkeys == FX_MAX_KEYS || ot_signer_generate(name, &s, NULL))
		return NULL;
	f->keys[f->nkeys++] = s; /* freed with the fixture */
	return s;
}

FX_UNUSED static const char *fx_vkey(fx *f, const char *name)
{
	static char buf[4][OT_VKEY_MAX];
	static int turn;
	char *b = buf[turn++ % 4];
	if (ot_signer_vkey(fx_key(f, name), b, OT_VKEY_MAX) != OT_OK)
		return "";
	return b;
}

/* Signs `ev` (a new reference, stolen) as `signer` with `key`, adding "id"
 * and "time" when absent. Returns the entry bytes in *out. */
FX_UNUSED static int fx_sign_with(fx *f, json_t *ev, const char *signer, const ot_signer *key,
                                  ot_buf *out)
{
	char id[32];
	if (!ev)
		return -1;
	if (!json_object_get(ev, "id")) {
		snprintf(id, sizeof id, "ev-%u", f->next_id++);
		json_object_set_new(ev, "id", json_string(id));
	}
	if (!json_object_get(ev, "time"))
		json_object_set_new(ev, "time", json_string(FX_TIME));
	ot_buf_init(out, 0);
	ot_error err;
	ot_status rc = otx_envelope_sign(ev, signer, key, out, &err);
	json_decref(ev);
	if (rc) {
		fprintf(stderr, "otx_envelope_sign: %s\n", err.message);
		return -1;
	}
	return 0;
}

/* Submits one event signed by `signer`'s key; returns the status and keeps
 * the error in f->err. */
FX_UNUSED static ot_status fx_submit_with(fx *f, json_t *ev, const char *signer,
                                          const ot_signer *key)
{
	ot_buf b;
	ot_error_clear(&f->err);
	if (fx_sign_with(f, ev, signer, key, &b))
		return OT_ERR_ARG;
	const uint8_t *e = b.data;
	size_t len = b.len;
	ot_status rc = ot_ledger_submit(f->l, &e, &len, 1, 0, NULL, NULL, &f->err);
	ot_buf_free(&b);
	return rc;
}

FX_UNUSED static ot_status fx_submit(fx *f, const char *signer, json_t *ev)
{
	return fx_submit_with(f, ev, signer, fx_key(f, signer));
}

/* Registers an actor (signed by the authority). roles: a JSON array text. */
FX_UNUSED static ot_status fx_actor(fx *f, const char *actor, const char *country,
                                    const char *roles)
{
	json_t *r = J("%s", roles);
	return fx_submit(f, "gov",
	                 json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}", "type", "actor", "actor", actor,
	                           "name", actor, "country", country, "roles", r, "key",
	                           fx_vkey(f, actor)));
}

FX_UNUSED static ot_status fx_site(fx *f, const char *site, const char *kind, const char *holder,
                                   const char *country)
{
	return fx_submit(f, "gov",
	                 json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "site", "site",
	                           site, "kind", kind, "holder", holder, "country", country,
	                           "licence", "L-1", "valid_from", "2025-01-01T00:00:00Z",
	                           "valid_until", "2035-01-01T00:00:00Z"));
}

/* An extraction of `mass` g of `lot` at `site` by `miner` with an assay
 * given as JSON text. */
FX_UNUSED static ot_status fx_extract(fx *f, const char *miner, const char *site, const char *lot,
                                      json_int_t mass, const char *assay)
{
	return fx_submit(f, miner,
	                 json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "type", "extract", "site", site,
	                           "lot", lot, "material", "ore", "mass_g", mass, "assay",
	                           J("%s", assay)));
}

/* Whether the audit (a replay of the whole log from scratch, compared with
 * the ledger's state record for record) finds the ledger sound: "ok" and no
 * problems. */
FX_UNUSED static int fx_audit_clean(fx *f)
{
	char *json = NULL;
	ot_error err;
	if (ot_ledger_audit(f->l, NULL, 0, &json, &err) != OT_OK)
		return 0;
	json_t *audit = json ? json_loads(json, 0, NULL) : NULL;
	int clean = json_is_true(json_object_get(audit, "ok")) &&
	            json_array_size(json_object_get(audit, "problems")) == 0;
	json_decref(audit);
	free(json);
	return clean;
}

FX_UNUSED static uint64_t fx_size(fx *f)
{
	return ot_log_size(ot_ledger_log(f->l));
}

FX_UNUSED static ot_status fx_dump_cb(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	ot_buf *b = ctx;
	ot_buf_printf(b, "%s=", key);
	ot_buf_add(b, value, len);
	return ot_buf_addc(b, '\n');
}

/* Every state record, as text (malloc'ed): for "nothing changed" checks. */
FX_UNUSED static char *fx_state(fx *f)
{
	ot_buf b;
	ot_buf_init(&b, 0);
	for (size_t i = 0; otx_state_namespaces[i]; i++) {
		ot_buf_printf(&b, "[%s]\n", otx_state_namespaces[i]);
		ot_store_kv_scan(ot_ledger_store(f->l), otx_state_namespaces[i], "", fx_dump_cb, &b,
		                 NULL);
	}
	uint8_t *data = NULL;
	size_t len = 0;
	ot_buf_detach(&b, &data, &len);
	return (char *)data;
}

/* The trace of a lot as a JSON value (NULL when it fails). The compact
 * trace (written partly as text by query.c) must be the very bytes of the
 * indented one's document serialised compactly: checked on every call. */
FX_UNUSED static json_t *fx_trace_ex(fx *f, const char *lot, int flags)
{
	char *text = NULL, *pretty = NULL;
	if (ot_ledger_trace(f->l, lot, flags, &text, NULL) != OT_OK)
		return NULL;
	json_t *v = json_loads(text, 0, NULL);
	if (!(flags & OT_JSON_PRETTY)) {
		CHECK_OK(ot_ledger_trace(f->l, lot, flags | OT_JSON_PRETTY, &pretty, NULL));
		json_t *pv = pretty ? json_loads(pretty, 0, NULL) : NULL;
		char *again =
			pv ? json_dumps(pv, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)
			   : NULL;
		CHECK(again != NULL && strcmp(again, text) == 0);
		free(again);
		json_decref(pv);
		free(pretty);
	}
	free(text);
	return v;
}

FX_UNUSED static json_t *fx_trace(fx *f, const char *lot)
{
	return fx_trace_ex(f, lot, 0);
}

/* mg of `element` from `site` in a trace's origins (0 when absent). */
FX_UNUSED static int64_t fx_origin(json_t *trace, const char *element, const char *site,
                                   const char *field)
{
	json_t *o = json_object_get(trace, "origins");
	for (size_t i = 0; i < json_array_size(o); i++) {
		json_t *r = json_array_get(o, i);
		if (strcmp(json_string_value(json_object_get(r, "element")), element) == 0 &&
		    strcmp(json_string_value(json_object_get(r, "site")), site) == 0)
			return (int64_t)json_integer_value(json_object_get(r, field));
	}
	return 0;
}

#endif
