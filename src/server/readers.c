/*
 * readers.c: the pool of read-only ledger handles that requests borrow
 * (readers.h). A handle is opened on first need, refreshed to the log's
 * newest size each time it is lent, and kept for the next request. While
 * lent it reads one snapshot (ot_store_read_begin): a checkpoint it serves
 * is always one of the tree it serves tiles and proofs from.
 */
#include <stdlib.h>

#include "oretrail/status.h"
#include "oretrail/store.h"
#include "server/readers.h"

otx_reader *otx_reader_take(ot_server *s, ot_error *err)
{
	pthread_mutex_lock(&s->readers_mu);
	otx_reader *r = s->free_readers;
	if (r)
		s->free_readers = r->next;
	pthread_mutex_unlock(&s->readers_mu);
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r) {
			ot_error_set(err, OT_ERR_NOMEM, "out of memory");
			return NULL;
		}
		if (ot_ledger_open(s->db, NULL, OT_LEDGER_READONLY, &r->ledger, err) != OT_OK) {
			free(r);
			return NULL;
		}
		ot_ledger_set_tolerance(r->ledger, s->opt.tolerance_s);
	}
	r->next = NULL;
	return r;
}

void otx_reader_give(ot_server *s, otx_reader *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&s->readers_mu);
	r->next = s->free_readers;
	s->free_readers = r;
	pthread_mutex_unlock(&s->readers_mu);
}

otx_reader *otx_reader_get(ot_server *s, ot_error *err)
{
	otx_reader *r = otx_reader_take(s, err);
	if (!r)
		return NULL;
	/* One read snapshot for the whole request, opened before catching up
	 * with what the sequencer (or another process, another server)
	 * appended: the tree the log serves and everything read beside it
	 * (the latest checkpoint, indexes) are of the same committed state,
	 * however often a writer commits meanwhile. */
	ot_store *st = ot_ledger_store(r->ledger);
	if (ot_store_read_begin(st, err) != OT_OK) {
		ot_ledger_close(r->ledger);
		free(r);
		return NULL;
	}
	if (ot_log_refresh(ot_ledger_log(r->ledger), err) != OT_OK) {
		ot_store_read_end(st);
		ot_ledger_close(r->ledger);
		free(r);
		return NULL;
	}
	return r;
}

void otx_reader_put(ot_server *s, otx_reader *r)
{
	if (!r)
		return;
	ot_store_read_end(ot_ledger_store(r->ledger));
	otx_reader_give(s, r);
}

void otx_readers_free(ot_server *s)
{
	otx_reader *r = s->free_readers;
	while (r) {
		otx_reader *next = r->next;
		ot_ledger_close(r->ledger);
		free(r);
		r = next;
	}
	s->free_readers = NULL;
}
