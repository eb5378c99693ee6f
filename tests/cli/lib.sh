# lib.sh: what the CLI test scripts (tests/cli/*.sh) share. Each sources it
# first, as `. "$(dirname "$0")/lib.sh"`; it is not a test itself
# (tests/CMakeLists.txt leaves it out). Sourcing it sets up:
#
#   CLI        the oretrail command ($OT_CLI, required)
#   HERE, TOP  this folder (tests/cli) and the top of the source tree
#   T          a fresh temporary directory (under $OT_TMP when CTest gives
#              one, else $TMPDIR or /tmp), removed at exit together with
#              every background process started through `start`; with
#              OT_KEEP_LEDGERS=DIR its SQLite ledgers (*.db with their -wal
#              and -shm) are first copied to DIR/<script>-<path with / as _>
#              (tests/web/wasm_replay.sh replays them)
#
# and gives the checks, each counted as passed or failed:
#
#   ok / bad MESSAGE    count a check as passed / failed (MESSAGE on stderr)
#   expect CODE PATTERN -- CMD...
#                       CMD (bounded to 60 s) exits CODE and its stdout and
#                       stderr match PATTERN (grep -E; empty: anything)
#   pycheck FILE PYTHON PYTHON (with json, sys, base64 and hashlib imported)
#                       holds with `d` the JSON in FILE; fails on assert
#   start NAME CMD...   runs CMD in the background (output in $T/NAME.out and
#                       .err), waits for its "listening on
#                       http://127.0.0.1:PORT/" line; sets PORT and PID.
#                       Returns 1 (and says why) when it does not come up.
#   summary             the runner's last line, "N passed, M failed"; its
#                       status says whether anything failed, so a script
#                       ends with it
#   abort [MESSAGE]     one more failure, the summary, and exit 1: for a
#                       step the rest of the script cannot do without
#
# and the backend the ledgers live on, picked by OT_DB_BACKEND:
#
#   ledger NAME         prints the --db of a new ledger called NAME: NAME
#                       itself (an SQLite file, the default), or with
#                       OT_DB_BACKEND=postgres the URI of a new empty
#                       database in the cluster of the CTest fixture
#                       (tests/pg, its URI in the file $OT_PG_URI_FILE);
#                       exits 77 (skipped) when no cluster runs. The key
#                       files of a URI ledger are NAME'.key' in the current
#                       directory, NAME being its database (ledger_key).
#   ledger_key DB EXT   where `init` puts DB's key files by default: DB.key
#                       for a file, DBNAME.key (.vkey) for a URI
#   pg_sql URI SQL      runs SQL on the database at URI (psql)

# shellcheck disable=SC2034 # CLI, TOP, PID and PORT are for the scripts
set -u
CLI=${OT_CLI:?}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

lib_tmp=${OT_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$lib_tmp"
T=$(mktemp -d "$lib_tmp/oretrail-$(basename "$0" .sh).XXXXXX") || exit 1
pids=()
pass=0
fail=0

lib_cleanup() {
	for p in ${pids[@]+"${pids[@]}"}; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "${OT_KEEP_LEDGERS:-}" ]; then
		local db keep
		while IFS= read -r db; do
			keep=$OT_KEEP_LEDGERS/$(basename "$0" .sh)-$(tr / _ <<<"${db#"$T"/}")
			for f in "$db" "$db-wal" "$db-shm"; do
				[ -f "$f" ] && cp "$f" "$keep${f#"$db"}"
			done
		done < <(find "$T" -name '*.db' -type f)
	fi
	rm -rf "$T"
}
trap lib_cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
}

expect() {
	local code=$1 pat=$2
	shift 3
	local out rc
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$code" ]; then
		bad "$* exited $rc, want $code: $out"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$out"; then
		bad "$* output does not match /$pat/: $out"
	else
		ok
	fi
}

pycheck() {
	python3 -c "import json,sys,base64,hashlib
d=json.load(open(sys.argv[1]))
$2" "$1" && ok || bad "JSON check failed on $1: $(head -c 3000 "$1")"
}

summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}

abort() {
	if [ $# -gt 0 ]; then bad "$@"; else fail=$((fail + 1)); fi
	summary
	exit 1
}

# refuse NAME CODE KEY PATTERN: the event in NAME.jsonl, signed with KEY and
# submitted to l.db (or $REFUSE_DB), is refused with CODE, exit 4, its
# message matching PATTERN, and nothing is appended.
refuse() {
	local db=${REFUSE_DB:-l.db} before
	before=$("$CLI" checkpoint --db "$db" | sed -n 2p)
	expect 4 "$4" -- "$CLI" submit --db "$db" --key "$3" "$1.jsonl"
	"$CLI" submit --db "$db" --key "$3" --json "$1.jsonl" >"$1.json"
	pycheck "$1.json" "assert d['error']['code'] == '$2', d"
	local after
	after=$("$CLI" checkpoint --db "$db" | sed -n 2p)
	[ "$after" = "$before" ] && ok || bad "$1 appended: size $after, was $before"
}

start() {
	local name=$1
	shift
	# The file exists before the loop reads it: the background shell may
	# open it only after the first read.
	: >"$T/$name.out"
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	PID=$!
	pids+=("$PID")
	PORT=
	# Up to 60 s (600 looks 0.1 s apart): a sanitizer build on a machine
	# busy with other tests can take seconds to start; a server that exits
	# ends the wait at once.
	for _ in $(seq 1 600); do
		PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/$name.out")
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "server $name did not start: $(cat "$T/$name.err")" >&2
	return 1
}

OT_DB_BACKEND=${OT_DB_BACKEND:-sqlite}
# hold_lock DB: another process takes SQLite's write lock on DB and keeps it
# until release_lock (or 120 s); returns once the lock is held. Holding
# until told, not for a fixed time, keeps the tests right on a slow machine.
hold_lock() {
	rm -f "$T/held" "$T/release"
	python3 - "$1" "$T" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
c.execute("BEGIN IMMEDIATE")
open(os.path.join(sys.argv[2], "held"), "w").close()
deadline = time.time() + 120
while time.time() < deadline and not os.path.exists(os.path.join(sys.argv[2], "release")):
	time.sleep(0.02)
c.execute("ROLLBACK")
PY
	HOLDER=$!
	pids+=("$HOLDER")
	for _ in $(seq 1 1200); do [ -e "$T/held" ] && return 0; sleep 0.05; done
	abort "the lock holder did not start"
}
release_lock() {
	touch "$T/release"
	wait "$HOLDER"
}

pg_sql() {
	psql "$1" -qAtX -v ON_ERROR_STOP=1 -c "$2"
}
pg_admin_uri() {
	local f=${OT_PG_URI_FILE:-}
	if [ -z "$f" ] || [ ! -s "$f" ] || ! command -v psql >/dev/null 2>&1; then
		echo "no PostgreSQL cluster (OT_PG_URI_FILE) or no psql: skipped" >&2
		exit 77
	fi
	head -n1 "$f"
}
ledger() {
	if [ "$OT_DB_BACKEND" != postgres ]; then
		echo "$1"
		return
	fi
	local admin db
	admin=$(pg_admin_uri) || exit 77
	db=$(basename "$0" .sh)_$$_$1
	db=ot_$(tr -c 'A-Za-z0-9_\n' '_' <<<"$db" | tr 'A-Z' 'a-z')
	pg_sql "$admin" "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	pg_sql "$admin" "CREATE DATABASE $db" >/dev/null || abort "CREATE DATABASE $db"
	echo "postgresql:///$db?${admin#*\?}"
}
ledger_key() {
	case $1 in
	postgresql://* | postgres://*)
		local db=${1#*://}
		db=${db#*/}
		echo "${db%%\?*}$2"
		;;
	*) echo "$1$2" ;;
	esac
}
