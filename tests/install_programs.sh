#!/bin/sh
# install_programs.sh CMAKE BUILD_DIR DIR: `cmake --install` puts the two
# programs of the command, oretrail and oretrail-net, side by side in
# DIR/bin, and the installed oretrail runs both its own verbs and, through
# the installed oretrail-net, serve (issue 16; docs/events.md, "The two
# programs"); the shipped compliance profiles go to DIR/share/oretrail/profiles
# and the installed oretrail reads them there.
set -u
cmake=$1 build=$2 dir=$3
rm -rf "$dir"
fail=0
bad() { echo "install_programs: $*"; fail=$((fail + 1)); }
"$cmake" --install "$build" --prefix "$dir" >"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
for p in oretrail oretrail-net; do
	[ -x "$dir/bin/$p" ] || bad "no $dir/bin/$p"
done
[ "$(ls "$dir/bin" | wc -l)" = 2 ] || bad "bin/ holds $(ls "$dir/bin")"
# The shipped compliance profiles, beside bin/, and the installed oretrail
# reads them from there (not from the source tree it was built in).
for f in crma.json dfars-7052.json; do
	[ -f "$dir/share/oretrail/profiles/$f" ] || bad "no $dir/share/oretrail/profiles/$f"
done
out=$(env -u OT_PROFILES_DIR "$dir/bin/oretrail" comply --db "$dir/l.db" no-such-profile some-lot 2>&1)
echo "$out" | grep -q "cannot read $dir/bin/../share/oretrail/profiles/no-such-profile.json" ||
	bad "the installed oretrail looks for profiles elsewhere: $out"
"$dir/bin/oretrail" init --db "$dir/l.db" --origin test.example/install >/dev/null 2>&1 ||
	bad "the installed oretrail cannot init"
[ "$("$dir/bin/oretrail" checkpoint --db "$dir/l.db" | sed -n 1p)" = test.example/install ] ||
	bad "the installed oretrail's checkpoint"
"$dir/bin/oretrail" serve --help | grep -q "^usage: oretrail serve" ||
	bad "the installed oretrail does not reach oretrail-net's serve"
rm -f "$dir/bin/oretrail-net"
out=$("$dir/bin/oretrail" serve --db "$dir/l.db" 2>&1)
code=$?
[ "$code" = 3 ] && echo "$out" | grep -q "$dir/bin/oretrail-net, which cannot be run" ||
	bad "without oretrail-net: exit $code, $out"
echo "install_programs: $fail failed"
[ "$fail" = 0 ]
