#!/usr/bin/env bash
# CLI test of a large all-or-none submission: 1000 events, of which event
# 500 is bad. Nothing may be appended (the checkpoint stays as it was) and
# the error must name event 500, its line and the field. Then the same file,
# corrected, goes in whole: 1000 entries, indexes in order, and the log
# verifies.
. "$(dirname "$0")/lib.sh"

cd "$T"
# The ledger: an SQLite file, or a PostgreSQL database (OT_DB_BACKEND, lib.sh).
L=$(ledger l.db) || exit $?
LK=$(ledger_key "$L" .key)
"$CLI" init --db "$L" --origin test.example/batch --key-name gov >/dev/null 2>&1 || bad "init"
"$CLI" key new fwo >/dev/null 2>&1 || bad "key new"
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"resource","id":"a3","time":"2025-09-01T08:00:00Z","site":"mine-1","category":"indicated","ore_t":100000}
JSON
"$CLI" submit --db "$L" --key "$LK" reg.jsonl >/dev/null 2>&1 || bad "registration"

# 1000 extractions, one per line; event 500 has a negative mass.
python3 - <<'PY'
import json
with open("good.jsonl", "w") as good, open("bad.jsonl", "w") as bad:
    for i in range(1, 1001):
        ev = {"type": "extract", "id": "x%04d" % i, "time": "2025-09-02T08:00:00Z",
              "site": "mine-1", "lot": "ore-%04d" % i, "material": "ore",
              "mass_g": 1000000 + i, "assay": {"Nd": 4000, "Pr": 1200}}
        good.write(json.dumps(ev) + "\n")
        if i == 500:
            ev["mass_g"] = -5
        bad.write(json.dumps(ev) + "\n")
PY

"$CLI" checkpoint --db "$L" >cp.before
out=$("$CLI" submit --db "$L" --key fwo.key bad.jsonl 2>&1)
rc=$?
[ $rc = 4 ] && ok || bad "exit $rc, want 4: $out"
want="oretrail: submit: event 500 (line 500) rejected, nothing appended: event x0500: mass_g: -5 is outside 1..1000000000000000"
[ "$out" = "$want" ] && ok || bad "message: $out"
"$CLI" checkpoint --db "$L" >cp.after
cmp -s cp.before cp.after && ok || bad "the checkpoint changed: $(diff cp.before cp.after)"
[ "$(sed -n 2p cp.after)" = 3 ] && ok || bad "size: $(sed -n 2p cp.after)"

"$CLI" submit --db "$L" --key fwo.key --json bad.jsonl >rej.json 2>/dev/null
python3 -c "
import json
e = json.load(open('rej.json'))['error']
assert e == {'code': 'bad_field', 'message': 'event x0500: mass_g: -5 is outside 1..1000000000000000',
             'index': 499, 'event': 500, 'line': 500, 'id': 'x0500'}, e" && ok || bad "--json: $(cat rej.json)"

# The same as a JSON array: the position is still event 500.
python3 -c "
import json
print(json.dumps([json.loads(l) for l in open('bad.jsonl')]))" >bad.json
out=$("$CLI" submit --db "$L" --key fwo.key bad.json 2>&1)
[ "$out" = "oretrail: submit: event 500 rejected, nothing appended: event x0500: mass_g: -5 is outside 1..1000000000000000" ] && ok || bad "array: $out"

# Corrected, all of it goes in, in order.
"$CLI" submit --db "$L" --key fwo.key good.jsonl >good.out 2>good.err
[ $? = 0 ] && ok || bad "good batch: $(cat good.err)"
[ "$(wc -l <good.out)" = 1000 ] && ok || bad "lines: $(wc -l <good.out)"
[ "$(sed -n 1p good.out)" = "3 extract x0001" ] && [ "$(sed -n 500p good.out)" = "502 extract x0500" ] &&
	[ "$(sed -n 1000p good.out)" = "1002 extract x1000" ] && ok || bad "indexes: $(sed -n '1p;500p;1000p' good.out)"
grep -qx "oretrail: submit: appended 1000 of 1000 events (entries 3-1002); the log holds 1003 entries" good.err && ok || bad "summary: $(cat good.err)"
"$CLI" verify-log --db "$L" | grep -q "^ok: 1003 entries" && ok || bad "verify-log"
"$CLI" trace --db "$L" --json ore-0500 >t.json 2>/dev/null
python3 -c "
import json
d = json.load(open('t.json'))
assert d['mass_g'] == 1000500 and d['ancestry'] == [{'index': 502, 'type': 'extract', 'id': 'x0500'}], d" && ok || bad "trace of ore-0500"

summary
