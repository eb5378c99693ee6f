#!/usr/bin/env bash
# CLI test of `oretrail submit`: JSON lines, JSON arrays, comments, standard
# input, signing as the key's actor or --as ACTOR, already signed envelopes
# (--sign-only), all or none (a rejected event names its position and field,
# exits 4 and leaves the checkpoint as it was), --keep-going, --dry-run, the
# --json shapes, and every kind of bad input with its message and exit code.
. "$(dirname "$0")/lib.sh"

size() { "$CLI" checkpoint --db "$L" | sed -n 2p; }

cd "$T"
# The ledger: an SQLite file, or a PostgreSQL database (OT_DB_BACKEND, lib.sh).
L=$(ledger l.db) || exit $?
LK=$(ledger_key "$L" .key)
expect 0 "usage: oretrail submit --db PATH" -- "$CLI" submit --help

"$CLI" init --db "$L" --origin test.example/submit --key-name gov >/dev/null 2>&1 || bad "init"
"$CLI" key new fwo >/dev/null 2>&1 && "$CLI" key new lab >/dev/null 2>&1 || bad "key new"
cat >reg.jsonl <<JSON
# The authority registers FWO, a lab and the sites.
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter"],"key":"$(cat fwo.vkey)"}

{"type":"actor","id":"a2","time":"2025-09-01T08:00:00Z","actor":"lab","name":"Lab","country":"PK","roles":["lab"],"key":"$(cat lab.vkey)"}
   # indented comment
{"type":"site","id":"a3","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"a4","time":"2025-09-01T08:00:00Z","site":"plant-1","kind":"plant","holder":"fwo","country":"PK"}
JSON
out=$("$CLI" submit --db "$L" --key "$LK" reg.jsonl 2>err)
[ $? = 0 ] && ok || bad "registration: $(cat err)"
[ "$out" = "$(printf '0 actor a1\n1 actor a2\n2 site a3\n3 site a4')" ] && ok || bad "registration output: $out"
grep -qx "oretrail: submit: appended 4 of 4 events (entries 0-3); the log holds 4 entries" err && ok || bad "summary: $(cat err)"
[ "$(size)" = 4 ] && ok || bad "size after registration: $(size)"

# --- a JSON array, pretty-printed, signed as fwo (the key's name) ---
cat >ext.json <<'JSON'
[
  {"type": "extract", "id": "x1", "time": "2025-09-02T08:00:00Z", "site": "mine-1",
   "lot": "ore-1", "material": "ore", "mass_g": 1000000, "assay": {"Nd": 4000, "Pr": 1200}},
  {"type": "extract", "id": "x2", "time": "2025-09-02T09:00:00Z", "site": "mine-1",
   "lot": "ore-2", "material": "ore", "mass_g": 2000000, "assay": {"Nd": 4100}}
]
JSON
expect 0 "^4 extract x1$" -- "$CLI" submit --db "$L" --key fwo.key ext.json
[ "$(size)" = 6 ] && ok || bad "size after array: $(size)"

# --- all or none: event 2 of 3 is bad; nothing appended, checkpoint unchanged ---
"$CLI" checkpoint --db "$L" >cp.before
cat >bad.jsonl <<'JSON'
{"type":"extract","id":"y1","time":"2025-09-03T08:00:00Z","site":"mine-1","lot":"ore-3","material":"ore","mass_g":1000,"assay":{"Nd":4000}}
{"type":"extract","id":"y2","time":"2025-09-03T08:00:00Z","site":"mine-1","lot":"ore-4","material":"ore","mass_g":"heavy","assay":{"Nd":4000}}
{"type":"extract","id":"y3","time":"2025-09-03T08:00:00Z","site":"mine-1","lot":"ore-5","material":"ore","mass_g":1000,"assay":{"Nd":4000}}
JSON
expect 4 '^oretrail: submit: event 2 \(line 2\) rejected, nothing appended: event y2: mass_g: must be an integer$' -- "$CLI" submit --db "$L" --key fwo.key bad.jsonl
"$CLI" checkpoint --db "$L" >cp.after
cmp -s cp.before cp.after && ok || bad "checkpoint changed after a rejected submission"
"$CLI" submit --db "$L" --key fwo.key --json bad.jsonl >rej.json 2>/dev/null
[ $? = 4 ] && ok || bad "--json rejection exit code"
pycheck rej.json 'e=d["error"]; assert list(d)==["error"]; assert e["code"]=="bad_field" and e["index"]==1 and e["event"]==2 and e["line"]==2 and e["id"]=="y2", e; assert e["message"]=="event y2: mass_g: must be an integer"'

# A rule of the ledger, deep in an event: more Nd out than in.
cat >rule.jsonl <<'JSON'
{"type":"transform","id":"t1","time":"2025-09-04T08:00:00Z","site":"mine-1","process":"beneficiation","inputs":[{"lot":"ore-1","mass_g":1000000}],"outputs":[{"lot":"conc-1","material":"concentrate","mass_g":100000,"assay":{"Nd":60000}}]}
JSON
expect 4 '^oretrail: submit: event 1 \(line 1\) rejected, nothing appended: event t1: outputs\[0\]\.assay\.Nd: the outputs hold 6000\.000 g of Nd but the inputs hold 4000\.000 g' -- "$CLI" submit --db "$L" --key fwo.key rule.jsonl
"$CLI" submit --db "$L" --key fwo.key --json rule.jsonl >rule.json 2>/dev/null
pycheck rule.json 'assert d["error"]["code"]=="element_created", d'
# The wrong signer for the event type.
echo '{"type":"site","id":"s9","time":"2025-09-04T08:00:00Z","site":"mine-9","kind":"mine","holder":"fwo","country":"PK"}' >role.jsonl
expect 4 'event 1 \(line 1\) rejected, nothing appended: event s9: signer: fwo has the roles miner, processor, exporter; site events need one of authority' -- "$CLI" submit --db "$L" --key fwo.key role.jsonl
# A line number after comments and a multi-line object.
printf '# one\n\n{"type":"extract","id":"m1","time":"2025-09-03T08:00:00Z","site":"mine-1",\n "lot":"ore-6","material":"ore","mass_g":5,"assay":{}}\n{"type":"extract","id":"m2","time":"2025-09-03T08:00:00Z","site":"nowhere","lot":"ore-7","material":"ore","mass_g":5,"assay":{}}\n' >lines.jsonl
expect 4 '^oretrail: submit: event 2 \(line 5\) rejected, nothing appended: event m2: site: ' -- "$CLI" submit --db "$L" --key fwo.key lines.jsonl
# An event the submitter cannot even sign: no time.
echo '{"type":"extract","id":"n1","site":"mine-1","lot":"ore-8","material":"ore","mass_g":5,"assay":{}}' >notime.jsonl
expect 4 '^oretrail: submit: event 1 \(line 1\) rejected, nothing appended: .*time' -- "$CLI" submit --db "$L" --key fwo.key notime.jsonl
# An entry beyond 64 KiB.
python3 -c "
import json
print(json.dumps({'type':'extract','id':'big','time':'2025-09-03T08:00:00Z','site':'mine-1','lot':'ore-big','material':'ore','mass_g':5,'assay':{},'note':'x'*70000}))" >big.jsonl
expect 4 'event 1 \(line 1\) rejected, nothing appended: .*65535' -- "$CLI" submit --db "$L" --key fwo.key big.jsonl
"$CLI" checkpoint --db "$L" >cp.after
cmp -s cp.before cp.after && ok || bad "checkpoint changed after rejected submissions"

# --- --dry-run checks without writing ---
head -1 bad.jsonl >one.jsonl
expect 0 "^6 extract y1$" -- "$CLI" submit --db "$L" --key fwo.key --dry-run one.jsonl
expect 0 "dry run: 1 of 1 event would be appended \(entries 6-6\); nothing was written" -- "$CLI" submit --db "$L" --key fwo.key --dry-run one.jsonl
[ "$(size)" = 6 ] && ok || bad "dry run appended"

# --- --keep-going: the valid ones go in, the rest are listed; exit 4 ---
"$CLI" submit --db "$L" --key fwo.key --keep-going bad.jsonl >kg.out 2>kg.err
[ $? = 4 ] && ok || bad "--keep-going exit code"
[ "$(cat kg.out)" = "$(printf '6 extract y1\n7 extract y3')" ] && ok || bad "--keep-going output: $(cat kg.out)"
grep -qx "oretrail: submit: event 2 (line 2) rejected: event y2: mass_g: must be an integer" kg.err && ok || bad "--keep-going rejected list: $(cat kg.err)"
grep -qx "oretrail: submit: appended 2 of 3 events (entries 6-7); the log holds 8 entries" kg.err && ok || bad "--keep-going summary: $(cat kg.err)"
[ "$(size)" = 8 ] && ok || bad "size after --keep-going: $(size)"

# --- --json on success, and standard input ---
sed 's/ore-3/ore-13/; s/"y1"/"z1"/' one.jsonl | "$CLI" submit --db "$L" --key fwo.key --json - >ok.json 2>/dev/null
[ $? = 0 ] && ok || bad "--json from stdin"
pycheck ok.json 'assert d["appended"]==1 and d["size"]==9 and d["dry_run"] is False and d["rejected"]==[]; assert d["entries"]==[{"event":1,"line":1,"index":8,"type":"extract","id":"z1"}], d'
# --keep-going --json lists the rejected.
printf '%s\n' '{"type":"extract","id":"k1","time":"2025-09-03T08:00:00Z","site":"mine-1","lot":"ore-k1","material":"ore","mass_g":5,"assay":{}}' \
	'{"type":"extract","id":"k1","time":"2025-09-03T08:00:00Z","site":"mine-1","lot":"ore-k2","material":"ore","mass_g":5,"assay":{}}' >dup.jsonl
"$CLI" submit --db "$L" --key fwo.key --keep-going --json dup.jsonl >kg.json 2>/dev/null
[ $? = 4 ] && ok || bad "--keep-going --json exit"
pycheck kg.json 'assert d["appended"]==1 and len(d["entries"])==1; r=d["rejected"][0]; assert r["event"]==2 and r["line"]==2 and r["id"]=="k1" and r["code"]=="duplicate_id" and r["type"]=="extract", r; assert "already used by entry 9" in r["message"], r'

# --- signed envelopes: signed by the submitter, submitted by the operator ---
echo '{"type":"extract","id":"e1","time":"2025-09-05T08:00:00Z","site":"mine-1","lot":"ore-e1","material":"ore","mass_g":7,"assay":{}}' >e.jsonl
"$CLI" submit --sign-only --key fwo.key e.jsonl >signed.jsonl 2>err && ok || bad "--sign-only: $(cat err)"
python3 -c "
import json,sys
e=json.loads(open('signed.jsonl').read())
assert list(e)==['event','sig','signer'] and e['signer']=='fwo' and e['event']['id']=='e1', e" && ok || bad "signed envelope shape: $(cat signed.jsonl)"
sed 's/"mass_g":7/"mass_g":8/' signed.jsonl >tampered.jsonl
expect 4 "event 1 \(line 1\) rejected, nothing appended: event e1: sig: the signature does not verify with any valid key of fwo" -- "$CLI" submit --db "$L" tampered.jsonl
expect 0 "^10 extract e1$" -- "$CLI" submit --db "$L" signed.jsonl
expect 4 "already used by entry 10" -- "$CLI" submit --db "$L" signed.jsonl
expect 2 "^oretrail: submit: --sign-only takes no ledger" -- "$CLI" submit --sign-only --db "$L" --key fwo.key e.jsonl
expect 2 "^oretrail: submit: --sign-only needs --key KEYFILE$" -- "$CLI" submit --sign-only e.jsonl
expect 2 "^oretrail: submit: event 1 \(line 1\) cannot be signed: " -- "$CLI" submit --sign-only --key fwo.key notime.jsonl
# A signed envelope and a bare event in one file.
sed 's/e1/e2/g' e.jsonl >mixed.jsonl
sed 's/e1/e3/g' e.jsonl | "$CLI" submit --sign-only --key fwo.key - >>mixed.jsonl
expect 0 "^12 extract e3$" -- "$CLI" submit --db "$L" --key fwo.key mixed.jsonl

# --- --as: sign as another actor; the ledger checks that actor's keys ---
sed 's/e1/as1/g' e.jsonl >as.jsonl
expect 4 "event as1: sig: the signature does not verify with any valid key of lab" -- "$CLI" submit --db "$L" --key fwo.key --as lab as.jsonl
expect 0 "^13 extract as1$" -- "$CLI" submit --db "$L" --key fwo.key --as fwo as.jsonl
expect 4 "event 1 \(line 1\) rejected, nothing appended: signer \"bad actor\" is not an actor id" -- "$CLI" submit --db "$L" --key fwo.key --as "bad actor" as.jsonl

# --- unusable input: exit 2, nothing appended ---
"$CLI" checkpoint --db "$L" >cp.before
expect 2 '^oretrail: submit: missing.jsonl: No such file or directory$' -- "$CLI" submit --db "$L" --key fwo.key missing.jsonl
printf '%s\n' '{"type":"extract"}' '{"type": oops}' >syntax.jsonl
expect 2 '^oretrail: submit: syntax.jsonl: line 2: not JSON: ' -- "$CLI" submit --db "$L" --key fwo.key syntax.jsonl
echo '{"type":"extract","type":"ship"}' >dupkey.jsonl
expect 2 '^oretrail: submit: dupkey.jsonl: line 1: not JSON: duplicate object key' -- "$CLI" submit --db "$L" --key fwo.key dupkey.jsonl
echo '{"type":"extract","mass_g":1.5}' >real.jsonl
expect 2 '^oretrail: submit: real.jsonl: line 1: .*mass_g' -- "$CLI" submit --db "$L" --key fwo.key real.jsonl
echo '"just a string"' >str.jsonl
expect 2 '^oretrail: submit: str.jsonl: line 1: expected a JSON object: one event per line, or a JSON array of events$' -- "$CLI" submit --db "$L" --key fwo.key str.jsonl
echo '[1, 2]' >arr.json
expect 2 '^oretrail: submit: arr.json: event 1 of the array is not a JSON object$' -- "$CLI" submit --db "$L" --key fwo.key arr.json
printf '# nothing\n\n' >empty.jsonl
expect 2 '^oretrail: submit: empty.jsonl holds no events$' -- "$CLI" submit --db "$L" --key fwo.key empty.jsonl
expect 2 '^oretrail: submit: event 1 \(line 1\) is not signed: give --key KEYFILE to sign it$' -- "$CLI" submit --db "$L" e.jsonl
expect 2 '^oretrail: submit: --db \(or --server URL\) is required$' -- "$CLI" submit --key fwo.key e.jsonl
expect 2 '^oretrail: submit: expected FILE \(or - for standard input\)$' -- "$CLI" submit --db "$L" --key fwo.key
expect 2 '^oretrail: submit: unexpected argument "b"$' -- "$CLI" submit --db "$L" --key fwo.key a b
expect 2 '^oretrail: submit: missing.db: no such ledger$' -- "$CLI" submit --db missing.db --key fwo.key e.jsonl
cp fwo.key open.key
chmod 644 open.key
expect 2 '^oretrail: submit: loading the signing key: open.key: the private key is readable by others' -- "$CLI" submit --db "$L" --key open.key e.jsonl
mv "$LK" l.key.elsewhere
sed 's/e1/lk1/g' e.jsonl >lk.jsonl
expect 2 "^oretrail: submit: $LK is missing: appending needs the ledger's log key \(written by init\); give it with --log-key FILE$" -- "$CLI" submit --db "$L" --key fwo.key lk.jsonl
expect 0 "^14 extract lk1$" -- "$CLI" submit --db "$L" --key fwo.key --log-key l.key.elsewhere lk.jsonl
# A log key that is not the ledger's.
expect 2 "^oretrail: submit: " -- "$CLI" submit --db "$L" --key fwo.key --log-key fwo.key lk.jsonl
mv l.key.elsewhere "$LK"
"$CLI" checkpoint --db "$L" | sed -n 2p | grep -qx 15 && ok || bad "size at the end: $(size)"
expect 0 "^ok: 15 entries" -- "$CLI" verify-log --db "$L"

summary
