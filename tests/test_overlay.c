/*
 * test_overlay.c: the batch-scoped record overlay (ledger/state.h).
 *
 * 1. The overlay's undo by hand: inside an event, puts, a raw write, a raw
 *    read and a namespace scan (which write pending records to the store)
 *    are all undone by rolling the event back: the held records and the
 *    stored bytes are exactly as before it; a kept event's records are
 *    written once at the end, as otx_state_dump serialises them.
 * 2. A rejected event in the middle of a batch (through the replay engine
 *    that submit and audit use) leaves the overlay and the store exactly as
 *    the previous event left them, and the next event of the batch applies.
 * 3. A batch larger than the overlay's cap (3 records here) gives the very
 *    stored bytes of the same events applied one per batch, the overlay
 *    never holds more than the cap between events, and a ledger that takes
 *    the batch under that cap audits clean with the same bytes.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger/replay_int.h"
#include "ledger_fixture.h"

static fx f;

/* Every record of every state namespace of st, as stored, as text. */
static char *stored(ot_store *st)
{
	ot_buf b;
	ot_buf_init(&b, 0);
	for (size_t i = 0; otx_state_namespaces[i]; i++) {
		ot_buf_printf(&b, "[%s]\n", otx_state_namespaces[i]);
		CHECK_OK(otx_state_scan_stored(st, otx_state_namespaces[i], fx_dump_cb, &b, NULL));
	}
	ot_buf_addc(&b, '\0');
	uint8_t *data = NULL;
	size_t len = 0;
	ot_buf_detach(&b, &data, &len);
	return (char *)data;
}

static ot_store *memory_store(void)
{
	ot_store *st = NULL;
	ot_error err;
	CHECK_OK(ot_store_open(OT_STORE_MEMORY, OT_STORE_CREATE, &st, &err));
	CHECK_OK(ot_store_begin(st, &err));
	return st;
}

static ot_status count_ns(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	(void)value;
	(void)len;
	(*(size_t *)ctx)++;
	return OT_OK;
}

static void test_undo_by_hand(void)
{
	ot_store *st = memory_store();
	ot_error err;
	otx_overlay *ov = NULL;
	CHECK_OK(otx_overlay_begin(st, 0, &ov, &err));
	otx_overlay *second = NULL;
	CHECK_RC(otx_overlay_begin(st, 0, &second, &err), OT_ERR_ARG); /* one per store */
	CHECK(second == NULL);
	json_t *a = J("{'n':1,'s':'\\u00E9'}"), *a2 = J("{'n':2}"), *b = J("{'b':true}");
	CHECK_OK(otx_state_put(st, OTX_NS_LOT, "a", a, &err));
	CHECK(otx_overlay_pending(st) == 1 && otx_overlay_held(st) == 1);
	/* Puts copy: changing the caller's object changes nothing held. */
	json_object_set_new(a, "n", json_integer(9));
	json_t *got = NULL;
	CHECK_OK(otx_state_get(st, OTX_NS_LOT, "a", &got, &err));
	CHECK(otx_jint(got, "n", 0) == 1);
	/* Gets copy too. */
	json_object_set_new(got, "n", json_integer(7));
	json_decref(got);
	CHECK_OK(otx_state_get(st, OTX_NS_LOT, "a", &got, &err));
	CHECK(otx_jint(got, "n", 0) == 1);
	json_decref(got);

	char *held0 = otx_overlay_describe(st), *stored0 = stored(st);
	CHECK(held0 && strstr(held0, "lot a pending {\"n\":1,\"s\":\"\\u00E9\"}\n"));

	CHECK_OK(otx_state_savepoint(st, &err));
	CHECK_OK(otx_state_put(st, OTX_NS_LOT, "a", a2, &err));
	CHECK_OK(otx_state_put(st, OTX_NS_SITE, "b", b, &err));
	CHECK_OK(ot_store_kv_put(st, OTX_NS_EVENT_ID, "c", (const uint8_t *)"{}", 2, &err));
	/* A scan sees the pending records: they are written first. */
	size_t n = 0;
	CHECK_OK(ot_store_kv_scan(st, OTX_NS_LOT, "", count_ns, &n, &err));
	CHECK(n == 1 && otx_overlay_pending(st) == 1); /* site b is still pending */
	/* A raw read of a pending key writes it first. */
	uint8_t *raw = NULL;
	size_t len = 0;
	CHECK_OK(ot_store_kv_get(st, OTX_NS_SITE, "b", &raw, &len, &err));
	CHECK(len == 10 && memcmp(raw, "{\"b\":true}", 10) == 0);
	free(raw);
	CHECK(otx_overlay_pending(st) == 0);
	/* A raw write of a held key drops it: the next get reads the store. */
	CHECK_OK(ot_store_kv_put(st, OTX_NS_LOT, "a", (const uint8_t *)"{\"n\":3}", 7, &err));
	CHECK_OK(otx_state_get(st, OTX_NS_LOT, "a", &got, &err));
	CHECK(otx_jint(got, "n", 0) == 3);
	json_decref(got);
	CHECK_OK(otx_state_rollback_to(st, &err));

	char *held1 = otx_overlay_describe(st), *stored1 = stored(st);
	CHECK(held1 && held0 && strcmp(held0, held1) == 0);
	CHECK(stored1 && stored0 && strcmp(stored0, stored1) == 0);
	CHECK(otx_overlay_pending(st) == 1);
	int found = 1;
	CHECK_OK(otx_state_has(st, OTX_NS_SITE, "b", &found, &err));
	CHECK(!found);
	CHECK_OK(otx_state_has(st, OTX_NS_EVENT_ID, "c", &found, &err));
	CHECK(!found);

	/* A kept event: written once, at the end, as dumped. */
	CHECK_OK(otx_state_savepoint(st, &err));
	CHECK_OK(otx_state_put(st, OTX_NS_SITE, "b", b, &err));
	CHECK_OK(otx_state_release(st, &err));
	CHECK(otx_overlay_pending(st) == 2);
	CHECK_OK(otx_overlay_end(ov, &err));
	char *after = stored(st);
	CHECK(after && strstr(after, "[lot]\na={\"n\":1,\"s\":\"\\u00E9\"}\n") &&
	      strstr(after, "[site]\nb={\"b\":true}\n"));
	CHECK(otx_overlay_held(st) == 0);
	free(after);
	free(held0);
	free(held1);
	free(stored0);
	free(stored1);
	json_decref(a);
	json_decref(a2);
	json_decref(b);
	ot_store_rollback(st);
	ot_store_close(st);
}

/* The entries of the batches below (signed, not submitted). */
#define MAX_ENTRIES 48
static ot_buf bufs[MAX_ENTRIES];
static const uint8_t *data[MAX_ENTRIES];
static size_t lens[MAX_ENTRIES];
static size_t n_entries;

static void add(json_t *ev, const char *signer)
{
	CHECK(n_entries < MAX_ENTRIES);
	if (n_entries == MAX_ENTRIES)
		return;
	CHECK(fx_sign_with(&f, ev, signer, fx_key(&f, signer), &bufs[n_entries]) == 0);
	data[n_entries] = bufs[n_entries].data;
	lens[n_entries] = bufs[n_entries].len;
	n_entries++;
}

static void add_extract(const char *site, const char *lot, json_int_t mass)
{
	add(json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "type", "extract", "site", site, "lot", lot,
	              "material", "ore", "mass_g", mass, "assay", J("{'Nd':4600,'Pr':1200}")),
	    "fwo");
}

static void free_entries(void)
{
	for (size_t i = 0; i < n_entries; i++)
		ot_buf_free(&bufs[i]);
	n_entries = 0;
}

/* An actor, three mines, and `extracts` extractions alternating between
 * the first two (each rewrites its mine's record). bad_at: the position of
 * an extraction at the third mine (whose record it reads first) of a lot
 * that exists already (rejected: duplicate_lot), or 0. */
static void make_batch(size_t extracts, size_t bad_at)
{
	add(json_pack("{s:s,s:s,s:s,s:s,s:[s],s:s}", "type", "actor", "actor", "fwo", "name", "FWO",
	              "country", "PK", "roles", "miner", "key", fx_vkey(&f, "fwo")),
	    "gov");
	static const char *const mines[] = {"mine-a", "mine-b", "mine-c"};
	for (int m = 0; m < 3; m++)
		add(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "site", "site", mines[m],
		              "kind", "mine", "holder", "fwo", "country", "PK", "licence", "L-1",
		              "valid_from", "2025-01-01T00:00:00Z", "valid_until",
		              "2035-01-01T00:00:00Z"),
		    "gov");
	char lot[32];
	for (size_t i = 0; i < extracts; i++) {
		if (bad_at && n_entries == bad_at)
			add_extract("mine-c", "ore-0", 5000); /* duplicate_lot */
		snprintf(lot, sizeof lot, "ore-%zu", i);
		add_extract(i % 2 ? "mine-b" : "mine-a", lot, 1000000 + (json_int_t)i);
	}
}

static ot_verifier *authority_key(void)
{
	char vkey[OT_VKEY_MAX];
	ot_verifier *v = NULL;
	if (ot_signer_vkey(fx_key(&f, "gov"), vkey, sizeof vkey) != OT_OK ||
	    ot_verifier_parse(vkey, strlen(vkey), &v, NULL) != OT_OK)
		return NULL;
	return v;
}

/* What each outcome saw: the overlay's records and the stored bytes right
 * after it, and how much the overlay held. */
typedef struct watch {
	ot_store *st;
	size_t n, cap, max_held, resets, last_held;
	ot_status status[MAX_ENTRIES];
	char code[MAX_ENTRIES][48];
	char *held[MAX_ENTRIES];
	char *stored[MAX_ENTRIES];
} watch;

static ot_status watch_outcome(void *ctx, const ot_replay_outcome *o)
{
	watch *w = ctx;
	if (w->n >= MAX_ENTRIES)
		return OT_ERR_ARG;
	w->status[w->n] = o->status;
	snprintf(w->code[w->n], sizeof w->code[w->n], "%s", o->status ? o->error->code : "");
	w->held[w->n] = otx_overlay_describe(w->st);
	w->stored[w->n] = stored(w->st);
	size_t held = otx_overlay_held(w->st);
	if (held > w->max_held)
		w->max_held = held;
	if (held < w->last_held)
		w->resets++;
	w->last_held = held;
	w->n++;
	return OT_OK;
}

static void watch_free(watch *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->held[i]);
		free(w->stored[i]);
	}
}

static ot_status replay(ot_store *st, const otx_ledger_ctx *ctx, uint64_t first, size_t from,
                        size_t n, watch *w)
{
	otx_batch_item items[MAX_ENTRIES];
	memset(items, 0, sizeof items);
	otx_batch_init(items, n, data + from, lens + from);
	otx_replay_run run = {st, ctx, first, NULL, 0, w ? watch_outcome : NULL, w};
	ot_error err;
	ot_status rc = otx_replay_items(&run, items, n, &err);
	otx_batch_clear(items, n, 0);
	return rc;
}

static void test_rejected_in_batch(const otx_ledger_ctx *ctx)
{
	make_batch(6, 7); /* entry 7 is rejected, between ore-2 and ore-3 */
	ot_store *st = memory_store();
	/* The registry in a batch of its own, so that the extractions' batch
	 * reads mine-c first in the rejected event. */
	CHECK_OK(replay(st, ctx, 0, 0, 4, NULL));
	watch w;
	memset(&w, 0, sizeof w);
	w.st = st;
	CHECK_OK(replay(st, ctx, 4, 4, n_entries - 4, &w));
	CHECK(w.n == n_entries - 4);
	/* w's outcome i is entry 4 + i: the rejected one is outcome 3. */
	for (size_t i = 0; i < w.n; i++)
		CHECK_RC(w.status[i], i == 3 ? OT_ERR_CONFLICT : OT_OK);
	CHECK_STR(w.code[3], "duplicate_lot");
	/* The overlay held records before the rejected event, pending ones
	 * among them (the mines' extracted mass, the new lots), not mine-c. */
	CHECK(w.held[2] && strstr(w.held[2], " pending ") && !strstr(w.held[2], "mine-c"));
	CHECK(w.held[2] && w.held[3] && strcmp(w.held[2], w.held[3]) == 0);
	CHECK(w.stored[2] && w.stored[3] && strcmp(w.stored[2], w.stored[3]) == 0);
	/* The next event applied: ore-3 is held, and stored at the end. */
	CHECK(w.held[4] && strstr(w.held[4], "lot ore-3 pending "));
	char *end = stored(st);
	CHECK(end && strstr(end, "\nore-3={"));
	free(end);
	watch_free(&w);
	ot_store_rollback(st);
	ot_store_close(st);
	free_entries();
}

static void test_over_cap(const otx_ledger_ctx *ctx)
{
	make_batch(24, 0);
	/* One event per batch. */
	ot_store *one = memory_store();
	for (size_t i = 0; i < n_entries; i++)
		CHECK_OK(replay(one, ctx, i, i, 1, NULL));
	char *want = stored(one);

	/* The whole batch, with room for 3 records. */
	otx_overlay_set_default_cap(3);
	ot_store *all = memory_store();
	watch w;
	memset(&w, 0, sizeof w);
	w.st = all;
	CHECK_OK(replay(all, ctx, 0, 0, n_entries, &w));
	CHECK(w.n == n_entries);
	for (size_t i = 0; i < w.n; i++)
		CHECK_RC(w.status[i], OT_OK);
	CHECK(w.max_held > 0 && w.max_held <= 3);
	CHECK(w.resets >= n_entries / 4);
	char *got = stored(all);
	CHECK(want && got && strcmp(want, got) == 0);

	/* A ledger's submission of the batch under the same cap: the same
	 * bytes, and the audit replays it to the same. */
	size_t appended = 0;
	ot_error err;
	CHECK_OK(ot_ledger_submit(f.l, data, lens, n_entries, 0, NULL, &appended, &err));
	CHECK(appended == n_entries);
	otx_overlay_set_default_cap(0);
	char *ledger = stored(ot_ledger_store(f.l));
	CHECK(ledger && want && strcmp(ledger, want) == 0);
	CHECK(fx_audit_clean(&f));
	free(ledger);
	free(want);
	free(got);
	watch_free(&w);
	ot_store_rollback(one);
	ot_store_close(one);
	ot_store_rollback(all);
	ot_store_close(all);
	free_entries();
}

/* OT_OVERLAY_CHECK (state.c): a record changed after otx_state_put_final
 * aborts when the overlay writes it, in a child process; unchanged, the
 * batch ends cleanly. The suite runs with the check on (tests/CMakeLists). */
static void test_put_final_check(void)
{
	for (int change = 0; change <= 1; change++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			setenv("OT_OVERLAY_CHECK", "1", 1);
			ot_store *st = NULL;
			otx_overlay *ov = NULL;
			if (ot_store_open(OT_STORE_MEMORY, OT_STORE_CREATE, &st, NULL) ||
			    ot_store_begin(st, NULL) || otx_overlay_begin(st, 1, &ov, NULL))
				_exit(3);
			json_t *rec = json_pack("{s:s,s:I}", "lot", "l1", "mass_g", (json_int_t)5);
			if (otx_state_put_final(st, OTX_NS_LOT, "l1", rec, NULL))
				_exit(4);
			if (change)
				json_object_set_new(rec, "mass_g", json_integer(6));
			json_decref(rec);
			_exit(otx_overlay_end(ov, NULL) ? 5 : 0);
		}
		int status = 0;
		CHECK(waitpid(pid, &status, 0) == pid);
		if (change)
			CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
		else
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

int main(void)
{
	test_put_final_check();
	CHECK(fx_open(&f, "test_overlay") == 0);
	if (test_failures)
		return test_done("test_overlay");
	ot_verifier *key = authority_key();
	CHECK(key != NULL);
	otx_ledger_ctx ctx = {"gov", key, NULL};
	test_undo_by_hand();
	if (key) {
		test_rejected_in_batch(&ctx);
		test_over_cap(&ctx);
	}
	ot_verifier_free(key);
	fx_close(&f);
	return test_done("test_overlay");
}
