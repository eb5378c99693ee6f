#!/bin/sh
# pg-stop.sh STATE_DIR: stops the cluster pg-start.sh started (pg_ctl -m
# immediate: a test cluster needs no clean shutdown) and removes its
# directory. Does nothing when none was started.
set -u
state=${1:?usage: pg-stop.sh STATE_DIR}
[ -f "$state/pg.dir" ] || exit 0
dir=$(cat "$state/pg.dir")
user=$(cat "$state/pg.user" 2>/dev/null || true)
bindir=$(cat "$state/pg.bindir" 2>/dev/null || true)
if [ -n "$bindir" ] && [ -d "$dir/data" ]; then
	if [ -n "$user" ]; then
		runuser -u "$user" -- "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null
	else
		"$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null
	fi
fi
case $dir in
*/ot-pg.*) rm -rf "$dir" ;;
esac
rm -f "$state/pg.uri" "$state/pg.dir" "$state/pg.user" "$state/pg.bindir"
