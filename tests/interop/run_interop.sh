#!/bin/sh
# run_interop.sh: the Go interoperability test (CTest "interop_go").
#
#   run_interop.sh MKLOG SRC_DIR WORK_DIR [SEED]
#
# Builds tests/interop/verify.go with Go's golang.org/x/mod (GOPATH mode, no
# network), has MKLOG write a log and its proofs, tiles and checkpoints,
# verifies them with Go's sumdb/note and sumdb/tlog, then checks the keys and
# note Go wrote back with liboretrail. Also regenerates the tile known answers
# with gen_tile_kat.go and compares them with tests/data/tiles/kat.txt.
# Exits 77 (skipped) when go or golang.org/x/mod is not installed. The seed
# for the random tree sizes is printed; set OT_INTEROP_SEED to repeat a run.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: run_interop.sh MKLOG SRC_DIR WORK_DIR [SEED]" >&2
	exit 2
fi
mklog=$1
src=$2
work=$3
seed=${4:-${OT_INTEROP_SEED:-$(date +%s)}}
gomod=/usr/share/gocode

if ! command -v go >/dev/null 2>&1; then
	echo "interop_go: skipped: go is not installed" >&2
	exit 77
fi
if [ ! -d "$gomod/src/golang.org/x/mod/sumdb/tlog" ]; then
	echo "interop_go: skipped: golang.org/x/mod is not in $gomod (golang-golang-x-mod-dev)" >&2
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

echo "== building verify.go ($(go version))"
(cd "$src" && go build -o "$work/verify" verify.go)

echo "== regenerating the tile known answers"
(cd "$src" && go run gen_tile_kat.go > "$work/kat.txt")
if ! cmp "$work/kat.txt" "$src/../data/tiles/kat.txt"; then
	echo "interop_go: gen_tile_kat.go no longer reproduces tests/data/tiles/kat.txt" >&2
	diff "$src/../data/tiles/kat.txt" "$work/kat.txt" | head -20 >&2
	exit 1
fi

echo "== mklog make (seed $seed)"
"$mklog" make "$work/out" "$seed"

echo "== Go verifies liboretrail's log"
"$work/verify" "$work/out"

echo "== liboretrail verifies Go's keys and note"
"$mklog" check-go "$work/out"

rm -rf "$work"
echo "interop_go: ok"
