#!/usr/bin/env bash
# CLI test of HS codes and customs declarations (docs/events.md "HS codes"
# and "declare"): an `hs_code` on extract and transform outputs is an HS
# 2022 subheading of data/hs2022.def (bad_hs_code otherwise), and a code
# whose heading does not fit the material is the finding hs_code_mismatch;
# a `declare` is signed by a customs officer of the country the goods leave
# or enter, once per direction, and each difference from the ship or
# receive events is the finding declaration_mismatch naming the field and
# both values; the consignment's record (GET /api/consignments/<id>) shows
# the declarations. Each refusal: exit 4, nothing appended.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "customs_cli: skipped: no python3" >&2; exit 77; }
command -v curl >/dev/null || { echo "customs_cli: skipped: no curl" >&2; exit 77; }
cd "$T"

"$CLI" init --db l.db --origin test.example/customs --key-name gov >/dev/null 2>&1 || abort "init"
for k in fwo buy cpk cus; do "$CLI" key new $k >/dev/null 2>&1 || abort "key $k"; done
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter"],"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"a2","time":"2025-09-01T08:00:00Z","actor":"buy","name":"Buyer","country":"US","roles":["importer"],"key":"$(cat buy.vkey)"}
{"type":"actor","id":"a3","time":"2025-09-01T08:00:00Z","actor":"cpk","name":"Pakistan Customs","country":"PK","roles":["customs"],"key":"$(cat cpk.vkey)"}
{"type":"actor","id":"a4","time":"2025-09-01T08:00:00Z","actor":"cus","name":"US CBP","country":"US","roles":["customs"],"key":"$(cat cus.vkey)"}
{"type":"site","id":"a5","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"a6","time":"2025-09-01T08:00:00Z","site":"wh-us","kind":"warehouse","holder":"buy","country":"US"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 || abort "registration"
size() { "$CLI" checkpoint --db l.db | sed -n 2p; }
submit() { # SIGNER FILE
	"$CLI" submit --db l.db --key "$1.key" "$2" >"$2.out" 2>&1 || bad "submit $2: $(cat "$2.out")"
}
refused() { # SIGNER FILE PATTERN: refused with exit 4, the log unchanged
	local before
	before=$(size)
	expect 4 "rejected, nothing appended: .*$3" -- "$CLI" submit --db l.db --key "$1.key" "$2"
	[ "$(size)" = "$before" ] && ok || bad "$2: the log grew from $before to $(size)"
}
ev() { # FILE JSON
	echo "$2" >"$1"
}

# --- HS codes on lots ---
xt() { # ID LOT MATERIAL HS
	ev "$1.jsonl" '{"type":"extract","id":"'"$1"'","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"'"$2"'","material":"'"$3"'","mass_g":100000,"assay":{"Cu":250000},"hs_code":"'"$4"'"}'
}
xt h1 cu-9 concentrate 999999
refused fwo h1.jsonl 'event h1: hs_code: 999999 is not an HS 2022 subheading of chapters 25, 26, 28, 71-81 or heading 85.05'
xt h2 cu-9 concentrate 26030
refused fwo h2.jsonl 'event h2: hs_code: "26030" is not an HS code: six digits'
xt h3 cu-9 concentrate 270900
refused fwo h3.jsonl 'event h3: hs_code: 270900 is not an HS 2022 subheading'
xt h4 cu-9 concentrate 2603.0
refused fwo h4.jsonl 'event h4: hs_code: "2603.0" is not an HS code'
xt x1 cu-1 concentrate 2603.00
submit fwo x1.jsonl
ev x2.jsonl '{"type":"extract","id":"x2","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"sb-1","material":"concentrate","mass_g":50000,"assay":{"Sb":400000},"hs_code":"261710"}'
submit fwo x2.jsonl
"$CLI" trace --db l.db --json cu-1 >t1.json
pycheck t1.json 'assert d["hs_code"]=="260300", d'
expect 0 '^hs code    260300$' -- "$CLI" trace --db l.db cu-1
# an oxide under an ore heading: taken, and a finding; an output with a bad code refused
ev p0.jsonl '{"type":"transform","id":"p0","time":"2025-09-03T08:00:00Z","site":"mine-1","process":"refining","inputs":[{"lot":"sb-1","mass_g":10000}],"outputs":[{"lot":"sbo-1","material":"oxide","mass_g":4000,"assay":{"Sb":800000},"hs_code":"28259"}]}'
refused fwo p0.jsonl 'event p0: outputs\[0\]\.hs_code: "28259" is not an HS code'
ev p1.jsonl '{"type":"transform","id":"p1","time":"2025-09-03T08:00:00Z","site":"mine-1","process":"refining","inputs":[{"lot":"sb-1","mass_g":10000}],"outputs":[{"lot":"sbo-1","material":"oxide","mass_g":4000,"assay":{"Sb":800000},"hs_code":"261710"},{"lot":"sbm-1","material":"metal","mass_g":500,"assay":{"Sb":990000},"hs_code":"811010"}]}'
submit fwo p1.jsonl
"$CLI" audit --db l.db --json >a1.json
pycheck a1.json '
assert d["ok"] is True, d["problems"]
f=[x for x in d["findings"] if x["kind"]=="hs_code_mismatch"]
assert [x["subject"] for x in f]==["sbo-1"], f
assert "lot sbo-1 is oxide but HS 261710 (Antimony ores and concentrates) classifies an ore or concentrate" in f[0]["detail"], f'

# --- the consignment ---
ev s1.jsonl '{"type":"ship","id":"s1","time":"2025-09-04T08:00:00Z","consignment":"k-1","from":"mine-1","to":"wh-us","consignee":"buy","lots":["cu-1","sb-1"],"hs":["2603.00","2617.10"],"value":{"amount":1000000,"currency":"USD"}}'
submit fwo s1.jsonl

# --- declaration refusals ---
dec() { # ID DIRECTION MASS AMOUNT HS-JSON [CONSIGNMENT]
	ev "$1.jsonl" '{"type":"declare","id":"'"$1"'","time":"2025-09-04T09:00:00Z","consignment":"'"${6:-k-1}"'","direction":"'"$2"'","reference":"GD-'"$1"'","mass_g":'"$3"',"value":{"amount":'"$4"',"currency":"USD"},"hs":'"$5"'}'
}
dec d1 export 140000 1000000 '["260300","261710"]'
refused fwo d1.jsonl 'event d1: signer: fwo has the roles miner, processor, exporter; declare events need one of customs'
refused cus d1.jsonl 'event d1: signer: cus is a customs authority of US; the export declaration of consignment k-1 is made in PK'
dec d2 export 140000 1000000 '["260300","261710"]' k-none
refused cpk d2.jsonl 'event d2: consignment: consignment k-none does not exist'
dec d3 export 140000 1000000 '["260300","999999"]'
refused cpk d3.jsonl 'event d3: hs\[1\]: 999999 is not an HS 2022 subheading'
dec d4 transit 140000 1000000 '["260300"]'
refused cpk d4.jsonl 'event d4: direction: "transit" is not one of export, import'
ev d5.jsonl '{"type":"declare","id":"d5","time":"2025-09-04T09:00:00Z","consignment":"k-1","direction":"export","value":{"amount":1,"currency":"USD"},"hs":["260300"]}'
refused cpk d5.jsonl 'event d5: mass_g: required'

# --- the export declaration as shipped: no finding ---
dec e1 export 140000 1000000 '["2603.00","261710"]'
submit cpk e1.jsonl
dec e2 export 140000 1000000 '["260300","261710"]'
refused cpk e2.jsonl 'event e2: consignment: consignment k-1 already has its export declaration, entry [0-9]+'
"$CLI" audit --db l.db --json >a2.json
pycheck a2.json 'assert d["ok"] is True and not [x for x in d["findings"] if x["kind"]=="declaration_mismatch"], d["findings"]'

# --- the import declaration differs in mass, value and codes ---
ev r1.jsonl '{"type":"receive","id":"r1","time":"2025-09-20T08:00:00Z","consignment":"k-1","site":"wh-us","lots":[{"lot":"cu-1","mass_g":100000},{"lot":"sb-1","mass_g":40000}]}'
submit buy r1.jsonl
dec i1 import 126000 900000 '["260300"]'
submit cus i1.jsonl
"$CLI" audit --db l.db --json >a3.json
pycheck a3.json '
assert d["ok"] is True, d["problems"]
f={x["subject"]:x["detail"] for x in d["findings"] if x["kind"]=="declaration_mismatch"}
assert sorted(f)==["k-1.hs","k-1.mass_g","k-1.value"], f
assert "consignment k-1, import declaration i1: mass_g declared 126000 g, received 140000 g" in f["k-1.mass_g"], f
assert "value declared 900000 USD, shipped at 1000000 USD" in f["k-1.value"], f
assert "hs declared 260300, the consignment\x27s 260300, 261710" in f["k-1.hs"], f
v={x["subject"]:x.get("values") for x in d["findings"] if x["kind"]=="declaration_mismatch"}
assert v=={"k-1.mass_g":{"declared_g":126000,"found_g":140000},"k-1.value":None,"k-1.hs":None}, v'

# --- the consignment view shows both declarations ---
start srv "$CLI" serve --db l.db --listen 127.0.0.1:0 --read-only --quiet || abort "serve"
curl -sf "http://127.0.0.1:$PORT/api/consignments/k-1" >k.json || bad "GET /api/consignments/k-1"
pycheck k.json '
x=d["declarations"]["export"]; i=d["declarations"]["import"]
assert (x["id"],x["by"],x["mass_g"],x["hs"],x["reference"])==("e1","cpk",140000,["260300","261710"],"GD-e1"), x
assert x["value"]=={"amount":1000000,"currency":"USD"}, x
assert (i["id"],i["by"],i["mass_g"],i["hs"])==("i1","cus",126000,["260300"]), i
assert d["status"]=="received", d'
summary
