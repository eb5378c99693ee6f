#!/usr/bin/env bash
# CLI test of how `oretrail serve` serves the dashboard's files
# (src/server/static.c, web/build.mjs): with curl against a real server on
# 127.0.0.1. Each compressed body (gzip, brotli) decompresses to exactly the
# identity body; the coding follows Accept-Encoding, with
# "Vary: Accept-Encoding" and an ETag per coding; a matching If-None-Match
# gives 304 with no body; index.html is "no-cache" and refers to content-
# named files, which are "public, max-age=31536000, immutable" and hold the
# same bytes as the plain names; /api, /checkpoint and the tiles keep their
# own caching. Skipped (77) without curl or without the dashboard built in.
. "$(dirname "$0")/lib.sh"
APPEND=${OT_APPEND_RAW:?}
command -v curl >/dev/null 2>&1 || { echo "no curl: skipped"; exit 77; }

cd "$T"
"$CLI" init --db a.db --origin test.example/assets >/dev/null 2>&1 || abort "init"
"$APPEND" a.db a.db.key 300 50 || abort "append_raw"
start main "$CLI" serve --db a.db --listen 127.0.0.1:0 --quiet || abort "serve"
B="http://127.0.0.1:$PORT"

# fetch NAME PATH [CURL ARGS...]: body in NAME.body, headers in NAME.h
# (lower-cased names), status in NAME.code; no decoding by curl.
fetch() {
	local name=$1 path=$2
	shift 2
	rm -f "$name.body"
	curl -sS -o "$name.body" -D "$name.raw" -w '%{http_code}' "$@" "$B$path" >"$name.code" ||
		bad "curl $path failed"
	touch "$name.body" # curl writes no file for an empty body
	tr -d '\r' <"$name.raw" | sed 's/^\([^:]*\):/\L\1:/' >"$name.h"
}
# header NAME FIELD: the field's value in NAME's response, or nothing.
header() { sed -n "s/^$2: //p" "$1.h" | head -1; }
# check_eq WHAT GOT WANT
check_eq() { [ "$2" = "$3" ] && ok || bad "$1: got '$2', expected '$3'"; }

fetch page / -H 'Accept: text/html'
check_eq "GET / status" "$(cat page.code)" 200
grep -q 'not built' page.body && { echo "dashboard not built into this oretrail: skipped"; exit 77; }
check_eq "index.html Cache-Control" "$(header page cache-control)" no-cache
check_eq "index.html Vary" "$(header page vary)" "Accept, Accept-Encoding"
check_eq "identity has no Content-Encoding" "$(header page content-encoding)" ""
page_tag=$(header page etag)
[[ $page_tag =~ ^\"[0-9a-f]{16}\"$ ]] && ok || bad "index.html ETag '$page_tag' is not a quoted SHA-256 prefix"

# The files index.html refers to, by their content names.
mapfile -t refs < <(grep -oE '(src|href)="[a-z_]+\.[0-9a-f]{12}\.[a-z]+"' page.body | sed 's/.*="\(.*\)"/\1/' | sort -u)
[ "${#refs[@]}" -ge 3 ] && ok || bad "index.html names ${#refs[@]} content-named files: ${refs[*]}"
for ref in "${refs[@]}"; do
	plain=$(echo "$ref" | sed -E 's/\.[0-9a-f]{12}\././')
	fetch h "/$ref"
	fetch p "/$plain"
	check_eq "$ref status" "$(cat h.code)" 200
	check_eq "$ref Cache-Control" "$(header h cache-control)" "public, max-age=31536000, immutable"
	check_eq "$plain Cache-Control" "$(header p cache-control)" no-cache
	cmp -s h.body p.body && ok || bad "$ref and $plain differ"
	# The name is the content's SHA-256, as is the ETag.
	sum=$(sha256sum h.body | cut -c1-16)
	check_eq "$ref named after its content" "$(echo "$ref" | sed -E 's/.*\.([0-9a-f]{12})\..*/\1/')" "${sum:0:12}"
	check_eq "$ref ETag" "$(header h etag)" "\"$sum\""
done

# Every coding of every file decompresses to the identity body.
for path in / /app.js /style.css /licenses.txt "/${refs[0]}"; do
	fetch id "$path" -H 'Accept: text/html'
	fetch gz "$path" -H 'Accept: text/html' -H 'Accept-Encoding: gzip'
	check_eq "$path gzip Content-Encoding" "$(header gz content-encoding)" gzip
	check_eq "$path gzip Vary" "$(header gz vary)" "Accept, Accept-Encoding"
	gzip -dc <gz.body >gz.plain && cmp -s gz.plain id.body && ok || bad "$path: gzip body does not decompress to the identity body"
	[ "$(stat -c %s gz.body)" -lt "$(stat -c %s id.body)" ] && ok || bad "$path: gzip body not smaller"
	check_eq "$path gzip ETag" "$(header gz etag)" "$(header id etag | sed 's/"$/-gzip"/')"
	fetch br "$path" -H 'Accept: text/html' -H 'Accept-Encoding: br'
	check_eq "$path br Content-Encoding" "$(header br content-encoding)" br
	check_eq "$path br ETag" "$(header br etag)" "$(header id etag | sed 's/"$/-br"/')"
	# curl decodes brotli itself (libcurl built with it): the same bytes.
	curl -sS --compressed -H 'Accept: text/html' -H 'Accept-Encoding: br' "$B$path" -o br.plain &&
		cmp -s br.plain id.body && ok || bad "$path: brotli body does not decompress to the identity body"
	[ "$(stat -c %s br.body)" -lt "$(stat -c %s gz.body)" ] && ok || bad "$path: brotli not smaller than gzip"
done

# The coding follows the client's preferences (RFC 9110 section 12.5.3).
coding() {
	fetch c /app.js -H "Accept-Encoding: $1"
	check_eq "Accept-Encoding '$1'" "$(header c content-encoding)" "$2"
}
coding 'gzip, deflate, br' br
coding 'gzip;q=1, br;q=0.5' gzip
coding 'br;q=0, gzip' gzip
coding '*' br
coding '*;q=0, identity' ''
coding 'identity' ''
coding 'x-gzip' gzip
coding 'br;q=2, gzip' gzip
fetch c /app.js
check_eq "no Accept-Encoding" "$(header c content-encoding)" ""

# Revalidation: a matching ETag gives 304 with no body and the same
# caching headers; another ETag, or the identity tag for the gzip body,
# gives the body.
tag=$(header page etag)
fetch nm / -H 'Accept: text/html' -H "If-None-Match: $tag"
check_eq "If-None-Match matching: status" "$(cat nm.code)" 304
check_eq "304 has no body" "$(stat -c %s nm.body)" 0
check_eq "304 ETag" "$(header nm etag)" "$tag"
check_eq "304 Cache-Control" "$(header nm cache-control)" no-cache
check_eq "304 Vary" "$(header nm vary)" "Accept, Accept-Encoding"
fetch nm / -H 'Accept: text/html' -H "If-None-Match: \"0000\", W/$tag"
check_eq "If-None-Match list with a weak match" "$(cat nm.code)" 304
fetch nm / -H 'Accept: text/html' -H 'If-None-Match: *'
check_eq "If-None-Match *" "$(cat nm.code)" 304
fetch nm / -H 'Accept: text/html' -H 'If-None-Match: "0000"'
check_eq "If-None-Match other tag" "$(cat nm.code)" 200
fetch nm / -H 'Accept: text/html' -H 'Accept-Encoding: gzip' -H "If-None-Match: $tag"
check_eq "identity tag, gzip body" "$(cat nm.code)" 200
gztag=$(header nm etag)
fetch nm / -H 'Accept: text/html' -H 'Accept-Encoding: gzip' -H "If-None-Match: $gztag"
check_eq "gzip tag, gzip body" "$(cat nm.code)" 304
check_eq "304 of the gzip body has no Content-Encoding" "$(header nm content-encoding)" ""
fetch hh "/${refs[0]}"
fetch nm "/${refs[0]}" -H "If-None-Match: $(header hh etag)"
check_eq "content-named file revalidated" "$(cat nm.code)" 304
check_eq "content-named 304 Cache-Control" "$(header nm cache-control)" "public, max-age=31536000, immutable"

# A HEAD has the headers and no body.
fetch hd /app.js -I -H 'Accept-Encoding: gzip'
check_eq "HEAD status" "$(cat hd.code)" 200
check_eq "HEAD Content-Encoding" "$(header hd content-encoding)" gzip

# Unknown paths are still 404; the log and the API keep their own rules.
fetch nf /nothere.js
check_eq "unknown asset" "$(cat nf.code)" 404
fetch cp /checkpoint
check_eq "/checkpoint Cache-Control" "$(header cp cache-control)" "public, max-age=2"
check_eq "/checkpoint is not compressed" "$(header cp content-encoding)" ""
fetch tile /tile/0/000 -H 'Accept-Encoding: gzip'
check_eq "full tile Cache-Control" "$(header tile cache-control)" "public, max-age=31536000, immutable"
check_eq "full tile is not compressed" "$(header tile content-encoding)" ""
fetch api /api/ -H 'Accept-Encoding: gzip'
[ "$(header api etag)" = "" ] && [ "$(header api cache-control)" != "public, max-age=31536000, immutable" ] &&
	ok || bad "/api/ took the assets' caching: $(cat api.h)"
fetch txt /
check_eq "/ for curl is the text index" "$(head -c 15 txt.body)" "oretrail ledger"
check_eq "/ as text varies by Accept too" "$(header txt vary)" "Accept, Accept-Encoding"

summary
