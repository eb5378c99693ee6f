#!/usr/bin/env bash
# CLI test of the log verbs: init, checkpoint, proof, verify-log, and the
# clear error (and exit code) for each kind of bad input: a corrupted
# database file, a truncated entry, a tampered tile, a checkpoint signed by
# another key, a wrong key file, a newer schema, a stranger's database.
. "$(dirname "$0")/lib.sh"
APPEND=${OT_APPEND_RAW:?}
SQLITE=${OT_SQLITE:-}

cd "$T"

# --- init ---
expect 2 "oretrail: init: --db and --origin are required" -- "$CLI" init --db a.db
expect 2 "no such verb" -- "$CLI" frobnicate
expect 0 "usage: oretrail init" -- "$CLI" init --help
for verb in checkpoint verify-log proof; do
	expect 0 "usage: oretrail" -- "$CLI" $verb --help
done
vkey=$("$CLI" init --db a.db --origin test.example/a 2>/dev/null)
[ "$vkey" = "$(cat a.db.vkey)" ] && ok || bad "printed vkey differs from a.db.vkey"
[[ "$vkey" =~ ^test\.example-a\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$ ]] && ok || bad "vkey format: $vkey"
[ "$(stat -c %a a.db.key)" = 600 ] && ok || bad "key file mode $(stat -c %a a.db.key)"
grep -q '^PRIVATE+KEY+test.example-a+' a.db.key && ok || bad "key file format"
expect 2 "already exists" -- "$CLI" init --db a.db --origin test.example/a
expect 2 "not valid" -- "$CLI" init --db b.db --origin test.example/b --key-name "bad+name"

# --- checkpoint of the empty log ---
"$CLI" checkpoint --db a.db >cp0 && ok || bad "checkpoint failed"
[ "$(sed -n 1,3p cp0)" = "$(printf 'test.example/a\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')" ] && ok || bad "empty checkpoint body: $(cat cp0)"
grep -q "^— test.example-a " cp0 && ok || bad "checkpoint signature line"

# --- a log with entries ---
"$APPEND" a.db a.db.key 300 7 || bad "append_raw"
expect 0 "^ok: 300 entries" -- "$CLI" verify-log --db a.db
expect 0 '"ok":true' -- "$CLI" verify-log --db a.db --json
"$CLI" checkpoint --db a.db | sed -n 2p | grep -qx 300 && ok || bad "checkpoint size"

"$CLI" proof inclusion --db a.db 5 >inc.json && ok || bad "proof inclusion"
expect 0 "^ok: inclusion proof verifies" -- "$CLI" proof check inc.json
"$CLI" proof inclusion --db a.db 299 300 >inc2.json && ok || bad "proof inclusion 299 300"
expect 0 "" -- "$CLI" proof check inc2.json
"$CLI" proof consistency --db a.db 10 300 >con.json && ok || bad "proof consistency"
expect 0 "^ok: consistency proof verifies" -- "$CLI" proof check con.json
expect 0 "" -- "$CLI" proof check - <con.json
# A changed proof hash is invalid (exit 1); garbage is unusable (exit 2).
sed 's/"proof": \[/"proof": [\n    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",/' inc.json >inc_bad.json
expect 1 "not proven" -- "$CLI" proof check inc_bad.json
echo '{"leafIdx": 1}' >partial.json
expect 2 'field "treeSize" is missing' -- "$CLI" proof check partial.json
echo 'not json' >garbage.json
expect 2 "not JSON" -- "$CLI" proof check garbage.json
expect 2 "No such file" -- "$CLI" proof check missing.json
expect 2 "no inclusion proof for entry 300" -- "$CLI" proof inclusion --db a.db 300
expect 2 "no consistency proof" -- "$CLI" proof consistency --db a.db 10 301
expect 2 "decimal" -- "$CLI" proof inclusion --db a.db 12abc
expect 2 "no such ledger" -- "$CLI" checkpoint --db missing.db

# --- wrong keys ---
"$CLI" init --db other.db --origin test.example/other >/dev/null 2>&1
expect 1 "no signature by a known key" -- "$CLI" verify-log --db a.db --key other.db.vkey
echo "not a key" >junk.vkey
expect 2 "not a verifier key" -- "$CLI" verify-log --db a.db --key junk.vkey

if [ -z "$SQLITE" ]; then
	echo "sqlite3 not installed: skipping the tampering cases" >&2
else
	# Each case on a fresh copy (with the WAL folded into the main file).
	"$SQLITE" a.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	fresh() { rm -f t.db t.db-wal t.db-shm; cp a.db t.db; cp a.db.vkey t.db.vkey; }

	fresh
	"$SQLITE" t.db "UPDATE entries SET data = substr(data, 1, length(data) - 1) WHERE idx = 7;"
	expect 1 "entry 7 does not hash to its leaf hash" -- "$CLI" verify-log --db t.db

	fresh
	"$SQLITE" t.db "UPDATE tiles SET data = zeroblob(32) || substr(data, 33) WHERE id = 1;"
	expect 1 "entry 256 does not hash|tile/0/001" -- "$CLI" verify-log --db t.db

	fresh
	"$SQLITE" t.db "UPDATE tiles SET data = substr(data, 1, 100) WHERE id = 0;"
	expect 1 "tile/0/000" -- "$CLI" verify-log --db t.db

	fresh
	"$SQLITE" t.db "DELETE FROM entries WHERE idx = 42;"
	expect 1 "entry 42 is missing|42" -- "$CLI" verify-log --db t.db

	fresh
	"$SQLITE" other.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	"$SQLITE" t.db "ATTACH 'other.db' AS o; UPDATE checkpoints SET note = (SELECT note FROM o.checkpoints) WHERE size = 300;"
	expect 1 "no signature by a known key" -- "$CLI" verify-log --db t.db

	fresh
	"$SQLITE" t.db "PRAGMA user_version = 99;"
	expect 3 "newer oretrail" -- "$CLI" checkpoint --db t.db

	fresh
	"$SQLITE" t.db "PRAGMA application_id = 7;"
	expect 3 "not an oretrail ledger" -- "$CLI" checkpoint --db t.db

	rm -f s.db
	"$SQLITE" s.db "CREATE TABLE t(a);"
	expect 3 "not an oretrail ledger" -- "$CLI" checkpoint --db s.db

	# A damaged file: overwrite pages in the middle with garbage.
	fresh
	size=$(stat -c %s t.db)
	dd if=/dev/urandom of=t.db bs=4096 seek=2 count=$((size / 4096 - 3)) conv=notrunc 2>/dev/null
	out=$("$CLI" verify-log --db t.db 2>&1)
	rc=$?
	if [ $rc = 1 ] || [ $rc = 3 ]; then ok; else bad "damaged file: exit $rc: $out"; fi
	grep -qE "damaged|malformed|does not hash|differs|missing|not a database" <<<"$out" && ok || bad "damaged file message: $out"

	echo "garbage garbage garbage" >n.db
	expect 3 "damaged|not a database" -- "$CLI" checkpoint --db n.db
fi

summary
