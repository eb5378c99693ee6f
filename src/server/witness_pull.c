/*
 * witness_pull.c: the log side of C2SP tlog-witness: the server asks its
 * witnesses for cosignatures (the other way is witnesses pushing them,
 * witness.c).
 *
 * A thread of its own looks at the log once a second, so it sees entries
 * appended by the sequencer and by other processes alike, and the
 * sequencer never waits for a witness. For each witness with a URL that has
 * not cosigned the latest checkpoint it sends
 *
 *   POST <URL>/add-checkpoint
 *   old <N>
 *   <consistency proof from N to the checkpoint, one base64 hash a line>
 *   <empty line>
 *   <the checkpoint as the log signed it>
 *
 * where N is the size that witness last cosigned for us: at start, the size
 * its kept cosignature covers (0 when none), then what it answers. A 409
 * with Content-Type text/x.tlog.size gives the size the witness holds; the
 * request is made once more from there. A 200 carries the cosignature
 * line(s): checked against the witness's key and kept exactly as a pushed
 * one (otx_witness_keep), so that /checkpoint serves it. A witness that
 * holds a larger tree than ours, or one that ours does not extend, is
 * alerted loudly; any other failure is logged in one line. Either way that
 * checkpoint is tried again after BACKOFF_S seconds, a new one at once.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "oretrail/buf.h"
#include "oretrail/encoding.h"
#include "oretrail/http.h"
#include "oretrail/status.h"
#include "server/handlers.h"
#include "server/http.h"
#include "server/readers.h"
#include "server/server_int.h"

#define POLL_MS 1000
#define BACKOFF_S 5
#define CONNECT_TIMEOUT_S 5L
#define TOTAL_TIMEOUT_S 15L
#define SIZE_TYPE "text/x.tlog.size"

typedef struct pull_witness {
	const ot_cosig_verifier *v;
	const char *url;
	uint64_t old;         /* the size it last cosigned for us */
	uint64_t failed_size; /* the checkpoint last tried in vain (0: none) */
	uint64_t retry_ns;    /* ...not tried again before this */
} pull_witness;

typedef struct otx_pull {
	ot_server *srv;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	atomic_int stopping; /* also cancels a request in flight */
	pull_witness *w;
	size_t n;
} otx_pull;

/* The latest checkpoint and its size, when the log handle agrees with it
 * (another process may have appended in between: then OT_ERR_BUSY, and the
 * next look will do). */
static ot_status latest(ot_server *s, char **note, size_t *len, uint64_t *size, ot_error *err)
{
	otx_reader *rd = otx_reader_get(s, err);
	if (!rd)
		return err->status ? err->status : OT_ERR_IO;
	ot_log *log = ot_ledger_log(rd->ledger);
	uint64_t log_size = ot_log_size(log);
	ot_status rc = ot_log_checkpoint(log, note, len, err);
	otx_reader_put(s, rd);
	if (rc)
		return rc;
	ot_note opened;
	ot_verifier *keys[1] = {s->log_verifier};
	rc = ot_note_open(*note, *len, keys, 1, &opened, err);
	ot_checkpoint cp;
	if (!rc)
		rc = ot_checkpoint_parse(opened.text, opened.text_len, &cp, err);
	ot_note_clear(&opened);
	if (!rc && cp.size != log_size)
		rc = OT_ERR_BUSY;
	if (rc) {
		free(*note);
		*note = NULL;
		return rc;
	}
	*size = cp.size;
	return OT_OK;
}

/* The add-checkpoint request body from `old` to the checkpoint `note` of
 * `size` entries. */
static ot_status build_body(ot_server *s, uint64_t old, uint64_t size, const char *note, size_t len,
                            ot_buf *body, ot_error *err)
{
	ot_buf_reset(body);
	ot_status rc = ot_buf_printf(body, "old %" PRIu64 "\n", old);
	if (!rc && old > 0 && old < size) {
		uint8_t(*proof)[OT_HASH_SIZE] = malloc(OT_PROOF_MAX * OT_HASH_SIZE);
		otx_reader *rd = proof ? otx_reader_get(s, err) : NULL;
		size_t n = 0;
		if (!proof)
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		else if (!rd)
			rc = err->status ? err->status : OT_ERR_IO;
		else
			rc = ot_log_consistency_proof(ot_ledger_log(rd->ledger), old, size, proof,
			                              &n, err);
		otx_reader_put(s, rd);
		for (size_t i = 0; !rc && i < n; i++) {
			char b64[64];
			ot_b64_encode(proof[i], OT_HASH_SIZE, b64);
			rc = ot_buf_printf(body, "%s\n", b64);
		}
		free(proof);
	}
	if (!rc)
		rc = ot_buf_addc(body, '\n');
	if (!rc)
		rc = ot_buf_add(body, note, len);
	if (rc && !err->message[0])
		ot_error_set(err, rc, "out of memory building a request");
	return rc;
}

/* The size in a text/x.tlog.size answer: decimal, then a newline. */
static int parse_size(const ot_http_resp *resp, uint64_t *out)
{
	const char *t = resp->content_type;
	size_t tl = strlen(SIZE_TYPE);
	if (strncasecmp(t, SIZE_TYPE, tl) != 0 || (t[tl] && t[tl] != ';' && t[tl] != ' '))
		return 0;
	const char *b = (const char *)resp->body;
	size_t digits = strspn(b, "0123456789");
	if (digits == 0 || digits > 19 || (b[digits] && strcmp(b + digits, "\n") != 0))
		return 0;
	*out = strtoull(b, NULL, 10);
	return 1;
}

/* A witness's answer for the log: its first line, printable bytes only. */
static void excerpt(const ot_http_resp *resp, char *out, size_t size)
{
	size_t i = 0;
	for (; i + 1 < size && i < resp->len && resp->body[i] != '\n'; i++)
		out[i] = resp->body[i] >= 0x20 && resp->body[i] < 0x7f ? (char)resp->body[i] : '?';
	out[i] = 0;
}

/* Keeps the cosignature a 200 carries for the checkpoint `note`. */
static ot_status keep_answer(ot_server *s, const pull_witness *w, const char *note, size_t len,
                             uint64_t size, const ot_http_resp *resp, ot_error *err)
{
	ot_buf b;
	ot_buf_init(&b, (size_t)OT_NOTE_MAX * 2);
	ot_status rc = ot_buf_add(&b, note, len);
	if (!rc)
		rc = ot_buf_add(&b, resp->body, resp->len);
	if (!rc && resp->len && resp->body[resp->len - 1] != '\n')
		rc = ot_buf_addc(&b, '\n');
	if (rc) {
		ot_buf_free(&b);
		return ot_error_set(err, rc, "the answer is too large");
	}
	ot_note opened;
	ot_verifier *keys[1] = {s->log_verifier};
	rc = ot_note_open((const char *)b.data, b.len, keys, 1, &opened, err);
	if (!rc) {
		rc = otx_witness_keep(s, w->v, &opened, size, err);
		ot_note_clear(&opened);
	} else {
		ot_error_prefix(err, "the answer is not cosignature lines");
	}
	ot_buf_free(&b);
	return rc;
}

/* Asks w to cosign the checkpoint `note` of `size` entries. */
static ot_status ask(otx_pull *p, pull_witness *w, const char *note, size_t len, uint64_t size)
{
	ot_server *s = p->srv;
	const char *name = ot_cosig_verifier_name(w->v);
	const ot_http_limits lim = {OT_NOTE_MAX, CONNECT_TIMEOUT_S, TOTAL_TIMEOUT_S, &p->stopping};
	ot_error err;
	ot_error_clear(&err);
	ot_buf body;
	ot_buf_init(&body, 0);
	ot_http_resp resp;
	memset(&resp, 0, sizeof resp);
	uint64_t old = w->old;
	ot_status rc;
	for (int resync = 0;; resync++) {
		rc = build_body(s, old, size, note, len, &body, &err);
		if (!rc)
			rc = ot_http_request(w->url, "/add-checkpoint", "text/plain; charset=utf-8",
			                     body.data, body.len, &lim, &resp, &err);
		if (rc) {
			if (!atomic_load(&p->stopping))
				otx_server_log(s, "witness %s: %s", name, err.message);
			break;
		}
		uint64_t theirs = 0;
		if (resp.status == 409 && !resync && parse_size(&resp, &theirs) && theirs != old) {
			ot_http_free(&resp);
			if (theirs > size) {
				otx_server_alert(s,
				                 "ALERT: witness %s has cosigned a tree of %" PRIu64
				                 " entries; this log holds %" PRIu64
				                 ": not this log's tree",
				                 name, theirs, size);
				rc = OT_ERR_CONFLICT;
				break;
			}
			w->old = old = theirs;
			continue;
		}
		if (resp.status == 200) {
			rc = keep_answer(s, w, note, len, size, &resp, &err);
			if (rc)
				otx_server_log(s, "witness %s: %s", name, err.message);
			else
				w->old = size;
			break;
		}
		char text[120];
		excerpt(&resp, text, sizeof text);
		if (resp.status == 409 || resp.status == 422)
			otx_server_alert(s,
			                 "ALERT: witness %s refuses the tree of %" PRIu64
			                 " entries from %" PRIu64
			                 " (HTTP %ld: %s): it holds another tree",
			                 name, size, old, resp.status, text);
		else
			otx_server_log(s, "witness %s: HTTP %ld: %s", name, resp.status, text);
		rc = OT_ERR_IO;
		break;
	}
	ot_http_free(&resp);
	ot_buf_free(&body);
	return rc;
}

/* One look at the log: asks every witness behind on the latest checkpoint. */
static void pull_round(otx_pull *p)
{
	ot_error err;
	ot_error_clear(&err);
	char *note = NULL;
	size_t len = 0;
	uint64_t size = 0;
	if (latest(p->srv, &note, &len, &size, &err) != OT_OK)
		return;
	uint64_t now = otx_now_ns();
	for (size_t i = 0; i < p->n && !atomic_load(&p->stopping); i++) {
		pull_witness *w = &p->w[i];
		if (w->old >= size || (w->failed_size == size && now < w->retry_ns))
			continue;
		if (ask(p, w, note, len, size) != OT_OK) {
			w->failed_size = size;
			w->retry_ns = otx_now_ns() + (uint64_t)BACKOFF_S * 1000000000u;
		}
	}
	free(note);
}

static void *pull_main(void *arg)
{
	otx_pull *p = arg;
	for (size_t i = 0; i < p->n; i++)
		p->w[i].old = otx_witness_stored_size(p->srv, p->w[i].v);
	pthread_mutex_lock(&p->mu);
	while (!atomic_load(&p->stopping)) {
		pthread_mutex_unlock(&p->mu);
		pull_round(p);
		pthread_mutex_lock(&p->mu);
		if (atomic_load(&p->stopping))
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&p->wake, &p->mu, &until);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

ot_status otx_pull_start(ot_server *s, ot_error *err)
{
	const ot_server_options *o = &s->opt;
	size_t n = 0;
	for (size_t i = 0; o->witness_urls && i < o->n_witnesses; i++)
		n += o->witness_urls[i] != NULL;
	if (!n || !s->seq || !s->log_verifier)
		return OT_OK;
	ot_status rc = ot_http_init(err);
	if (rc)
		return rc;
	otx_pull *p = calloc(1, sizeof *p);
	pull_witness *w = calloc(n, sizeof *w);
	if (!p || !w) {
		free(p);
		free(w);
		ot_http_cleanup();
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < o->n_witnesses; i++)
		if (o->witness_urls[i]) {
			w[p->n].v = o->witnesses[i];
			w[p->n++].url = o->witness_urls[i];
		}
	p->srv = s;
	p->w = w;
	atomic_init(&p->stopping, 0);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, pull_main, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->mu);
		free(w);
		free(p);
		ot_http_cleanup();
		return ot_error_set(err, OT_ERR_IO,
		                    "cannot start the thread that asks the witnesses");
	}
	s->pull = p;
	return OT_OK;
}

void otx_pull_stop(ot_server *s)
{
	otx_pull *p = s->pull;
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stopping, 1);
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->mu);
	free(p->w);
	free(p);
	s->pull = NULL;
	ot_http_cleanup();
}
