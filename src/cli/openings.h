/*
 * openings.h: reading the openings file of `oretrail commit` and
 * `disclose` (openings.c).
 */
#ifndef OT_CLI_OPENINGS_H
#define OT_CLI_OPENINGS_H

#include <jansson.h>
#include <stddef.h>

#include "oretrail/status.h"

/*
 * Finds in data[0..len), the text of an openings file (one JSON object a
 * line, empty lines skipped), the last opening whose "commit" is `commit`
 * or, with commit NULL, whose "contract" and "field" are those given. OT_OK
 * with *out a new reference (the caller releases it), or NULL when no line
 * matches; OT_ERR_PARSE "line L is not an opening: WHY" (*out NULL) at the
 * first line that is not a JSON object.
 */
ot_status cli_openings_find(const char *data, size_t len, const char *commit, const char *contract,
                            const char *field, json_t **out, ot_error *err);

#endif
