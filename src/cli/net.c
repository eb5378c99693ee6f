/*
 * net.c: how `oretrail` reaches the verbs that speak HTTP. They live in a
 * sibling program, oretrail-net, so that `oretrail` links neither
 * libmicrohttpd nor libcurl (nor, through them, the TLS, HTTP/2, LDAP and
 * Kerberos libraries): every other verb then starts with a few shared
 * libraries to map instead of some forty (issue 16, bench/README.md "CLI
 * start-up"). The sibling is looked up next to the running program, never
 * on PATH, so that an installed oretrail runs the oretrail-net installed
 * with it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_beside_self(char *path, size_t size, const char *rel)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0) {
		snprintf(path, size, "/proc/self/exe");
		return -1;
	}
	self[n] = 0;
	char *slash = strrchr(self, '/');
	size_t dir = slash ? (size_t)(slash - self) : 0;
	if ((size_t)snprintf(path, size, "%.*s/%s", (int)dir, self, rel) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int cli_net_exec(int argc, char **argv)
{
	char path[PATH_MAX + sizeof CLI_NET_PROGRAM + 1];
	if (cli_beside_self(path, sizeof path, CLI_NET_PROGRAM) == 0) {
		char **args = calloc((size_t)argc + 2, sizeof *args);
		if (!args)
			return cli_failf(EXIT_STORE, argv[0], "cannot allocate the arguments of %s",
			                 path);
		args[0] = path;
		memcpy(args + 1, argv, (size_t)argc * sizeof *args);
		fflush(NULL);
		execv(path, args);
		int e = errno;
		free(args);
		errno = e;
	}
	return cli_failf(EXIT_STORE, argv[0],
	                 "this verb is in %s, which cannot be run (%s): install it in the "
	                 "directory of oretrail",
	                 path, strerror(errno));
}
