# harness.bash: what the CLI test scripts that run servers share. Sourced
# (not a test itself: tests/CMakeLists.txt runs tests/cli/*.sh only).
#
#   harness_init NAME   a temporary directory $T, removed at exit with every
#                       background process started through `start`;
#                       counters for ok / bad and `summary` for the last line
#   expect CODE PATTERN -- CMD...
#                       CMD (bounded to 60 s) exits CODE and its stdout and
#                       stderr match PATTERN (grep -E; empty: anything)
#   start NAME CMD...   runs CMD in the background (output in $T/NAME.out and
#                       .err), waits for its "listening on
#                       http://127.0.0.1:PORT/" line; sets PORT and PID.
#                       Returns 1 (and says why) when it does not come up.

harness_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/oretrail-$1.XXXXXX")
	pids=()
	pass=0
	fail=0
	trap harness_cleanup EXIT
}

harness_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

expect() {
	local code=$1 pat=$2
	shift 3
	local out rc
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$code" ]; then
		bad "$* exited $rc, want $code: $out"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$out"; then
		bad "$* output does not match /$pat/: $out"
	else
		ok
	fi
}

# The runner's summary line; the exit status says whether anything failed.
summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}

start() {
	local name=$1
	shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	PID=$!
	pids+=("$PID")
	PORT=
	for _ in $(seq 1 100); do
		PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/$name.out")
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "server $name did not start: $(cat "$T/$name.err")" >&2
	return 1
}
