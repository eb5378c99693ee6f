#!/usr/bin/env bash
# CLI test of `oretrail init` on a PostgreSQL URI (issue 15): the key files go
# to the current directory under the database's name, or to --key-out; the
# message is the SQLite one ("key in ..., verifier key in ..."); no message
# ever shows the URI's password; and a wrong URI, an unreachable server, an
# unknown user, a database of another schema version or of another program,
# or a failure half-way (a bad origin, after the schema was made) is a clear
# error, exit 3 (2 for bad arguments), with nothing written: no key files,
# no tables. Then the other verbs find the keys by the same rule. Needs the
# cluster of the pg fixture (OT_PG_URI_FILE); skipped (77) without it.
. "$(dirname "$0")/../cli/lib.sh"
OT_DB_BACKEND=postgres

cd "$T"
admin=$(pg_admin_uri) || exit 77
q=${admin#*\?}
tables() { pg_sql "$1" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"; }

# --- init on a URI: keys in the current directory, named after the database ---
L=$(ledger main)
name=$(ledger_key "$L" "")
out=$("$CLI" init --db "$L" --origin test.example/pg --key-name gov 2>"$T/init.err")
rc=$?
[ $rc = 0 ] && ok || bad "init on a URI exited $rc: $(cat "$T/init.err")"
grep -qE "^gov\+[0-9a-f]{8}\+" <<<"$out" && ok || bad "init did not print the verifier key: $out"
grep -qF "key in $name.key, verifier key in $name.vkey" "$T/init.err" && ok ||
	bad "init message: $(cat "$T/init.err")"
[ -f "$name.key" ] && [ -f "$name.vkey" ] && ok || bad "no key files $name.key/.vkey"
[ "$(stat -c %a "$name.key")" = 600 ] && ok || bad "key mode $(stat -c %a "$name.key")"
[ "$(cat "$name.vkey")" = "$out" ] && ok || bad "vkey file differs from the printed key"
[ "$(tables "$L")" = 5 ] && ok || bad "tables after init: $(tables "$L")"
expect 0 "^test.example/pg$" -- "$CLI" checkpoint --db "$L"

# The other verbs find the keys by the same rule: submit appends with
# ./NAME.key, verify-log checks with ./NAME.vkey.
"$CLI" key new fwo >/dev/null 2>&1 || bad "key new"
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
JSON
expect 0 "1 site a2" -- "$CLI" submit --db "$L" --key "$name.key" reg.jsonl
expect 0 "^ok: 2 entries" -- "$CLI" verify-log --db "$L"
expect 0 '"entries": 2' -- "$CLI" audit --db "$L" --json

# --- init again: refused, nothing changed ---
expect 2 "$name.key already exists; not overwriting it" -- "$CLI" init --db "$L" --origin x.example/y
expect 2 "a ledger already exists there" -- "$CLI" init --db "$L" --origin x.example/y --key-out again
[ ! -e again.key ] && [ ! -e again.vkey ] && ok || bad "a refused init left again.key"
expect 0 "^ok: 2 entries" -- "$CLI" verify-log --db "$L"

# --- --key-out BASE (with or without .key) ---
K=$(ledger keyout)
mkdir keys
expect 0 "key in keys/log.key, verifier key in keys/log.vkey" -- \
	"$CLI" init --db "$K" --origin test.example/k --key-out keys/log.key
[ -f keys/log.key ] && [ -f keys/log.vkey ] && ok || bad "--key-out files"
[ ! -e "$(ledger_key "$K" .key)" ] && ok || bad "--key-out also wrote the default key"
expect 0 "^ok: 0 entries" -- "$CLI" verify-log --db "$K" --key keys/log.vkey

# --- the password is never shown, in success or failure ---
P=$(ledger pw)
pdb=$(ledger_key "$P" "")
withpw="postgresql://postgres:s3cr3t-pw@/$pdb?$q"
expect 0 "created ledger postgresql://postgres:\*\*\*@/$pdb" -- \
	"$CLI" init --db "$withpw" --origin test.example/pw --key-out pw
out=$("$CLI" init --db "$withpw" --origin test.example/pw --key-out pw2 2>&1)
grep -q s3cr3t <<<"$out" && bad "password shown: $out" || ok
out=$("$CLI" init --db "postgresql:///nosuchdb?$q&password=s3cr3t-pw" --origin a.example/b \
	--key-out np 2>&1)
rc=$?
[ $rc = 3 ] && ok || bad "init on a missing database exited $rc: $out"
grep -q s3cr3t <<<"$out" && bad "password shown: $out" || ok
out=$("$CLI" checkpoint --db "postgresql://postgres:s3cr3t-pw@127.0.0.1:1/x" 2>&1)
grep -q s3cr3t <<<"$out" && bad "password shown: $out" || ok

# --- bad URIs, servers, users: exit 3, nothing written ---
expect 3 "cannot connect to PostgreSQL at 127.0.0.1:1/x" -- \
	"$CLI" init --db "postgresql://127.0.0.1:1/x" --origin a.example/b
expect 3 "the URI is not valid" -- "$CLI" init --db "postgresql://h:notaport:/x?bad" --origin a.example/b
expect 3 "nosuchrole" -- "$CLI" init --db "postgresql:///postgres?${q/user=postgres/user=nosuchrole}" \
	--origin a.example/b
ls ./*.key 2>/dev/null | grep -qvE "^./($name|fwo|pw)\.key$" && bad "stray key files: $(ls)" || ok

# --- a failure after the schema was made (a bad origin): the database stays empty ---
E=$(ledger empty)
expect 2 "origin" -- "$CLI" init --db "$E" --origin "bad origin" --key-out e
[ "$(tables "$E")" = 0 ] && ok || bad "a failed init left $(tables "$E") tables"
[ ! -e e.key ] && [ ! -e e.vkey ] && ok || bad "a failed init left e.key"
expect 0 "key in e.key" -- "$CLI" init --db "$E" --origin test.example/e --key-out e

# --- another schema version, another program: exit 3, untouched ---
V=$(ledger version)
"$CLI" init --db "$V" --origin test.example/v --key-out v >/dev/null 2>&1 || bad "init v"
pg_sql "$V" "UPDATE meta SET value = '99' WHERE name = 'oretrail.schema'"
expect 3 "written by a newer oretrail \(schema 99" -- "$CLI" checkpoint --db "$V"
expect 3 "written by a newer oretrail \(schema 99" -- \
	"$CLI" init --db "$V" --origin test.example/v --key-out v2
[ ! -e v2.key ] && ok || bad "init on schema 99 left v2.key"
[ "$(pg_sql "$V" "SELECT value FROM meta WHERE name = 'oretrail.schema'")" = 99 ] && ok ||
	bad "schema version changed"
O=$(ledger other)
pg_sql "$O" "CREATE TABLE invoices(id int)"
expect 3 "not an oretrail ledger" -- "$CLI" init --db "$O" --origin test.example/o --key-out o
[ "$(tables "$O")" = 1 ] && [ ! -e o.key ] && ok || bad "init on another program's database wrote"

summary
