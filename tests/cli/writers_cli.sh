#!/usr/bin/env bash
# CLI test of concurrent writers on one SQLite ledger (issue 16, item 2 of
# its reliability list). Another writer is a real process: a Python sqlite3
# connection that holds the write lock (BEGIN IMMEDIATE, lib.sh hold_lock) until told, or
# another oretrail. A writer waits for the lock up to --wait and then
# appends after what the other one appended (before: `UNIQUE constraint
# failed`, exit 2), or gives up with "ledger busy: another writer holds it",
# exit 3, nothing appended. Over HTTP the server answers 503 with
# Retry-After and a message with neither SQL nor a file path (before: 409
# "exists" naming the database file).
. "$(dirname "$0")/lib.sh"

cd "$T"
"$CLI" init --db l.db --origin test.example/writers --key-name gov >/dev/null 2>&1 || abort "init"
"$CLI" key new fwo >/dev/null 2>&1 || abort "key new"
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 || abort "registration"

# events NAME FROM TO: extractions NAME-FROM..NAME-TO, one per line.
events() {
	for i in $(seq "$2" "$3"); do
		echo "{\"type\":\"extract\",\"id\":\"$1-$i\",\"time\":\"2025-09-02T08:00:00Z\",\"site\":\"mine-1\",\"lot\":\"$1-$i\",\"material\":\"ore\",\"mass_g\":1000,\"assay\":{\"Nd\":4000}}"
	done
}
size() { "$CLI" checkpoint --db l.db | sed -n 2p; }

# 1. The lock stays held longer than --wait: busy, exit 3, nothing appended.
events b 1 3 >b.jsonl
hold_lock l.db
expect 3 '^oretrail: submit: ledger busy: another writer holds it$' -- \
	"$CLI" submit --db l.db --key fwo.key --wait 300ms b.jsonl
release_lock
[ "$(size)" = 2 ] && ok || bad "a busy submit appended: size $(size)"

# 2. Two submits that opened the ledger while a third writer held it: each
# waits, then appends after the others (before the fix the second took the
# index the first had just written).
hold_lock l.db
"$CLI" submit --db l.db --key fwo.key --wait 20s <(events p 1 50) >p.out 2>p.err &
P1=$!
"$CLI" submit --db l.db --key fwo.key --wait 20s <(events q 1 50) >q.out 2>q.err &
P2=$!
sleep 1
release_lock
wait "$P1" && ok || bad "first concurrent submit: $(cat p.err)"
wait "$P2" && ok || bad "second concurrent submit: $(cat q.err)"
[ "$(size)" = 102 ] && ok || bad "after two concurrent submits: size $(size), want 102"

# 3. Many rounds of two writers racing, without a referee.
for r in 1 2 3 4 5; do
	"$CLI" submit --db l.db --key fwo.key <(events "r$r-x" 1 20) >/dev/null 2>x.err &
	X=$!
	"$CLI" submit --db l.db --key fwo.key <(events "r$r-y" 1 20) >/dev/null 2>y.err &
	Y=$!
	wait "$X" && ok || bad "round $r, writer x: $(cat x.err)"
	wait "$Y" && ok || bad "round $r, writer y: $(cat y.err)"
done
[ "$(size)" = 302 ] && ok || bad "after the rounds: size $(size), want 302"
expect 0 '' -- "$CLI" verify-log --db l.db

# 4. --wait is checked.
expect 2 'wait 5x: expected a duration' -- "$CLI" submit --db l.db --key fwo.key --wait 5x b.jsonl
expect 2 'at most one hour' -- "$CLI" submit --db l.db --key fwo.key --wait 61m b.jsonl

# 5. The server: another process appends behind its back, then a POST /add
# goes after it; while another writer holds the lock, 503 + Retry-After.
start srv "$CLI" serve --db l.db --listen 127.0.0.1:0 --wait 300ms --quiet || abort
"$CLI" submit --db l.db --key fwo.key <(events s 1 5) >/dev/null 2>s.err || bad "submit beside the server: $(cat s.err)"
# sign NAME: two signed envelopes as one JSON array, in NAME.json.
sign() {
	events "$1" 1 2 | "$CLI" submit --sign-only --key fwo.key - | paste -sd, | sed 's/^/[/; s/$/]/' >"$1.json" ||
		abort "sign"
}
sign h
sign k
post() { curl -s -D "$2.hdr" -o "$2.body" -w '%{http_code}' --data-binary "@$1" "http://127.0.0.1:$PORT/add"; }
code=$(post h.json h)
[ "$code" = 200 ] && ok || bad "POST /add after another process appended: $code $(cat h.body)"
pycheck h.body 'assert d["tree_size"] == 309, d; assert [e["index"] for e in d["entries"]] == [307, 308], d'
hold_lock l.db
code=$(post k.json k)
[ "$code" = 503 ] && ok || bad "POST /add while another writer holds the lock: $code $(cat k.body)"
grep -qi '^Retry-After: ' k.hdr && ok || bad "no Retry-After: $(cat k.hdr)"
pycheck k.body 'e = d["error"]; assert e["code"] == "busy", e; assert e["message"].startswith("ledger busy: another writer holds it"), e'
grep -qiE 'l\.db|sqlite|constraint|insert|select|/' k.body && bad "the answer leaks: $(cat k.body)" || ok
release_lock
code=$(post k.json k)
[ "$code" = 200 ] && ok || bad "POST /add once the lock is free: $code $(cat k.body)"
[ "$(size)" = 311 ] && ok || bad "after the server's appends: size $(size), want 311"
expect 0 '' -- "$CLI" verify-log --db l.db
summary
