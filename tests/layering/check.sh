#!/bin/sh
# check.sh CMAKE BUILD_DIR [CONFIG]: the layering test (CMakeLists.txt
# here). Builds the four layering_* targets in BUILD_DIR: the two controls
# must build, the include violation must fail with the compiler naming
# oretrail/ledger.h, the call violation must fail with the linker naming
# ot_ledger_open as undefined. Prints those messages; exits 1 when any of
# it does not hold.
set -u
cmake=$1
build=$2
config=${3:-}
fail=0
out=$(mktemp "${TMPDIR:-/tmp}/oretrail-layering.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT

# build TARGET: builds it, its output in $out; the build's exit status.
build() {
	if [ -n "$config" ]; then
		"$cmake" --build "$build" --config "$config" --target "$1" >"$out" 2>&1
	else
		"$cmake" --build "$build" --target "$1" >"$out" 2>&1
	fi
}

# control TARGET: it must build.
control() {
	if build "$1"; then
		echo "layering: control $1 builds"
	else
		echo "layering: FAIL: control $1 does not build:"
		sed 's/^/  /' "$out"
		fail=1
	fi
}

# violation TARGET WHAT PATTERN: it must fail, with a line matching PATTERN
# (grep -E) in the output.
violation() {
	if build "$1"; then
		echo "layering: FAIL: $1 builds: $2 went through"
		fail=1
	elif grep -E -- "$3" "$out" >"$out.match"; then
		echo "layering: $1 fails, as it must: $2:"
		sed 's/^/  /' "$out.match"
	else
		echo "layering: FAIL: $1 fails, but not for $2 (no /$3/):"
		sed 's/^/  /' "$out"
		fail=1
	fi
	rm -f "$out.match"
}

control layering_include_ok
violation layering_include_bad "the log layer includes the ledger's header" \
	'error.*oretrail/ledger\.h'
control layering_call_ok
violation layering_call_bad "a program on the log layer calls the ledger" \
	"undefined (reference to|symbol:) .?ot_ledger_open"
exit $fail
