/*
 * comply.h: compliance profiles (docs/events.md "Compliance profiles") as
 * comply.c reads them, for the determinations and the reports that judge
 * by the same profile (`oretrail report crma`).
 */
#ifndef OT_LEDGER_COMPLY_H
#define OT_LEDGER_COMPLY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

/* A checked profile; its members are borrowed from doc. */
typedef struct otx_profile {
	json_t *doc; /* owned by otx_profile_load's caller */
	const char *name;
	json_t *elements, *stages, *covered, *exempt;
	int64_t max_ppm; /* -1: covered countries */
} otx_profile;

/* Parses (duplicates rejected) and checks a profile of len bytes: *doc is
 * the new document (the caller json_decref's it, also on error). Errors:
 * OT_ERR_PARSE, code bad_profile, the message naming the field. */
ot_status otx_profile_load(const char *json, size_t len, json_t **doc, otx_profile *p,
                           ot_error *err);

/* Whether arr (an array of strings) holds s. */
int otx_profile_in_list(json_t *arr, const char *s);

#endif
