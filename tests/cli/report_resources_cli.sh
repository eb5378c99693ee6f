#!/usr/bin/env bash
# CLI test of `oretrail report resources` and the `attest` event: resource
# declarations per mine with their standard, attested by competent persons
# (two on one declaration) or not; reserves listed, not added; ore extracted
# against the declared total; a new declaration drops the attestations of
# the one it replaces; shares by standard and in all; text and CSV; each
# refused attestation (exit 4, nothing written).
. "$(dirname "$0")/lib.sh"

cd "$T"
expect 0 "^usage: oretrail report resources" -- "$CLI" report resources --help
"$CLI" init --db l.db --origin test.example/resources --key-name gov >/dev/null 2>&1
for a in fwo cpa cpb; do "$CLI" key new $a >/dev/null 2>&1; done
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-01-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"a2","time":"2025-01-01T08:00:00Z","actor":"cpa","name":"A. Geologist, FAusIMM","country":"AU","roles":["competent_person"],"key":"$(cat cpa.vkey)"}
{"type":"actor","id":"a3","time":"2025-01-01T08:00:00Z","actor":"cpb","name":"B. Engineer, P.Eng.","country":"CA","roles":["competent_person"],"key":"$(cat cpb.vkey)"}
{"type":"site","id":"s1","time":"2025-01-01T08:00:00Z","site":"mine-a","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"s2","time":"2025-01-01T08:00:00Z","site":"mine-b","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"s3","time":"2025-01-01T08:00:00Z","site":"plant","kind":"plant","holder":"fwo","country":"PK"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 && ok || abort "registration"
# Entries: registration 0..5, fwo 6..11, cpa 12..13, cpb 14, fwo 15.
cat >fwo.jsonl <<'JSON'
{"type":"resource","id":"r1","time":"2025-02-01T08:00:00Z","site":"mine-a","category":"indicated","ore_t":2000000,"grade":{"TREO":25000},"standard":"JORC"}
{"type":"resource","id":"r2","time":"2025-02-01T08:00:00Z","site":"mine-a","category":"inferred","ore_t":5000000,"standard":"JORC"}
{"type":"resource","id":"r3","time":"2025-02-01T08:00:00Z","site":"mine-a","category":"probable","ore_t":1000000,"standard":"JORC"}
{"type":"resource","id":"r4","time":"2025-02-01T08:00:00Z","site":"mine-b","category":"measured","ore_t":1000000,"standard":"NI 43-101"}
{"type":"resource","id":"r5","time":"2025-02-01T08:00:00Z","site":"mine-b","category":"inferred","ore_t":3000000}
{"type":"extract","id":"x1","time":"2025-03-01T08:00:00Z","site":"mine-a","lot":"ore-1","material":"ore","mass_g":50000000,"assay":{"Nd":4600}}
JSON
cat >cpa.jsonl <<'JSON'
{"type":"attest","id":"t1","time":"2025-02-10T08:00:00Z","site":"mine-a","category":"indicated","resource":"r1","report":"JORC Table 1, Feb 2025"}
{"type":"attest","id":"t2","time":"2025-02-10T08:00:00Z","site":"mine-b","category":"measured","resource":"r4"}
JSON
cat >cpb.jsonl <<'JSON'
{"type":"attest","id":"t3","time":"2025-02-11T08:00:00Z","site":"mine-a","category":"indicated","resource":"r1"}
JSON
cat >fwo2.jsonl <<'JSON'
{"type":"resource","id":"r6","time":"2025-06-01T08:00:00Z","site":"mine-b","category":"measured","ore_t":1200000,"standard":"NI 43-101"}
JSON
for s in fwo cpa cpb fwo2; do
	"$CLI" submit --db l.db --key ${s%2}.key $s.jsonl >/dev/null 2>&1 || bad "submit $s"
done

"$CLI" report resources --db l.db --json >r.json && ok || bad "report resources --json"
pycheck r.json '
s={x["site"]:x for x in d["sites"]}
assert list(s)==["mine-a","mine-b"], list(s)
a=s["mine-a"]
rows=[(x["category"],x.get("standard"),x["ore_t"],x["index"],x["added"],[(t["by"],t["index"]) for t in x["attested"]]) for x in a["declarations"]]
assert rows==[("indicated","JORC",2000000,6,True,[("cpa",12),("cpb",14)]),("inferred","JORC",5000000,7,True,[]),("probable","JORC",1000000,8,False,[])], rows
assert a["declarations"][0]["attested"][0]["report"]=="JORC Table 1, Feb 2025" and a["declarations"][0]["grade"]=={"TREO":25000}
assert (a["holder"],a["country"],a["declared_ore_t"],a["attested_ore_t"],a["attested_share_ppm"])==("fwo","PK",7000000,2000000,285714), a
assert (a["extracted_g"],a["extracted_t"],a["extracted_share_ppm"])==(50000000,50,7), a
b=s["mine-b"]
# r6 replaced r4: its attestation by cpa does not carry over
assert [(x["category"],x.get("standard"),x["ore_t"],x["index"],x["attested"]) for x in b["declarations"]]==[("measured","NI 43-101",1200000,15,[]),("inferred",None,3000000,10,[])]
assert (b["declared_ore_t"],b["attested_ore_t"],b["attested_share_ppm"],b["extracted_share_ppm"])==(4200000,0,0,0), b
assert [(x["standard"],x["declared_ore_t"],x["attested_ore_t"],x["attested_share_ppm"]) for x in d["by_standard"]]==[(None,3000000,0,0),("JORC",7000000,2000000,285714),("NI 43-101",1200000,0,0)], d["by_standard"]
assert (d["declared_ore_t"],d["attested_ore_t"],d["attested_share_ppm"])==(11200000,2000000,178571), d'

# text and CSV
"$CLI" report resources --db l.db >t.out && ok || bad "text"
grep -qE "^  indicated +JORC +2,000,000.000 t +6 +cpa \(entry 12\), cpb \(entry 14\)$" t.out && ok || bad "text row: $(cat t.out)"
grep -qE "^  inferred +- +3,000,000.000 t +10 +UNATTESTED$" t.out && ok || bad "text unattested row"
grep -qE "^  declared 7,000,000.000 t; attested 2,000,000.000 t \(28.5714 %\); extracted 50.000 t \(0.0007 % of declared\)$" t.out && ok || bad "text site line"
grep -qE "^  declared 4,200,000.000 t; attested 0 t \(0.00 %\); extracted 0 g \(0.00 % of declared\)$" t.out && ok || bad "text site line b"
grep -qE "^  JORC +7,000,000.000 t +2,000,000.000 t +28.5714 %$" t.out && ok || bad "text standard row"
grep -qE "^declared in all: 11,200,000.000 t; with an attested basis: 2,000,000.000 t \(17.8571 %\)$" t.out && ok || bad "text total"
"$CLI" report resources --db l.db --csv >c.csv && ok || bad "csv"
[ "$(head -1 c.csv)" = "site,country,category,standard,ore_t,added,entry,attested_by,attestation_entries" ] && ok || bad "csv header: $(head -1 c.csv)"
grep -qx "mine-a,PK,indicated,JORC,2000000,true,6,cpa cpb,12 14" c.csv && ok || bad "csv row: $(cat c.csv)"
grep -qx "mine-a,PK,probable,JORC,1000000,false,8,," c.csv && ok || bad "csv reserve row"
grep -qx "mine-b,PK,measured,NI 43-101,1200000,true,15,," c.csv && ok || bad "csv replaced row"
[ "$(wc -l <c.csv)" = 6 ] && ok || bad "csv rows: $(wc -l <c.csv)"

# --- refused attestations: exit 4, nothing written ---
before=$(md5sum <r.json)
refuse() { # $1 key, $2 pattern, $3 event
	echo "$3" >bad.jsonl
	expect 4 "$2" -- "$CLI" submit --db l.db --key $1.key bad.jsonl
}
refuse fwo "missing_role|competent_person" '{"type":"attest","id":"b1","time":"2025-07-01T08:00:00Z","site":"mine-a","category":"inferred","resource":"r2"}'
refuse cpa "resource declaration r4 \(entry 9\) is not the measured declaration in force for site mine-b; a later one replaced it" '{"type":"attest","id":"b2","time":"2025-07-01T08:00:00Z","site":"mine-b","category":"measured","resource":"r4"}'
refuse cpa "cpa attested resource declaration r1 at entry 12" '{"type":"attest","id":"b3","time":"2025-07-01T08:00:00Z","site":"mine-a","category":"indicated","resource":"r1"}'
refuse cpa "no resource declaration with id x1 is in the log: it is a extract event" '{"type":"attest","id":"b4","time":"2025-07-01T08:00:00Z","site":"mine-a","category":"indicated","resource":"x1"}'
refuse cpa "is not the inferred declaration in force for site mine-a" '{"type":"attest","id":"b5","time":"2025-07-01T08:00:00Z","site":"mine-a","category":"inferred","resource":"r1"}'
refuse cpa "category" '{"type":"attest","id":"b6","time":"2025-07-01T08:00:00Z","site":"mine-a","category":"possible","resource":"r1"}'
refuse cpa "site_not_found|nope" '{"type":"attest","id":"b7","time":"2025-07-01T08:00:00Z","site":"nope","category":"indicated","resource":"r1"}'
"$CLI" report resources --db l.db --json >r2.json
[ "$(md5sum <r2.json)" = "$before" ] && ok || bad "refusals wrote something"

# The replayed state holds the same attestations (audit).
"$CLI" audit --db l.db --json >au.json
pycheck au.json 'assert d["ok"] is True and d["problems"]==[], d["problems"]'

# An empty ledger; bad input.
"$CLI" init --db e.db --origin test.example/empty --key-name gov >/dev/null 2>&1
"$CLI" report resources --db e.db --json >e.json && ok || bad "empty ledger"
pycheck e.json 'assert d["sites"]==[] and d["declared_ore_t"]==0 and d["attested_share_ppm"] is None, d'
expect 0 "none: no mine has declared resources" -- "$CLI" report resources --db e.db
expect 2 "exclude each other" -- "$CLI" report resources --db l.db --json --csv
expect 2 "unexpected argument" -- "$CLI" report resources --db l.db extra
summary
