/*
 * cli_opts.c: one option parser for every verb. A verb declares its options
 * once, in a table (cli.h: cli_opt); the same table drives getopt_long and
 * writes the options part of the verb's --help, so that the two cannot
 * drift apart and every verb's --help has one layout.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* More than any verb declares; a longer table is a programming error that
 * the parser reports rather than overruns. */
#define OPTS_MAX 32

/* Long options get values past every char, so they never meet a short one. */
#define LONG_BASE 256

static size_t count(const cli_opt *opts)
{
	size_t n = 0;
	while (opts && opts[n].name)
		n++;
	return n;
}

/* "--db PATH" or "-o, --out FILE" into buf. */
static void opt_label(const cli_opt *o, char *buf, size_t size)
{
	char s[8] = "";
	if (o->short_name)
		snprintf(s, sizeof s, "-%c, ", o->short_name);
	snprintf(buf, size, "%s--%s%s%s", s, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void cli_help(const cli_spec *spec, const cli_opt *opts, FILE *out)
{
	static const cli_opt help_opt = {"help", 'h', NULL, "print this help", NULL, NULL};
	size_t n = count(opts), w = 0;
	char label[128];
	for (size_t i = 0; i <= n; i++) {
		opt_label(i < n ? &opts[i] : &help_opt, label, sizeof label);
		if (strlen(label) > w)
			w = strlen(label);
	}
	fprintf(out, "usage: %s\n\n%s\noptions:\n", spec->usage, spec->about);
	for (size_t i = 0; i <= n; i++) {
		const cli_opt *o = i < n ? &opts[i] : &help_opt;
		opt_label(o, label, sizeof label);
		fprintf(out, "  %-*s  %s\n", (int)w, label, o->help);
	}
}

int cli_parse(const cli_spec *spec, const cli_opt *opts, int argc, char **argv, int *code)
{
	return cli_parse_each(spec, opts, argc, argv, NULL, NULL, code);
}

int cli_parse_each(const cli_spec *spec, const cli_opt *opts, int argc, char **argv,
                   cli_each_fn each, void *ctx, int *code)
{
	struct option lopts[OPTS_MAX + 2];
	char shorts[2 * OPTS_MAX + 4];
	size_t n = count(opts), k = 0;
	if (n > OPTS_MAX) {
		*code = cli_failf(EXIT_USAGE, argv[0], "too many options declared");
		return -1;
	}
	if (spec->in_order)
		shorts[k++] = '+';
	shorts[k++] = 'h';
	for (size_t i = 0; i < n; i++) {
		lopts[i] =
			(struct option){opts[i].name, opts[i].arg ? required_argument : no_argument,
		                        NULL, LONG_BASE + (int)i};
		if (opts[i].short_name) {
			shorts[k++] = opts[i].short_name;
			if (opts[i].arg)
				shorts[k++] = ':';
		}
	}
	shorts[k] = 0;
	lopts[n] = (struct option){"help", no_argument, NULL, 'h'};
	lopts[n + 1] = (struct option){NULL, 0, NULL, 0};

	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		const cli_opt *o = NULL;
		if (c >= LONG_BASE && (size_t)(c - LONG_BASE) < n)
			o = &opts[c - LONG_BASE];
		for (size_t i = 0; !o && c != 'h' && c != '?' && c != ':' && i < n; i++)
			if (opts[i].short_name == c)
				o = &opts[i];
		if (c == 'h' && !o) {
			cli_help(spec, opts, stdout);
			*code = EXIT_OK;
			return -1;
		}
		if (!o) {
			cli_help(spec, opts, stderr);
			*code = EXIT_USAGE;
			return -1;
		}
		if (o->value)
			*o->value = optarg;
		if (o->flag)
			*o->flag = 1;
		if (each && (*code = each(ctx, o, optarg)) != 0)
			return -1;
	}
	*code = EXIT_OK;
	return optind;
}

int cli_no_operands(const char *what, int argc, char **argv, int first)
{
	if (first < argc)
		return cli_failf(EXIT_USAGE, what, "unexpected argument \"%s\"", argv[first]);
	return 0;
}
