#!/usr/bin/env bash
# run.sh: the dashboard's browser test (CTest "web_dashboard").
#
#   run.sh OT_CLI SRC_DIR WORK_DIR
#
# Builds the demo ledger (scripts/demo --no-serve) under WORK_DIR, the NdPr
# oxide lot's provenance certificate (oretrail prove), and a copy
# of it whose level-0 hash tile has one bit flipped (with sqlite3), starts
# `oretrail serve --read-only` on each, on a free 127.0.0.1 port, and runs
# tests/web/dashboard*.test.mjs (node's test runner driving Debian's chromium
# through playwright-core) against them. Screenshots of every page go to
# WORK_DIR/screenshots. The servers are stopped on exit.
#
# Exits 77 (skipped) when node, chromium or web/node_modules/playwright-core
# is missing, or when the binary was built without the dashboard.
# OT_CHROMIUM overrides the browser (default /usr/bin/chromium); OT_SQLITE
# the sqlite3 binary (without one, the tampered-tile case is skipped).
set -euo pipefail

if [ $# -lt 3 ]; then
	echo "usage: run.sh OT_CLI SRC_DIR WORK_DIR" >&2
	exit 2
fi
cli=$1
src=$(cd "$2" && pwd)
work=$3
chromium=${OT_CHROMIUM:-/usr/bin/chromium}
sqlite=${OT_SQLITE:-$(command -v sqlite3 || true)}
playwright=$src/web/node_modules/playwright-core

skip() {
	echo "web_dashboard: skipped: $*" >&2
	exit 77
}
command -v node >/dev/null 2>&1 || skip "node is not installed (scripts/install-deps browser)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || skip "playwright-core needs node 20 or newer; this is node $(node --version)"
[ -x "$chromium" ] || skip "$chromium is not installed (scripts/install-deps browser)"
[ -f "$playwright/package.json" ] || skip "web/node_modules has no playwright-core (npm ci --prefix web)"
[ -x "$cli" ] || { echo "web_dashboard: $cli not found" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work/screenshots"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}
trap cleanup EXIT

echo "web_dashboard: building the demo ledger in $work/demo"
if ! OT_CLI=$cli "$src/scripts/demo" --no-serve --dir "$work/demo" >"$work/demo.log" 2>&1; then
	tail -n 30 "$work/demo.log" >&2
	echo "web_dashboard: scripts/demo failed" >&2
	exit 1
fi
db=$work/demo/ledger.db

# The CRMA report (each stage's output counted once), which the overview's
# and the flows page's per-mineral figures must equal.
"$cli" report crma --json --db "$db" >"$work/crma.json"

# The NdPr oxide lot's provenance certificate, for the certificate page.
"$cli" prove lot-ndpr-oxide-001 --db "$db" >"$work/certificate.json"
# The China-separated lot's, with its DFARS determination (fail), for the
# forged-determination case.
"$cli" prove lot-ndpr-oxide-002 --db "$db" --profile dfars-7052 --at 2027-01-01 >"$work/certificate-dfars.json"

# serve DB NAME [ARGS...]: starts a server (read-only unless ARGS say
# otherwise) on a free port; sets $url.
serve() {
	local out=$work/$2.out
	local extra=("${@:3}")
	[ ${#extra[@]} -gt 0 ] || extra=(--read-only)
	"$cli" serve --db "$1" --listen 127.0.0.1:0 --quiet "${extra[@]}" >"$out" 2>"$work/$2.err" &
	pids+=($!)
	url=
	for _ in $(seq 100); do
		# The server's shell may not have opened $out yet (set -e: no failing sed).
		url=$(sed -n 's|^listening on \(http://[^ ]*\).*|\1|p' "$out" 2>/dev/null || true)
		[ -n "$url" ] && return 0
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/$2.err" >&2
	echo "web_dashboard: oretrail serve did not start on $1" >&2
	exit 1
}

serve "$db" serve
good=$url
if ! curl_out=$(node -e "fetch(process.argv[1]+'',{headers:{Accept:'text/html'}}).then(r=>r.text()).then(t=>{process.stdout.write(t)})" "$good"); then
	echo "web_dashboard: cannot fetch $good" >&2
	exit 1
fi
grep -q 'dashboard was not built' <<<"$curl_out" && skip "this oretrail was built without the dashboard (OT_BUILD_WEB=OFF)"

# The tampered copy: entry 31's hash in tile 0 (the NdPr oxide's creation)
# gets one bit flipped; the entries and the signed checkpoint stay as they were.
tampered=
if [ -n "$sqlite" ]; then
	mkdir -p "$work/tampered"
	"$sqlite" "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	cp "$db" "$work/tampered/ledger.db"
	hex=$("$sqlite" "$work/tampered/ledger.db" "SELECT hex(data) FROM tiles WHERE id = 0;")
	off=$((31 * 64))
	byte=$(printf '%02X' $((16#${hex:$off:2} ^ 1)))
	"$sqlite" "$work/tampered/ledger.db" \
		"UPDATE tiles SET data = X'${hex:0:$off}$byte${hex:$((off + 2))}' WHERE id = 0;"
	serve "$work/tampered/ledger.db" tampered
	tampered=$url
else
	echo "web_dashboard: sqlite3 not installed: the tampered-tile case is skipped" >&2
fi

# The witnessed copy: a copy whose checkpoint a witness cosigned (through a
# short-lived writable server, as scripts/demo does), served read-only with
# that witness's key (serve --witness-key), so the browser checks the
# cosignature; its log key is not an actor's key there either way.
mkdir -p "$work/witnessed"
cp "$db" "$work/witnessed/ledger.db"
[ -f "$db-wal" ] && cp "$db-wal" "$work/witnessed/ledger.db-wal"
cp "$db.key" "$db.vkey" "$work/witnessed/"
"$cli" key new audit-office.example --dir "$work/witnessed" >/dev/null 2>&1
serve "$work/witnessed/ledger.db" witness-writer --witness-key "$work/witnessed/audit-office.example.vkey"
"$cli" witness --log "$url" --log-key "$work/witnessed/ledger.db.vkey" \
	--key "$work/witnessed/audit-office.example.key" --state "$work/witnessed/state" --once \
	>"$work/witness.log" 2>&1 || { cat "$work/witness.log" >&2; echo "web_dashboard: the witness did not cosign" >&2; exit 1; }
kill "${pids[-1]}" 2>/dev/null || true
wait "${pids[-1]}" 2>/dev/null || true
serve "$work/witnessed/ledger.db" witnessed --read-only --witness-key "$work/witnessed/audit-office.example.vkey"
witnessed=$url

# A ledger whose authority is no registered actor: one actor registered by
# the log key itself. The page checks its checkpoint with the key the
# read-only server publishes from DB.vkey (api/checkpoint "vkey").
na=$work/noactor
mkdir -p "$na"
"$cli" init --db "$na/ledger.db" --origin test.example/noactor --key-name registry.example >/dev/null 2>&1 &&
	"$cli" key new fwo --dir "$na" >/dev/null 2>&1 &&
	printf '{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"%s"}\n' \
		"$(cat "$na/fwo.vkey")" >"$na/reg.jsonl" &&
	"$cli" submit --db "$na/ledger.db" --key "$na/ledger.db.key" "$na/reg.jsonl" >/dev/null 2>&1 ||
	{ echo "web_dashboard: the no-actor ledger could not be made" >&2; exit 1; }
serve "$na/ledger.db" noactor
noactor=$url

# A small ledger with corrections (docs/events.md "correct and void"): an
# assay typo corrected by its lab and an unused lot's creation voided by
# its miner, for the lot page's and the entry page's correction history.
co=$work/corrections
mkdir -p "$co"
{
	"$cli" init --db "$co/ledger.db" --origin test.example/corrections >/dev/null 2>&1 &&
		"$cli" key new fwo --dir "$co" >/dev/null 2>&1 && "$cli" key new lab1 --dir "$co" >/dev/null 2>&1 &&
		for a in fwo lab1; do
			printf '{"type":"actor","id":"a-%s","time":"2025-09-01T08:00:00Z","actor":"%s","name":"%s","country":"PK","roles":["%s"],"key":"%s"}\n' \
				"$a" "$a" "$a" "$([ $a = fwo ] && echo miner || echo lab)" "$(cat "$co/$a.vkey")"
		done >"$co/reg.jsonl" &&
		printf '%s\n' '{"type":"site","id":"s-mine","time":"2025-09-01T09:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK","licence":"L-1","minerals":["Nd"],"valid_from":"2025-01-01T00:00:00Z","valid_until":"2035-01-01T00:00:00Z"}' \
			'{"type":"site","id":"s-lab","time":"2025-09-01T09:00:00Z","site":"lab-site","kind":"lab","holder":"lab1","country":"PK","licence":"L-2","minerals":["Nd"],"valid_from":"2025-01-01T00:00:00Z","valid_until":"2035-01-01T00:00:00Z"}' >>"$co/reg.jsonl" &&
		"$cli" submit --db "$co/ledger.db" --key "$co/ledger.db.key" "$co/reg.jsonl" >/dev/null 2>&1 &&
		printf '%s\n' '{"type":"extract","id":"x1","time":"2025-09-10T06:00:00Z","site":"mine-1","lot":"lot-a","material":"ore","mass_g":1000000,"assay":{"Nd":20000}}' \
			'{"type":"extract","id":"x2","time":"2025-09-10T07:00:00Z","site":"mine-1","lot":"lot-b","material":"ore","mass_g":1000000,"assay":{"Nd":20000}}' >"$co/x.jsonl" &&
		"$cli" submit --db "$co/ledger.db" --key "$co/fwo.key" "$co/x.jsonl" >/dev/null 2>&1 &&
		printf '%s\n' '{"type":"assay","id":"y1","time":"2025-09-11T06:00:00Z","lot":"lot-a","assay":{"Nd":2500},"lab":"lab-site"}' >"$co/y.jsonl" &&
		"$cli" submit --db "$co/ledger.db" --key "$co/lab1.key" "$co/y.jsonl" >/dev/null 2>&1 &&
		printf '%s\n' '{"type":"correct","id":"k1","time":"2025-09-15T06:00:00Z","corrects":"y1","reason":"typo: 2500 for 25000 mg/kg","corrected":{"type":"assay","id":"y1","time":"2025-09-11T06:00:00Z","lot":"lot-a","assay":{"Nd":25000},"lab":"lab-site"}}' >"$co/k.jsonl" &&
		"$cli" submit --db "$co/ledger.db" --key "$co/lab1.key" "$co/k.jsonl" >/dev/null 2>&1 &&
		printf '%s\n' '{"type":"void","id":"v1","time":"2025-09-15T07:00:00Z","voids":"x2","reason":"entered twice"}' >"$co/v.jsonl" &&
		"$cli" submit --db "$co/ledger.db" --key "$co/fwo.key" "$co/v.jsonl" >/dev/null 2>&1
} || { echo "web_dashboard: the corrections ledger could not be made" >&2; exit 1; }
serve "$co/ledger.db" corrections
corrections=$url

# Another key with the log key's name, for the wrong-key case.
mkdir -p "$work/other-key"
other=$("$cli" key new "$(cut -d+ -f1 "$db.vkey")" --dir "$work/other-key" 2>/dev/null | tail -n 1)

echo "web_dashboard: dashboard at $good${tampered:+, tampered copy at $tampered}"
cd "$src"
status=0
OT_WEB_URL=$good OT_WEB_TAMPERED_URL=$tampered OT_WEB_WITNESSED_URL=$witnessed OT_WEB_NOACTOR_URL=$noactor OT_WEB_CORRECTIONS_URL=$corrections OT_WEB_VKEY=$(cat "$db.vkey") OT_WEB_OTHER_VKEY=$other \
	OT_WEB_CRMA=$work/crma.json OT_WEB_CERT=$work/certificate.json OT_WEB_CERT_DFARS=$work/certificate-dfars.json \
	OT_WEB_SHOTS=$work/screenshots OT_CHROMIUM=$chromium OT_PLAYWRIGHT=$playwright \
	node --test --test-reporter=spec --test-concurrency=1 "$src"/tests/web/dashboard*.test.mjs || status=$?
echo "web_dashboard: screenshots in $work/screenshots"
exit $status
