#!/usr/bin/env bash
# CLI test of the two programs of the oretrail command (issue 16; cli/net.c):
# `oretrail` links no HTTP, TLS or PostgreSQL library; serve, witness,
# monitor and submit --server run in oretrail-net beside it, in the same
# process (its id, standard input and output); without oretrail-net they
# fail with exit 3 naming its path while every other verb still works; and
# a postgresql:// ledger whose libpq cannot be used fails with exit 3
# naming the library.
. "$(dirname "$0")/lib.sh"
NET=$(dirname "$CLI")/oretrail-net
EMPTY=${OT_LIBPQ_EMPTY:?}
cd "$T"

# What the dynamic loader maps: none of the network stacks for oretrail,
# libmicrohttpd and libcurl for oretrail-net.
command -v readelf >/dev/null || abort "readelf (binutils) is needed"
needed=$(readelf -d "$CLI" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] && ok || bad "readelf found no NEEDED entry in $CLI"
heavy=$(grep -E 'microhttpd|curl|libpq|ssl|gnutls|nghttp|ldap|gssapi|krb5' <<<"$needed")
[ -z "$heavy" ] && ok || bad "oretrail links $heavy"
net_needed=$(readelf -d "$NET" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
grep -q microhttpd <<<"$net_needed" && grep -q curl <<<"$net_needed" && ok ||
	bad "oretrail-net does not link libmicrohttpd and libcurl: $net_needed"
grep -q libpq <<<"$net_needed" && bad "oretrail-net links libpq at start-up" || ok

# The same usage text either way.
[ "$("$CLI" serve --help)" = "$("$NET" serve --help)" ] && ok || bad "serve --help differs"
expect 0 "usage: oretrail monitor" -- "$CLI" monitor --help
expect 2 "--db is required" -- "$CLI" serve

# Served through oretrail: the process is oretrail-net's, the same id.
"$CLI" init --db l.db --origin test.example/split --key-name gov >/dev/null 2>&1 || abort "init"
start srv "$CLI" serve --db l.db --listen 127.0.0.1:0 || abort
[ "$(readlink "/proc/$PID/exe")" = "$(readlink -f "$NET")" ] && ok ||
	bad "serve runs as $(readlink "/proc/$PID/exe"), not oretrail-net"

# submit --server reads its events from standard input after the exec.
event='{"type":"site","id":"s1","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"gov","country":"PK"}'
out=$(echo "$event" | "$CLI" submit --server "http://127.0.0.1:$PORT" --key l.db.key - 2>err)
[ $? = 0 ] && [ "$out" = "0 site s1" ] && ok || bad "submit --server from stdin: $out $(cat err)"
[ "$("$CLI" checkpoint --db l.db | sed -n 2p)" = 1 ] && ok || bad "the event is not in the ledger"

# oretrail alone: the network verbs say where oretrail-net should be.
mkdir alone && cp "$CLI" alone/oretrail
gone="oretrail: (serve|witness|monitor|submit): this verb is in $T/alone/oretrail-net, which cannot be run \(No such file or directory\): install it in the directory of oretrail"
expect 3 "$gone" -- alone/oretrail serve --db l.db --listen 127.0.0.1:0
expect 3 "$gone" -- alone/oretrail witness --help
expect 3 "$gone" -- alone/oretrail monitor --log http://127.0.0.1:1 --once
expect 3 "$gone" -- alone/oretrail submit --server http://127.0.0.1:1 --key l.db.key x
expect 0 "^test.example/split" -- alone/oretrail checkpoint --db l.db
expect 0 "" -- alone/oretrail verify-log --db l.db

# libpq is loaded on the first postgresql:// ledger: one without its
# functions is an error naming it, exit 3, whatever the verb.
expect 3 "PostgreSQL: cannot load libpq.so.5 \(libpq.so.5 has no function PQ[A-Za-z]*\)" -- \
	env LD_LIBRARY_PATH="$EMPTY" "$CLI" checkpoint --db postgresql://127.0.0.1:1/none
expect 3 "cannot load libpq.so.5" -- \
	env LD_LIBRARY_PATH="$EMPTY" "$CLI" init --db postgresql://127.0.0.1:1/none --origin x/y
summary
