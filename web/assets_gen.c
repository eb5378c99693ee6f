/*
 * assets_gen.c: a build tool, not part of the server. Writes the C source
 * that compiles the dashboard's files into the binary (assets.h).
 *
 *   assets_gen OUT.c DIR MANIFEST
 *
 * MANIFEST lists the files to embed, one a line, as web/build.mjs writes it:
 *
 *   FILE [HASHED ETAG CODINGS]
 *
 * FILE is a path relative to DIR, served at "/" followed by it; HASHED the
 * name the file is also served under, after its content, or "-"; ETAG the
 * identity body's entity tag without quotes (letters, digits, "-", "_"), or
 * "-"; CODINGS "gzip", "br", "gzip,br" or "-": the compressed bodies that
 * exist beside FILE as FILE.gz and FILE.br. The output has one byte array
 * per body, written as integer initialisers (a string literal that long
 * would break C11's 4095-character limit under -Wpedantic), and the table
 * otx_assets returns. It is written to OUT.c.tmp and renamed, so a failed
 * run leaves no half file behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 1024
#define ASSET_MAX ((long)32 << 20) /* the dashboard is a few hundred KiB */
#define ASSETS_MAX 256

static const struct {
	const char *ext;
	const char *type;
} TYPES[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
	{".map", "application/json"},
	{".webmanifest", "application/manifest+json"},
	{".wasm", "application/wasm"},
};

static const char *content_type(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++) {
		size_t e = strlen(TYPES[i].ext);
		if (n >= e && strcmp(path + n - e, TYPES[i].ext) == 0)
			return TYPES[i].type;
	}
	return "application/octet-stream";
}

/* Paths go into C string literals: allow only what needs no escaping. */
static int path_ok(const char *p)
{
	if (!*p || *p == '/' || strstr(p, ".."))
		return 0;
	for (; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == '/'))
			return 0;
	}
	return 1;
}

static int emit_file(FILE *out, const char *dir, const char *rel, const char *suffix, size_t n,
                     long *size)
{
	char full[2 * PATH_MAX_LEN + 8];
	snprintf(full, sizeof full, "%s/%s%s", dir, rel, suffix);
	FILE *in = fopen(full, "rb");
	if (!in) {
		fprintf(stderr, "assets_gen: %s: cannot open\n", full);
		return -1;
	}
	fprintf(out, "/* %s%s */\nstatic const uint8_t asset_%zu%s[] = {", rel, suffix, n,
	        suffix[0] ? (strcmp(suffix, ".gz") == 0 ? "_gz" : "_br") : "");
	long count = 0;
	int c;
	while ((c = getc(in)) != EOF) {
		if (++count > ASSET_MAX) {
			fprintf(stderr, "assets_gen: %s: larger than %ld bytes\n", full, ASSET_MAX);
			fclose(in);
			return -1;
		}
		fprintf(out, "%s0x%02x,", (count - 1) % 16 ? "" : "\n\t", (unsigned)c);
	}
	int bad = ferror(in);
	fclose(in);
	if (bad) {
		fprintf(stderr, "assets_gen: %s: read error\n", full);
		return -1;
	}
	if (count == 0)
		fprintf(out, "0"); /* C has no empty arrays; the length says 0 */
	fprintf(out, "\n};\n\n");
	*size = count;
	return 0;
}

/* One manifest line's fields after FILE. */
typedef struct {
	char hashed[PATH_MAX_LEN];
	char etag[80];
	int gzip, br;
	long size, gzip_size, br_size;
} extra;

static int tag_ok(const char *t)
{
	if (!*t || strlen(t) >= 80)
		return 0;
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
		      *t == '-' || *t == '_'))
			return 0;
	return 1;
}

/* Splits "FILE [HASHED ETAG CODINGS]" in place; 0 and a message when a
 * field is unusable. */
static int parse_line(char *line, const char *manifest, char **file, extra *x)
{
	char *save = NULL;
	char *f[5] = {NULL};
	int nf = 0;
	for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nf == 4) {
			fprintf(stderr, "assets_gen: %s: more than 4 fields in '%s ...'\n", manifest,
			        f[0]);
			return 0;
		}
		f[nf++] = tok;
	}
	if (nf != 1 && nf != 4) {
		fprintf(stderr, "assets_gen: %s: '%s': expected FILE or FILE HASHED ETAG CODINGS\n",
		        manifest, f[0]);
		return 0;
	}
	*file = f[0];
	memset(x, 0, sizeof *x);
	if (!path_ok(f[0])) {
		fprintf(stderr, "assets_gen: %s: unusable asset path '%s'\n", manifest, f[0]);
		return 0;
	}
	if (nf == 1)
		return 1;
	if (strcmp(f[1], "-") != 0) {
		if (!path_ok(f[1]) || strlen(f[1]) >= PATH_MAX_LEN) {
			fprintf(stderr, "assets_gen: %s: unusable hashed path '%s'\n", manifest, f[1]);
			return 0;
		}
		memcpy(x->hashed, f[1], strlen(f[1]) + 1);
	}
	if (strcmp(f[2], "-") != 0) {
		if (!tag_ok(f[2])) {
			fprintf(stderr, "assets_gen: %s: unusable entity tag '%s'\n", manifest, f[2]);
			return 0;
		}
		memcpy(x->etag, f[2], strlen(f[2]) + 1);
	}
	if (strcmp(f[3], "-") != 0) {
		char *s2 = NULL;
		for (char *c = strtok_r(f[3], ",", &s2); c; c = strtok_r(NULL, ",", &s2)) {
			if (strcmp(c, "gzip") == 0)
				x->gzip = 1;
			else if (strcmp(c, "br") == 0)
				x->br = 1;
			else {
				fprintf(stderr, "assets_gen: %s: %s: unknown coding '%s'\n", manifest,
				        f[0], c);
				return 0;
			}
		}
	}
	return 1;
}

static void emit_table(FILE *out, char (*names)[PATH_MAX_LEN], const extra *x, size_t n)
{
	fprintf(out, "static const otx_asset ASSETS[] = {\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "    {\"/%s\", ", names[i]);
		if (x[i].hashed[0])
			fprintf(out, "\"/%s\", ", x[i].hashed);
		else
			fprintf(out, "NULL, ");
		fprintf(out, "asset_%zu, %ld, \"%s\", ", i, x[i].size, content_type(names[i]));
		if (x[i].etag[0])
			fprintf(out, "\"\\\"%s\\\"\", ", x[i].etag);
		else
			fprintf(out, "NULL, ");
		if (x[i].gzip)
			fprintf(out, "asset_%zu_gz, %ld, ", i, x[i].gzip_size);
		else
			fprintf(out, "NULL, 0, ");
		if (x[i].br)
			fprintf(out, "asset_%zu_br, %ld},\n", i, x[i].br_size);
		else
			fprintf(out, "NULL, 0},\n");
	}
	fprintf(out, "};\n\n"
	             "const otx_asset *otx_assets(size_t *n)\n{\n"
	             "\t*n = sizeof ASSETS / sizeof ASSETS[0];\n\treturn ASSETS;\n}\n\n"
	             "int otx_assets_built(void)\n{\n\treturn 1;\n}\n");
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: assets_gen OUT.c DIR MANIFEST\n");
		return 2;
	}
	const char *out_path = argv[1], *dir = argv[2], *manifest = argv[3];
	if (strlen(dir) >= PATH_MAX_LEN || strlen(out_path) >= PATH_MAX_LEN) {
		fprintf(stderr, "assets_gen: path too long\n");
		return 2;
	}

	static char names[ASSETS_MAX][PATH_MAX_LEN];
	static extra extras[ASSETS_MAX];
	size_t n = 0;
	char tmp[PATH_MAX_LEN + 8];
	snprintf(tmp, sizeof tmp, "%s.tmp", out_path);

	FILE *list = fopen(manifest, "r");
	if (!list) {
		fprintf(stderr, "assets_gen: %s: cannot open\n", manifest);
		return 1;
	}
	FILE *out = fopen(tmp, "w");
	if (!out) {
		fprintf(stderr, "assets_gen: %s: cannot create\n", tmp);
		fclose(list);
		return 1;
	}
	fprintf(out,
	        "/* Generated by assets_gen from %s: do not edit. */\n"
	        "#include <stddef.h>\n\n#include \"server/assets.h\"\n\n",
	        manifest);

	int rc = 0;
	char line[3 * PATH_MAX_LEN];
	while (fgets(line, sizeof line, list)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		char *file;
		if (n == ASSETS_MAX) {
			fprintf(stderr, "assets_gen: more than %d assets\n", ASSETS_MAX);
			rc = 1;
			break;
		}
		extra *x = &extras[n];
		if (!parse_line(line, manifest, &file, x) || strlen(file) >= PATH_MAX_LEN) {
			rc = 1;
			break;
		}
		memcpy(names[n], file, strlen(file) + 1);
		if (emit_file(out, dir, names[n], "", n, &x->size) ||
		    (x->gzip && emit_file(out, dir, names[n], ".gz", n, &x->gzip_size)) ||
		    (x->br && emit_file(out, dir, names[n], ".br", n, &x->br_size))) {
			rc = 1;
			break;
		}
		n++;
	}
	fclose(list);
	if (rc == 0 && n == 0) {
		fprintf(stderr, "assets_gen: %s lists no assets\n", manifest);
		rc = 1;
	}
	if (rc == 0)
		emit_table(out, names, extras, n);
	if (fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "assets_gen: %s: write error\n", tmp);
		rc = 1;
	}
	if (rc == 0 && rename(tmp, out_path) != 0) {
		fprintf(stderr, "assets_gen: %s: cannot rename to %s\n", tmp, out_path);
		rc = 1;
	}
	if (rc)
		remove(tmp);
	return rc;
}
