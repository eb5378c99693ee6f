/*
 * follow.h: the loop of the verbs that follow a log over the network
 * (`oretrail witness`, `oretrail monitor`). Their HTTP requests go through
 * the server layer's client (include/oretrail/http.h).
 */
#ifndef OT_CLI_FOLLOW_H
#define OT_CLI_FOLLOW_H

#include <stdint.h>

#include "oretrail/http.h"

/* One round of a follower: returns its exit code; *stop comes in as 1 for
 * a single round (--once), 0 otherwise, and a round sets it to end the
 * loop. */
typedef int (*cli_round_fn)(void *ctx, int *stop);

/* Sets up the HTTP client and ignores SIGPIPE, then runs round(ctx) once
 * (once != 0), or every `interval` seconds until a round sets *stop or
 * SIGINT/SIGTERM arrives. Returns the last round's code, or EXIT_STORE
 * (with a message) when the HTTP client cannot start. */
int cli_follow(const char *verb, int once, uint64_t interval, cli_round_fn round, void *ctx);

/* --interval SECONDS: sets *interval (left alone when s is NULL) to s, from
 * 1 to 86400. 0, or prints the error and returns EXIT_USAGE. */
int cli_follow_interval(const char *verb, const char *s, uint64_t *interval);

#endif
