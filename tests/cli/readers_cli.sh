#!/usr/bin/env bash
# CLI test: readers never see false corruption while another process
# writes (issue 16, reliability item 1). A writer process appends in a loop
# while readers run beside it: verify-log, checkpoint, trace and audit as
# processes, and a `serve --read-only` answering /checkpoint, the API and
# proofs over HTTP. Every read runs in one read snapshot, so each must
# succeed: 0 false alarms in at least 1,000 reads. (Before, verify-log and
# audit took the log's size at open and the rest later, and reported
# "the store holds N entries, the log expected M".) Counts, not time: the
# readers do a fixed number of reads, the writer runs until they are done.
. "$(dirname "$0")/lib.sh"

cd "$T"
"$CLI" init --db l.db --origin test.example/readers --key-name gov >/dev/null 2>&1 || abort "init"
"$CLI" key new fwo >/dev/null 2>&1 || abort "key new"
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"extract","id":"x0","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-0","material":"ore","mass_g":1000,"assay":{"Nd":4000}}
JSON
"$CLI" submit --db l.db --key l.db.key <(head -2 reg.jsonl) >/dev/null 2>&1 || abort "registration"
"$CLI" submit --db l.db --key fwo.key <(sed -n 3p reg.jsonl) >/dev/null 2>&1 || abort "first lot"
start ro "$CLI" serve --db l.db --listen 127.0.0.1:0 --read-only --quiet || abort

# The writer: batches of 3 extractions until the readers are done.
(
	b=0
	while [ ! -e readers.done ]; do
		b=$((b + 1))
		for i in 1 2 3; do
			echo "{\"type\":\"extract\",\"id\":\"w$b-$i\",\"time\":\"2025-09-02T08:00:00Z\",\"site\":\"mine-1\",\"lot\":\"w$b-$i\",\"material\":\"ore\",\"mass_g\":1000,\"assay\":{\"Nd\":4000}}"
		done >w.jsonl
		"$CLI" submit --db l.db --key fwo.key --wait 30s w.jsonl >/dev/null 2>writer.log ||
			{ echo "batch $b failed:"; cat writer.log; } >>writer.err
	done
	echo "$b" >writer.batches
) &
WRITER=$!
pids+=("$WRITER")

# read NAME CMD...: one read; its exit status and, on failure, its output.
read_once() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo ok >>"reads.$name"
	else
		echo "FAIL $name: $out" >>alarms
		echo fail >>"reads.$name"
	fi
}

cli_reader() {
	for _ in $(seq 1 "$1"); do
		read_once verify-log "$CLI" verify-log --db l.db
		read_once checkpoint "$CLI" checkpoint --db l.db
		read_once trace "$CLI" trace --db l.db --json ore-0
	done
}
audit_reader() {
	for _ in $(seq 1 "$1"); do
		read_once audit "$CLI" audit --db l.db --json
	done
}
# HTTP: each curl asks 10 paths; every answer must be 200.
http_reader() {
	local base="http://127.0.0.1:$PORT" urls=() p
	for p in /checkpoint /api/checkpoint /api/lots/ore-0 /api/proof/inclusion?index=0 \
		/api/proof/consistency?size1=1 /api/lots /api/findings /tile/entries/000.p/1 \
		/api/entries/2 /api/report; do
		urls+=(-o /dev/null "$base$p")
	done
	for _ in $(seq 1 "$1"); do
		curl -s -w '%{http_code} %{url_effective}\n' "${urls[@]}" >>http.codes
	done
}

cli_reader 40 &
C=$!
audit_reader 20 &
A=$!
http_reader 100 &
H=$!
wait "$C" "$A" "$H"
touch readers.done
wait "$WRITER"

cli_reads=$(cat reads.* | wc -l)
http_reads=$(wc -l <http.codes)
total=$((cli_reads + http_reads))
http_bad=$(grep -vc '^200 ' http.codes)
echo "reads: $cli_reads by processes, $http_reads over HTTP; writer: $(cat writer.batches) batches"
[ "$total" -ge 1000 ] && ok || bad "only $total reads"
[ ! -s alarms ] && ok || bad "false alarms: $(head -c 3000 alarms)"
[ "$http_bad" = 0 ] && ok || bad "HTTP reads not 200: $(grep -v '^200 ' http.codes | head -5)"
[ ! -s writer.err ] && ok || bad "the writer failed: $(head -c 2000 writer.err)"
[ "$(cat writer.batches)" -ge 2 ] && ok || bad "the writer did not write while the readers read"
expect 0 '' -- "$CLI" verify-log --db l.db
expect 0 '' -- "$CLI" audit --db l.db
summary
