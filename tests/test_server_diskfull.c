/*
 * test_server_diskfull.c: the disk fills up under the server. The ledger
 * lives on a 2 MiB tmpfs; submissions go on until the store reports the
 * disk full. Then: the server answers 507 with a clear message and stays up
 * (reads still work), nothing acknowledged is lost, and once the file
 * system has room again (remounted larger) submissions succeed again
 * without a restart, and the ledger passes the audit.
 *
 * Needs root to mount the tmpfs; skipped (77) otherwise, or when mounting
 * is not allowed (an unprivileged container). The mount is always removed.
 */
#include <inttypes.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "http_client.h"
#include "ledger_fixture.h"
#include "oretrail/encoding.h"
#include "oretrail/server.h"

static fx f;
static char mnt[4096];
static int mounted;
static ot_server *srv;
static uint16_t port;

typedef struct ack {
	uint64_t index;
	uint8_t leaf[OT_HASH_SIZE];
} ack;
static ack acks[200000];
static size_t n_acks;
static unsigned next_id;

/* Posts an array of n extractions; 200: records the acknowledged entries. */
static int post_batch(size_t n, http_resp *out)
{
	ot_buf body, one[64];
	ot_buf_init(&body, 0);
	ot_buf_addc(&body, '[');
	for (size_t i = 0; i < n; i++) {
		char id[64];
		snprintf(id, sizeof id, "full-%u", next_id++);
		ot_buf_init(&one[i], 0);
		CHECK(fx_sign_with(
			      &f,
			      J("{'type':'extract','id':'%s','site':'mine-a','lot':'%s',"
		                "'material':'ore','mass_g':1000,'assay':{'Nd':4600,'Pr':1350}}",
		                id, id),
			      "fwo", fx_key(&f, "fwo"), &one[i]) == 0);
		if (i)
			ot_buf_addc(&body, ',');
		ot_buf_add(&body, one[i].data, one[i].len);
	}
	ot_buf_addc(&body, ']');
	int rc = http_post(port, "/add", body.data, body.len, out);
	if (!rc && out->status == 200) {
		json_t *doc = json_loadb((const char *)out->body, out->body_len, 0, NULL);
		json_t *list = json_object_get(doc, "entries");
		for (size_t i = 0; i < json_array_size(list) && n_acks < 200000; i++) {
			acks[n_acks].index = (uint64_t)json_integer_value(
				json_object_get(json_array_get(list, i), "index"));
			ot_leaf_hash(one[i].data, one[i].len, acks[n_acks].leaf);
			n_acks++;
		}
		json_decref(doc);
	}
	for (size_t i = 0; i < n; i++)
		ot_buf_free(&one[i]);
	ot_buf_free(&body);
	return rc;
}

static size_t lost_acks(void)
{
	ot_ledger *l = NULL;
	if (ot_ledger_open(f.path, NULL, OT_LEDGER_READONLY, &l, NULL) != OT_OK)
		return n_acks ? n_acks : 1;
	size_t lost = 0;
	for (size_t i = 0; i < n_acks; i++) {
		uint8_t leaf[OT_HASH_SIZE];
		if (ot_log_leaf_hash(ot_ledger_log(l), acks[i].index, leaf, NULL) != OT_OK ||
		    memcmp(leaf, acks[i].leaf, OT_HASH_SIZE) != 0)
			lost++;
	}
	ot_ledger_close(l);
	return lost;
}

static void unmount(void)
{
	if (mounted && umount2(mnt, MNT_DETACH) == 0)
		mounted = 0;
	rmdir(mnt);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr,
		        "test_server_diskfull: skipped: mounting a small tmpfs needs root\n");
		return TEST_SKIP;
	}
	const char *dir = test_tmpdir("server-diskfull");
	snprintf(mnt, sizeof mnt, "%s/mnt", dir ? dir : "/tmp");
	if (mkdir(mnt, 0700) != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=2m,mode=0700") != 0) {
		fprintf(stderr, "test_server_diskfull: skipped: cannot mount a tmpfs at %s: %s\n",
		        mnt, strerror(errno));
		rmdir(mnt);
		return TEST_SKIP;
	}
	mounted = 1;

	/* The fixture's ledger, but on the small file system. */
	memset(&f, 0, sizeof f);
	snprintf(f.path, sizeof f.path, "%s/ledger.db", mnt);
	ot_error err;
	CHECK_OK(ot_signer_generate("gov", &f.auth, NULL));
	f.keys[f.nkeys++] = f.auth;
	CHECK_OK(ot_ledger_create(f.path, "oretrail.test/full", f.auth, &f.l, &err));
	CHECK_OK(fx_actor(&f, "fwo", "PK", "['miner']"));
	CHECK_OK(fx_site(&f, "mine-a", "mine", "fwo", "PK"));
	ot_ledger_close(f.l);
	f.l = NULL;

	ot_server_options o;
	memset(&o, 0, sizeof o);
	o.db = f.path;
	o.listen = "127.0.0.1:0";
	o.signer = f.auth;
	CHECK_OK(ot_server_start(&o, &srv, &err));
	port = ot_server_port(srv);

	/* Fill it up. */
	http_resp r;
	memset(&r, 0, sizeof r);
	int full = 0, batches = 0;
	for (; batches < 2000 && !full; batches++) {
		http_resp_free(&r);
		CHECK(post_batch(50, &r) == 0);
		if (r.status != 200)
			full = 1;
	}
	printf("disk full after %zu acknowledged entries (%d requests)\n", n_acks, batches);
	CHECK(full);
	CHECK(r.status == 507);
	json_t *doc = json_loadb((const char *)r.body, r.body_len, 0, NULL);
	json_t *e = json_object_get(doc, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	CHECK_STR(json_string_value(json_object_get(e, "code")), "full");
	CHECK(msg && strstr(msg, "disk is full") &&
	      strstr(msg, "nothing of this request was written"));
	CHECK(msg && !strstr(msg, mnt)); /* no server paths to clients */
	printf("the answer: %d %s\n", r.status, msg ? msg : "(none)");
	json_decref(doc);
	http_resp_free(&r);

	/* It stays so, cleanly (a small request may still fit); reads go on. */
	int still_full = 0;
	for (int i = 0; i < 5; i++) {
		CHECK(post_batch(i % 2 ? 50 : 5, &r) == 0);
		CHECK(r.status == 507 || r.status == 200);
		still_full += r.status == 507;
		http_resp_free(&r);
	}
	CHECK(still_full > 0);
	CHECK(http_get(port, "/checkpoint", &r) == 0 && r.status == 200);
	http_resp_free(&r);
	CHECK(lost_acks() == 0);

	/* Room again: it recovers by itself. */
	CHECK(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=64m,mode=0700") == 0);
	size_t before = n_acks;
	for (int i = 0; i < 5; i++) {
		CHECK(post_batch(50, &r) == 0);
		CHECK(r.status == 200);
		if (r.status != 200)
			fprintf(stderr, "  after remount: %d %s\n", r.status, (char *)r.body);
		http_resp_free(&r);
	}
	CHECK(n_acks == before + 250);
	ot_server_stop(srv);
	CHECK(lost_acks() == 0);

	ot_ledger *l = NULL;
	CHECK_OK(ot_ledger_open(f.path, NULL, OT_LEDGER_READONLY, &l, NULL));
	char *json = NULL;
	CHECK(l && ot_ledger_audit(l, NULL, 0, &json, NULL) == OT_OK);
	free(json);
	ot_ledger_close(l);
	fx_close(&f);
	unmount();
	CHECK(!mounted);
	return test_done("test_server_diskfull");
}
