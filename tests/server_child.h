/*
 * server_child.h: `oretrail serve` as a child process for the server tests
 * that need it apart from themselves (its own memory, its own descriptors,
 * a kill -9). Header-only: starts it with the caller's arguments, reads the
 * "listening on" line for the port, and stops it.
 */
#ifndef OT_TEST_SERVER_CHILD_H
#define OT_TEST_SERVER_CHILD_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SC_UNUSED __attribute__((unused))

SC_UNUSED static uint64_t sc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs argv (argv[0] the oretrail command, then "serve" and its options,
 * with --listen 127.0.0.1:0) with standard error to /dev/null; waits up to
 * 10 s for its "listening on" line. The child's pid, or -1 (and nothing
 * left running). */
SC_UNUSED static pid_t sc_spawn(const char *const argv[], uint16_t *port_out)
{
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		close(fds[0]);
		close(fds[1]);
		char *args[32];
		size_t n = 0;
		for (; argv[n] && n < 31; n++)
			args[n] = strdup(argv[n]);
		args[n] = NULL;
		execv(args[0], args);
		_exit(127);
	}
	close(fds[1]);
	char line[256];
	size_t len = 0;
	*port_out = 0;
	uint64_t deadline = sc_now_ms() + 10000;
	while (pid > 0 && len < sizeof line - 1 && sc_now_ms() < deadline) {
		struct pollfd p = {fds[0], POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = read(fds[0], line + len, 1);
		if (n <= 0)
			break;
		len++;
		if (line[len - 1] == '\n')
			break;
	}
	line[len] = 0;
	close(fds[0]);
	unsigned p = 0;
	if (sscanf(line, "listening on http://127.0.0.1:%u/", &p) == 1)
		*port_out = (uint16_t)p;
	if (!*port_out) {
		fprintf(stderr, "the server did not start: \"%s\"\n", line);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	return pid;
}

#endif
