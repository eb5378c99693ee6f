#!/bin/sh
# run_static_interop.sh: `oretrail publish` writes static tiles that a plain
# static file server serves as a log (CTest "static_tiles", issue 15).
#
#   run_static_interop.sh ORETRAIL APPEND_RAW SRC_DIR WORK_DIR
#
# Makes a log of 1,000 entries, publishes it into a directory and serves
# that with python3 -m http.server on 127.0.0.1. Every published file must
# be byte for byte what `oretrail serve` answers at the same path; then Go's
# sumdb/note and sumdb/tlog (tests/interop/serve_check.go) check the
# checkpoint, tiles, bundles and proofs over HTTP from the static server.
# The log grows to 70,000 entries (full level-1 tiles) and is published
# again: only new tiles are written (the full ones are kept), the files
# match the server again, and Go proves the new checkpoint consistent with
# the first. The Go part is skipped cleanly without go or golang.org/x/mod
# (the byte comparison still runs); exit 77 without python3 or curl.
set -eu

if [ $# -lt 4 ]; then
	echo "usage: run_static_interop.sh ORETRAIL APPEND_RAW SRC_DIR WORK_DIR" >&2
	exit 2
fi
oretrail=$1
append_raw=$2
src=$3
work=$4
gomod=/usr/share/gocode
for tool in python3 curl; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "static_tiles: skipped: $tool is not installed" >&2
		exit 77
	fi
done

rm -rf "$work"
mkdir -p "$work"
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT

# wait_port FILE PID SED: the port a background server printed.
wait_port() {
	for _ in $(seq 1 600); do
		port=$(sed -n "$3" "$1" 2>/dev/null | head -n1)
		[ -n "$port" ] && echo "$port" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	echo "static_tiles: a server did not start: $(cat "$1")" >&2
	return 1
}

db="$work/log.db"
pub="$work/pub"
"$oretrail" init --db "$db" --origin static.example/log >/dev/null 2>&1
"$append_raw" "$db" "$db.key" 1000 97

echo "== publish 1,000 entries"
out=$("$oretrail" publish --db "$db" --to "$pub" --json)
echo "$out"
# 4 bundles + 4 level-0 tiles (3 full, one .p/232) + one level-1 tile .p/3
[ "$out" = '{"size":1000,"written":9,"kept":0}' ] || {
	echo "static_tiles: first publish: $out" >&2
	exit 1
}
out=$("$oretrail" publish --db "$db" --to "$pub" --json)
[ "$out" = '{"size":1000,"written":0,"kept":9}' ] || {
	echo "static_tiles: publish again with nothing new: $out" >&2
	exit 1
}
ls "$pub"/tile/*/*.tmp* "$pub"/*.tmp* 2>/dev/null && {
	echo "static_tiles: temporary files left" >&2
	exit 1
}

(cd "$pub" && exec python3 -u -m http.server --bind 127.0.0.1 0) >"$work/static.out" 2>&1 &
static=$!
pids="$pids $static"
sport=$(wait_port "$work/static.out" $static 's|^Serving HTTP on [0-9.]* port \([0-9]*\).*|\1|p')
"$oretrail" serve --db "$db" --listen 127.0.0.1:0 --read-only --quiet >"$work/serve.out" 2>"$work/serve.err" &
server=$!
pids="$pids $server"
oport=$(wait_port "$work/serve.out" $server 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p')

# same_as_server: every published file is byte for byte what oretrail serve
# answers at that path (one curl for all of them), and a few of them, read
# through the static server, are the files.
same_as_server() {
	rm -rf "$work/got"
	mkdir -p "$work/got"
	(cd "$pub" && find . -type f | sed 's|^\./||' | sort) >"$work/files"
	while read -r f; do
		printf 'url = "http://127.0.0.1:%s/%s"\noutput = "%s/got/%s"\n' "$oport" "$f" "$work" "$f"
	done <"$work/files" >"$work/curl.cfg"
	curl -sf --create-dirs --config "$work/curl.cfg"
	if ! diff -r "$pub" "$work/got" >/dev/null; then
		echo "static_tiles: the published files differ from oretrail serve's:" >&2
		diff -rq "$pub" "$work/got" >&2 || true
		exit 1
	fi
	for f in checkpoint $(sed -n '1p;$p' "$work/files"); do
		curl -sf "http://127.0.0.1:$sport/$f" -o "$work/a"
		cmp -s "$work/a" "$pub/$f" || {
			echo "static_tiles: the static server's $f is not the file" >&2
			exit 1
		}
	done
	echo "== $(wc -l <"$work/files") published files match oretrail serve"
}
same_as_server

go_ok=
if command -v go >/dev/null 2>&1 && [ -d "$gomod/src/golang.org/x/mod/sumdb/tlog" ]; then
	mkdir -p "$work/gopath" "$work/gocache"
	GO111MODULE=off GOPATH="$work/gopath:$gomod" GOCACHE="$work/gocache" GOFLAGS= GOENV=off \
		GOPROXY=off GOTOOLCHAIN=local
	export GO111MODULE GOPATH GOCACHE GOFLAGS GOENV GOPROXY GOTOOLCHAIN
	(cd "$src" && go build -o "$work/serve_check" serve_check.go)
	go_ok=1
	echo "== Go checks the static log"
	SERVE_CHECK_STATIC=1 "$work/serve_check" "http://127.0.0.1:$sport" "$db.vkey" "$work/cp1"
else
	echo "== Go part skipped: no go or golang.org/x/mod (golang-golang-x-mod-dev)"
fi

echo "== the log grows to 70,000 entries; publish again"
"$append_raw" "$db" "$db.key" 69000 5000
out=$("$oretrail" publish --db "$db" --to "$pub" --json)
echo "$out"
# kept: the 3 full bundles and 3 full level-0 tiles of the first run
case $out in
'{"size":70000,"written":'*',"kept":6}') ;;
*)
	echo "static_tiles: second publish: $out" >&2
	exit 1
	;;
esac
grep -qx 70000 "$pub/checkpoint" || {
	echo "static_tiles: checkpoint not updated" >&2
	exit 1
}
same_as_server
if [ -n "$go_ok" ]; then
	echo "== Go checks it again, and its consistency with the first checkpoint"
	SERVE_CHECK_STATIC=1 "$work/serve_check" "http://127.0.0.1:$sport" "$db.vkey" "$work/cp2" "$work/cp1"
fi

cleanup
pids=
rm -rf "$work"
echo "static_tiles: ok"
