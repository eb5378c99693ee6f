#!/usr/bin/env bash
# Failover test (issue 15, items 3 and 6): two writable `oretrail serve` on
# one PostgreSQL database, and a read-only third.
#
# One server leads (writes); the other answers POST /add with 503,
# Retry-After and the leader's URL, and serves reads from the database. A
# client submits chunks of events in a loop to whichever server takes them
# (safe retries: an acknowledged chunk sent again comes back "existing");
# while it runs, a collector keeps every checkpoint the three servers serve,
# and a checker asks the read-only server for checkpoints and the tiles,
# bundles and inclusion proofs each one implies. The leader is killed with
# SIGKILL mid-load. Then:
#   - the other took over (leader epoch 2, its URL) within 50 polls of
#     100 ms (it tries every 200 ms);
#   - every acknowledged event is in the log at the index it was given, and
#     no event is there twice;
#   - no two checkpoints of the same size differ, across all three servers,
#     before and after the switch;
#   - every checkpoint the read-only server served had its tiles, bundles
#     and proofs at once;
#   - a leader whose lock connection is cut (but lives) steps down, a third
#     server takes over (epoch 3), and the old one names it in its 503s;
#     `submit --server FOLLOWER` follows the leader named;
#   - Go's sumdb/tlog (tests/interop/serve_check.go) checks the survivor's
#     tree and its consistency with a checkpoint the killed leader served
#     and, twice mid-load, the read-only server whole (when go and
#     golang.org/x/mod are installed; else those steps are skipped and said
#     so).
# Needs the cluster of the pg fixture (OT_PG_URI_FILE); skipped (77) without.
. "$(dirname "$0")/../cli/lib.sh"
OT_DB_BACKEND=postgres

cd "$T"
DB=$(ledger fo) || exit 77
"$CLI" init --db "$DB" --origin test.example/failover --key-name gov >/dev/null 2>&1 || abort "init"
KEY=$(ledger_key "$DB" .key)
VKEY=$(ledger_key "$DB" .vkey)
"$CLI" key new fwo >/dev/null 2>&1 || abort "key new"
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
JSON
"$CLI" submit --db "$DB" --key "$KEY" reg.jsonl >/dev/null 2>&1 || abort "registration"

meta() { pg_sql "$DB" "SELECT value FROM meta WHERE name = '$1'"; }
stats() { curl -sf "$1/api/stats"; }

expect 2 "--advertise ftp://x: expected the URL clients reach this server at" -- \
	"$CLI" serve --db "$DB" --key "$KEY" --advertise ftp://x

# --- two writers and a reader; the first to start leads ---
start a "$CLI" serve --db "$DB" --key "$KEY" --listen 127.0.0.1:0 --wait 2s || abort
A_PID=$PID A=http://127.0.0.1:$PORT
start b "$CLI" serve --db "$DB" --key "$KEY" --listen 127.0.0.1:0 --wait 2s || abort
B_PID=$PID B=http://127.0.0.1:$PORT
start r "$CLI" serve --db "$DB" --read-only --listen 127.0.0.1:0 || abort
R=http://127.0.0.1:$PORT

[ "$(meta leader.epoch)" = 1 ] && ok || bad "leader epoch after start: $(meta leader.epoch)"
[ "$(meta leader.url)" = "$A" ] && ok || bad "the first server does not lead: $(meta leader.url), want $A"
stats "$A" >sa.json && stats "$B" >sb.json || abort "GET /api/stats"
pycheck sa.json "assert d['leader'] == {'url': '$A', 'epoch': 1, 'leading': True}, d['leader']"
pycheck sb.json "assert d['leader'] == {'url': '$A', 'epoch': 1, 'leading': False}, d['leader']"

# The follower refuses writes: 503, Retry-After, the leader named.
echo '{"type":"site","id":"x1","time":"2025-09-01T08:00:00Z","site":"mine-x","kind":"mine","holder":"gov","country":"PK"}' >x.jsonl
"$CLI" submit --server "$B" --key "$KEY" --retries 0 x.jsonl >/dev/null 2>err
[ $? = 3 ] && ok || bad "submit to the follower: exit $?"
grep -q "503: this server does not write: the leader is $A (leader epoch 1)" err && ok || bad "follower's refusal: $(cat err)"
curl -s -D hdr -o body.json -X POST --data-binary @x.jsonl "$B/add"
grep -q '^HTTP/1.1 503' hdr && grep -qi '^Retry-After: 1' hdr && ok || bad "follower's headers: $(cat hdr)"
pycheck body.json "assert d['error']['code'] == 'not_leader' and d['leader'] == {'url': '$A', 'epoch': 1}, d"
[ "$(pg_sql "$DB" "SELECT count(*) FROM entries")" = 2 ] && ok || bad "the follower wrote"

# Go's sumdb/tlog, when there: tests/interop/serve_check.go.
GO=
gomod=/usr/share/gocode
if command -v go >/dev/null 2>&1 && [ -d "$gomod/src/golang.org/x/mod/sumdb/tlog" ]; then
	mkdir -p gopath gocache
	export GO111MODULE=off GOPATH="$T/gopath:$gomod" GOCACHE="$T/gocache" GOFLAGS= GOENV=off \
		GOPROXY=off GOTOOLCHAIN=local
	(cd "$TOP/tests/interop" && go build -o "$T/serve_check" serve_check.go) || abort "go build"
	GO=1
fi

# --- the load: chunks of events to whichever server takes them ---
CHUNKS=60
PER=8
client() {
	local k i try url
	for k in $(seq 1 "$CHUNKS"); do
		for i in $(seq 1 "$PER"); do
			echo "{\"type\":\"extract\",\"id\":\"e$k-$i\",\"time\":\"2025-09-02T08:00:00Z\",\"site\":\"mine-1\",\"lot\":\"lot-$k-$i\",\"material\":\"ore\",\"mass_g\":1000,\"assay\":{\"Nd\":4000}}"
		done >"chunk$k.jsonl"
		for try in $(seq 1 100); do
			for url in "$A" "$B"; do
				if "$CLI" submit --server "$url" --key fwo.key --retries 0 --json \
					"chunk$k.jsonl" >"ack$k.json" 2>>client.err; then
					echo "$k $url" >>acked
					continue 3
				fi
			done
			sleep 0.1
		done
		echo "chunk $k never acknowledged" >>client.err
		return 1
	done
}
collector() {
	local n=0 u
	while [ ! -e stop ]; do
		for u in "$A" "$B" "$R"; do
			n=$((n + 1))
			curl -sf -o "cp.$n" "$u/checkpoint" || rm -f "cp.$n"
		done
		sleep 0.05
	done
}
# The read-only server: each checkpoint it serves, then at once the tiles
# and bundles at the tree's right edge and an inclusion proof of its last
# entry in it; a missing one is recorded.
tile() { printf 'tile/%s/%03d' "$1" "$2"; [ "$3" -lt 256 ] && printf '.p/%d' "$3"; echo; }
reader() {
	local n=0 size lvl idx w nodes
	while [ ! -e stop ]; do
		n=$((n + 1))
		curl -sf -o "r.cp" "$R/checkpoint" || { echo "checkpoint $n: failed" >>reader.bad; continue; }
		size=$(sed -n 2p r.cp)
		[ "$size" -gt 0 ] || continue
		idx=$(((size - 1) / 256))
		w=$((size - idx * 256))
		for p in "$(tile entries "$idx" "$w")" "$(tile 0 "$idx" "$w")"; do
			curl -sf -o /dev/null "$R/$p" || echo "size $size: $p missing" >>reader.bad
		done
		nodes=$((size / 256))
		if [ "$nodes" -gt 0 ]; then
			lvl=$(((nodes - 1) / 256))
			curl -sf -o /dev/null "$R/$(tile 1 "$lvl" $((nodes - lvl * 256)))" ||
				echo "size $size: level-1 tile missing" >>reader.bad
		fi
		curl -sf -o /dev/null "$R/api/proof/inclusion?index=$((size - 1))&size=$size" ||
			echo "size $size: no inclusion proof" >>reader.bad
		echo "$size" >>reader.sizes
	done
}
: >acked
collector &
COLLECTOR=$!
pids+=("$COLLECTOR")
reader &
READER=$!
pids+=("$READER")
client &
CLIENT=$!
pids+=("$CLIENT")

# Kill the leader once a third of the chunks are in.
for _ in $(seq 1 600); do
	[ "$(wc -l <acked)" -ge $((CHUNKS / 3)) ] && break
	kill -0 "$CLIENT" 2>/dev/null || break
	sleep 0.1
done
[ "$(wc -l <acked)" -ge $((CHUNKS / 3)) ] && ok || bad "the client did not get going: $(cat client.err)"
curl -sf -o before.cp "$A/checkpoint" || bad "the leader's checkpoint before the kill"
kill -9 "$A_PID"
wait "$A_PID" 2>/dev/null
polls=0
while [ "$(meta leader.url)" != "$B" ] && [ "$polls" -lt 50 ]; do
	polls=$((polls + 1))
	sleep 0.1
done
[ "$(meta leader.url)" = "$B" ] && ok || bad "no takeover after $polls polls of 100 ms: $(meta leader.url)"
[ "$(meta leader.epoch)" = 2 ] && ok || bad "leader epoch after the takeover: $(meta leader.epoch)"
echo "takeover seen after $polls polls of 100 ms"
grep -q "leading the ledger's writes (leader epoch 2, $B)" b.err && ok || bad "the survivor's log: $(grep leading b.err)"

# Meanwhile Go reads the read-only server whole: its checkpoint, every tile
# and bundle it implies, proofs (and that its tree extends the one before).
if [ -n "$GO" ]; then
	./serve_check "$R" "$VKEY" mid1.cp before.cp >go_mid1.out 2>&1 && ok || bad "Go mid-load: $(cat go_mid1.out)"
	./serve_check "$R" "$VKEY" mid2.cp mid1.cp >go_mid2.out 2>&1 && ok || bad "Go mid-load: $(cat go_mid2.out)"
fi
wait "$CLIENT" && ok || bad "the client gave up: $(tail -5 client.err)"
touch stop
wait "$COLLECTOR" "$READER"
[ "$(wc -l <acked)" = "$CHUNKS" ] && ok || bad "acknowledged chunks: $(wc -l <acked) of $CHUNKS"
grep -q " $B$" acked && grep -q " $A$" acked && ok || bad "chunks went to one server only: $(cut -d' ' -f2 acked | sort | uniq -c)"
stats "$B" >sb.json || bad "GET /api/stats after the takeover"
pycheck sb.json "assert d['leader'] == {'url': '$B', 'epoch': 2, 'leading': True}, d['leader']"

# --- every acknowledged event is in the log, where it was said to be ---
pg_sql "$DB" "SELECT idx || ' ' || translate(encode(data, 'base64'), E'\\n', '') FROM entries ORDER BY idx" >entries.txt
python3 - "$CHUNKS" "$PER" <<'PY' && ok || bad "acknowledged events vs the log"
import base64, json, sys
chunks, per = int(sys.argv[1]), int(sys.argv[2])
log = {}
for line in open("entries.txt"):
    if line.strip():
        i, b = line.split(" ", 1)
        log[int(i)] = json.loads(base64.b64decode(b))["event"]["id"]
assert sorted(log) == list(range(len(log))), "entries are not contiguous"
ids = list(log.values())
assert len(ids) == len(set(ids)), "an event is in the log twice"
n = 0
for k in range(1, chunks + 1):
    d = json.load(open(f"ack{k}.json"))
    for e in d["entries"]:
        assert log.get(e["index"]) == e["id"], (k, e, log.get(e["index"]))
        n += 1
assert n == chunks * per, n
assert len(log) == 2 + chunks * per, len(log)
print(f"{n} acknowledged events all in the log of {len(log)} entries")
PY

# --- no two checkpoints of the same size differ ---
cp before.cp cp.before
python3 - <<'PY' && ok || bad "checkpoints of one size differ"
import glob
seen = {}
for f in glob.glob("cp.*"):
    t = open(f).read()
    size = int(t.split("\n")[1])
    assert seen.setdefault(size, t) == t, f"two checkpoints of size {size}: {f}"
assert len(seen) > 3, seen.keys()
print(f"{len(glob.glob('cp.*'))} checkpoints of {len(seen)} sizes, one text per size")
PY

# --- the read-only server never served a checkpoint it could not back ---
[ ! -e reader.bad ] && ok || bad "the read-only server: $(head -5 reader.bad)"
[ "$(sort -un reader.sizes | wc -l)" -gt 3 ] && ok || bad "the reader saw few sizes: $(sort -un reader.sizes | tr '\n' ' ')"

# --- a leader that loses its lock but lives steps down ---
# A new server follows B. Then B's lock connection is cut (a network fault,
# an administrator): the new one takes over, and B answers 503 naming it.
start c "$CLI" serve --db "$DB" --key "$KEY" --listen 127.0.0.1:0 --wait 2s || abort
C=http://127.0.0.1:$PORT
stats "$C" >sc.json || bad "GET /api/stats of the new server"
pycheck sc.json "assert d['leader'] == {'url': '$B', 'epoch': 2, 'leading': False}, d['leader']"
# The leader lock's key 7310218548 is (classid 1, objid 3015251252) in
# pg_locks; only this database's (other tests share the cluster).
n=$(pg_sql "$DB" "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE
	locktype = 'advisory' AND classid = 1 AND objid = 3015251252 AND granted AND
	database = (SELECT oid FROM pg_database WHERE datname = current_database())")
[ "$n" = 1 ] && ok || bad "cutting B's lock: $n connections"
polls=0
while [ "$(meta leader.url)" != "$C" ] && [ "$polls" -lt 50 ]; do
	polls=$((polls + 1))
	sleep 0.1
done
[ "$(meta leader.url)" = "$C" ] && [ "$(meta leader.epoch)" = 3 ] && ok ||
	bad "no takeover from a leader that lost its lock: $(meta leader.url) $(meta leader.epoch)"
for _ in $(seq 1 50); do
	grep -q "no longer the leader" b.err && break
	sleep 0.1
done
grep -q "oretrail: serve: no longer the leader: .*lost the connection" b.err && ok || bad "B did not step down: $(tail -3 b.err)"
# It learns who leads at its next poll (until then: "no leader is known yet").
for _ in $(seq 1 20); do
	"$CLI" submit --server "$B" --key "$KEY" --retries 0 x.jsonl >/dev/null 2>err
	grep -q "the leader is $C" err && break
	sleep 0.1
done
grep -q "503: this server does not write: the leader is $C (leader epoch 3)" err && ok || bad "B after stepping down: $(cat err)"
expect 0 "^482 site x1$" -- "$CLI" submit --server "$C" --key "$KEY" --retries 0 x.jsonl
# submit --server follows the leader a follower names.
sed 's/x1/x2/g; s/mine-x/mine-y/' x.jsonl >x2.jsonl
"$CLI" submit --server "$B" --key "$KEY" x2.jsonl >out 2>err
[ $? = 0 ] && [ "$(cat out)" = "483 site x2" ] && ok || bad "submit to a follower: $(cat out err)"
grep -qx "oretrail: submit: $B does not write; sending to the leader, $C" err && ok || bad "submit did not follow the leader: $(cat err)"
curl -sf -o c.cp "$C/checkpoint" && curl -sf -o b.cp "$B/checkpoint" && cmp -s b.cp c.cp && ok ||
	bad "B and C serve different checkpoints: $(cat b.cp c.cp)"

# --- Go's tlog: the survivor's tree, consistent with the killed leader's ---
if [ -n "$GO" ]; then
	./serve_check "$B" "$VKEY" after.cp before.cp >go.out 2>&1 && ok || bad "Go: $(cat go.out)"
	grep -q "consistent with the checkpoint of" go.out && ok || bad "Go did not check consistency: $(cat go.out)"
	./serve_check "$R" "$VKEY" after_r.cp before.cp >go_r.out 2>&1 && ok || bad "Go on the read-only server: $(cat go_r.out)"
else
	echo "failover: go or golang.org/x/mod missing: the Go consistency check is skipped" >&2
fi
summary
