#!/usr/bin/env bash
# CLI test of `oretrail witness` and `oretrail monitor` against `oretrail
# serve`, all on 127.0.0.1 with free ports, every command bounded by timeout:
#  - two witnesses cosign the demo ledger as it grows (another process appends
#    while it is served); the served /checkpoint carries both cosignatures,
#    and Go's sumdb/note verifies its log signature (tests/interop/
#    cosigned_check.go; that step is skipped without go and golang.org/x/mod);
#  - a fork (another ledger with the same key and origin: same size with
#    another root) and a rollback (a smaller tree that is not a prefix) are
#    refused with exit 1, a message, and both checkpoints in DIR/fork-*.txt;
#  - `oretrail prove` puts the cosigned checkpoint in the certificate and
#    `oretrail verify --witness` counts its cosignatures;
#  - the server refuses cosignatures by unknown keys and bad bodies;
#  - the monitor reports the demo's findings, detects a tampered tile and a
#    fork against the checkpoint it saw.
. "$(dirname "$0")/lib.sh"
APPEND=${OT_APPEND_RAW:?}
SQLITE=${OT_SQLITE:-}
command -v curl >/dev/null || { echo "witness_cli: skipped: no curl" >&2; exit 77; }

# serve NAME ARGS...: `oretrail serve ARGS` on a free port, quiet, in the
# background (lib.sh start); sets PORT.
serve() {
	local name=$1
	shift
	start "$name" "$CLI" serve --listen 127.0.0.1:0 --quiet "$@"
}

OT_CLI=$CLI timeout 120 "$TOP/scripts/demo" --dir "$T/demo" --no-serve >"$T/demo.out" 2>&1 ||
	abort "scripts/demo: $(tail -5 "$T/demo.out")"
D=$T/demo/ledger.db
LOGKEY=$D.vkey
# Copies of the 63-entry demo for the monitor (the served one grows).
cp "$D" "$T/mon.db"
cp "$D" "$T/tamper.db"

# Two witnesses: keys from `oretrail key new`; serve takes the native
# cosigner vkey (w1) and the plain vkey (w2) alike.
mkdir -p "$T/keys"
"$CLI" key new w1.example --dir "$T/keys" >/dev/null 2>&1
"$CLI" key new w2.example --dir "$T/keys" >/dev/null 2>&1
"$CLI" key new stranger --dir "$T/keys" >/dev/null 2>&1
"$CLI" witness --key "$T/keys/w1.example.key" --print-vkey >"$T/w1.cvkey"
grep -qE '^w1\.example\+[0-9a-f]{8}\+B' "$T/w1.cvkey" && ok || bad "--print-vkey: $(cat "$T/w1.cvkey")"

serve log --db "$D" --key "$D.key" --witness-key "$T/w1.cvkey" \
	--witness-key "$T/keys/w2.example.vkey" || abort
URL=http://127.0.0.1:$PORT
LOGPORT=$PORT

witness() { # NAME STATE URL [ARGS...]
	local name=$1 state=$2 url=$3
	shift 3
	timeout 60 "$CLI" witness --log "$url" --log-key "$LOGKEY" --key "$T/keys/$name.key" \
		--state "$T/$state" --once "$@"
}

# --- round 1: both cosign the 63-entry tree ---
witness w1.example w1 "$URL" >"$T/r1.out" 2>&1 && grep -q "^cosigned: 63 entries: cosigned and submitted" "$T/r1.out" && ok || bad "w1 round 1: $(cat "$T/r1.out")"
witness w2.example w2 "$URL" --json >"$T/r2.out" 2>&1 && grep -q '"event":"cosigned","size":63' "$T/r2.out" && ok || bad "w2 round 1: $(cat "$T/r2.out")"
curl -s --max-time 10 "$URL/checkpoint" >"$T/cp63"
[ "$(grep -c '^— ' "$T/cp63")" = 3 ] && grep -q '^— w1.example ' "$T/cp63" && grep -q '^— w2.example ' "$T/cp63" && ok || bad "checkpoint at 63: $(cat "$T/cp63")"
# Nothing new: the witness does not cosign again.
witness w1.example w1 "$URL" >"$T/r1b.out" 2>&1 && grep -q "^unchanged: 63" "$T/r1b.out" && ok || bad "w1 unchanged: $(cat "$T/r1b.out")"

# --- the log grows (another process appends while it is served) ---
timeout 60 "$APPEND" "$D" "$D.key" 300 37 || bad "append_raw"
witness w1.example w1 "$URL" >"$T/r3.out" 2>&1 && grep -q "^cosigned: 363 entries" "$T/r3.out" && ok || bad "w1 round 2: $(cat "$T/r3.out")"
curl -s --max-time 10 "$URL/checkpoint" >"$T/cp363a"
# Until w2 catches up, only w1's cosignature covers the new checkpoint.
[ "$(grep -c '^— ' "$T/cp363a")" = 2 ] && grep -q '^— w1.example ' "$T/cp363a" && ok || bad "checkpoint with w1 only: $(cat "$T/cp363a")"
witness w2.example w2 "$URL" >"$T/r4.out" 2>&1 && grep -q "^cosigned: 363 entries" "$T/r4.out" && ok || bad "w2 round 2: $(cat "$T/r4.out")"
curl -s --max-time 10 "$URL/checkpoint" >"$T/cp363"
head -2 "$T/cp363" | tail -1 | grep -qx 363 && [ "$(grep -c '^— ' "$T/cp363")" = 3 ] && ok || bad "checkpoint at 363: $(cat "$T/cp363")"
# `oretrail checkpoint` prints the same bytes as the server.
"$CLI" checkpoint --db "$D" >"$T/cp363-cli" 2>&1 && cmp -s "$T/cp363-cli" "$T/cp363" && ok || bad "oretrail checkpoint: $(cat "$T/cp363-cli")"
# The state directory holds what each witness cosigned.
grep -q '^— w2.example ' "$T/w2/checkpoint" && ok || bad "w2 state"

# --- a provenance certificate carries the cosignatures; verify counts them ---
timeout 60 "$CLI" prove lot-ndpr-oxide-001 --db "$D" >"$T/cert.json" 2>"$T/prove.err" || bad "prove: $(cat "$T/prove.err")"
timeout 60 "$CLI" verify "$T/cert.json" --key "$LOGKEY" --witness "$T/w1.cvkey" \
	--witness "$T/keys/w2.example.vkey" >"$T/verify.out" 2>&1 &&
	grep -q "cosigned by 2 of 2 witnesses" "$T/verify.out" && ok || bad "verify cosigned certificate: $(cat "$T/verify.out")"
timeout 60 "$CLI" verify "$T/cert.json" --key "$LOGKEY" --witness "$T/keys/stranger.vkey" >"$T/verify2.out" 2>&1
[ $? = 1 ] && grep -q "not_enough_witnesses: the checkpoint is cosigned by 0 of the witnesses given" "$T/verify2.out" && ok || bad "verify with a stranger: $(cat "$T/verify2.out")"

# --- the route refuses what it must ---
post() { curl -s --max-time 10 -o "$T/post.body" -w '%{http_code}' -X POST --data-binary "@$1" "$URL/witness/cosignature"; }
timeout 30 "$CLI" witness --log "$URL" --log-key "$LOGKEY" --key "$T/keys/stranger.key" --state "$T/stranger" --once >"$T/st.out" 2>&1
grep -q "the log refused it (HTTP 403)" "$T/st.out" && ok || bad "unknown witness: $(cat "$T/st.out")"
sed 's/^\(— w1.example .\{20\}\)./\1A/' "$T/w1/checkpoint" >"$T/forged"
cmp -s "$T/forged" "$T/w1/checkpoint" && sed -i 's/^\(— w1.example .\{20\}\)./\1B/' "$T/forged"
[ "$(post "$T/forged")" = 401 ] && ok || bad "forged cosignature: $(cat "$T/post.body")"
printf 'not a note\n' >"$T/junk"
[ "$(post "$T/junk")" = 400 ] && ok || bad "junk body: $(cat "$T/post.body")"
[ "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$URL/witness/cosignature")" = 405 ] && ok || bad "GET cosignature route"

# --- Go's sumdb/note verifies the cosigned checkpoint's log signature ---
gomod=/usr/share/gocode
if command -v go >/dev/null 2>&1 && [ -d "$gomod/src/golang.org/x/mod/sumdb/note" ]; then
	mkdir -p "$T/gopath" "$T/gocache"
	if (cd "$TOP/tests/interop" && GO111MODULE=off GOPATH="$T/gopath:$gomod" GOCACHE="$T/gocache" \
		GOFLAGS= GOENV=off GOPROXY=off GOTOOLCHAIN=local timeout 240 go build -o "$T/cosigned_check" cosigned_check.go) >"$T/go.out" 2>&1; then
		"$T/cosigned_check" "$T/cp363" "$LOGKEY" 2 >"$T/go.out" 2>&1 && grep -q "cosigned by w1.example, w2.example" "$T/go.out" && ok || bad "Go: $(cat "$T/go.out")"
	else
		bad "go build: $(cat "$T/go.out")"
	fi
else
	echo "witness_cli: Go step skipped (no go or golang.org/x/mod)" >&2
fi

# --- forks: other ledgers with the same key and origin ---
# A new log whose key is then set to the demo's (the store's meta log_vkey),
# so that the demo's key signs its checkpoints: raw entries, other roots.
if [ -z "$SQLITE" ]; then
	echo "witness_cli: fork and tamper steps skipped (no sqlite3)" >&2
	summary
	exit
fi
forged_log() { # DB N
	"$CLI" init --db "$1" --origin oretrail.example/demo --key-name pk-authority >/dev/null 2>&1
	"$SQLITE" "$1" "UPDATE meta SET value = '$(cat "$LOGKEY")' WHERE name = 'log_vkey';"
	timeout 60 "$APPEND" "$1" "$D.key" "$2" || bad "append_raw $1"
}
forged_log "$T/fork.db" 363
forged_log "$T/back.db" 10
serve fork --db "$T/fork.db" --read-only
FORK=http://127.0.0.1:$PORT
serve back --db "$T/back.db" --read-only
BACK=http://127.0.0.1:$PORT

cp "$T/w1/checkpoint" "$T/w1.before"
witness w1.example w1 "$FORK" >"$T/f1.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "REFUSED: .*the log signed two different trees of 363 entries" "$T/f1.out" && ok || bad "fork (same size) exit $rc: $(cat "$T/f1.out")"
ev=$(ls "$T"/w1/fork-*.txt 2>/dev/null | head -1)
[ -n "$ev" ] && grep -q "^reason: the log signed two different trees" "$ev" && [ "$(grep -c '^363$' "$ev")" = 2 ] && ok || bad "fork evidence: $(cat "$ev" 2>/dev/null)"
cmp -s "$T/w1/checkpoint" "$T/w1.before" && ok || bad "the witness state changed after a fork"
# It keeps refusing: the state is only replaced by a consistent checkpoint.
witness w1.example w1 "$FORK" >/dev/null 2>&1
[ $? = 1 ] && ok || bad "second round against the fork"

witness w2.example w2 "$BACK" --json >"$T/f2.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '"event":"fork","size":10' "$T/f2.out" && grep -q "went back" "$T/f2.out" && ok || bad "rollback exit $rc: $(cat "$T/f2.out")"
ls "$T"/w2/fork-*.txt >/dev/null 2>&1 && ok || bad "rollback evidence"
# The honest log is still fine for both.
witness w2.example w2 "$URL" >"$T/r5.out" 2>&1 && grep -q "^unchanged: 363" "$T/r5.out" && ok || bad "w2 after refusing: $(cat "$T/r5.out")"

# A bad log key is a verification failure (exit 1), not a fork record.
timeout 30 "$CLI" witness --log "$URL" --log-key "$T/keys/stranger.vkey" --key "$T/keys/w1.example.key" \
	--state "$T/w3" --once >"$T/k.out" 2>&1
[ $? = 1 ] && grep -q "does not verify" "$T/k.out" && ok || bad "wrong log key: $(cat "$T/k.out")"
timeout 10 "$CLI" witness --log "$URL" --key "$T/keys/w1.example.key" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "usage error"

# --- the monitor ---
serve mon --db "$T/mon.db" --read-only
MON=http://127.0.0.1:$PORT
timeout 60 "$CLI" monitor --log "$MON" --log-key "$LOGKEY" --once --now 2026-06-01 --state "$T/m" >"$T/m1.out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "^checkpoint: 63 entries (63 new): signature, root, tiles and consistency verified" "$T/m1.out" &&
	grep -q "^finding: entry 28: transit_loss lot-cu-conc-001" "$T/m1.out" &&
	[ "$(grep -c "terms_withheld" "$T/m1.out")" = 2 ] && ok || bad "monitor demo exit $rc: $(cat "$T/m1.out")"
timeout 60 "$CLI" monitor --log "$MON" --log-key "$LOGKEY" --once --json --now 2025-12-01 >"$T/m2.out" 2>&1
python3 -c "
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
assert rows[0]['type']=='checkpoint' and rows[0]['size']==63, rows
f=[(r['kind'],r['subject']) for r in rows if r['type']=='finding']
assert f==[('transit_loss','lot-cu-conc-001'),('assay_dispute','lot-cu-conc-001'),('export_without_assay','lot-ndpr-oxide-002')], f
assert not [r for r in rows if r['type']=='problem'], rows" "$T/m2.out" && ok || bad "monitor --json: $(cat "$T/m2.out")"
# The fork against the checkpoint the monitor saw.
timeout 60 "$CLI" monitor --log "$FORK" --log-key "$LOGKEY" --once --state "$T/m" >"$T/m3.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "^problem: inconsistent: the tree of 363 entries is not an extension of the one of 63" "$T/m3.out" && ok || bad "monitor fork exit $rc: $(head -5 "$T/m3.out")"
# A tampered tile: the first hash of tile 0/000.p/63 zeroed in the store.
"$SQLITE" "$T/tamper.db" "UPDATE tiles SET data = zeroblob(32) || substr(data, 33) WHERE id = 0;" || bad "sqlite3 tamper"
serve tamper --db "$T/tamper.db" --read-only
timeout 60 "$CLI" monitor --log "http://127.0.0.1:$PORT" --log-key "$LOGKEY" --once >"$T/m4.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "^problem: tile_mismatch: tile/0/000.p/63: hash 0 is not the hash of entries 0..0" "$T/m4.out" && ok || bad "tampered tile exit $rc: $(cat "$T/m4.out")"

summary
