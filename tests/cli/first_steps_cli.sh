#!/usr/bin/env bash
# first_steps_cli.sh: the README's "First steps" block, run exactly as
# written from an empty directory with `oretrail` on the PATH: `init`
# without --key-name makes an authority whose id is derived from the origin
# and that signs actor and site events straight away. Then what `init`
# refuses: a --key-name that is no actor id.
. "$(dirname "$0")/lib.sh"

cd "$T"
mkdir bin work
ln -s "$CLI" bin/oretrail

# The block after <!-- first-steps --> in README.md, between ```sh and ```.
awk '/<!-- first-steps -->/ {on = 1; next} on && /^```sh/ {inb = 1; next}
     inb && /^```/ {exit} inb {print}' "$TOP/README.md" >steps.sh
[ "$(grep -c oretrail steps.sh)" -ge 6 ] && ok || abort "no first-steps block in README.md"

(cd work && PATH="$T/bin:$PATH" bash -e -o pipefail ../steps.sh) >out 2>err &&
	ok || bad "the README's first steps failed: $(cat err)"
grep -q '^oretrail.example-first+[0-9a-f]\{8\}+' out && ok || bad "init's vkey: $(head -1 out)"
grep -q '^0 actor a1$' out && ok || bad "actor event not appended: $(cat out)"
grep -q '^1 site s1$' out && ok || bad "site event not appended: $(cat out)"
grep -q '^2 extract x1$' out && ok || bad "extract not appended: $(cat out)"
grep -q 'lot-1' out && ok || bad "no trace: $(cat out)"
grep -q 'the authority is actor oretrail.example-first' err && ok || bad "init's note: $(cat err)"

# The ledger's records name the authority as the signer of the registry.
"$CLI" audit --db work/l.db --json >audit.json && ok || bad "audit"
pycheck audit.json 'assert d["ok"] and d["entries"] == 3, d'

# An origin with slashes gives an actor id with dashes;
# --key-name must be one.
expect 0 '^a-b-c\+' -- "$CLI" init --db o.db --origin 'a/b/c'
expect 2 'is not valid: the key.s name is the authority.s actor id' -- \
	"$CLI" init --db p.db --origin test.example/p --key-name 'x/y'
[ ! -e p.db ] && [ ! -e p.db.key ] && ok || bad "a refused init left files"

summary
