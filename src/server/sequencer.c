/*
 * sequencer.c: group commit over the ledger (see sequencer.h).
 *
 * The thread sleeps until the queue holds something, takes everything
 * waiting (up to batch_events), and hands it to ot_ledger_submit as one
 * batch: one transaction, one fsync, one signed checkpoint. While it
 * commits, new submissions pile up and make the next batch, so the batch
 * grows with the load and the fsync is shared by everyone waiting.
 *
 * All or none per submission. When every submission of the batch holds one
 * event, OT_SUBMIT_KEEP_GOING does exactly the right thing in one pass: the
 * events that pass are appended, the others are answered with their error.
 * When some submission holds several events, the batch is first submitted
 * all-or-none. If an event is rejected, a dry run with KEEP_GOING finds
 * every rejected event at once; the submissions owning one are answered
 * with it and dropped, and the rest is submitted again. Dropping events can
 * change what later ones see (an event may have used a lot a dropped one
 * made), so this repeats until a batch passes whole; each round drops at
 * least one submission. The common case, nothing rejected, is one pass.
 *
 * A store failure (disk full, I/O) fails the whole batch and nothing of it
 * is appended; the ledger is then reopened, so that no state kept in memory
 * can outlive the rolled-back transaction.
 */
#include "server/sequencer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oretrail/ledger.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

struct otx_sequencer {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	pthread_t thread;
	otx_submission *head, *tail;
	size_t queued_events;
	size_t reserved_events; /* reserved, not pushed yet */
	long incoming;          /* submissions being parsed (otx_sequencer_incoming) */
	size_t queue_max;
	size_t batch_max;
	int stopping;
	int joined; /* the thread was (or is being) joined */

	char *db;
	const ot_signer *signer;
	unsigned wait_ms;  /* for another writer (ot_store_set_wait) */
	ot_ledger *ledger; /* NULL after a failed reopen: retried per batch */
	ot_error open_err;

	/* Leadership (otx_sequencer_set_fence): fenced from the first call;
	 * fence is the epoch to write as (under mu; "" not the leader),
	 * applied the one set on the ledger's store now. */
	int fenced;
	char fence[24];
	char applied[24];

	/* The current batch, grown as needed and reused. */
	ot_prepared **ptrs;
	ot_submit_result *results;
	otx_submission **owner;
	otx_submission **live;
	size_t cap;

	otx_sequencer_stats stats; /* under mu */
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int otx_sequencer_is_rejection(ot_status s)
{
	return s == OT_ERR_PARSE || s == OT_ERR_SIGNER || s == OT_ERR_VERIFY || s == OT_ERR_RULE ||
	       s == OT_ERR_CONFLICT || s == OT_ERR_TOOBIG || s == OT_ERR_KEY;
}

/* The ledger prefixes a rejection with its place in the batch ("batch entry
 * 17: "), which means nothing to the client: drop it. */
static void strip_batch_prefix(ot_error *e)
{
	static const char prefix[] = "batch entry ";
	char *m = e->message;
	if (strncmp(m, prefix, sizeof prefix - 1) != 0)
		return;
	char *p = m + sizeof prefix - 1;
	if (*p < '0' || *p > '9')
		return;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] != ':' || p[1] != ' ')
		return;
	memmove(m, p + 2, strlen(p + 2) + 1);
}

static ot_status reserve(otx_sequencer *q, size_t n)
{
	if (n <= q->cap)
		return OT_OK;
	size_t cap = q->cap ? q->cap : 256;
	while (cap < n)
		cap *= 2;
	ot_prepared **p = realloc(q->ptrs, cap * sizeof *p);
	if (p)
		q->ptrs = p;
	ot_submit_result *r = realloc(q->results, cap * sizeof *r);
	if (r)
		q->results = r;
	otx_submission **o = realloc(q->owner, cap * sizeof *o);
	if (o)
		q->owner = o;
	otx_submission **v = realloc(q->live, cap * sizeof *v);
	if (v)
		q->live = v;
	if (!p || !r || !o || !v)
		return OT_ERR_NOMEM;
	q->cap = cap;
	return OT_OK;
}

static void settle_error(otx_submission *s, const ot_error *e, int64_t index)
{
	s->settled = 1;
	s->status = e->status ? e->status : OT_ERR_IO;
	s->err = *e;
	s->err.status = s->status;
	s->err.index = index;
	strip_batch_prefix(&s->err);
}

/* Lays the live submissions out as one batch. Returns the event count. */
static size_t lay_out(otx_sequencer *q, size_t n_live)
{
	size_t k = 0;
	for (size_t j = 0; j < n_live; j++) {
		otx_submission *s = q->live[j];
		s->pos = k;
		for (size_t i = 0; i < s->n; i++, k++) {
			q->ptrs[k] = s->prepared[i];
			q->owner[k] = s;
		}
	}
	return k;
}

/* Opens the writable ledger with the writer's wait. */
static ot_status open_ledger(otx_sequencer *q, ot_error *err)
{
	ot_status rc = ot_ledger_open(q->db, q->signer, 0, &q->ledger, err);
	if (rc)
		q->ledger = NULL;
	else
		ot_store_set_wait(ot_ledger_store(q->ledger), q->wait_ms);
	return rc;
}

static void reopen(otx_sequencer *q)
{
	ot_ledger_close(q->ledger);
	q->ledger = NULL;
	q->applied[0] = 0;
	ot_error_clear(&q->open_err);
	(void)open_ledger(q, &q->open_err);
}

/* Fails every live submission with a store error, and starts afresh. */
static void fail_all(otx_sequencer *q, size_t n_live, const ot_error *e)
{
	for (size_t j = 0; j < n_live; j++)
		if (!q->live[j]->settled)
			settle_error(q->live[j], e, -1);
	reopen(q);
}

/* Writes only as the leader: sets the epoch this server leads (if it
 * changed) as the fence of the ledger's store. OT_ERR_READONLY
 * ("not_leader") when this server is not the leader now. */
static ot_status apply_fence(otx_sequencer *q, ot_error *err)
{
	char epoch[sizeof q->fence];
	pthread_mutex_lock(&q->mu);
	int fenced = q->fenced;
	memcpy(epoch, q->fence, sizeof epoch);
	pthread_mutex_unlock(&q->mu);
	if (!fenced)
		return OT_OK;
	if (!epoch[0])
		return ot_error_at(err, OT_ERR_READONLY, "not_leader", -1,
		                   "this server is not the ledger's writer (another server "
		                   "leads); nothing was written");
	if (strcmp(epoch, q->applied) == 0)
		return OT_OK;
	/* A new term: the handle may hold state from before another leader's
	 * term (the rules' caches, the log's edge), so it starts afresh. */
	reopen(q);
	if (!q->ledger) {
		*err = q->open_err;
		ot_error_prefix(err, "the ledger cannot be opened for writing");
		return err->status ? err->status : OT_ERR_IO;
	}
	ot_status rc = ot_store_set_fence(ot_ledger_store(q->ledger), epoch, err);
	if (!rc)
		memcpy(q->applied, epoch, sizeof epoch);
	return rc;
}

/* Submits the live submissions; settles every one of them. */
static void run_batch(otx_sequencer *q, size_t n_live)
{
	ot_error err;
	ot_error_clear(&err);
	size_t total = 0;
	int all_single = 1;
	for (size_t j = 0; j < n_live; j++) {
		total += q->live[j]->n;
		if (q->live[j]->n != 1)
			all_single = 0;
	}
	if (!q->ledger)
		reopen(q);
	if (!q->ledger) {
		ot_error e = q->open_err;
		ot_error_prefix(&e, "the ledger cannot be opened for writing");
		fail_all(q, n_live, &e);
		return;
	}
	if (apply_fence(q, &err) != OT_OK) {
		for (size_t j = 0; j < n_live; j++)
			settle_error(q->live[j], &err, -1);
		return;
	}
	if (reserve(q, total)) {
		ot_error_set(&err, OT_ERR_NOMEM, "out of memory for a batch of %zu events", total);
		for (size_t j = 0; j < n_live; j++)
			settle_error(q->live[j], &err, -1);
		return;
	}

	if (all_single) {
		size_t n = lay_out(q, n_live);
		ot_status rc = ot_ledger_submit_prepared(q->ledger, q->ptrs, n,
		                                         OT_SUBMIT_KEEP_GOING | OT_SUBMIT_RETRY,
		                                         q->results, NULL, &err);
		if (rc) {
			fail_all(q, n_live, &err);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			otx_submission *s = q->owner[i];
			if (q->results[i].index < 0) {
				settle_error(s, &q->results[i].error, 0);
			} else {
				s->indexes[0] = q->results[i].index;
				if (s->existing)
					s->existing[0] = q->results[i].existing;
				s->settled = 1;
				s->status = OT_OK;
			}
		}
		return;
	}

	/* Mixed: all or none per submission (see the top of the file). */
	for (;;) {
		size_t n = lay_out(q, n_live);
		if (n == 0)
			return;
		ot_error_clear(&err);
		ot_status rc = ot_ledger_submit_prepared(q->ledger, q->ptrs, n, OT_SUBMIT_RETRY,
		                                         q->results, NULL, &err);
		if (rc == OT_OK) {
			for (size_t i = 0; i < n; i++) {
				otx_submission *s = q->owner[i];
				s->indexes[i - s->pos] = q->results[i].index;
				if (s->existing)
					s->existing[i - s->pos] = q->results[i].existing;
			}
			for (size_t j = 0; j < n_live; j++) {
				q->live[j]->settled = 1;
				q->live[j]->status = OT_OK;
			}
			return;
		}
		if (!otx_sequencer_is_rejection(rc) || err.index < 0 || (uint64_t)err.index >= n) {
			fail_all(q, n_live, &err);
			return;
		}
		/* Find every rejected event of the batch at once. */
		otx_submission *first = q->owner[err.index];
		settle_error(first, &err, (int64_t)((size_t)err.index - first->pos));
		ot_error dry_err;
		ot_error_clear(&dry_err);
		rc = ot_ledger_submit_prepared(q->ledger, q->ptrs, n,
		                               OT_SUBMIT_KEEP_GOING | OT_SUBMIT_DRY_RUN |
		                                       OT_SUBMIT_RETRY,
		                               q->results, NULL, &dry_err);
		if (rc) {
			fail_all(q, n_live, &dry_err);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			otx_submission *s = q->owner[i];
			if (!s->settled && q->results[i].error.status != OT_OK)
				settle_error(s, &q->results[i].error, (int64_t)(i - s->pos));
		}
		size_t kept = 0;
		for (size_t j = 0; j < n_live; j++)
			if (!q->live[j]->settled)
				q->live[kept++] = q->live[j];
		n_live = kept;
	}
}

/* After the commit: the checkpoint every successful submission gets. */
static void publish(otx_sequencer *q, otx_submission *batch)
{
	char *note = NULL;
	size_t len = 0;
	uint64_t size = 0;
	ot_error err;
	int any = 0;
	for (otx_submission *s = batch; s; s = s->next)
		any |= s->status == OT_OK;
	if (!any)
		return;
	ot_log *log = ot_ledger_log(q->ledger);
	size = ot_log_size(log);
	if (ot_log_checkpoint(log, &note, &len, &err) != OT_OK) {
		/* Durable but unsigned for the client: say so rather than lie. */
		note = NULL;
	}
	for (otx_submission *s = batch; s; s = s->next) {
		if (s->status != OT_OK)
			continue;
		s->tree_size = size;
		if (note) {
			s->checkpoint = malloc(len + 1);
			if (s->checkpoint) {
				memcpy(s->checkpoint, note, len + 1);
				s->checkpoint_len = len;
			}
		}
	}
	free(note);
}

static void *sequencer_main(void *arg)
{
	otx_sequencer *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		/* Stopping waits for every reservation to be pushed and answered. */
		while (!q->head && !(q->stopping && q->reserved_events == 0))
			pthread_cond_wait(&q->wake, &q->mu);
		if (!q->head) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		/* Group commit: what has been received and is being parsed will be
		 * here in a moment; let it share this transaction. */
		if (q->incoming > 0 && q->queued_events < q->batch_max && !q->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += OTX_LINGER_US * 1000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			while (q->incoming > 0 && q->queued_events < q->batch_max && !q->stopping)
				if (pthread_cond_timedwait(&q->wake, &q->mu, &until) != 0)
					break;
		}
		/* Take what fits in one batch; a larger submission goes alone. */
		otx_submission *batch = q->head, *last = q->head;
		size_t events = batch->n, n_live = 1;
		while (last->next && events + last->next->n <= q->batch_max) {
			last = last->next;
			events += last->n;
			n_live++;
		}
		q->head = last->next;
		if (!q->head)
			q->tail = NULL;
		last->next = NULL;
		q->queued_events -= events;
		pthread_mutex_unlock(&q->mu);

		int fits = reserve(q, n_live > events ? n_live : events) == OT_OK;
		ot_error nomem;
		ot_error_at(&nomem, OT_ERR_NOMEM, "nomem", -1, "out of memory for the batch");
		size_t j = 0;
		for (otx_submission *s = batch; s; s = s->next) {
			s->settled = 0;
			s->status = OT_OK;
			ot_error_clear(&s->err);
			s->checkpoint = NULL;
			s->checkpoint_len = 0;
			s->tree_size = 0;
			if (fits)
				q->live[j++] = s;
			else
				settle_error(s, &nomem, -1);
		}
		uint64_t t0 = now_ns();
		if (fits)
			run_batch(q, n_live);
		if (q->ledger)
			publish(q, batch);
		uint64_t dt = now_ns() - t0;

		uint64_t appended = 0, rejected = 0, failed = 0;
		for (otx_submission *s = batch; s; s = s->next) {
			if (s->status == OT_OK)
				appended += s->n;
			else if (otx_sequencer_is_rejection(s->status))
				rejected++;
			else
				failed++;
		}
		pthread_mutex_lock(&q->mu);
		q->stats.batches += appended > 0;
		q->stats.events += appended;
		q->stats.rejected += rejected;
		q->stats.failed += failed;
		q->stats.commit_ns += dt;
		if (appended > q->stats.max_batch)
			q->stats.max_batch = appended;
		pthread_mutex_unlock(&q->mu);

		for (otx_submission *s = batch, *next; s; s = next) {
			next = s->next;
			s->next = NULL;
			s->done(s);
		}
	}
	return NULL;
}

ot_status otx_sequencer_start(const char *db, const ot_signer *signer, size_t queue_events,
                              size_t batch_events, unsigned wait_ms, otx_sequencer **out,
                              ot_error *err)
{
	if (!db || !signer || !out || queue_events == 0 || batch_events == 0)
		return ot_error_set(err, OT_ERR_ARG,
		                    "the sequencer needs a ledger, its key and limits");
	*out = NULL;
	otx_sequencer *q = calloc(1, sizeof *q);
	if (!q)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	q->db = strdup(db);
	q->signer = signer;
	q->queue_max = queue_events;
	q->batch_max = batch_events;
	q->wait_ms = wait_ms;
	ot_status rc = q->db ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = open_ledger(q, err);
	if (!rc)
		rc = reserve(q, 1024);
	if (rc) {
		ot_ledger_close(q->ledger);
		free(q->db);
		free(q);
		return rc == OT_ERR_NOMEM ? ot_error_set(err, rc, "out of memory") : rc;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->wake, NULL);
	if (pthread_create(&q->thread, NULL, sequencer_main, q) != 0) {
		ot_ledger_close(q->ledger);
		pthread_cond_destroy(&q->wake);
		pthread_mutex_destroy(&q->mu);
		free(q->ptrs);
		free(q->results);
		free(q->owner);
		free(q->live);
		free(q->db);
		free(q);
		return ot_error_set(err, OT_ERR_IO, "cannot start the sequencer thread");
	}
	*out = q;
	return OT_OK;
}

ot_status otx_sequencer_reserve(otx_sequencer *q, size_t n, ot_error *err)
{
	if (!q || n == 0)
		return ot_error_set(err, OT_ERR_ARG, "bad submission");
	pthread_mutex_lock(&q->mu);
	ot_status rc = OT_OK;
	size_t waiting = q->queued_events + q->reserved_events;
	if (q->stopping)
		rc = ot_error_at(err, OT_ERR_READONLY, "shutting_down", -1,
		                 "the server is shutting down and accepts no more submissions");
	else if (waiting && waiting + n > q->queue_max)
		rc = ot_error_at(err, OT_ERR_BUSY, "overloaded", -1,
		                 "%zu events are waiting to be written; try again shortly",
		                 waiting);
	else
		q->reserved_events += n;
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void otx_sequencer_set_fence(otx_sequencer *q, const char *epoch)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->fenced = 1;
	snprintf(q->fence, sizeof q->fence, "%s", epoch ? epoch : "");
	pthread_mutex_unlock(&q->mu);
}

void otx_sequencer_push(otx_sequencer *q, otx_submission *s)
{
	pthread_mutex_lock(&q->mu);
	s->next = NULL;
	if (q->tail)
		q->tail->next = s;
	else
		q->head = s;
	q->tail = s;
	q->reserved_events -= s->n;
	q->queued_events += s->n;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->mu);
}

void otx_sequencer_incoming(otx_sequencer *q, int delta)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->incoming += delta;
	if (q->incoming <= 0)
		pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->mu);
}

void otx_sequencer_stop(otx_sequencer *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	int joined = q->joined;
	q->stopping = 1;
	q->joined = 1;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->mu);
	if (joined)
		return;
	pthread_join(q->thread, NULL);
	ot_ledger_close(q->ledger);
	q->ledger = NULL;
}

void otx_sequencer_free(otx_sequencer *q)
{
	if (!q)
		return;
	otx_sequencer_stop(q);
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->mu);
	free(q->ptrs);
	free(q->results);
	free(q->owner);
	free(q->live);
	free(q->db);
	free(q);
}

void otx_sequencer_get_stats(otx_sequencer *q, otx_sequencer_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	*out = q->stats;
	out->queued = q->queued_events;
	pthread_mutex_unlock(&q->mu);
}
