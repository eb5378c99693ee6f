#!/usr/bin/env bash
# CLI test of `oretrail report smelters`: the separation plant (an RMI CID)
# and the refinery (no RMI id, a national one) in the lineage of what the
# buyer received, one row per metal and facility with the entries behind
# it; a refinery whose output went to someone else is not listed, nor is
# the concentrator (not a smelting or refining stage); the CSV in the
# CMRT's column order; an actor that received nothing; bad input.
. "$(dirname "$0")/lib.sh"

cd "$T"
expect 0 "^usage: oretrail report smelters" -- "$CLI" report smelters --help
"$CLI" init --db l.db --origin test.example/smelters --key-name gov >/dev/null 2>&1
for a in fwo cnp ref buy oth; do "$CLI" key new $a >/dev/null 2>&1; done
roles='["miner","processor","exporter","importer"]'
cat >reg.jsonl <<JSON
{"type":"actor","id":"r1","time":"2025-01-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":$roles,"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"r2","time":"2025-01-01T08:00:00Z","actor":"cnp","name":"CN separator","country":"CN","roles":$roles,"key":"$(cat cnp.vkey)"}
{"type":"actor","id":"r3","time":"2025-01-01T08:00:00Z","actor":"ref","name":"VN refiner","country":"VN","roles":$roles,"key":"$(cat ref.vkey)"}
{"type":"actor","id":"r4","time":"2025-01-01T08:00:00Z","actor":"buy","name":"US buyer","country":"US","roles":$roles,"key":"$(cat buy.vkey)"}
{"type":"actor","id":"r5","time":"2025-01-01T08:00:00Z","actor":"oth","name":"Other buyer","country":"JP","roles":$roles,"key":"$(cat oth.vkey)"}
{"type":"site","id":"s1","time":"2025-01-01T08:00:00Z","site":"mine-pk","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"s2","time":"2025-01-01T08:00:00Z","site":"sep-cn","kind":"plant","holder":"cnp","country":"CN","operator":"Baotou Separation Co","facility_ids":{"rmi":"CID002900"}}
{"type":"site","id":"s3","time":"2025-01-01T08:00:00Z","site":"ref-vn","kind":"plant","holder":"ref","country":"VN","operator":"Hanoi Metals","facility_ids":{"vn-moit":"HN-0042"}}
{"type":"site","id":"s4","time":"2025-01-01T08:00:00Z","site":"buy-us","kind":"plant","holder":"buy","country":"US"}
{"type":"site","id":"s5","time":"2025-01-01T08:00:00Z","site":"oth-jp","kind":"plant","holder":"oth","country":"JP"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 && ok || abort "registration"

cat >fwo.jsonl <<'JSON'
{"type":"extract","id":"x1","time":"2025-03-01T01:00:00Z","site":"mine-pk","lot":"ore","material":"ore","mass_g":1000000,"assay":{"Nd":5000,"Pr":1000}}
{"type":"transform","id":"b1","time":"2025-03-01T02:00:00Z","site":"mine-pk","process":"beneficiation","inputs":[{"lot":"ore","mass_g":1000000}],"outputs":[{"lot":"conc","material":"concentrate","mass_g":100000,"assay":{"Nd":45000,"Pr":9000}}]}
{"type":"ship","id":"h1","time":"2025-03-01T03:00:00Z","consignment":"c1","from":"mine-pk","to":"sep-cn","consignee":"cnp","lots":["conc"]}
JSON
cat >cnp.jsonl <<'JSON'
{"type":"receive","id":"v1","time":"2025-03-02T01:00:00Z","consignment":"c1","site":"sep-cn","lots":[{"lot":"conc","mass_g":100000}]}
{"type":"transform","id":"p1","time":"2025-03-02T02:00:00Z","site":"sep-cn","process":"separation","inputs":[{"lot":"conc","mass_g":100000}],"outputs":[{"lot":"nd-ox","material":"oxide","mass_g":6000,"assay":{"Nd":700000}},{"lot":"pr-ox","material":"oxide","mass_g":1200,"assay":{"Pr":700000}}]}
{"type":"ship","id":"h2","time":"2025-03-02T03:00:00Z","consignment":"c2","from":"sep-cn","to":"ref-vn","consignee":"ref","lots":["nd-ox","pr-ox"]}
JSON
cat >ref.jsonl <<'JSON'
{"type":"receive","id":"v2","time":"2025-03-03T01:00:00Z","consignment":"c2","site":"ref-vn","lots":[{"lot":"nd-ox","mass_g":6000},{"lot":"pr-ox","mass_g":1200}]}
{"type":"transform","id":"f1","time":"2025-03-03T02:00:00Z","site":"ref-vn","process":"refining","inputs":[{"lot":"nd-ox","mass_g":6000}],"outputs":[{"lot":"nd-metal","material":"metal","mass_g":4000,"assay":{"Nd":990000}}]}
{"type":"transform","id":"f2","time":"2025-03-03T03:00:00Z","site":"ref-vn","process":"refining","inputs":[{"lot":"pr-ox","mass_g":1200}],"outputs":[{"lot":"pr-metal","material":"metal","mass_g":800,"assay":{"Pr":990000}}]}
{"type":"ship","id":"h3","time":"2025-03-03T04:00:00Z","consignment":"c3","from":"ref-vn","to":"buy-us","consignee":"buy","lots":["nd-metal"]}
{"type":"ship","id":"h4","time":"2025-03-03T05:00:00Z","consignment":"c4","from":"ref-vn","to":"oth-jp","consignee":"oth","lots":["pr-metal"]}
JSON
cat >buy.jsonl <<'JSON'
{"type":"receive","id":"v3","time":"2025-03-04T01:00:00Z","consignment":"c3","site":"buy-us","lots":[{"lot":"nd-metal","mass_g":4000}]}
JSON
"$CLI" submit --db l.db --key fwo.key fwo.jsonl >/dev/null 2>&1 || bad "mine"
"$CLI" submit --db l.db --key cnp.key cnp.jsonl >/dev/null 2>&1 || bad "separation"
"$CLI" submit --db l.db --key ref.key ref.jsonl >/dev/null 2>&1 || bad "refining"
"$CLI" submit --db l.db --key buy.key buy.jsonl >/dev/null 2>&1 && ok || bad "receipt"
# Entry indexes, for the rows below: the registration is 0..9 (10 events),
# fwo 10..12, cnp 13..15, ref 16..20, buy 21.
"$CLI" report smelters --db l.db --for buy --json >s.json && ok || bad "report smelters --json"
pycheck s.json '
assert d["for"]=="buy", d
assert [(r["consignment"],r["index"],r["lots"]) for r in d["received"]]==[("c3",21,["nd-metal"])], d["received"]
rows=[(r["element"],r["smelter_look_up"],r["smelter_name"],r["smelter_country"],r["smelter_id"],r["smelter_id_source"],r["site"],r["stages"],r["entries"],r["lots"]) for r in d["smelters"]]
# Nd only: the buyer received Nd metal; the Pr refining went to oth.
assert rows==[
 ("Nd","Smelter not listed","Hanoi Metals","VN","HN-0042","vn-moit","ref-vn",["refined"],[17],["nd-metal"]),
 ("Nd","Baotou Separation Co","Baotou Separation Co","CN","CID002900","rmi","sep-cn",["separated"],[14],["nd-metal"])], rows
assert d["smelters"][1]["facility_ids"]=={"rmi":"CID002900"}'

# The other buyer: Pr, the same two facilities, the other refining entry.
# Before its receipt, nothing: the consignment is still open.
"$CLI" report smelters --db l.db --for oth --json >o.json && ok || bad "oth before receipt"
pycheck o.json 'assert d["received"]==[] and d["smelters"]==[], d'
cat >oth.jsonl <<'JSON'
{"type":"receive","id":"v4","time":"2025-03-04T02:00:00Z","consignment":"c4","site":"oth-jp","lots":[{"lot":"pr-metal","mass_g":800}]}
JSON
"$CLI" submit --db l.db --key oth.key oth.jsonl >/dev/null 2>&1 || bad "oth receipt"
"$CLI" report smelters --db l.db --for oth --json >o.json && ok || bad "report smelters --for oth"
pycheck o.json '
assert [(r["element"],r["site"],r["entries"]) for r in d["smelters"]]==[("Pr","ref-vn",[18]),("Pr","sep-cn",[14])], d'

# text and CSV
"$CLI" report smelters --db l.db --for buy >t.out && ok || bad "text"
grep -qE "^  Neodymium +Baotou Separation Co +CN +CID002900 \(rmi\) +sep-cn +14$" t.out && ok || bad "text row: $(cat t.out)"
"$CLI" report smelters --db l.db --for buy --csv >c.csv && ok || bad "csv"
[ "$(head -1 c.csv)" = "metal,smelter_look_up,smelter_name,smelter_country,smelter_identification,source_of_identification,site,stages,entries,lots" ] && ok || bad "csv header: $(head -1 c.csv)"
grep -qx "Neodymium,Baotou Separation Co,Baotou Separation Co,CN,CID002900,rmi,sep-cn,separated,14,nd-metal" c.csv && ok || bad "csv row: $(cat c.csv)"
grep -qx "Neodymium,Smelter not listed,Hanoi Metals,VN,HN-0042,vn-moit,ref-vn,refined,17,nd-metal" c.csv && ok || bad "csv row 2: $(cat c.csv)"
[ "$(wc -l <c.csv)" = 3 ] && ok || bad "csv rows: $(wc -l <c.csv)"

# An actor that received nothing has an empty list.
expect 0 "none: no smelting or refining" -- "$CLI" report smelters --db l.db --for fwo

# --- bad input: exit 2 ---
expect 2 "actor nobody is not registered" -- "$CLI" report smelters --db l.db --for nobody
expect 2 "--for ACTOR is required" -- "$CLI" report smelters --db l.db
expect 2 "exclude each other" -- "$CLI" report smelters --db l.db --for buy --json --csv
expect 2 "unexpected argument" -- "$CLI" report smelters --db l.db --for buy extra
"$CLI" report smelters --db l.db --for nobody --json >e.json 2>/dev/null
[ $? = 2 ] && ok || bad "--json error exit"
pycheck e.json 'assert d["error"]["code"]=="actor_not_found", d'
summary
