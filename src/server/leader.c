/*
 * leader.c: one writer among several servers on one PostgreSQL database
 * (leader.h; the design is docs/internals/failover.md).
 *
 * A thread of its own, with a store handle of its own whose connection
 * holds the leader lock (ot_store_lead, a session advisory lock), wakes
 * every OTX_LEAD_POLL_MS:
 *
 *   following: it tries the lock. Taken, it bumps the leader epoch and
 *     writes its advertised URL in one write transaction (under the
 *     writer's lock: the old leader's last write has ended, and no later
 *     one can commit, as its writes are fenced with the old epoch), then
 *     fences the sequencer with the new epoch and POST /add is accepted.
 *     Not taken, it reads the leader's URL and epoch for its 503s.
 *   leading: it checks that its connection still answers (the lock lives
 *     as long as the connection). Lost, it steps down at once (the
 *     sequencer is unfenced, POST /add answers 503) and starts again with a
 *     new connection.
 *
 * Reads never depend on it: every request's reader catches up with the
 * database first (readers.c), leader or not.
 */
#include "server/leader.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oretrail/store.h"
#include "server/http.h"
#include "server/sequencer.h"

#define EPOCH_MAX 24

struct otx_leader {
	ot_server *srv;
	char *advertise;
	ot_store *st; /* the election's own handle; NULL until (re)opened */
	pthread_t thread;
	int started;

	pthread_mutex_t mu;
	pthread_cond_t wake;
	int stopping;
	int leading;
	char epoch[EPOCH_MAX]; /* the leader's, "" unknown */
	char url[1024];        /* the leader's advertised URL, "" unknown */
};

static void set_state(otx_leader *l, int leading, const char *epoch, const char *url)
{
	pthread_mutex_lock(&l->mu);
	l->leading = leading;
	snprintf(l->epoch, sizeof l->epoch, "%s", epoch);
	snprintf(l->url, sizeof l->url, "%s", url);
	pthread_mutex_unlock(&l->mu);
}

/* Under the writer's lock: epoch + 1 and our URL. */
static ot_status take_over(otx_leader *l, char epoch[EPOCH_MAX], ot_error *err)
{
	ot_status rc = ot_store_begin(l->st, err);
	if (rc)
		return rc;
	char *old = NULL;
	unsigned long long n = 0;
	rc = ot_store_get_meta(l->st, OT_STORE_LEADER_EPOCH, &old, err);
	if (rc == OT_ERR_NOTFOUND)
		rc = OT_OK;
	else if (!rc)
		n = strtoull(old, NULL, 10);
	free(old);
	snprintf(epoch, EPOCH_MAX, "%llu", n + 1);
	if (!rc)
		rc = ot_store_set_meta(l->st, OT_STORE_LEADER_EPOCH, epoch, err);
	if (!rc)
		rc = ot_store_set_meta(l->st, OT_STORE_LEADER_URL, l->advertise, err);
	if (!rc)
		return ot_store_commit(l->st, err);
	ot_store_rollback(l->st);
	return rc;
}

/* Who leads, as the database says, for the 503s of a follower. */
static void read_leader(otx_leader *l)
{
	char *epoch = NULL, *url = NULL;
	if (ot_store_get_meta(l->st, OT_STORE_LEADER_EPOCH, &epoch, NULL) == OT_OK &&
	    ot_store_get_meta(l->st, OT_STORE_LEADER_URL, &url, NULL) == OT_OK)
		set_state(l, 0, epoch, url);
	free(epoch);
	free(url);
}

static void step_down(otx_leader *l, const ot_error *why)
{
	otx_sequencer_set_fence(l->srv->seq, NULL);
	set_state(l, 0, "", "");
	otx_server_alert(l->srv, "no longer the leader: %s", why->message);
}

/* One round of the election. */
static void poll_once(otx_leader *l)
{
	ot_error err;
	ot_error_clear(&err);
	if (!l->st && ot_store_open(l->srv->db, 0, &l->st, &err) != OT_OK) {
		l->st = NULL;
		return; /* the database is away: try again next round */
	}
	pthread_mutex_lock(&l->mu);
	int was = l->leading;
	pthread_mutex_unlock(&l->mu);
	int held = 0;
	ot_status rc = ot_store_lead(l->st, &held, &err);
	if (!rc && held && !was) {
		char epoch[EPOCH_MAX];
		rc = take_over(l, epoch, &err);
		if (!rc) {
			otx_sequencer_set_fence(l->srv->seq, epoch);
			set_state(l, 1, epoch, l->advertise);
			otx_server_log(l->srv, "leading the ledger's writes (leader epoch %s, %s)",
			               epoch, l->advertise);
			return;
		}
	}
	if (rc || (was && !held)) {
		/* The lock went with the connection, or was never had: a fresh
		 * handle next round. */
		if (was)
			step_down(l, &err);
		ot_store_close(l->st);
		l->st = NULL;
		return;
	}
	if (!held)
		read_leader(l);
}

static void *leader_main(void *arg)
{
	otx_leader *l = arg;
	pthread_mutex_lock(&l->mu);
	while (!l->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += OTX_LEAD_POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!l->stopping &&
		       pthread_cond_timedwait(&l->wake, &l->mu, &until) != ETIMEDOUT)
			;
		if (l->stopping)
			break;
		pthread_mutex_unlock(&l->mu);
		poll_once(l);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void leader_free(otx_leader *l)
{
	ot_store_close(l->st); /* gives the lock up */
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->mu);
	free(l->advertise);
	free(l);
}

ot_status otx_leader_start(ot_server *s, const char *advertise, otx_leader **out, ot_error *err)
{
	*out = NULL;
	otx_leader *l = calloc(1, sizeof *l);
	if (!l)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	l->srv = s;
	l->advertise = strdup(advertise);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->wake, NULL);
	if (!l->advertise) {
		leader_free(l);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	/* Writes wait for the lock from the start. */
	otx_sequencer_set_fence(s->seq, NULL);
	poll_once(l);
	if (pthread_create(&l->thread, NULL, leader_main, l) != 0) {
		leader_free(l);
		return ot_error_set(err, OT_ERR_IO, "cannot start the leader election thread");
	}
	*out = l;
	return OT_OK;
}

void otx_leader_stop(otx_leader *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stopping = 1;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	leader_free(l);
}

int otx_leader_leading(otx_leader *l)
{
	if (!l)
		return 0;
	pthread_mutex_lock(&l->mu);
	int leading = l->leading;
	pthread_mutex_unlock(&l->mu);
	return leading;
}

/* The leader's URL and epoch as last seen, "" unknown; whether we lead. */
static int get_state(otx_leader *l, char url[1024], char epoch[EPOCH_MAX])
{
	pthread_mutex_lock(&l->mu);
	memcpy(url, l->url, sizeof l->url);
	memcpy(epoch, l->epoch, sizeof l->epoch);
	int leading = l->leading;
	pthread_mutex_unlock(&l->mu);
	return leading;
}

/* {"url","epoch"} of the leader, or JSON null when none is known. */
static json_t *leader_json(const char *url, const char *epoch)
{
	if (!url[0])
		return json_null();
	return json_pack("{s:s,s:I}", "url", url, "epoch", (json_int_t)strtoll(epoch, NULL, 10));
}

json_t *otx_leader_doc(otx_leader *l)
{
	char url[sizeof l->url], epoch[EPOCH_MAX];
	int leading = get_state(l, url, epoch);
	json_t *doc = leader_json(url, epoch);
	if (json_is_null(doc)) {
		json_decref(doc);
		return json_pack("{s:b,s:n,s:n}", "leading", leading, "url", "epoch");
	}
	if (doc)
		json_object_set_new(doc, "leading", json_boolean(leading));
	return doc;
}

enum MHD_Result otx_leader_refuse(otx_request *r)
{
	otx_leader *l = r->srv->leader;
	char url[sizeof l->url], epoch[EPOCH_MAX];
	get_state(l, url, epoch);
	ot_error e;
	if (url[0])
		ot_error_at(&e, OT_ERR_READONLY, "not_leader", -1,
		            "this server does not write: the leader is %s (leader epoch %s); send "
		            "submissions there, or here again shortly",
		            url, epoch);
	else
		ot_error_at(&e, OT_ERR_READONLY, "not_leader", -1,
		            "this server does not write and no leader is known yet; try again "
		            "shortly");
	json_t *doc = otx_error_doc(&e);
	if (doc)
		json_object_set_new(doc, "leader", leader_json(url, epoch));
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return otx_respond_later(r, 503, text);
}
