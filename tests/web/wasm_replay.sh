#!/usr/bin/env bash
# wasm_replay.sh: the WebAssembly replay against the C replay (CTest
# "web_wasm_replay").
#
#   wasm_replay.sh OT_CLI APPEND_RAW REPLAY_STATE SRC_DIR MODULE_DIR WORK_DIR
#
# Uses the module in MODULE_DIR (ot_replay.mjs and .wasm, which the build
# makes when OT_BUILD_WASM is on), or builds it there with web/wasm/build.sh
# (its dependencies stay cached in MODULE_DIR/deps). Then makes the ledgers
# under WORK_DIR:
#   demo           scripts/demo --no-serve (63 entries)
#   demo-rejected  a copy of it with four entries appended below the rules
#                  (append_raw): a line that is not an event, an event of
#                  the demo signed again (its id already used), an event
#                  signed by fwo claiming to be ussm's, and one the rules
#                  accept after them
#   <script>-<db>  every SQLite ledger that a set of CLI tests leaves
#                  (tests/cli/lib.sh, OT_KEEP_LEDGERS)
# For each, tests/tools/replay_state writes the C replay's state, the
# entries, the key, the checkpoint and every lot's stage rows and
# determinations under the shipped profiles (ot_replay_lot, as of $at), and
# tests/web/wasm_replay.test.mjs compares the WebAssembly replay of the same
# entries (otw_replay, otw_lot) with them, byte for byte.
#
# Exits 77 (skipped) when emcc is not installed and there is no module, or
# node is missing.
set -euo pipefail

if [ $# -ne 6 ]; then
	echo "usage: wasm_replay.sh OT_CLI APPEND_RAW REPLAY_STATE SRC_DIR MODULE_DIR WORK_DIR" >&2
	exit 2
fi
cli=$(realpath "$1") append=$(realpath "$2") replay_state=$(realpath "$3")
src=$(cd "$4" && pwd)
module=$(realpath -m "$5") work=$(realpath -m "$6")
# The time and withholding limit both replays date findings with.
now=1767225600 days=180
# The date the determinations are judged as of: every stage of the
# shipped profiles is in effect then.
at=2027-06-01
cli_tests=(bulk_cli certificate_cli comply_cli corrections_cli disclose_by_cli revoke_cli
	submit_cli time_cli)

skip() {
	echo "web_wasm_replay: skipped: $*" >&2
	exit 77
}
command -v node >/dev/null 2>&1 || skip "node is not installed (scripts/install-deps browser)"
if [ ! -f "$module/ot_replay.wasm" ]; then
	command -v "${EMCC:-emcc}" >/dev/null 2>&1 ||
		skip "emcc is not installed and $module has no module (scripts/install-deps browser)"
	echo "web_wasm_replay: building the module in $module"
	start=$(date +%s)
	"$src/web/wasm/build.sh" "$src" "$module"
	echo "web_wasm_replay: module built in $(($(date +%s) - start)) s"
fi

rm -rf "$work"
mkdir -p "$work/ledgers" "$work/cases" "$work/tmp"

echo "web_wasm_replay: building the demo ledger"
if ! OT_CLI=$cli "$src/scripts/demo" --no-serve --dir "$work/demo" >"$work/demo.log" 2>&1; then
	tail -n 30 "$work/demo.log" >&2
	echo "web_wasm_replay: scripts/demo failed" >&2
	exit 1
fi
demo=$work/demo
cp "$demo"/ledger.db* "$work/ledgers/"
mv "$work/ledgers/ledger.db" "$work/ledgers/demo.db"
for f in "$work"/ledgers/ledger.db-*; do
	mv "$f" "$work/ledgers/demo.db${f##*ledger.db}"
done

# demo-rejected: what the rules refuse, in the log all the same.
r=$work/rejected
mkdir -p "$r"
cp "$demo"/ledger.db* "$r/"
event() { grep -v '^#' "$src/examples/demo/$1" | sed -n "${2}p"; }
{
	echo 'not an event at all'
	event 04-fwo-processing.jsonl 1 | "$cli" submit --sign-only --key "$demo/keys/fwo.key" -
	event 07-ussm-receipt.jsonl 1 | sed 's/"id":"/"id":"again-/' |
		"$cli" submit --sign-only --key "$demo/keys/fwo.key" --as ussm -
	event 08-fwo-royalties.jsonl 1 | sed 's/"id":"/"id":"later-/' |
		"$cli" submit --sign-only --key "$demo/keys/fwo.key" -
} >"$r/entries.jsonl"
[ "$(wc -l <"$r/entries.jsonl")" = 4 ] || { echo "web_wasm_replay: signing failed" >&2; exit 1; }
"$append" "$r/ledger.db" "$r/ledger.db.key" - <"$r/entries.jsonl"
for f in "$r"/ledger.db "$r"/ledger.db-*; do
	[ -f "$f" ] && cp "$f" "$work/ledgers/demo-rejected.db${f##*ledger.db}"
done

echo "web_wasm_replay: running ${cli_tests[*]} for their ledgers"
for t in "${cli_tests[@]}"; do
	# SQLite ledgers, whatever backend the CLI tests run on elsewhere.
	if ! env -u OT_DB_BACKEND OT_CLI="$cli" OT_APPEND_RAW="$append" OT_TMP="$work/tmp" \
		OT_KEEP_LEDGERS="$work/ledgers" bash "$src/tests/cli/$t.sh" >"$work/$t.log" 2>&1; then
		tail -n 20 "$work/$t.log" >&2
		echo "web_wasm_replay: tests/cli/$t.sh failed" >&2
		exit 1
	fi
done

n=0
for db in "$work"/ledgers/*.db; do
	name=$(basename "$db" .db)
	mkdir -p "$work/cases/$name"
	"$replay_state" "$db" "$now" "$days" "$work/cases/$name" "$at" "$src"/profiles/*.json
	"$cli" report crma --json --db "$db" >"$work/cases/$name/crma.json"
	n=$((n + 1))
done
echo "web_wasm_replay: $n ledgers replayed in C; comparing with the WebAssembly replay"

cd "$src"
OT_WASM_MODULE=$module/ot_replay.mjs OT_WASM_CASES=$work/cases OT_WASM_NOW=$now OT_WASM_DAYS=$days \
	OT_WASM_AT=$at OT_WASM_PROFILES=$src/profiles \
	node --test --test-reporter=spec "$src/tests/web/wasm_replay.test.mjs"
