#!/usr/bin/env bash
# CLI test of `oretrail key`: new keys in Go's note format, mode 0600, the
# verifier key printed and written beside, never an overwrite; `key show`;
# and the errors with their exact messages and exit codes.
. "$(dirname "$0")/lib.sh"

cd "$T"
expect 0 "usage: oretrail key new NAME" -- "$CLI" key --help
expect 0 "usage: oretrail key new NAME" -- "$CLI" key new --help
expect 2 "usage: oretrail key" -- "$CLI" key
expect 2 '^oretrail: key: no such key verb "frob" \(new, show\)$' -- "$CLI" key frob

vkey=$("$CLI" key new fwo 2>err)
[ $? = 0 ] && ok || bad "key new fwo failed: $(cat err)"
grep -qx "oretrail: key new: private key in ./fwo.key (mode 0600), verifier key in ./fwo.vkey" err && ok || bad "key new message: $(cat err)"
[[ "$vkey" =~ ^fwo\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$ ]] && ok || bad "vkey format: $vkey"
[ "$vkey" = "$(cat fwo.vkey)" ] && ok || bad "printed vkey differs from fwo.vkey"
[ "$(stat -c %a fwo.key)" = 600 ] && ok || bad "key file mode $(stat -c %a fwo.key)"
grep -qE '^PRIVATE\+KEY\+fwo\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$' fwo.key && ok || bad "key file format: $(cat fwo.key)"
# The key id in the private key is the verifier key's.
[ "$(cut -d+ -f4 fwo.key)" = "$(cut -d+ -f2 fwo.vkey)" ] && ok || bad "key ids differ"
[ "$("$CLI" key show fwo.key)" = "$vkey" ] && ok || bad "key show: $("$CLI" key show fwo.key 2>&1)"

# Never overwrite: the key, or a verifier key left alone.
cp fwo.key fwo.key.orig
expect 2 '^oretrail: key new: ./fwo.key already exists; not overwriting it$' -- "$CLI" key new fwo
cmp -s fwo.key fwo.key.orig && ok || bad "fwo.key was changed"
echo stale >lab.vkey
expect 2 '^oretrail: key new: ./lab.vkey already exists; not overwriting it$' -- "$CLI" key new lab
[ ! -e lab.key ] && ok || bad "lab.key written though lab.vkey existed"

# --dir, in either order.
mkdir keys
expect 0 "^ussm\+" -- "$CLI" key new --dir keys ussm
expect 0 "^pk-lab\+" -- "$CLI" key new pk-lab --dir keys
[ -f keys/ussm.key ] && [ -f keys/pk-lab.vkey ] && ok || bad "--dir: files missing"
expect 2 '^oretrail: key new: nowhere is not a directory$' -- "$CLI" key new x --dir nowhere

# Names are actor ids.
expect 2 '^oretrail: key new: "a/b" is not an actor id: use 1-128 letters, digits' -- "$CLI" key new a/b
expect 2 'is not an actor id' -- "$CLI" key new "bad+name"
expect 2 'is not an actor id' -- "$CLI" key new ""
expect 2 'is not an actor id' -- "$CLI" key new "$(printf 'a%.0s' {1..129})"
expect 0 "" -- "$CLI" key new "$(printf 'a%.0s' {1..128})"
expect 2 '^oretrail: key new: expected one NAME, the actor id$' -- "$CLI" key new
expect 2 '^oretrail: key new: expected one NAME, the actor id$' -- "$CLI" key new a b

# key show: a private key others can read is refused; junk is not a key.
cp fwo.key open.key
chmod 644 open.key
expect 2 "^oretrail: key show: open.key: the private key is readable by others \(mode 644\); run chmod 600 open.key$" -- "$CLI" key show open.key
echo junk >junk.key
chmod 600 junk.key
expect 2 "^oretrail: key show: junk.key: " -- "$CLI" key show junk.key
expect 2 "^oretrail: key show: missing.key: No such file or directory$" -- "$CLI" key show missing.key

summary
