/*
 * lineage.h: a lot's inherited ancestry stored as edges, so that storage
 * grows linearly with the log, however deep the lineage.
 *
 * The `ancestry` record of a transform output (state.h) is text, one line
 * per item:
 *
 *   <index> <type> <id>   an entry of the lineage (the log index in decimal)
 *   @<lot>                and the whole inherited ancestry of <lot>
 *
 * When a transform makes its outputs, the record lists the inputs' own
 * histories up to that moment, and for each input either its record's
 * items copied in (while the total stays within OTX_LINEAGE_INLINE items)
 * or a reference `@<input>`. So a record never holds more than the inputs'
 * histories plus OTX_LINEAGE_INLINE items: linear storage. Reading walks
 * the references, each lot once; a chain of depth d takes about
 * d / OTX_LINEAGE_INLINE lookups. Records written before references existed
 * (every item a line) read the same way.
 */
#ifndef OT_LEDGER_LINEAGE_H
#define OT_LEDGER_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/envelope.h"
#include "oretrail/buf.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

/* Room for a referenced lot id and its NUL. */
#define OTX_LINEAGE_REF_MAX (OTX_EVENT_ID_MAX + 1)

/* Most items copied from the inputs' records into a new record. */
#define OTX_LINEAGE_INLINE 64

typedef struct otx_aline {
	uint64_t index;
	const char *text; /* "<index> <type> <id>", without the newline */
	size_t len;
} otx_aline;

/* Lines and references gathered from records; the texts they point into
 * are owned by the set. */
typedef struct otx_lineage {
	otx_aline *lines;
	size_t n, cap;
	char **refs;
	size_t nrefs, cap_refs;
	uint8_t **blobs;
	size_t nblobs, cap_blobs;
} otx_lineage;

void otx_lineage_init(otx_lineage *l);
void otx_lineage_free(otx_lineage *l);

/* Takes the malloc'ed text (len bytes) and adds its lines and references.
 * OT_ERR_NOMEM (the text is freed), OT_ERR_CORRUPT on a malformed line. */
ot_status otx_lineage_add_text(otx_lineage *l, uint8_t *text, size_t len);

/* Moves everything of src into dst (src is left empty). */
ot_status otx_lineage_absorb(otx_lineage *dst, otx_lineage *src);

/* Adds a reference (copied). */
ot_status otx_lineage_add_ref(otx_lineage *l, const char *lot);

/* Sorts the lines by index, each index once, and the references, each once. */
void otx_lineage_sort(otx_lineage *l);

/* The record's text: lines, then references. */
ot_status otx_lineage_write(const otx_lineage *l, ot_buf *out);

/* Reads the record of `lot` (absent: nothing) and, through its references,
 * every record it leads to, each once; then sorts. */
ot_status otx_lineage_walk(ot_store *st, const char *lot, otx_lineage *l, ot_error *err);

#endif
