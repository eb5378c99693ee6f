#!/usr/bin/env bash
# CLI test: a --db that exists but is not a regular file (a directory, a
# FIFO, a device, a socket) is refused at once with a clear message and
# exit 3, by every kind of verb; a FIFO is never opened, so nothing hangs
# (each run is bounded to 10 s, so a regression fails instead of hanging).
. "$(dirname "$0")/lib.sh"

cd "$T"
mkdir dir
mkfifo fifo
python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" sock

for verb in checkpoint verify-log; do
	expect 3 "dir is a directory, not a ledger file" -- timeout 10 "$CLI" $verb --db dir
	expect 3 "fifo is a FIFO, not a ledger file" -- timeout 10 "$CLI" $verb --db fifo
	expect 3 "sock is a socket, not a ledger file" -- timeout 10 "$CLI" $verb --db sock
	expect 3 "/dev/null is a character device, not a ledger file" -- \
		timeout 10 "$CLI" $verb --db /dev/null
done
expect 3 "fifo is a FIFO, not a ledger file" -- timeout 10 "$CLI" trace --db fifo lot-1
# Nothing was created beside them (no -wal, -shm or journal files).
[ "$(ls | sort | tr '\n' ' ')" = "dir fifo sock " ] && ok || bad "files appeared: $(ls)"

summary
