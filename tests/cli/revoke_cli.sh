#!/usr/bin/env bash
# revoke_cli.sh: revocation by log position through the command. A rotated
# key is refused after the rotation whatever time its event claims (exit 4,
# key_revoked, nothing appended); an entry sequenced before the rotation
# but claiming a later time is an audit finding; an actor revoked outright
# is refused, and accepted again once re-admitted with a new key.
. "$(dirname "$0")/lib.sh"

cd "$T"
mkdir old new
"$CLI" init --db l.db --origin test.example/revoke >/dev/null 2>&1 || abort "init"
"$CLI" key new fwo --dir old >/dev/null 2>&1 || abort "key"
"$CLI" key new fwo --dir new >/dev/null 2>&1 || abort "key"
ev() { printf '{"type":"contract","id":"%s","time":"%s","contract":"%s","parties":["fwo"]}\n' "$1" "$2" "$1"; }
# an actor event for fwo: ID TIME KEYDIR [MORE MEMBERS]
key_ev() { printf '{"type":"actor","id":"%s","time":"%s","actor":"fwo","key":"%s"%s}\n' "$1" "$2" "$(cat "$3/fwo.vkey")" "${4:-}"; }
key_ev a1 2025-09-01T00:00:00Z old ',"name":"F","country":"PK","roles":["miner"]' >reg.jsonl
expect 0 '^0 actor a1' -- "$CLI" submit --db l.db --key l.db.key reg.jsonl
ev c1 2025-10-05T00:00:00Z >c1.jsonl
expect 0 '^1 contract c1' -- "$CLI" submit --db l.db --key old/fwo.key c1.jsonl

key_ev a2 2025-10-01T00:00:00Z new >rot.jsonl
expect 0 '^2 actor a2' -- "$CLI" submit --db l.db --key l.db.key rot.jsonl

# the old key, back-dated before the rotation: refused, nothing appended
ev c2 2025-09-15T00:00:00Z >c2.jsonl
expect 4 'key_revoked|revoked by entry 2' -- "$CLI" submit --db l.db --key old/fwo.key c2.jsonl
"$CLI" submit --db l.db --key old/fwo.key --json c2.jsonl >c2.json
pycheck c2.json 'assert d["error"]["code"] == "key_revoked", d'
"$CLI" checkpoint --db l.db | sed -n 2p >size
[ "$(cat size)" = 3 ] && ok || bad "size after the refusal: $(cat size)"
expect 0 '^3 contract c2' -- "$CLI" submit --db l.db --key new/fwo.key c2.jsonl

"$CLI" audit --db l.db --json >audit.json
pycheck audit.json 'f = [x for x in d["findings"] if x["kind"] == "signed_after_revocation"]
assert d["ok"] and len(f) == 1 and f[0]["index"] == 1 and f[0]["subject"] == "fwo", d
v = f[0]["values"]
assert set(v) == {"claimed", "revoked_from"} and all(t in f[0]["detail"] for t in v.values()), f'

# revoked outright, then re-admitted with a new key
mkdir third; "$CLI" key new fwo --dir third >/dev/null 2>&1 || abort "key"
echo '{"type":"actor","id":"a3","time":"2025-10-10T00:00:00Z","actor":"fwo","revoked":true}' >out.jsonl
expect 0 '^4 actor a3' -- "$CLI" submit --db l.db --key l.db.key out.jsonl
ev c3 2025-10-11T00:00:00Z >c3.jsonl
expect 4 'revoked by entry 4' -- "$CLI" submit --db l.db --key new/fwo.key c3.jsonl
key_ev a4 2025-10-12T00:00:00Z third >back.jsonl
expect 0 '^5 actor a4' -- "$CLI" submit --db l.db --key l.db.key back.jsonl
expect 0 '^6 contract c3' -- "$CLI" submit --db l.db --key third/fwo.key c3.jsonl
"$CLI" audit --db l.db --json >audit2.json
pycheck audit2.json 'assert d["ok"] and d["entries"] == 7, d'

summary
