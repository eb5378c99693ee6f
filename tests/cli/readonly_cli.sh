#!/usr/bin/env bash
# CLI test of read-only open (issue 16, reliability item 5): a copy of a
# ledger whose files and directory are read-only (a published archive, a
# forensic copy) is read by every read verb with --read-only, and nothing is
# written: the files stay byte-identical and no -wal or -shm appears. As
# root, chmod does not stop writes, so the checks that matter are the
# bytes and the directory listing; as another user the copy is also read
# without --read-only (the store sees it cannot write and writes nothing).
. "$(dirname "$0")/lib.sh"

cd "$T"
"$CLI" init --db l.db --origin test.example/ro --key-name gov >/dev/null 2>&1 || abort "init"
"$CLI" key new fwo >/dev/null 2>&1 || abort "key new"
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
JSON
echo '{"type":"extract","id":"x1","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-1","material":"ore","mass_g":1000,"assay":{"Nd":4000}}' >x.jsonl
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 || abort "registration"
"$CLI" submit --db l.db --key fwo.key x.jsonl >/dev/null 2>&1 || abort "extract"

mkdir ro
cp l.db l.db.vkey ro/
chmod a-w ro/l.db ro/l.db.vkey ro
ls -la ro >before.ls
sha256sum ro/* >before.sum

# Every read verb, with --read-only.
R=(--db ro/l.db --read-only)
expect 0 '^test.example/ro$' -- "$CLI" checkpoint "${R[@]}"
expect 0 '^ok: 3 entries' -- "$CLI" verify-log "${R[@]}"
expect 0 '"leafIdx"' -- "$CLI" proof inclusion "${R[@]}" 2
expect 0 '"size1"' -- "$CLI" proof consistency "${R[@]}" 1 3
expect 0 '"lot": "ore-1"' -- "$CLI" trace "${R[@]}" --json ore-1
expect 0 '"ok": true' -- "$CLI" audit "${R[@]}" --json
expect 0 '' -- "$CLI" report "${R[@]}" --json
expect 0 'EPCISDocument' -- "$CLI" export "${R[@]}"
expect 0 '' -- "$CLI" prove "${R[@]}" --out "$T/ore-1.cert" ore-1
expect 0 '' -- "$CLI" verify "$T/ore-1.cert" --key l.db.vkey
expect 2 'contract' -- "$CLI" contract show "${R[@]}" no-such-contract
expect 2 '' -- "$CLI" disclose "${R[@]}" --contract no-such --field text --openings /dev/null

ls -la ro >after.ls
sha256sum ro/* >after.sum
cmp -s before.sum after.sum && ok || bad "the files changed: $(diff before.sum after.sum)"
[ ! -e ro/l.db-wal ] && [ ! -e ro/l.db-shm ] && ok || bad "SQLite wrote beside the copy: $(ls ro)"
diff -q <(awk '{print $1, $NF}' before.ls) <(awk '{print $1, $NF}' after.ls) >/dev/null && ok ||
	bad "the directory changed: $(diff before.ls after.ls)"

if [ "$(id -u)" != 0 ]; then
	# Not root: the copy cannot be written, and the store sees it.
	expect 0 '^ok: 3 entries' -- "$CLI" verify-log --db ro/l.db
	expect 0 '"lot": "ore-1"' -- "$CLI" trace --db ro/l.db --json ore-1
	start srv "$CLI" serve --db ro/l.db --listen 127.0.0.1:0 --read-only --quiet || abort
	code=$(curl -s -o cp.txt -w '%{http_code}' "http://127.0.0.1:$PORT/checkpoint")
	[ "$code" = 200 ] && ok || bad "serve --read-only of a read-only copy: $code"
	sha256sum ro/* >after2.sum
	cmp -s before.sum after2.sum && ok || bad "the files changed"
	[ ! -e ro/l.db-wal ] && ok || bad "SQLite wrote beside the copy: $(ls ro)"
else
	echo "running as root: the checks without --read-only need another user, skipped"
fi

# A live ledger read with --read-only while its WAL is there: read through
# it, and the WAL is not written.
chmod u+w ro
expect 0 '^ok: 3 entries' -- "$CLI" verify-log --db l.db --read-only
summary
