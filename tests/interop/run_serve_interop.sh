#!/bin/sh
# run_serve_interop.sh: Go reads our log over HTTP (CTest "interop_go_serve").
#
#   run_serve_interop.sh ORETRAIL APPEND_RAW SRC_DIR WORK_DIR
#
# Makes a log, serves it with `oretrail serve --read-only` on a free port of
# 127.0.0.1, and has tests/interop/serve_check.go (Go's sumdb/note and
# sumdb/tlog, through tlog.TileHashReader over HTTP) check the checkpoint,
# the tiles, the entry bundles and the proofs. Then the log grows to more
# than 65,536 entries (full level-1 tiles) through another process while it
# is served, and the check runs again, proving the new checkpoint consistent
# with the one served before. Exits 77 (skipped) without go or
# golang.org/x/mod.
set -eu

if [ $# -lt 4 ]; then
	echo "usage: run_serve_interop.sh ORETRAIL APPEND_RAW SRC_DIR WORK_DIR" >&2
	exit 2
fi
oretrail=$1
append_raw=$2
src=$3
work=$4
gomod=/usr/share/gocode

if ! command -v go >/dev/null 2>&1; then
	echo "interop_go_serve: skipped: go is not installed" >&2
	exit 77
fi
if [ ! -d "$gomod/src/golang.org/x/mod/sumdb/tlog" ]; then
	echo "interop_go_serve: skipped: golang.org/x/mod is not in $gomod (golang-golang-x-mod-dev)" >&2
	exit 77
fi

rm -rf "$work"
mkdir -p "$work/gopath" "$work/gocache"
GO111MODULE=off
GOPATH="$work/gopath:$gomod"
GOCACHE="$work/gocache"
GOFLAGS=
GOENV=off
GOPROXY=off
GOTOOLCHAIN=local
export GO111MODULE GOPATH GOCACHE GOFLAGS GOENV GOPROXY GOTOOLCHAIN

echo "== building serve_check.go ($(go version))"
(cd "$src" && go build -o "$work/serve_check" serve_check.go)

server=
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
}
trap cleanup EXIT

db="$work/log.db"
"$oretrail" init --db "$db" --origin interop.example/serve >/dev/null
"$append_raw" "$db" "$db.key" 1000 97

# The file exists before the loop below reads it: the background shell may
# open it only after the first read (set -e would end the script there).
: >"$work/serve.out"
"$oretrail" serve --db "$db" --listen 127.0.0.1:0 --read-only --quiet >"$work/serve.out" 2>"$work/serve.err" &
server=$!
port=
# Up to 60 s (a sanitizer build on a busy machine starts slowly), or until
# the server has exited.
for _ in $(seq 1 600); do
	port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/serve.out")
	[ -n "$port" ] && break
	kill -0 "$server" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$port" ]; then
	echo "interop_go_serve: the server did not start" >&2
	cat "$work/serve.err" >&2
	exit 1
fi
url="http://127.0.0.1:$port"

echo "== Go checks the served log ($url)"
"$work/serve_check" "$url" "$db.vkey" "$work/cp1"

echo "== the log grows to 70,000 entries while served"
"$append_raw" "$db" "$db.key" 69000 5000

echo "== Go checks it again, and its consistency with the first checkpoint"
"$work/serve_check" "$url" "$db.vkey" "$work/cp2" "$work/cp1"

cleanup
server=
rm -rf "$work"
echo "interop_go_serve: ok"
