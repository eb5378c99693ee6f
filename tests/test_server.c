/*
 * test_server.c: the HTTP server over real HTTP on 127.0.0.1: the C2SP read
 * paths byte for byte against the log, POST /add (single, arrays, all or
 * none per request) with its answer checked end to end (leaf hash,
 * signature of the checkpoint, inclusion proof), every error status, the
 * JSON API, the read-only mode, keep-alive, restart, and the access log in
 * Common Log Format.
 */
#include <inttypes.h>
#include <regex.h>
#include <time.h>

#include "http_client.h"
#include "ledger/commit.h"
#include "ledger_fixture.h"
#include "log/proof_json.h"
#include "oretrail/encoding.h"
#include "oretrail/event.h"
#include "oretrail/server.h"

static fx f;
static ot_server *srv;
static uint16_t port;
static char log_path[4200];
static FILE *access_log;
static ot_verifier *log_vkey;

/* --- helpers --- */

/* Signs ev as `signer` (its fixture key); the canonical envelope text. */
static char *sign_as(const char *signer, json_t *ev)
{
	ot_buf b;
	if (fx_sign_with(&f, ev, signer, fx_key(&f, signer), &b))
		return NULL;
	return (char *)b.data;
}

static json_t *resp_json(const http_resp *r)
{
	return r->body ? json_loadb((const char *)r->body, r->body_len, 0, NULL) : NULL;
}

static http_resp post(const char *body)
{
	http_resp r;
	if (http_post(port, "/add", body, body ? strlen(body) : 0, &r))
		fprintf(stderr, "POST /add: no response\n");
	return r;
}

static http_resp get(const char *path)
{
	http_resp r;
	if (http_get(port, path, &r))
		fprintf(stderr, "GET %s: no response\n", path);
	return r;
}

/* Checks an error answer: status, {"error":{"code","message","index"}}. */
static void expect_error(http_resp *r, int status, const char *code, int64_t index)
{
	CHECK(r->status == status);
	if (r->status != status)
		fprintf(stderr, "  want %d, got %d: %s\n", status, r->status,
		        r->body ? (const char *)r->body : "");
	char ct[128];
	CHECK(http_header(r, "Content-Type", ct, sizeof ct) && strcmp(ct, "application/json") == 0);
	json_t *doc = resp_json(r);
	json_t *e = json_object_get(doc, "error");
	CHECK(json_is_object(e) && json_object_size(e) == 3);
	CHECK(json_is_string(json_object_get(e, "message")) &&
	      json_string_length(json_object_get(e, "message")) > 0);
	if (code) {
		CHECK_STR(json_string_value(json_object_get(e, "code")), code);
	}
	json_t *idx = json_object_get(e, "index");
	if (index >= 0)
		CHECK(json_is_integer(idx) && json_integer_value(idx) == index);
	else
		CHECK(json_is_null(idx) || json_is_integer(idx));
	json_decref(doc);
	http_resp_free(r);
}

/* A read-only ledger handle of our own, caught up with the server. */
static ot_ledger *reader(void)
{
	ot_ledger *l = NULL;
	ot_error err;
	if (ot_ledger_open(f.path, NULL, OT_LEDGER_READONLY, &l, &err)) {
		fprintf(stderr, "reader: %s\n", err.message);
		return NULL;
	}
	return l;
}

static uint64_t log_size(void)
{
	ot_ledger *l = reader();
	uint64_t n = l ? ot_log_size(ot_ledger_log(l)) : 0;
	ot_ledger_close(l);
	return n;
}

/* The compliance profiles GET /api/lots/<lot> judges by: one that objects
 * to the mine's country from 2020 on, one whose only stage takes effect in
 * 2030 (so a lot passes it now). Named so that their order is not the
 * name order. */
static const char PROFILE_PK[] =
	"{\"profile\":\"zz-no-pk\",\"title\":\"no PK ore\",\"elements\":[\"Nd\",\"Pr\"],"
	"\"stages\":{\"mined\":\"2020-01-01\"},\"covered_countries\":[\"PK\"]}";
static const char PROFILE_LATER[] =
	"{\"profile\":\"aa-later\",\"elements\":[\"Nd\"],"
	"\"stages\":{\"mined\":\"2030-01-01\"},\"covered_countries\":[\"PK\"]}";
static const ot_cert_profile PROFILES[] = {
	{PROFILE_PK, sizeof PROFILE_PK - 1, 0},
	{PROFILE_LATER, sizeof PROFILE_LATER - 1, 0},
};

static int start(int read_only, size_t max_body, size_t max_events)
{
	ot_server_options o;
	memset(&o, 0, sizeof o);
	o.db = f.path;
	o.listen = "127.0.0.1:0";
	o.signer = f.auth;
	o.read_only = read_only;
	o.access_log = access_log;
	o.threads = 4;
	o.max_body = max_body;
	o.max_events = max_events;
	o.profiles = PROFILES;
	o.n_profiles = sizeof PROFILES / sizeof PROFILES[0];
	ot_error err;
	if (ot_server_start(&o, &srv, &err)) {
		fprintf(stderr, "ot_server_start: %s\n", err.message);
		return -1;
	}
	port = ot_server_port(srv);
	return port ? 0 : -1;
}

#define EXTRACT                                                                    \
	"{'type':'extract','id':'%s','site':'mine-a','lot':'%s','material':'ore'," \
	"'mass_g':%d,'assay':{'Nd':4600,'Pr':1350}}"

static char *extract(const char *id, const char *lot, int mass)
{
	return sign_as("fwo", J(EXTRACT, id, lot, mass));
}

/* --- the ledger the tests work on --- */

static void world(void)
{
	CHECK(fx_open(&f, "server") == 0);
	CHECK_OK(fx_actor(&f, "fwo", "PK", "['miner','processor','exporter']"));
	CHECK_OK(fx_actor(&f, "lab1", "PK", "['lab']"));
	CHECK_OK(fx_actor(&f, "ussm", "US", "['importer','processor']"));
	CHECK_OK(fx_site(&f, "mine-a", "mine", "fwo", "PK"));
	CHECK_OK(fx_site(&f, "plant-1", "plant", "fwo", "PK"));
	CHECK_OK(fx_site(&f, "us-site", "plant", "ussm", "US"));
	CHECK_OK(fx_extract(&f, "fwo", "mine-a", "ore-1", 1500000, "{'Nd':4600,'Pr':1350}"));
	/* The server is the only writer from here on. */
	ot_ledger_close(f.l);
	f.l = NULL;
	char vkey[OT_VKEY_MAX];
	CHECK_OK(ot_signer_vkey(f.auth, vkey, sizeof vkey));
	CHECK_OK(ot_verifier_parse(vkey, strlen(vkey), &log_vkey, NULL));
}

/* --- POST /add --- */

/* Checks a successful answer: indexes, leaf hashes, a checkpoint signed by
 * the log that includes the entries (inclusion proof from the API). */
static void check_answer(http_resp *r, char **entries, size_t n, uint64_t *first)
{
	CHECK(r->status == 200);
	if (r->status != 200) {
		fprintf(stderr, "  POST /add: %d %s\n", r->status, r->body ? (char *)r->body : "");
		http_resp_free(r);
		return;
	}
	json_t *doc = resp_json(r);
	json_t *list = json_object_get(doc, "entries");
	CHECK(json_array_size(list) == n);
	uint64_t tree_size = (uint64_t)json_integer_value(json_object_get(doc, "tree_size"));
	const char *note = json_string_value(json_object_get(doc, "checkpoint"));
	CHECK(note != NULL);
	ot_note parsed;
	memset(&parsed, 0, sizeof parsed);
	ot_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	int note_ok =
		note && ot_note_open(note, strlen(note), &log_vkey, 1, &parsed, NULL) == OT_OK;
	CHECK(note_ok);
	if (note_ok)
		CHECK_OK(ot_checkpoint_parse(parsed.text, parsed.text_len, &cp, NULL));
	ot_note_clear(&parsed);
	CHECK(cp.size == tree_size);
	for (size_t i = 0; i < json_array_size(list) && i < n; i++) {
		json_t *e = json_array_get(list, i);
		uint64_t index = (uint64_t)json_integer_value(json_object_get(e, "index"));
		if (i == 0 && first)
			*first = index;
		if (i > 0)
			CHECK(index == (uint64_t)json_integer_value(json_object_get(
					       json_array_get(list, i - 1), "index")) +
			                       1);
		CHECK(index < tree_size);
		uint8_t leaf[OT_HASH_SIZE];
		char want[64];
		ot_leaf_hash(entries[i], strlen(entries[i]), leaf);
		ot_b64_encode(leaf, OT_HASH_SIZE, want);
		CHECK_STR(json_string_value(json_object_get(e, "leaf_hash")), want);
		if (i == 0 || i + 1 == n) {
			/* The checkpoint includes the entry: prove it. */
			char path[128];
			snprintf(path, sizeof path,
			         "/api/proof/inclusion?index=%" PRIu64 "&size=%" PRIu64, index,
			         tree_size);
			http_resp pr = get(path);
			CHECK(pr.status == 200);
			otx_proof_file *pf = calloc(1, sizeof *pf);
			CHECK(pf && otx_proof_file_parse((const char *)pr.body, pr.body_len, pf,
			                                 NULL) == OT_OK);
			if (pf) {
				uint8_t(*hashes)[OT_HASH_SIZE] = calloc(OT_PROOF_MAX, OT_HASH_SIZE);
				for (size_t k = 0; k < pf->n && k < OT_PROOF_MAX; k++)
					memcpy(hashes[k], pf->proof[k].h, OT_HASH_SIZE);
				CHECK(memcmp(pf->a.h, leaf, OT_HASH_SIZE) == 0);
				CHECK(ot_verify_inclusion(index, tree_size, leaf,
				                          (const uint8_t(*)[OT_HASH_SIZE])hashes,
				                          pf->n, cp.root) == OT_OK);
				free(hashes);
			}
			free(pf);
			http_resp_free(&pr);
		}
	}
	json_decref(doc);
	http_resp_free(r);
}

/* A JSON array of envelopes. */
static char *array_of(char **items, size_t n)
{
	ot_buf b;
	ot_buf_init(&b, 0);
	ot_buf_addc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			ot_buf_adds(&b, ",\n ");
		ot_buf_adds(&b, items[i]);
	}
	ot_buf_addc(&b, ']');
	return (char *)b.data;
}

static void test_add(void)
{
	/* One envelope. */
	uint64_t n0 = log_size(), first = 0;
	char *one = extract("add-1", "lot-add-1", 1000);
	http_resp r = post(one);
	check_answer(&r, &one, 1, &first);
	CHECK(first == n0);
	CHECK(log_size() == n0 + 1);

	/* Any JSON layout; the log stores (and hashes) the canonical form. */
	char *canon = extract("add-2", "lot-add-2", 1000);
	json_t *v = json_loads(canon, 0, NULL);
	char *pretty = json_dumps(v, JSON_INDENT(3));
	json_decref(v);
	r = post(pretty);
	check_answer(&r, &canon, 1, NULL);
	free(pretty);

	/* An array: contiguous indexes. */
	char *three[3] = {extract("add-3", "lot-add-3", 1000), extract("add-4", "lot-add-4", 1000),
	                  extract("add-5", "lot-add-5", 1000)};
	char *arr = array_of(three, 3);
	r = post(arr);
	check_answer(&r, three, 3, NULL);
	free(arr);

	/* Enough for full tiles: 300 in one request. */
	char *many[300];
	for (int i = 0; i < 300; i++) {
		char id[32], lot[32];
		snprintf(id, sizeof id, "bulk-%d", i);
		snprintf(lot, sizeof lot, "lot-bulk-%d", i);
		many[i] = extract(id, lot, 1000 + i);
	}
	arr = array_of(many, 300);
	r = post(arr);
	check_answer(&r, many, 300, NULL);
	free(arr);
	for (int i = 0; i < 300; i++)
		free(many[i]);

	/* All or none: the middle one uses a lot that does not exist. */
	uint64_t before = log_size();
	char *mixed[3] = {
		extract("aon-1", "lot-aon-1", 1000),
		sign_as("fwo",
	                J("{'type':'transform','id':'aon-2','site':'mine-a',"
	                  "'process':'beneficiation','inputs':[{'lot':'no-such-lot','mass_g':10}],"
	                  "'outputs':[{'lot':'aon-out','material':'concentrate','mass_g':5,"
	                  "'assay':{'Nd':1000}}]}")),
		extract("aon-3", "lot-aon-3", 1000)};
	arr = array_of(mixed, 3);
	r = post(arr);
	expect_error(&r, 409, "lot_not_found", 1);
	CHECK(log_size() == before);
	r = get("/api/lots/lot-aon-1");
	CHECK(r.status == 404);
	http_resp_free(&r);
	free(arr);
	for (int i = 0; i < 3; i++)
		free(mixed[i]);

	/* The same events, good ones alone, pass afterwards: nothing of the
	 * failed request was left behind (ids unused). */
	char *good[2] = {extract("aon-1", "lot-aon-1", 1000), extract("aon-3", "lot-aon-3", 1000)};
	arr = array_of(good, 2);
	r = post(arr);
	check_answer(&r, good, 2, NULL);
	free(arr);
	free(good[0]);
	free(good[1]);

	free(one);
	free(canon);
	for (int i = 0; i < 3; i++)
		free(three[i]);
}

static void test_errors(void)
{
	uint64_t before = log_size();
	http_resp r;

	/* 400: malformed input. */
	r = post("this is not JSON");
	expect_error(&r, 400, NULL, 0);
	r = post("");
	expect_error(&r, 400, "empty_body", -1);
	r = post("[]");
	expect_error(&r, 400, "empty_batch", -1);
	r = post("[1]");
	expect_error(&r, 400, "envelope_not_object", 0);
	r = post("[{\"a\":1,\"a\":2}]");
	expect_error(&r, 400, NULL, 0);
	/* Malformed arrays: each is 400, none reaches the ledger. */
	const char *broken[] = {"[",     "[ ",     "[{}",      "[{},",           "[{} {}]",
	                        "[{},]", "[{}] x", "[\"open]", "[{\"a\":\"}\"]", "[]]",
	                        "[,{}]", "[{}]]"};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		r = post(broken[i]);
		CHECK(r.status == 400);
		if (r.status != 400)
			fprintf(stderr, "  %s: %d\n", broken[i], r.status);
		expect_error(&r, 400, NULL, -1);
	}
	char *okv = extract("err-ok", "lot-err-ok", 1000);
	char unsigned_ev[] = "{\"event\":{\"type\":\"extract\"}}";
	char *bad[2] = {okv, unsigned_ev};
	char *arr = array_of(bad, 2);
	r = post(arr);
	expect_error(&r, 400, NULL, 1);
	free(arr);

	/* 401: a signature that does not verify; a signer nobody knows. */
	char *forged = NULL;
	{
		ot_buf b;
		CHECK(fx_sign_with(&f, J(EXTRACT, "err-forged", "lot-forged", 1000), "fwo",
		                   fx_other_key(&f, "fwo"), &b) == 0);
		forged = (char *)b.data;
	}
	r = post(forged);
	expect_error(&r, 401, "bad_signature", 0);
	char *stranger = sign_as("stranger", J(EXTRACT, "err-stranger", "lot-stranger", 1000));
	r = post(stranger);
	expect_error(&r, 401, "unknown_signer", 0);

	/* 403: a lab may not extract. */
	char *lab = sign_as("lab1", J(EXTRACT, "err-lab", "lot-lab", 1000));
	r = post(lab);
	expect_error(&r, 403, "missing_role", 0);

	/* 409: in conflict with the ledger's state. */
	char *dup = extract("add-1", "lot-dup", 1000); /* the id add-1 is used */
	r = post(dup);
	expect_error(&r, 409, "duplicate_id", 0);
	char *duplot = extract("err-duplot", "ore-1", 1000);
	r = post(duplot);
	expect_error(&r, 409, "duplicate_lot", 0);

	/* 413: a body over the limit, announced or chunked; too many events. */
	int fd = http_connect(port);
	CHECK(fd >= 0);
	const char *big = "POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n";
	CHECK(http_write_all(fd, big, strlen(big)) == 0);
	CHECK(http_recv(fd, &r, 0) == 0);
	expect_error(&r, 413, "body_too_big", -1);
	close(fd);

	fd = http_connect(port);
	const char *chunk_head =
		"POST /add HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
	CHECK(http_write_all(fd, chunk_head, strlen(chunk_head)) == 0);
	static char chunk[65536 + 64];
	memset(chunk, ' ', sizeof chunk);
	int hl = snprintf(chunk, sizeof chunk, "10000\r\n");
	chunk[hl] = ' ';
	memcpy(chunk + hl + 65536, "\r\n", 2);
	int sent_ok = 1;
	for (int i = 0; i < 20 && sent_ok; i++) /* 1.25 MiB in all */
		sent_ok = http_write_all(fd, chunk, (size_t)hl + 65536 + 2) == 0;
	if (sent_ok)
		http_write_all(fd, "0\r\n\r\n", 5);
	if (http_recv(fd, &r, 0) == 0)
		expect_error(&r, 413, "body_too_big", -1);
	else
		http_resp_free(&r); /* the server may give up on the connection instead */
	close(fd);

	char *items[501];
	for (int i = 0; i < 501; i++)
		items[i] = okv;
	arr = array_of(items, 501);
	r = post(arr);
	expect_error(&r, 413, "too_many_events", -1);
	free(arr);

	/* 431: headers over our limit (16 KiB), and over libmicrohttpd's
	 * memory for a connection, which answers by itself. */
	static char junk[60000];
	for (size_t big_len = 20000; big_len <= 50000; big_len += 30000) {
		int n = snprintf(junk, sizeof junk,
		                 "GET /checkpoint HTTP/1.1\r\nHost: x\r\nX-Junk: ");
		memset(junk + n, 'x', big_len);
		memcpy(junk + (size_t)n + big_len, "\r\n\r\n", 5);
		fd = http_connect(port);
		http_write_all(fd, junk, (size_t)n + big_len + 4);
		CHECK(http_recv(fd, &r, 0) == 0);
		CHECK(r.status == 431);
		if (big_len == 20000)
			expect_error(&r, 431, "headers_too_big", -1);
		http_resp_free(&r);
		close(fd);
	}

	/* Methods and paths. */
	r = (http_resp){0};
	CHECK(http_request(port, "PUT", "/checkpoint", NULL, "x", 1, &r) == 0);
	char allow[64];
	CHECK(r.status == 405 && http_header(&r, "Allow", allow, sizeof allow) &&
	      strcmp(allow, "GET, HEAD") == 0);
	http_resp_free(&r);
	r = get("/add");
	CHECK(r.status == 405 && http_header(&r, "Allow", allow, sizeof allow) &&
	      strcmp(allow, "POST") == 0);
	http_resp_free(&r);
	r = get("/no/such/thing");
	expect_error(&r, 404, "not_found", -1);

	/* Nothing of all that reached the log. */
	CHECK(log_size() == before);
	free(okv);
	free(forged);
	free(stranger);
	free(lab);
	free(dup);
	free(duplot);
}

/* HTTP framing: conflicting Content-Length headers are 400, not read one
 * way or the other; a chunked body far over the limit gets its 413 (the
 * server answers as soon as the limit is passed and reads no more). */
static void test_framing(void)
{
	uint64_t before = log_size();
	char *ev = extract("framing-1", "lot-framing-1", 1000);
	char req[8192];
	for (int i = 0; i < 2; i++) { /* the second with a name in lowercase */
		size_t len = strlen(ev);
		int n = snprintf(req, sizeof req, "POST /add HTTP/1.1\r\nHost: x\r\n");
		n += i == 0 ? snprintf(req + n, sizeof req - (size_t)n,
		                       "Content-Length: %zu\r\nContent-Length: %zu\r\n", len,
		                       len - 2)
		            : snprintf(req + n, sizeof req - (size_t)n,
		                       "Content-Length: %zu\r\ncontent-length: %zu\r\n", len + 5,
		                       len);
		n += snprintf(req + n, sizeof req - (size_t)n, "\r\n%s", ev);
		int fd = http_connect(port);
		CHECK(fd >= 0 && http_write_all(fd, req, (size_t)n) == 0);
		http_resp r;
		CHECK(http_recv(fd, &r, 0) == 0);
		expect_error(&r, 400, "conflicting_length", -1);
		close(fd);
	}
	/* The same length twice is one length. */
	int n = snprintf(req, sizeof req,
	                 "GET /checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	                 "Content-Length: 0\r\n\r\n");
	int fd = http_connect(port);
	CHECK(fd >= 0 && http_write_all(fd, req, (size_t)n) == 0);
	http_resp r;
	CHECK(http_recv(fd, &r, 0) == 0 && r.status == 200);
	http_resp_free(&r);
	close(fd);

	/* 4 MiB chunked against a 1 MiB limit: 413, not a reset. */
	fd = http_connect_timeout(port, 5000);
	const char *head = "POST /add HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
	CHECK(fd >= 0 && http_write_all(fd, head, strlen(head)) == 0);
	static char chunk[65536 + 64];
	int hl = snprintf(chunk, sizeof chunk, "10000\r\n");
	memset(chunk + hl, ' ', 65536);
	memcpy(chunk + hl + 65536, "\r\n", 2);
	int sent = 1;
	for (int i = 0; i < 64 && sent; i++)
		sent = http_write_all(fd, chunk, (size_t)hl + 65536 + 2) == 0;
	CHECK(sent && http_write_all(fd, "0\r\n\r\n", 5) == 0);
	CHECK(http_recv(fd, &r, 0) == 0);
	expect_error(&r, 413, "body_too_big", -1);
	close(fd);
	CHECK(log_size() == before);
	free(ev);
}

/* --- read paths --- */

static void check_tile(ot_log *log, const char *path, int full)
{
	ot_tile t;
	CHECK_OK(ot_tile_parse_path(path, strlen(path), &t));
	uint8_t *want = NULL;
	size_t want_len = 0;
	CHECK_OK(ot_log_read_tile(log, &t, &want, &want_len, NULL));
	char url[256];
	snprintf(url, sizeof url, "/%s", path);
	http_resp r = get(url);
	CHECK(r.status == 200);
	CHECK(r.body_len == want_len && want && memcmp(r.body, want, want_len) == 0);
	char v[128];
	CHECK(http_header(&r, "Content-Type", v, sizeof v) &&
	      strcmp(v, "application/octet-stream") == 0);
	CHECK(http_header(&r, "Cache-Control", v, sizeof v));
	if (full)
		CHECK_STR(v, "public, max-age=31536000, immutable");
	else
		CHECK(strstr(v, "max-age=") && !strstr(v, "immutable") &&
		      atoi(strstr(v, "=") + 1) <= 60);
	free(want);
	http_resp_free(&r);
}

static void test_read_paths(void)
{
	ot_ledger *l = reader();
	CHECK(l != NULL);
	if (!l)
		return;
	ot_log *log = ot_ledger_log(l);
	uint64_t size = ot_log_size(log);
	CHECK(size > 256 && size < 512);

	char *note = NULL;
	size_t len = 0;
	CHECK_OK(ot_log_checkpoint(log, &note, &len, NULL));
	http_resp r = get("/checkpoint");
	CHECK(r.status == 200 && r.body_len == len && memcmp(r.body, note, len) == 0);
	char v[128];
	CHECK(http_header(&r, "Content-Type", v, sizeof v) &&
	      strcmp(v, "text/plain; charset=utf-8") == 0);
	CHECK(http_header(&r, "Cache-Control", v, sizeof v) && strstr(v, "max-age=") &&
	      atoi(strstr(v, "=") + 1) <= 10);
	http_resp_free(&r);

	/* HEAD: the headers of GET, no body. */
	r = (http_resp){0};
	CHECK(http_request(port, "HEAD", "/checkpoint", NULL, NULL, 0, &r) == 0);
	CHECK(r.status == 200 && r.body_len == 0 &&
	      http_header(&r, "Content-Length", v, sizeof v) && (size_t)atoll(v) == len);
	http_resp_free(&r);

	char path[128];
	check_tile(log, "tile/0/000", 1);
	check_tile(log, "tile/entries/000", 1);
	snprintf(path, sizeof path, "tile/0/001.p/%u", (unsigned)(size - 256));
	check_tile(log, path, 0);
	snprintf(path, sizeof path, "tile/entries/001.p/%u", (unsigned)(size - 256));
	check_tile(log, path, 0);
	check_tile(log, "tile/1/000.p/1", 0);
	check_tile(log, "tile/0/001.p/1", 0); /* a smaller width of the edge tile */

	/* What the tree does not have is 404, like a static file server. */
	const char *missing[] = {"/tile/0/002",
	                         "/tile/0/001",
	                         "/tile/1/000",
	                         "/tile/2/000.p/1",
	                         "/tile/0/001.p/255",
	                         "/tile/entries/005",
	                         "/tile/0/x001/000",
	                         "/tile/0/00",
	                         "/tile/0/000.p/0",
	                         "/tile/0/000.p/256",
	                         "/tile/64/000",
	                         "/tile/00/000",
	                         "/tile/"};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		r = get(missing[i]);
		CHECK(r.status == 404);
		if (r.status != 404)
			fprintf(stderr, "  %s: %d\n", missing[i], r.status);
		http_resp_free(&r);
	}

	/* Keep-alive: several requests on one connection. */
	int fd = http_connect(port);
	for (int i = 0; i < 5; i++) {
		CHECK(http_send(fd, "GET", i % 2 ? "/tile/0/000" : "/checkpoint", NULL, NULL, 0) ==
		      0);
		CHECK(http_recv(fd, &r, 0) == 0 && r.status == 200 && !r.closed);
		http_resp_free(&r);
	}
	close(fd);
	free(note);
	ot_ledger_close(l);
}

/* --- JSON API --- */

static json_t *get_json(const char *path, int want_status)
{
	http_resp r = get(path);
	CHECK(r.status == want_status);
	if (r.status != want_status)
		fprintf(stderr, "  GET %s: %d %s\n", path, r.status, r.body ? (char *)r.body : "");
	json_t *doc = resp_json(&r);
	CHECK(doc != NULL);
	http_resp_free(&r);
	return doc;
}

/* GET /api/lots/<lot>: the stage rows and the determinations under the
 * server's profiles, as of today or ?at=, the same as trace and comply. */
static void test_lot_compliance(void)
{
	json_t *d = get_json("/api/lots/ore-1?at=2025-06-30", 200);
	CHECK_STR(json_string_value(json_object_get(d, "at")), "2025-06-30");
	json_t *stages = json_object_get(d, "stages");
	CHECK(json_array_size(stages) == 2); /* mined Nd and Pr, at mine-a */
	json_t *row = json_array_get(stages, 0);
	CHECK_STR(json_string_value(json_object_get(row, "stage")), "mined");
	CHECK_STR(json_string_value(json_object_get(row, "element")), "Nd");
	CHECK_STR(json_string_value(json_object_get(row, "country")), "PK");
	CHECK_STR(json_string_value(json_object_get(row, "site")), "mine-a");
	CHECK(json_integer_value(json_object_get(row, "share_ppm")) == 1000000);
	CHECK(json_integer_value(json_object_get(row, "grams")) == 6900); /* 1.5 t at 4600 ppm */
	/* In profile name order, each as `comply --json` gives it. */
	json_t *all = json_object_get(d, "compliance");
	CHECK(json_array_size(all) == 2);
	json_t *later = json_array_get(all, 0), *pk = json_array_get(all, 1);
	CHECK_STR(json_string_value(json_object_get(later, "profile")), "aa-later");
	CHECK_STR(json_string_value(json_object_get(later, "determination")), "pass");
	CHECK(json_array_size(json_object_get(later, "reasons")) == 0);
	CHECK_STR(json_string_value(json_object_get(pk, "profile")), "zz-no-pk");
	CHECK_STR(json_string_value(json_object_get(pk, "determination")), "fail");
	json_t *reason = json_array_get(json_object_get(pk, "reasons"), 0);
	CHECK_STR(json_string_value(json_object_get(reason, "kind")), "covered_country");
	CHECK_STR(json_string_value(json_object_get(reason, "stage")), "mined");
	CHECK_STR(json_string_value(json_object_get(reason, "country")), "PK");
	CHECK(json_array_size(json_object_get(reason, "entries")) == 1);
	ot_ledger *l = reader();
	char *text = NULL, *trace = NULL;
	int det = -1;
	CHECK(l && ot_ledger_comply(l, PROFILE_PK, sizeof PROFILE_PK - 1, "ore-1", "2025-06-30", 0,
	                            &text, &det, NULL) == OT_OK);
	CHECK(det == OT_COMPLY_FAIL);
	json_t *want = text ? json_loads(text, 0, NULL) : NULL;
	CHECK(want && json_equal(want, pk));
	CHECK(l && ot_ledger_trace(l, "ore-1", OT_TRACE_STAGES, &trace, NULL) == OT_OK);
	json_t *traced = trace ? json_loads(trace, 0, NULL) : NULL;
	CHECK(traced && json_equal(json_object_get(traced, "stages"), stages));
	json_decref(traced);
	json_decref(want);
	free(trace);
	free(text);
	ot_ledger_close(l);
	json_decref(d);

	/* Before any stage takes effect nothing is judged; today by default. */
	d = get_json("/api/lots/ore-1?at=2019-12-31", 200);
	all = json_object_get(d, "compliance");
	CHECK_STR(json_string_value(json_object_get(json_array_get(all, 1), "determination")),
	          "pass");
	json_decref(d);
	d = get_json("/api/lots/ore-1", 200);
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	const char *at = json_string_value(json_object_get(d, "at"));
	/* The server's clock may have passed midnight since. */
	CHECK(at && strlen(at) == 10 && strcmp(at, today) <= 0);
	json_decref(d);

	/* A date that is not one is refused, naming the argument. */
	d = get_json("/api/lots/ore-1?at=2025-13-01", 400);
	json_t *e = json_object_get(d, "error");
	CHECK_STR(json_string_value(json_object_get(e, "code")), "bad_argument");
	CHECK(strstr(json_string_value(json_object_get(e, "message")), "\"at\"") != NULL);
	json_decref(d);
	d = get_json("/api/lots/no-such-lot?at=2025-06-30", 404);
	CHECK_STR(json_string_value(json_object_get(json_object_get(d, "error"), "code")),
	          "lot_not_found");
	json_decref(d);
}

static void test_api(void)
{
	json_t *d;
	char path[256];

	d = get_json("/api/", 200);
	CHECK(json_array_size(json_object_get(d, "endpoints")) > 10);
	json_decref(d);

	/* Lots: a page, the next one, a trace. */
	d = get_json("/api/lots?limit=2", 200);
	CHECK(json_array_size(json_object_get(d, "lots")) == 2);
	const char *next = json_string_value(json_object_get(d, "next"));
	CHECK(next != NULL);
	snprintf(path, sizeof path, "/api/lots?limit=2&after=%s", next ? next : "");
	json_decref(d);
	d = get_json(path, 200);
	CHECK(json_array_size(json_object_get(d, "lots")) == 2);
	json_decref(d);
	d = get_json("/api/lots?prefix=lot-bulk-29&limit=100", 200);
	CHECK(json_array_size(json_object_get(d, "lots")) == 11); /* 29, 290..299 */
	CHECK(json_is_null(json_object_get(d, "next")));
	json_decref(d);
	d = get_json("/api/lots/ore-1", 200);
	CHECK_STR(json_string_value(json_object_get(d, "lot")), "ore-1");
	CHECK(json_array_size(json_object_get(d, "origins")) > 0);
	CHECK(json_array_size(json_object_get(d, "ancestry")) > 0);
	json_decref(d);
	test_lot_compliance();
	d = get_json("/api/lots/ore-1/trace", 200);
	CHECK_STR(json_string_value(json_object_get(d, "lot")), "ore-1");
	json_decref(d);
	d = get_json("/api/lots/no-such-lot", 404);
	CHECK_STR(json_string_value(json_object_get(json_object_get(d, "error"), "code")),
	          "lot_not_found");
	json_decref(d);

	/* A shipment and its receipt (with a loss in transit: a finding). */
	char *ship =
		sign_as("fwo", J("{'type':'ship','id':'api-ship','consignment':'C-1',"
	                         "'from':'mine-a','to':'us-site','consignee':'ussm',"
	                         "'lots':['ore-1'],'hs':['2617.10'],"
	                         "'value':{'amount':250000,'currency':'USD'},'permit':'P-1'}"));
	char *recv =
		sign_as("ussm", J("{'type':'receive','id':'api-recv','consignment':'C-1',"
	                          "'site':'us-site','lots':[{'lot':'ore-1','mass_g':1400000}]}"));
	char *both[2] = {ship, recv};
	char *arr = array_of(both, 2);
	http_resp r = post(arr);
	check_answer(&r, both, 2, NULL);
	free(arr);
	free(ship);
	free(recv);
	d = get_json("/api/consignments", 200);
	CHECK(json_array_size(json_object_get(d, "consignments")) == 1);
	json_decref(d);
	d = get_json("/api/consignments/C-1", 200);
	CHECK_STR(json_string_value(json_object_get(d, "consignment")), "C-1");
	json_decref(d);
	d = get_json("/api/consignments/C-2", 404);
	json_decref(d);
	d = get_json("/api/findings", 200);
	json_t *fl = json_object_get(d, "findings");
	int transit = 0;
	for (size_t i = 0; i < json_array_size(fl); i++)
		transit |= strcmp(json_string_value(json_object_get(json_array_get(fl, i), "kind")),
		                  "transit_loss") == 0;
	CHECK(transit);
	json_decref(d);

	/* A contract with a committed field, then its disclosure. */
	uint8_t salt[OTX_COMMIT_SALT_SIZE];
	char salt_b64[64];
	memset(salt, 9, sizeof salt);
	ot_b64_encode(salt, sizeof salt, salt_b64);
	json_t *text = json_string("The full text of the MoU.\n");
	json_t *commit = NULL;
	CHECK_OK(otx_commit_make(text, salt, NULL, &commit, NULL));
	char *commit_text = json_dumps(commit, JSON_COMPACT);
	char *contract = sign_as("fwo", J("{'type':'contract','id':'api-c','contract':'mou-1',"
	                                  "'title':'MoU','parties':['gov-pk','fwo'],"
	                                  "'signed':'2025-09-08','text':%s}",
	                                  commit_text));
	r = post(contract);
	check_answer(&r, &contract, 1, NULL);
	d = get_json("/api/contracts/mou-1", 200);
	json_t *cms = json_object_get(d, "commitments");
	CHECK(json_array_size(cms) == 1 &&
	      json_is_false(json_object_get(json_array_get(cms, 0), "disclosed")));
	json_decref(d);
	d = get_json("/api/blobs/mou-1/text", 404);
	json_decref(d);
	char *disclose = sign_as("fwo", J("{'type':'disclose','id':'api-d','contract':'mou-1',"
	                                  "'field':'text','salt':'%s',"
	                                  "'value':'The full text of the MoU.\\n'}",
	                                  salt_b64));
	r = post(disclose);
	check_answer(&r, &disclose, 1, NULL);
	d = get_json("/api/contracts/mou-1", 200);
	cms = json_object_get(d, "commitments");
	CHECK(json_is_true(json_object_get(json_array_get(cms, 0), "disclosed")));
	json_decref(d);
	d = get_json("/api/contracts", 200);
	CHECK(json_array_size(json_object_get(d, "contracts")) == 1);
	json_decref(d);
	r = get("/api/blobs/mou-1/text");
	CHECK(r.status == 200 && r.body &&
	      strcmp((char *)r.body, "The full text of the MoU.\n") == 0);
	char v[128];
	CHECK(http_header(&r, "Content-Type", v, sizeof v) && strncmp(v, "text/plain", 10) == 0);
	http_resp_free(&r);
	json_decref(text);
	json_decref(commit);
	free(commit_text);
	free(contract);
	free(disclose);

	d = get_json("/api/report", 200);
	CHECK(json_is_array(json_object_get(d, "minerals")));
	json_decref(d);
	d = get_json("/api/report", 200); /* from the cache */
	CHECK(json_is_array(json_object_get(d, "minerals")));
	json_decref(d);

	/* The EITI report, as `report eiti --json`; a bad period is a 400. */
	d = get_json("/api/report/eiti", 200);
	CHECK(json_is_array(json_object_get(d, "by_stream")));
	CHECK(json_is_object(json_object_get(d, "reconciliation")));
	CHECK(json_is_null(json_object_get(d, "period")) || !json_object_get(d, "period"));
	json_decref(d);
	d = get_json("/api/report/eiti?period=2025", 200);
	CHECK(strcmp(json_string_value(json_object_get(d, "period")), "2025") == 0);
	json_decref(d);
	d = get_json("/api/report/eiti?period=20x", 400);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(d, "error"), "code")),
	             "bad_field") == 0);
	/* The message names the period, not a CLI option the client never used. */
	const char *msg =
		json_string_value(json_object_get(json_object_get(d, "error"), "message"));
	CHECK(msg && strstr(msg, "period \"20x\"") && !strstr(msg, "--period"));
	json_decref(d);

	d = get_json("/api/actors/fwo", 200);
	json_decref(d);
	d = get_json("/api/actors", 200);
	CHECK(json_array_size(json_object_get(d, "actors")) >= 3);
	json_decref(d);
	d = get_json("/api/sites/mine-a", 200);
	json_decref(d);

	/* Entries and proofs. */
	d = get_json("/api/entries/0", 200);
	CHECK_STR(json_string_value(json_object_get(json_object_get(d, "entry"), "signer")), "gov");
	json_decref(d);
	d = get_json("/api/entries/99999999", 404);
	json_decref(d);
	d = get_json("/api/entries/x", 404);
	json_decref(d);
	d = get_json("/api/checkpoint", 200);
	uint64_t size = (uint64_t)json_integer_value(json_object_get(d, "size"));
	CHECK(size == log_size());
	{
		/* The log's own key, for readers whose authority is no actor. */
		char vk[OT_VKEY_MAX];
		CHECK_OK(ot_signer_vkey(f.auth, vk, sizeof vk));
		CHECK_STR(json_string_value(json_object_get(d, "vkey")), vk);
	}
	json_decref(d);

	ot_ledger *l = reader();
	for (uint64_t s1 = 0; l && s1 <= size; s1 += 37) {
		snprintf(path, sizeof path,
		         "/api/proof/consistency?size1=%" PRIu64 "&size2=%" PRIu64, s1, size);
		http_resp pr = get(path);
		CHECK(pr.status == 200);
		otx_proof_file *pf = calloc(1, sizeof *pf);
		CHECK(pf &&
		      otx_proof_file_parse((const char *)pr.body, pr.body_len, pf, NULL) == OT_OK);
		uint8_t r1[OT_HASH_SIZE], r2[OT_HASH_SIZE];
		CHECK_OK(ot_log_tree_hash(ot_ledger_log(l), s1, r1, NULL));
		CHECK_OK(ot_log_tree_hash(ot_ledger_log(l), size, r2, NULL));
		uint8_t(*hashes)[OT_HASH_SIZE] = calloc(OT_PROOF_MAX, OT_HASH_SIZE);
		for (size_t k = 0; pf && k < pf->n && k < OT_PROOF_MAX; k++)
			memcpy(hashes[k], pf->proof[k].h, OT_HASH_SIZE);
		CHECK(pf && ot_verify_consistency(s1, size, r1, r2,
		                                  (const uint8_t(*)[OT_HASH_SIZE])hashes,
		                                  pf->n) == OT_OK);
		free(hashes);
		free(pf);
		http_resp_free(&pr);
	}
	ot_ledger_close(l);
	d = get_json("/api/proof/inclusion", 400);
	json_decref(d);
	d = get_json("/api/proof/inclusion?index=abc", 400);
	json_decref(d);
	snprintf(path, sizeof path, "/api/proof/inclusion?index=%" PRIu64, size);
	d = get_json(path, 404);
	json_decref(d);
	d = get_json("/api/proof/consistency?size1=5&size2=999999", 404);
	json_decref(d);

	d = get_json("/api/stats", 200);
	CHECK(json_integer_value(json_object_get(json_object_get(d, "sequencer"), "events")) > 300);
	json_decref(d);
	d = get_json("/api/nothing-here", 404);
	json_decref(d);
}

/* Ids in API paths and query arguments are decoded strictly: what cannot
 * be an id is 400 with the reason and the offset in the text as sent, and
 * no bad input answers 500. */
static void test_bad_ids(void)
{
	static const struct {
		const char *path;
		const char *code;
		int64_t index;
	} bad[] = {
		{"/api/lots/%ff", "bad_id", 0},        /* not UTF-8 */
		{"/api/lots/ab%ff", "bad_id", 2},      /* not UTF-8 */
		{"/api/lots/%c3", "bad_id", 0},        /* a cut sequence */
		{"/api/lots/x%c0%afy", "bad_id", 1},   /* an overlong form */
		{"/api/lots/%ed%a0%80", "bad_id", 0},  /* a surrogate */
		{"/api/lots/%00", "bad_id", 0},        /* NUL */
		{"/api/lots/ore-1%00x", "bad_id", 5},  /* NUL: no silent truncation */
		{"/api/lots/ab%01", "bad_id", 2},      /* a control character */
		{"/api/lots/a%7f", "bad_id", 1},       /* DEL */
		{"/api/lots/a%0a/trace", "bad_id", 1}, /* a newline */
		{"/api/lots/%zz", "bad_id", 0},        /* malformed escapes */
		{"/api/lots/ab%", "bad_id", 2},
		{"/api/lots/ab%4", "bad_id", 2},
		{"/api/consignments/%ff", "bad_id", 0}, /* every collection */
		{"/api/contracts/%00", "bad_id", 0},
		{"/api/actors/%1b[31m", "bad_id", 0},
		{"/api/sites/x%", "bad_id", 1},
		{"/api/blobs/%ff/field", "bad_id", 0}, /* a blob's contract */
		{"/api/entries/1%00", "bad_id", 1},    /* an entry index */
		{"/api/%ff", "bad_path", 0},           /* the path itself */
		{"/api/lo%zzts/x", "bad_path", 2},
		{"/api/lots?prefix=%ff", "bad_argument", 0}, /* query arguments */
		{"/api/lots?after=lot%00", "bad_argument", 3},
		{"/api/sites?prefix=%", "bad_argument", 0},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		http_resp r = get(bad[i].path);
		if (r.status != 400)
			fprintf(stderr, "  GET %s\n", bad[i].path);
		expect_error(&r, 400, bad[i].code, bad[i].index);
	}

	/* The id limit (docs/events.md, Identifiers): 200 bytes is an id that
	 * is not there, 201 is not an id; the same for the other collections,
	 * a trace and a blob's contract. */
	char path[512], id[OT_EVENT_ID_MAX + 2];
	memset(id, 'x', sizeof id - 1);
	id[OT_EVENT_ID_MAX] = 0;
	snprintf(path, sizeof path, "/api/lots/%s", id);
	http_resp r = get(path);
	expect_error(&r, 404, "lot_not_found", -1);
	id[OT_EVENT_ID_MAX] = 'x';
	id[OT_EVENT_ID_MAX + 1] = 0;
	const char *forms[][2] = {{"/api/lots/", ""},
	                          {"/api/lots/", "/trace"},
	                          {"/api/sites/", ""},
	                          {"/api/contracts/", ""},
	                          {"/api/blobs/", "/f"}};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		snprintf(path, sizeof path, "%s%s%s", forms[i][0], id, forms[i][1]);
		r = get(path);
		expect_error(&r, 400, "bad_id", -1);
	}
	/* An id of 200 bytes sent percent-encoded is still 200 bytes. */
	char enc[3 * OT_EVENT_ID_MAX + 32];
	int n = snprintf(enc, sizeof enc, "/api/sites/");
	for (int i = 0; i < OT_EVENT_ID_MAX; i++)
		n += snprintf(enc + n, sizeof enc - (size_t)n, "%%78");
	r = get(enc);
	expect_error(&r, 404, "not_found", -1);

	/* Valid UTF-8 that no id has is simply not there; escapes still work. */
	r = get("/api/lots/caf%C3%A9");
	expect_error(&r, 404, "lot_not_found", -1);
	json_t *d = get_json("/api/lots/ore%2D1", 200);
	json_decref(d);
	d = get_json("/%61pi/actors/fwo", 200);
	json_decref(d);
	d = get_json("/api/lots?prefix=lot%2Dbulk%2D29&limit=100", 200);
	CHECK(json_array_size(json_object_get(d, "lots")) == 11);
	json_decref(d);

	/* Outside the API, a path that is not UTF-8 is not found, not 500. */
	const char *elsewhere[] = {"/no/such/%ff", "/tile/%ff", "/tile/0/%c3", "/%ff%fe"};
	for (size_t i = 0; i < sizeof elsewhere / sizeof elsewhere[0]; i++) {
		r = get(elsewhere[i]);
		CHECK(r.status == 404 || r.status == 400);
		if (r.status != 404 && r.status != 400)
			fprintf(stderr, "  GET %s: %d\n", elsewhere[i], r.status);
		expect_error(&r, r.status, NULL, -1);
	}
}

/* A second server on the same ledger, read-only: serves, refuses POST. */
static void test_read_only(void)
{
	ot_server *main_srv = srv;
	uint16_t main_port = port;
	CHECK(start(1, 0, 0) == 0);
	char *ev = extract("ro-1", "lot-ro-1", 1000);
	http_resp r = post(ev);
	expect_error(&r, 503, "read_only", -1);
	r = get("/checkpoint");
	CHECK(r.status == 200);
	http_resp_free(&r);
	/* It sees what the other server appends. */
	uint16_t ro_port = port;
	port = main_port;
	r = post(ev);
	uint64_t index = 0;
	check_answer(&r, &ev, 1, &index);
	port = ro_port;
	char path[64];
	snprintf(path, sizeof path, "/api/entries/%" PRIu64, index);
	json_t *d = get_json(path, 200);
	json_decref(d);
	ot_server_stop(srv);
	srv = main_srv;
	port = main_port;
	free(ev);
}

/* Stop and start again: the same checkpoint is served, and it goes on. */
static void test_restart(void)
{
	http_resp r = get("/checkpoint");
	char *before = r.body ? strdup((char *)r.body) : NULL;
	http_resp_free(&r);
	ot_server_stop(srv);
	srv = NULL;
	CHECK(start(0, (size_t)1 << 20, 500) == 0);
	r = get("/checkpoint");
	CHECK(before && r.body && strcmp(before, (char *)r.body) == 0);
	http_resp_free(&r);
	char *ev = extract("restart-1", "lot-restart-1", 1000);
	r = post(ev);
	check_answer(&r, &ev, 1, NULL);
	free(ev);
	free(before);
}

/* Every line of the access log in Common Log Format. */
static void test_access_log(void)
{
	fflush(access_log);
	size_t len = 0;
	char *text = test_read_file(log_path, &len);
	CHECK(text && len > 0);
	if (!text)
		return;
	regex_t re;
	CHECK(regcomp(&re,
	              "^127\\.0\\.0\\.1 - - \\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:"
	              "[0-9]{2} \\+0000\\] \"([A-Z]+ [^ \"]+ HTTP/1\\.[01]|-)\" [0-9]{3} "
	              "([0-9]+|-)$",
	              REG_EXTENDED | REG_NOSUB) == 0);
	int lines = 0, bad = 0, posts = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "oretrail: ", 10) == 0)
			continue; /* a libmicrohttpd diagnostic */
		lines++;
		if (regexec(&re, line, 0, NULL, 0) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "  not CLF: %s\n", line);
		}
		if (strstr(line, "\"POST /add HTTP/1.1\" 200 "))
			posts++;
	}
	CHECK(lines > 50);
	CHECK(bad == 0);
	CHECK(posts > 5);
	regfree(&re);
	free(text);
}

int main(void)
{
	world();
	const char *dir = test_tmpdir("server-log");
	snprintf(log_path, sizeof log_path, "%s/access.log", dir ? dir : "/tmp");
	access_log = fopen(log_path, "w");
	CHECK(access_log != NULL);
	if (start(0, (size_t)1 << 20, 500) == 0) {
		test_add();
		test_errors();
		test_framing();
		test_read_paths();
		test_api();
		test_bad_ids();
		test_read_only();
		test_restart();
		ot_server_stop(srv);
		test_access_log();
	} else {
		CHECK(srv != NULL); /* the server starts */
	}
	if (access_log)
		fclose(access_log);

	/* The ledger the server wrote passes the audit. */
	ot_ledger *l = reader();
	char *json = NULL;
	CHECK(l && ot_ledger_audit(l, NULL, 0, &json, NULL) == OT_OK);
	free(json);
	ot_ledger_close(l);
	ot_verifier_free(log_vkey);
	fx_close(&f);
	return test_done("test_server");
}
