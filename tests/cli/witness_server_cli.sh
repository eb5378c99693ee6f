#!/usr/bin/env bash
# CLI test of `oretrail witness --listen`, the C2SP tlog-witness server
# (POST /add-checkpoint, GET /<origin hash>/checkpoint; the spec as revised
# on 2026-07-06), driven with curl on 127.0.0.1, every command bounded by
# timeout. Bodies are built from `oretrail checkpoint` and `oretrail proof
# consistency` (its golden JSON, read with python3):
#  - before anything is cosigned the monitoring path is 404; old 0 on a
#    fresh witness is cosigned (200, one cosignature line that `oretrail
#    serve --witness-key` accepts as valid), and then served on the
#    monitoring path (the log's signature and that cosignature), 404 for
#    another origin's hash, 405 for POST; asking again is 409 with the size
#    (text/x.tlog.size); growth with a proof is cosigned;
#  - wrong old size 409, old > size 400, a flipped proof hash 422 with the
#    evidence kept in DIR/fork-*.txt, same size with another root 422, a
#    proof from a size to itself 422, a checkpoint by another key 403,
#    another origin 404, junk 400, a large body 413, GET 405, another path
#    404;
#  - size zero on a fresh witness (another state directory): a root other
#    than the empty tree's 422, a proof with old 0 422, the empty tree 200;
#  - the state is the follow mode's: after the server cosigned, `oretrail
#    witness --once` against `oretrail serve` says unchanged, then cosigns
#    the grown log, and the server wants that size next;
#  - of eight concurrent requests for the same growth, one is cosigned and
#    seven get 409 (the check and the new state are one step).
# Checkpoints of another tree (same size) and of another origin are signed
# with the log's key by openssl (Ed25519, raw); those steps are skipped
# without an openssl that can.
. "$(dirname "$0")/lib.sh"
APPEND=${OT_APPEND_RAW:?}
command -v curl >/dev/null || { echo "witness_server_cli: skipped: no curl" >&2; exit 77; }
command -v python3 >/dev/null || { echo "witness_server_cli: skipped: no python3" >&2; exit 77; }

D=$T/log.db
timeout 30 "$CLI" init --db "$D" --origin test.example/log >/dev/null 2>&1 || bad "init"
timeout 60 "$APPEND" "$D" "$D.key" 10 || bad "append_raw 10"
mkdir -p "$T/keys"
"$CLI" key new w1.example --dir "$T/keys" >/dev/null 2>&1
"$CLI" witness --key "$T/keys/w1.example.key" --print-vkey >"$T/w1.cvkey"

start witness timeout 300 "$CLI" witness --listen 127.0.0.1:0 --log-key "$D.vkey" \
	--key "$T/keys/w1.example.key" --state "$T/w" || abort
W=http://127.0.0.1:$PORT

checkpoint() { timeout 30 "$CLI" checkpoint --db "$D" >"$T/$1" 2>&1 || bad "checkpoint $1"; }
# proof OLD NEW FILE: the consistency proof, one base64 hash a line.
proof() {
	timeout 30 "$CLI" proof consistency --db "$D" "$1" "$2" |
		python3 -c 'import json,sys; [print(h) for h in json.load(sys.stdin)["proof"]]' >"$T/$3" ||
		bad "proof $1 $2"
}
# body FILE OLD CHECKPOINT [PROOF]: an add-checkpoint request body.
body() {
	{ printf 'old %s\n' "$2"; [ -n "${4:-}" ] && cat "$T/$4"; printf '\n'; cat "$T/$3"; } >"$T/$1"
}
# add FILE: POSTs it; CODE, the answer in $T/ans, its Content-Type in TYPE.
add() {
	CODE=$(curl -s --max-time 10 -o "$T/ans" -D "$T/hdr" -w '%{http_code}' -X POST \
		--data-binary "@$T/$1" "$W/add-checkpoint")
	TYPE=$(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$T/hdr" | tr -d '\r')
}

# get PATH: GETs it; CODE, the answer in $T/ans, its Content-Type in TYPE.
get() {
	CODE=$(curl -s --max-time 10 -o "$T/ans" -D "$T/hdr" -w '%{http_code}' "$W$1")
	TYPE=$(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$T/hdr" | tr -d '\r')
}
# The monitoring path of an origin: /<lowercase hex SHA-256>/checkpoint.
mon() { printf '/%s/checkpoint' "$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)"; }
MON=$(mon test.example/log)

# --- nothing cosigned yet: nothing to monitor ---
get "$MON"
[ "$CODE" = 404 ] && ok || bad "monitoring before any cosignature: $CODE $(cat "$T/ans")"

# --- a fresh witness cosigns with old 0 ---
checkpoint cp10
body b10 0 cp10
add b10
[ "$CODE" = 200 ] && [ "$TYPE" = "text/plain; charset=utf-8" ] && [ "$(wc -l <"$T/ans")" = 1 ] &&
	grep -qE '^— w1\.example [A-Za-z0-9+/]{102}==$' "$T/ans" && ok || bad "old 0: $CODE $TYPE $(cat "$T/ans")"
cp "$T/ans" "$T/cosig10"
grep -qx 10 "$T/w/checkpoint" && grep -q '^— w1\.example ' "$T/w/checkpoint" && ok || bad "state after 10: $(cat "$T/w/checkpoint")"
# The monitoring path serves it: the log's checkpoint, its signature, the cosignature.
get "$MON"
[ "$CODE" = 200 ] && [ "$TYPE" = "text/plain; charset=utf-8" ] && cmp -s "$T/ans" "$T/w/checkpoint" &&
	[ "$(head -3 "$T/ans")" = "$(head -3 "$T/cp10")" ] && grep -qFx "$(sed -n 5p "$T/cp10")" "$T/ans" &&
	grep -qFx "$(cat "$T/cosig10")" "$T/ans" && ok || bad "monitoring after 10: $CODE $TYPE $(cat "$T/ans")"
cp "$T/ans" "$T/mon10"
get "$(mon stranger.example/log)"
[ "$CODE" = 404 ] && ok || bad "monitoring another origin: $CODE $(cat "$T/ans")"
get "$(mon test.example/log | tr a-f A-F)"
[ "$CODE" = 404 ] && ok || bad "monitoring with an upper-case hash: $CODE"
c=$(curl -s --max-time 10 -o /dev/null -D "$T/hdr" -w '%{http_code}' -X POST --data-binary "@$T/b10" "$W$MON")
[ "$c" = 405 ] && grep -qi '^Allow: GET' "$T/hdr" && ok || bad "POST to the monitoring path: $c"
# The same request again: the witness has moved on to 10.
add b10
[ "$CODE" = 409 ] && [ "$TYPE" = "text/x.tlog.size" ] && [ "$(cat "$T/ans")" = 10 ] &&
	[ "$(tail -c 1 "$T/ans" | od -An -c | tr -d ' ')" = '\n' ] && ok || bad "again: $CODE $TYPE $(cat "$T/ans")"
# Same size, same tree, old right: cosigned again (a new cosignature, served next).
body b10b 10 cp10
add b10b
[ "$CODE" = 200 ] && grep -q '^— w1\.example ' "$T/ans" && ok || bad "10 to 10: $CODE $(cat "$T/ans")"
get "$MON"
[ "$CODE" = 200 ] && cmp -s "$T/ans" "$T/w/checkpoint" && ok || bad "monitoring after 10 again: $CODE"

# --- the cosignature is valid: the log takes it as w1's, and then the
# follow mode on the same state has nothing to do ---
start log timeout 300 "$CLI" serve --db "$D" --listen 127.0.0.1:0 --quiet --read-only \
	--witness-key "$T/w1.cvkey" || bad "serve"
L=http://127.0.0.1:$PORT
start logw timeout 300 "$CLI" serve --db "$D" --listen 127.0.0.1:0 --quiet --key "$D.key" \
	--witness-key "$T/w1.cvkey" || bad "serve with key"
LW=http://127.0.0.1:$PORT
cat "$T/cp10" "$T/cosig10" >"$T/cp10.cosigned"
c=$(curl -s --max-time 10 -o "$T/post.body" -w '%{http_code}' -X POST --data-binary "@$T/cp10.cosigned" "$LW/witness/cosignature")
[ "$c" = 200 ] && ok || bad "the log refused the cosignature: $c $(cat "$T/post.body")"
timeout 60 "$CLI" witness --log "$LW" --log-key "$D.vkey" --key "$T/keys/w1.example.key" \
	--state "$T/w" --once >"$T/f1.out" 2>&1 && grep -q "^unchanged: 10 entries" "$T/f1.out" && ok || bad "follow after serve: $(cat "$T/f1.out")"

# --- growth with a proof ---
timeout 60 "$APPEND" "$D" "$D.key" 7 || bad "append_raw 7"
checkpoint cp17
proof 10 17 p10-17
body b17 10 cp17 p10-17
add b17
[ "$CODE" = 200 ] && grep -q '^— w1\.example ' "$T/ans" && ok || bad "10 to 17: $CODE $(cat "$T/ans")"
grep -qx 17 "$T/w/checkpoint" && ok || bad "state after 17"
# A wrong old size: 409 with the size the witness has.
add b10b
[ "$CODE" = 409 ] && [ "$TYPE" = "text/x.tlog.size" ] && [ "$(cat "$T/ans")" = 17 ] && ok || bad "wrong old: $CODE $TYPE $(cat "$T/ans")"
# Old larger than the checkpoint: 400.
body b30 30 cp17
add b30
[ "$CODE" = 400 ] && ok || bad "old > size: $CODE $(cat "$T/ans")"
# Old 0 (with a proof) to a witness at 17 is a wrong old size first.
body b0p 0 cp17 p10-17
add b0p
[ "$CODE" = 409 ] && [ "$(cat "$T/ans")" = 17 ] && ok || bad "old 0 at 17: $CODE $(cat "$T/ans")"

# --- a bad proof: 422, evidence kept, state unchanged ---
timeout 60 "$APPEND" "$D" "$D.key" 5 || bad "append_raw 5"
checkpoint cp22
proof 17 22 p17-22
python3 - "$T/p17-22" "$T/p17-22.bad" <<'EOF'
import base64, sys
lines = open(sys.argv[1]).read().split()
h = bytearray(base64.b64decode(lines[0])); h[0] ^= 1
lines[0] = base64.b64encode(bytes(h)).decode()
open(sys.argv[2], "w").write("".join(l + "\n" for l in lines))
EOF
cp "$T/w/checkpoint" "$T/w.before"
body b22bad 17 cp22 p17-22.bad
add b22bad
[ "$CODE" = 422 ] && grep -q "consistency proof does not verify" "$T/ans" && ok || bad "flipped proof: $CODE $(cat "$T/ans")"
ev=$(ls "$T"/w/fork-*.txt 2>/dev/null | head -1)
[ -n "$ev" ] && grep -q "^reason: the tree of 17 entries is not a prefix of the tree of 22" "$ev" &&
	grep -qx 17 "$ev" && grep -qx 22 "$ev" && ok || bad "evidence: $(cat "$ev" 2>/dev/null)"
cmp -s "$T/w/checkpoint" "$T/w.before" && ok || bad "the state changed after a bad proof"
# A missing proof line is as bad.
head -n -1 "$T/p17-22" >"$T/p17-22.short"
body b22short 17 cp22 p17-22.short
add b22short
[ "$CODE" = 422 ] && ok || bad "short proof: $CODE $(cat "$T/ans")"
# The right proof is still cosigned.
body b22 17 cp22 p17-22
add b22
[ "$CODE" = 200 ] && grep -qx 22 "$T/w/checkpoint" && ok || bad "17 to 22: $CODE $(cat "$T/ans")"
get "$MON"
[ "$CODE" = 200 ] && sed -n 2p "$T/ans" | grep -qx 22 && ok || bad "monitoring after 22: $CODE $(cat "$T/ans")"
# The same size with a proof: the proof from 22 to 22 is empty, so 422.
body b22p 22 cp22 p17-22
add b22p
[ "$CODE" = 422 ] && grep -qx 22 "$T/w/checkpoint" && ok || bad "22 to 22 with a proof: $CODE $(cat "$T/ans")"

# --- signatures and origins ---
# Another key (named like the log's): 403.
timeout 30 "$CLI" init --db "$T/other.db" --origin test.example/log >/dev/null 2>&1
timeout 30 "$CLI" checkpoint --db "$T/other.db" >"$T/cp-other"
body bother 22 cp-other
add bother
[ "$CODE" = 403 ] && ok || bad "another key: $CODE $(cat "$T/ans")"
# Another origin (and its own key): 404, not 403.
timeout 30 "$CLI" init --db "$T/stranger.db" --origin stranger.example/log >/dev/null 2>&1
timeout 30 "$CLI" checkpoint --db "$T/stranger.db" >"$T/cp-stranger"
body bstranger 0 cp-stranger
add bstranger
[ "$CODE" = 404 ] && ok || bad "another origin: $CODE $(cat "$T/ans")"
# A signature that does not verify (a flipped byte): 403.
python3 - "$T/cp22" "$T/cp22.bad" <<'EOF'
import base64, sys
text, sigs = open(sys.argv[1], encoding="utf-8").read().split("\n\n")
dash, name, b64 = sigs.strip().split(" ")
raw = bytearray(base64.b64decode(b64)); raw[10] ^= 1
open(sys.argv[2], "w", encoding="utf-8").write(text + "\n\n" + " ".join([dash, name, base64.b64encode(bytes(raw)).decode()]) + "\n")
EOF
body b22sig 22 cp22.bad
add b22sig
[ "$CODE" = 403 ] && ok || bad "bad signature: $CODE $(cat "$T/ans")"

# --- malformed requests ---
printf 'not a request\n' >"$T/junk"
add junk
[ "$CODE" = 400 ] && [ "$(wc -l <"$T/ans")" = 1 ] && ok || bad "junk: $CODE $(cat "$T/ans")"
{ printf 'old 022\n\n'; cat "$T/cp22"; } >"$T/zeros"
add zeros
[ "$CODE" = 400 ] && ok || bad "leading zeros: $CODE $(cat "$T/ans")"
{ printf 'old 22\nnot base64!\n\n'; cat "$T/cp22"; } >"$T/badline"
add badline
[ "$CODE" = 400 ] && grep -q "proof line 1" "$T/ans" && ok || bad "bad proof line: $CODE $(cat "$T/ans")"
{ printf 'old 22\n'; for _ in $(seq 64); do head -1 "$T/p17-22"; done; printf '\n'; cat "$T/cp22"; } >"$T/long"
add long
[ "$CODE" = 400 ] && grep -q "more than 63" "$T/ans" && ok || bad "64 proof lines: $CODE $(cat "$T/ans")"
printf 'old 22\n\nnot a note\n' >"$T/nonote"
add nonote
[ "$CODE" = 400 ] && ok || bad "not a note: $CODE $(cat "$T/ans")"
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/huge"
add huge
[ "$CODE" = 413 ] && ok || bad "huge body: $CODE"
c=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -X POST --data-binary "@$T/huge" "$W/add-checkpoint")
[ "$c" = 413 ] && ok || bad "huge chunked body: $c"
c=$(curl -s --max-time 10 -o /dev/null -D "$T/hdr" -w '%{http_code}' "$W/add-checkpoint")
[ "$c" = 405 ] && grep -qi '^Allow: POST' "$T/hdr" && ok || bad "GET: $c"
c=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X POST --data-binary "@$T/b22" "$W/checkpoint")
[ "$c" = 404 ] && ok || bad "other path: $c"
# After all that, the state is still 22 and the server still answers.
add b10b
[ "$CODE" = 409 ] && [ "$(cat "$T/ans")" = 22 ] && ok || bad "still 22: $CODE $(cat "$T/ans")"

# --- the follow mode moves the shared state on; the server follows ---
timeout 60 "$APPEND" "$D" "$D.key" 3 || bad "append_raw 3"
timeout 60 "$CLI" witness --log "$L" --log-key "$D.vkey" --key "$T/keys/w1.example.key" \
	--state "$T/w" --once --no-submit >"$T/f2.out" 2>&1 && grep -q "^cosigned: 25 entries" "$T/f2.out" && ok || bad "follow to 25: $(cat "$T/f2.out")"
add b22
[ "$CODE" = 409 ] && [ "$(cat "$T/ans")" = 25 ] && ok || bad "server after follow: $CODE $(cat "$T/ans")"

# --- checkpoints signed with the log's own key by openssl ---
# forge FILE ORIGIN SIZE ROOT: a checkpoint signed with $D.key (or $FORGE_KEY).
forge() {
	python3 - "${FORGE_KEY:-$D.key}" "$T" "$@" <<'EOF'
import base64, subprocess, sys
key, t, out, origin, size, root = sys.argv[1:]
_, _, name, kid, b64 = open(key).read().strip().split("+", 4)
der = t + "/k.der"
open(der, "wb").write(bytes.fromhex("302e020100300506032b657004220420") + base64.b64decode(b64)[1:])
msg = "%s\n%s\n%s\n" % (origin, size, root)
open(t + "/msg", "w").write(msg)
sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-keyform", "DER", "-inkey", der, "-rawin",
                      "-in", t + "/msg"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                     timeout=30, check=True).stdout
assert len(sig) == 64
line = "\u2014 %s %s\n" % (name, base64.b64encode(bytes.fromhex(kid) + sig).decode())
open(t + "/" + out, "w", encoding="utf-8").write(msg + "\n" + line)
EOF
}
if command -v openssl >/dev/null && forge cp-self test.example/log 25 "$(sed -n 3p "$T/cp22")" 2>/dev/null; then
	# Sanity: a forged copy of a real checkpoint is accepted as the log's (same tree: 200).
	checkpoint cp25
	forge cp25f test.example/log 25 "$(sed -n 3p "$T/cp25")"
	body b25 25 cp25f
	add b25
	[ "$CODE" = 200 ] && ok || bad "openssl-signed copy of 25: $CODE $(cat "$T/ans")"
	# Same size, another root, signed by the log's key: 422 and evidence.
	rm -f "$T"/w/fork-*.txt
	body bself 25 cp-self
	add bself
	[ "$CODE" = 422 ] && [ "$TYPE" = "text/plain; charset=utf-8" ] &&
		grep -q "two different trees of 25 entries" "$T/ans" && ok || bad "same size, other root: $CODE $(cat "$T/ans")"
	ls "$T"/w/fork-*.txt >/dev/null 2>&1 && ok || bad "evidence of the fork"
	# The witness still serves the tree it cosigned, not the refused one.
	get "$MON"
	[ "$CODE" = 200 ] && [ "$(sed -n 3p "$T/ans")" = "$(sed -n 3p "$T/cp25")" ] && ok || bad "monitoring after the fork: $CODE $(cat "$T/ans")"
	# Another origin signed by the log's key: 404.
	forge cp-origin other.example/log 25 "$(sed -n 3p "$T/cp25")"
	body borigin 25 cp-origin
	add borigin
	[ "$CODE" = 404 ] && grep -q 'knows only "test.example/log"' "$T/ans" && ok || bad "other origin, log key: $CODE $(cat "$T/ans")"
else
	echo "witness_server_cli: openssl-signed steps skipped (no openssl with Ed25519)" >&2
fi

# --- concurrent requests: check and persist are one step ---
# Eight clients send the same growth 25 -> 30 at once: one is cosigned,
# the others find the witness already at 30.
timeout 60 "$APPEND" "$D" "$D.key" 5 || bad "append_raw 5"
checkpoint cp30
proof 25 30 p25-30
body b30ok 25 cp30 p25-30
cpids=()
for i in 1 2 3 4 5 6 7 8; do
	curl -s --max-time 10 -o "$T/par$i.body" -w '%{http_code}' -X POST \
		--data-binary "@$T/b30ok" "$W/add-checkpoint" >"$T/par$i.code" &
	cpids+=($!)
done
wait "${cpids[@]}"
n200=$(cat "$T"/par*.code | grep -o 200 | wc -l)
n409=$(cat "$T"/par*.code | grep -o 409 | wc -l)
[ "$n200" = 1 ] && [ "$n409" = 7 ] && [ "$(cat "$T"/par*.body | grep -cx 30)" = 7 ] &&
	grep -qx 30 "$T/w/checkpoint" && ok || bad "concurrent: $n200 x 200, $n409 x 409"

# --- size zero, on a fresh witness of an empty log ---
D0=$T/empty.db
timeout 30 "$CLI" init --db "$D0" --origin zero.example/log >/dev/null 2>&1 || bad "init empty"
timeout 30 "$CLI" checkpoint --db "$D0" >"$T/cp0" 2>&1 || bad "checkpoint of the empty log"
W1=$W
if start witness0 timeout 300 "$CLI" witness --listen 127.0.0.1:0 --log-key "$D0.vkey" \
	--key "$T/keys/w1.example.key" --state "$T/w0"; then
	W=http://127.0.0.1:$PORT
	MON0=$(mon zero.example/log)
	get "$MON0"
	[ "$CODE" = 404 ] && ok || bad "monitoring a fresh witness: $CODE"
	# Old 0 takes no proof, even for the empty tree.
	{ printf 'old 0\n'; head -1 "$T/p17-22"; printf '\n'; cat "$T/cp0"; } >"$T/b0proof"
	add b0proof
	[ "$CODE" = 422 ] && grep -q "proof must be empty" "$T/ans" && [ ! -e "$T/w0/checkpoint" ] &&
		ok || bad "old 0 with a proof: $CODE $(cat "$T/ans")"
	if command -v openssl >/dev/null &&
		FORGE_KEY=$D0.key forge cp0bad zero.example/log 0 "$(sed -n 3p "$T/cp22")" 2>/dev/null; then
		# Size zero with a root that is not the empty tree's: 422, nothing kept.
		body b0bad 0 cp0bad
		add b0bad
		[ "$CODE" = 422 ] && grep -q "root of the empty tree" "$T/ans" && [ ! -e "$T/w0/checkpoint" ] &&
			ok || bad "size 0, another root: $CODE $(cat "$T/ans")"
	fi
	# The empty tree itself: cosigned, then served.
	body b0 0 cp0
	add b0
	[ "$CODE" = 200 ] && grep -q '^— w1\.example ' "$T/ans" && ok || bad "the empty tree: $CODE $(cat "$T/ans")"
	get "$MON0"
	[ "$CODE" = 200 ] && sed -n 2p "$T/ans" | grep -qx 0 && ok || bad "monitoring the empty tree: $CODE $(cat "$T/ans")"
	get "$MON"
	[ "$CODE" = 404 ] && ok || bad "the other log's hash on this witness: $CODE"
	if [ -e "$T/cp0bad" ]; then
		# At size 0 now: the other size-zero root is 422 and kept as evidence.
		add b0bad
		[ "$CODE" = 422 ] && ls "$T"/w0/fork-*.txt >/dev/null 2>&1 && ok || bad "size 0 at 0, another root: $CODE $(cat "$T/ans")"
	fi
else
	bad "the second witness did not start"
fi
W=$W1

# --- usage, and a clean stop ---
timeout 10 "$CLI" witness --listen 127.0.0.1:0 --log "$L" --log-key "$D.vkey" --key "$T/keys/w1.example.key" --state "$T/w" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--listen with --log"
timeout 10 "$CLI" witness --listen nowhere --log-key "$D.vkey" --key "$T/keys/w1.example.key" --state "$T/w" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--listen without a port"
kill -TERM "${pids[0]}"
timeout 10 tail --pid="${pids[0]}" -f /dev/null && ok || bad "the witness did not stop on SIGTERM"
grep -q "POST /add-checkpoint 200 cosigned" "$T/witness.err" && grep -q "POST /add-checkpoint 409 25" "$T/witness.err" && ok || bad "request log: $(head -5 "$T/witness.err")"

summary
