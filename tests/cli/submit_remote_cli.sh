#!/usr/bin/env bash
# CLI test of `oretrail submit --server URL`: events signed here and posted
# to a real `oretrail serve` on 127.0.0.1 (its POST /add), in requests of
# --chunk events; safe retries (the same envelope again is recognised and
# answered with its index, "existing"; the same id
# with other content is refused); resuming after an interruption; a busy
# ledger (503 + Retry-After) waited out; --keep-going; --json; an unreachable
# server (exit 3); and the usage errors.
. "$(dirname "$0")/lib.sh"

cd "$T"
size() { "$CLI" checkpoint --db l.db | sed -n 2p; }
posts() { grep -c '"POST /add HTTP/1.1" 200' "$T/srv.err"; }

# events NAME FROM TO: extractions NAME-FROM..NAME-TO, one per line.
events() {
	for i in $(seq "$2" "$3"); do
		echo "{\"type\":\"extract\",\"id\":\"$1-$i\",\"time\":\"2025-09-02T08:00:00Z\",\"site\":\"mine-1\",\"lot\":\"$1-$i\",\"material\":\"ore\",\"mass_g\":1000,\"assay\":{\"Nd\":4000}}"
	done
}

expect 2 "--server takes the place of a ledger" -- "$CLI" submit --server http://127.0.0.1:1 --db l.db x
expect 2 "--chunk and --retries go with --server" -- "$CLI" submit --db l.db --chunk 5 x
"$CLI" init --db l.db --origin test.example/remote --key-name gov >/dev/null 2>&1 || abort "init"
"$CLI" key new fwo >/dev/null 2>&1 || abort "key new"
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
JSON
start srv "$CLI" serve --db l.db --listen 127.0.0.1:0 --wait 300ms || abort
URL=http://127.0.0.1:$PORT
expect 2 "--chunk 0: expected a number of events from 1 to 10000" -- "$CLI" submit --server "$URL" --chunk 0 --key gov.key reg.jsonl

# Registration, over the network.
out=$("$CLI" submit --server "$URL" --key l.db.key reg.jsonl 2>err)
[ $? = 0 ] && ok || bad "registration: $(cat err)"
[ "$out" = "$(printf '0 actor a1\n1 site a2')" ] && ok || bad "registration output: $out"
grep -qx "oretrail: submit: appended 2 of 2 events (entries 0-1); the log holds 2 entries" err && ok || bad "summary: $(cat err)"

# The same file again: a safe retry, nothing appended, the same indexes.
out=$("$CLI" submit --server "$URL" --key l.db.key reg.jsonl 2>err)
[ $? = 0 ] && ok || bad "retry: $(cat err)"
[ "$out" = "$(printf '0 actor a1 (already in the ledger)\n1 site a2 (already in the ledger)')" ] && ok || bad "retry output: $out"
grep -qx "oretrail: submit: nothing appended; 2 were in the ledger already; the log holds 2 entries" err && ok || bad "retry summary: $(cat err)"
[ "$(size)" = 2 ] && ok || bad "a retry appended: size $(size)"

# Five extractions in requests of two: three requests.
events x 1 5 >x.jsonl
before=$(posts)
expect 0 "^6 extract x-5$" -- "$CLI" submit --server "$URL" --key fwo.key --chunk 2 x.jsonl
# the server logs a request after answering it: wait for the lines
for _ in $(seq 1 200); do [ $(($(posts) - before)) -ge 3 ] && break; sleep 0.05; done
[ $(($(posts) - before)) = 3 ] && ok || bad "requests for 5 events in chunks of 2: $(($(posts) - before))"
[ "$(size)" = 7 ] && ok || bad "size after chunks: $(size)"

# Resuming: the first five are in; the file now holds eight. --json says
# which were there.
events x 1 8 >x8.jsonl
"$CLI" submit --server "$URL" --key fwo.key --chunk 3 --json x8.jsonl >r.json 2>err || bad "resume: $(cat err)"
pycheck r.json 'assert d["appended"] == 3 and d["size"] == 10, d; e = d["entries"]; assert [x["index"] for x in e] == list(range(2, 10)), e; assert [x.get("existing", False) for x in e] == [True]*5 + [False]*3, e; assert d["rejected"] == [], d'

# The same id with other content: refused, exit 4, nothing appended.
events x 8 8 | sed 's/"mass_g":1000/"mass_g":2000/' >dup.jsonl
expect 4 "event 1 \(line 1\) rejected by the server: .*the id x-8 was already used by entry 9" -- "$CLI" submit --server "$URL" --key fwo.key dup.jsonl
[ "$(size)" = 10 ] && ok || bad "a refused submission appended: size $(size)"

# --keep-going: the bad event is listed, the others go in.
{ events k 1 2; events x 8 8 | sed 's/"mass_g":1000/"mass_g":2000/'; events k 3 4; } >kg.jsonl
"$CLI" submit --server "$URL" --key fwo.key --keep-going --json kg.jsonl >kg.json 2>err
[ $? = 4 ] && ok || bad "--keep-going with a rejection: exit $?"
pycheck kg.json 'assert d["appended"] == 4, d; assert [x["id"] for x in d["entries"]] == ["k-1","k-2","k-3","k-4"], d; r = d["rejected"]; assert len(r) == 1 and r[0]["event"] == 3 and r[0]["code"] == "duplicate_id", r'
[ "$(size)" = 14 ] && ok || bad "size after --keep-going: $(size)"

# A busy ledger: another process holds the write lock until the client has
# been told so; the server answers 503 with Retry-After, the client waits and
# tries again.
hold_lock l.db
events b 1 2 >b.jsonl
"$CLI" submit --server "$URL" --key fwo.key b.jsonl >out 2>err &
SUB=$!
for _ in $(seq 1 1200); do grep -q "ledger busy" err && break; sleep 0.05; done
release_lock
wait "$SUB" && ok || bad "submit while busy: $(cat err)"
[ "$(cat out)" = "$(printf '14 extract b-1\n15 extract b-2')" ] && ok || bad "output after the busy spell: $(cat out)"
grep -q "ledger busy: another writer holds it.*; trying again in 1 s" err && ok || bad "no 503 was waited out: $(cat err)"
[ "$(size)" = 16 ] && ok || bad "size after the busy spell: $(size)"

# A local submission keeps replay protection: the same envelope is refused.
expect 4 "already used by entry 14" -- "$CLI" submit --db l.db --key fwo.key b.jsonl

# Nobody listening: exit 3 after the retries, with what was tried.
kill "$PID" && wait "$PID" 2>/dev/null
expect 3 "http://127.0.0.1:$PORT: no answer after 2 attempts" -- "$CLI" submit --server "$URL" --retries 1 --key fwo.key b.jsonl
expect 0 '' -- "$CLI" verify-log --db l.db
summary
