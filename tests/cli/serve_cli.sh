#!/usr/bin/env bash
# CLI test of `oretrail serve`: its usage errors (exit 2) and the clear
# message for each, the "listening on" line, the access log in Common Log
# Format on stderr and --quiet, --read-only without a key, a port already
# in use, and a clean exit 0 on SIGTERM. HTTP through bash's /dev/tcp, so no
# client needs to be installed; everything on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
APPEND=${OT_APPEND_RAW:?}

# serve NAME ARGS...: `oretrail serve ARGS` in the background (lib.sh
# start); sets PORT and PID.
serve() {
	local name=$1
	shift
	start "$name" "$CLI" serve "$@"
}

# get PORT PATH: prints the response (status line, headers, body).
get() {
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
	timeout 10 cat <&3
	exec 3<&-
}

cd "$T"
expect 0 "usage: oretrail serve" -- "$CLI" serve --help
expect 2 "--db is required" -- "$CLI" serve
expect 2 "unexpected argument" -- "$CLI" serve --db a.db extra
expect 2 "--threads 0: expected a number" -- "$CLI" serve --db a.db --threads 0
expect 2 "no such ledger" -- "$CLI" serve --db missing.db --read-only

"$CLI" init --db a.db --origin test.example/serve >/dev/null 2>&1 || bad "init"
"$APPEND" a.db a.db.key 300 50 || bad "append_raw"
expect 2 "no key at .*nokey.db.key.*--read-only" -- "$CLI" serve --db nokey.db
expect 2 "No such file" -- "$CLI" serve --db a.db --key nothere.key
expect 2 "expected HOST:PORT" -- "$CLI" serve --db a.db --listen bogus
expect 2 "the port must be 0-65535" -- "$CLI" serve --db a.db --listen 127.0.0.1:99999

# Serving, with the access log on stderr.
if serve main --db a.db --listen 127.0.0.1:0; then
	ok
	main_pid=$PID main_port=$PORT
	resp=$(get "$PORT" /checkpoint)
	grep -q "^HTTP/1.1 200" <<<"$resp" && ok || bad "GET /checkpoint: $resp"
	grep -qx "300" <(tr -d '\r' <<<"$resp") && ok || bad "checkpoint size: $resp"
	resp=$(get "$PORT" /tile/0/001.p/44)
	grep -q "^HTTP/1.1 200" <<<"$resp" && ok || bad "GET partial tile: $resp"
	resp=$(get "$PORT" /nothing)
	grep -q "^HTTP/1.1 404" <<<"$resp" && ok || bad "GET /nothing: $resp"
	# the access log line follows the answer: wait for it (bounded)
	for _ in $(seq 1 200); do grep -q '"GET /nothing HTTP' "$T/main.err" && break; sleep 0.05; done
	clf='^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} \+0000\] "GET /checkpoint HTTP/1\.1" 200 [0-9]+$'
	grep -qE "$clf" "$T/main.err" && ok || bad "no CLF line for GET /checkpoint: $(cat "$T/main.err")"
	grep -qE '"GET /nothing HTTP/1\.1" 404 [0-9]+$' "$T/main.err" && ok || bad "no CLF line for the 404"

	# The same port again: a clear error.
	expect 2 "in use" -- "$CLI" serve --db a.db --listen "127.0.0.1:$main_port"

	kill -TERM "$main_pid"
	wait "$main_pid"
	rc=$?
	[ "$rc" = 0 ] && ok || bad "exit status on SIGTERM: $rc"
else
	bad "the server did not start: $(cat "$T/main.err")"
fi

# --read-only needs no key; --quiet writes no access log.
mv a.db.key a.db.key.away
if serve ro --db a.db --listen 127.0.0.1:0 --read-only --quiet; then
	ok
	grep -q "(read-only)" "$T/ro.out" && ok || bad "read-only not announced: $(cat "$T/ro.out")"
	resp=$(get "$PORT" /checkpoint)
	grep -q "^HTTP/1.1 200" <<<"$resp" && ok || bad "read-only GET: $resp"
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}' >&3
	resp=$(timeout 10 cat <&3)
	exec 3<&-
	grep -q "^HTTP/1.1 503" <<<"$resp" && grep -q '"read_only"' <<<"$resp" && ok ||
		bad "POST on a read-only server: $resp"
	sleep 0.2
	[ ! -s "$T/ro.err" ] && ok || bad "--quiet still logged: $(cat "$T/ro.err")"
	kill -TERM "$PID"
	wait "$PID" && ok || bad "read-only server exit status"
else
	bad "the read-only server did not start: $(cat "$T/ro.err")"
fi

summary
