#!/usr/bin/env bash
# CLI test of `oretrail serve --witness FILE=URL`: the log asks C2SP
# tlog-witness witnesses (`oretrail witness --listen`) for cosignatures, all
# on 127.0.0.1 with free ports, every command bounded by timeout:
#  - first contact: two fresh witnesses are sent `old 0` and cosign; the
#    served /checkpoint then carries both lines, and so does `oretrail
#    checkpoint` (the cosignatures are kept in the store);
#  - resync: a third witness that already cosigned an older size answers
#    the first `old 0` with 409 and that size; the log asks again with a
#    proof from there and gets its cosignature;
#  - growth: another process appends while the log is served; every
#    witness cosigns the new size, from the size it last cosigned, with a
#    consistency proof;
#  - a witness that cannot be reached does not hold the others up;
#  - a witness that cosigned a larger tree than the log's is an ALERT line
#    on stderr, even with --quiet, and so is a fork (a tree of the same log
#    key that does not extend what the witness cosigned: 422);
#  - usage: --witness without FILE=URL, and with --read-only, is 2.
. "$(dirname "$0")/lib.sh"
APPEND=${OT_APPEND_RAW:?}
command -v curl >/dev/null || { echo "witness_pull_cli: skipped: no curl" >&2; exit 77; }

D=$T/log.db
timeout 30 "$CLI" init --db "$D" --origin test.example/log >/dev/null 2>&1 || bad "init"
timeout 60 "$APPEND" "$D" "$D.key" 10 || bad "append_raw 10"
mkdir -p "$T/keys"
for w in w1 w2 w3 w4; do
	"$CLI" key new $w.example --dir "$T/keys" >/dev/null 2>&1 || bad "key new $w"
	"$CLI" witness --key "$T/keys/$w.example.key" --print-vkey >"$T/$w.cvkey" || bad "vkey $w"
done

# witness NAME: `oretrail witness --listen` for the log; sets URL_<NAME>.
witness() {
	start "$1" timeout 300 "$CLI" witness --listen 127.0.0.1:0 --log-key "$D.vkey" \
		--key "$T/keys/$1.example.key" --state "$T/$1" || abort
	eval "URL_$1=http://127.0.0.1:$PORT"
}
witness w1
witness w2
witness w3

# w3 cosigns the tree of 10 before the log talks to it; then the log grows.
{ echo "old 0"; echo; timeout 30 "$CLI" checkpoint --db "$D"; } >"$T/b10"
c=$(curl -s --max-time 10 -o "$T/ans" -w '%{http_code}' -X POST --data-binary "@$T/b10" \
	"$URL_w3/add-checkpoint")
[ "$c" = 200 ] && grep -qx 10 "$T/w3/checkpoint" && ok || bad "w3 at 10: $c $(cat "$T/ans")"
timeout 60 "$APPEND" "$D" "$D.key" 5 || bad "append_raw 5"
# A copy of the log at 15, for later.
mkdir -p "$T/old"
cp "$D"* "$T/old/"

# Usage errors.
timeout 30 "$CLI" serve --db "$D" --key "$D.key" --witness "$T/w1.cvkey" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--witness without a URL"
timeout 30 "$CLI" serve --db "$D" --read-only --witness "$T/w1.cvkey=$URL_w1" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--witness with --read-only"

# w4 listens nowhere: port 1 on loopback refuses at once.
start log timeout 300 "$CLI" serve --db "$D" --key "$D.key" --listen 127.0.0.1:0 --quiet \
	--witness "$T/w1.cvkey=$URL_w1" --witness "$T/w2.cvkey=$URL_w2" \
	--witness "$T/w3.cvkey=$URL_w3" --witness "$T/w4.cvkey=http://127.0.0.1:1" || abort
L=http://127.0.0.1:$PORT
LOG_PID=$PID

# cosigned SIZE: waits (20 s at most) until /checkpoint is of SIZE entries
# and carries the cosignatures of w1, w2 and w3.
cosigned() {
	for _ in $(seq 1 100); do
		curl -s --max-time 5 -o "$T/cp" "$L/checkpoint"
		if [ "$(sed -n 2p "$T/cp")" = "$1" ] && grep -q '^— w1\.example ' "$T/cp" &&
			grep -q '^— w2\.example ' "$T/cp" && grep -q '^— w3\.example ' "$T/cp"; then
			return 0
		fi
		sleep 0.2
	done
	echo "after 20 s: $(cat "$T/cp")" >&2
	return 1
}

# --- first contact (w1, w2 with old 0) and resync (w3: 409 10, then 10 -> 15) ---
cosigned 15 && ok || bad "cosignatures of 15"
grep -q '^— w4\.example ' "$T/cp" && bad "an unreachable witness's line" || ok
for w in w1 w2 w3; do grep -qx 15 "$T/$w/checkpoint" || bad "$w state: $(cat "$T/$w/checkpoint")"; done
grep -q ' 409 ' "$T/w3.err" && ok || bad "w3 never answered 409: $(cat "$T/w3.err")"
grep -q ' 409 ' "$T/w1.err" && bad "w1 answered 409: $(cat "$T/w1.err")" || ok
# The cosignatures are kept: `oretrail checkpoint` shows the same.
timeout 30 "$CLI" checkpoint --db "$D" >"$T/cp.cli" 2>&1 || bad "checkpoint"
cmp -s "$T/cp" "$T/cp.cli" && ok || bad "checkpoint differs from /checkpoint: $(cat "$T/cp.cli")"

# --- growth: another process appends while the log is served ---
timeout 60 "$APPEND" "$D" "$D.key" 7 || bad "append_raw 7"
cosigned 22 && ok || bad "cosignatures of 22"
for w in w1 w2 w3; do grep -qx 22 "$T/$w/checkpoint" || bad "$w state after growth"; done
# Each witness was asked once per size: no 409 nor 422 on the way.
grep -E ' (409|422) ' "$T/w1.err" "$T/w2.err" && bad "refusals on growth" || ok
timeout 60 "$APPEND" "$D" "$D.key" 3 || bad "append_raw 3"
cosigned 25 && ok || bad "cosignatures of 25"
timeout 30 "$CLI" checkpoint --db "$D" >"$T/cp.cli" 2>&1
[ "$(grep -c '^— w[123]\.example ' "$T/cp.cli")" = 3 ] && ok || bad "checkpoint at 25: $(cat "$T/cp.cli")"

# A log that lags behind what w1 cosigned (the copy at 15): w1 answers 409
# 25, which is no extension of ours: an ALERT, even with --quiet.
start old timeout 300 "$CLI" serve --db "$T/old/log.db" --key "$T/old/log.db.key" \
	--listen 127.0.0.1:0 --quiet --witness "$T/w1.cvkey=$URL_w1" || bad "serve the copy"
for _ in $(seq 1 100); do grep -q 'ALERT' "$T/old.err" && break; sleep 0.2; done
grep -q "ALERT: witness w1.example has cosigned a tree of 25 entries; this log holds 15" \
	"$T/old.err" && ok || bad "no alert: $(cat "$T/old.err")"
grep -qx 25 "$T/w1/checkpoint" && ok || bad "w1 state moved back"
kill -TERM "$PID"
wait "$PID" 2>/dev/null

# A fork: the copy at 15 grows another way (11 entries of other bytes, by
# the same log key: 26 entries, not an extension of the 25 w1 cosigned).
# w1 answers 409 25, then 422 to the proof from 25: an ALERT, and w1 keeps
# what it had, with the refused checkpoint as evidence.
timeout 60 "$APPEND" "$T/old/log.db" "$T/old/log.db.key" 11 100 fork || bad "append_raw to the fork"
start fork timeout 300 "$CLI" serve --db "$T/old/log.db" --key "$T/old/log.db.key" \
	--listen 127.0.0.1:0 --quiet --witness "$T/w1.cvkey=$URL_w1" || bad "serve the fork"
for _ in $(seq 1 100); do grep -q 'ALERT' "$T/fork.err" && break; sleep 0.2; done
grep -q "ALERT: witness w1.example refuses the tree of 26 entries from 25 (HTTP 422" "$T/fork.err" &&
	ok || bad "no alert for the fork: $(cat "$T/fork.err")"
grep -qx 25 "$T/w1/checkpoint" && ls "$T"/w1/fork-*.txt >/dev/null 2>&1 && ok ||
	bad "w1 after the fork: $(ls "$T/w1")"
kill -TERM "$PID"

# The server stops cleanly (the thread asking w4 included).
kill -TERM "$LOG_PID"
for _ in $(seq 1 100); do kill -0 "$LOG_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$LOG_PID" 2>/dev/null && bad "serve did not stop" || ok
wait "$LOG_PID"
[ $? = 0 ] && ok || bad "serve exit status"

summary
