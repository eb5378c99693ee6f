#!/usr/bin/env bash
# CLI test of the bulk-trade rules (docs/events.md "Bulk trade"): the total
# mass balance of a transform on a dry basis (mass from nothing with an
# empty assay refused, the unassigned loss as the site's process_loss_g),
# external inputs (refused without mass or country or with a bad country
# code; accepted, counted, and shown in trace as the `external` stage with
# its declared country), and moisture (refused outside 0..1000000; dry
# masses kept; a receiver's moisture far from the shipper's is the
# moisture_mismatch finding). Each refusal: exit 4, nothing appended.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "bulk_cli: skipped: no python3" >&2; exit 77; }
cd "$T"

"$CLI" init --db l.db --origin test.example/bulk --key-name gov >/dev/null 2>&1 || abort "init"
"$CLI" key new fwo >/dev/null 2>&1
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"a3","time":"2025-09-01T08:00:00Z","site":"plant-1","kind":"plant","holder":"fwo","country":"PK"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 || abort "registration"
size() { "$CLI" checkpoint --db l.db | sed -n 2p; }
submit() { # FILE: fwo signs and submits it
	"$CLI" submit --db l.db --key fwo.key "$1" >"$1.out" 2>&1 || bad "submit $1: $(cat "$1.out")"
}
refused() { # FILE PATTERN: refused with exit 4, the log unchanged
	local before
	before=$(size)
	expect 4 "rejected, nothing appended: .*$2" -- "$CLI" submit --db l.db --key fwo.key "$1"
	[ "$(size)" = "$before" ] && ok || bad "$1: the log grew from $before to $(size)"
}

# A wet ore: 1,000,000 g at 100,000 mg/kg moisture is 900,000 g dry.
cat >x.jsonl <<'JSON'
{"type":"extract","id":"x1","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-1","material":"ore","mass_g":1000000,"moisture_ppm":100000,"assay":{"Nd":50000}}
JSON
submit x.jsonl
"$CLI" trace --db l.db --json ore-1 >t0.json
pycheck t0.json 'assert d["mass_g"]==900000 and d["initial_g"]==900000, d'

# --- moisture out of range ---
echo '{"type":"extract","id":"x2","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-2","material":"ore","mass_g":1000,"moisture_ppm":1000001,"assay":{}}' >m1.jsonl
refused m1.jsonl 'moisture_ppm: [-0-9]+ is outside 0..1000000'
echo '{"type":"extract","id":"x2","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-2","material":"ore","mass_g":1000,"moisture_ppm":-1,"assay":{}}' >m2.jsonl
refused m2.jsonl 'moisture_ppm: [-0-9]+ is outside 0..1000000'
echo '{"type":"extract","id":"x2","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-2","material":"ore","mass_g":1000,"moisture_ppm":1000000,"assay":{}}' >m3.jsonl
refused m3.jsonl 'moisture_ppm: 1000 g at 1000000 mg/kg of moisture leave no dry mass'

# --- mass from nothing: 1 t in, 5 t out with an empty assay ---
echo '{"type":"transform","id":"t1","time":"2025-09-03T08:00:00Z","site":"mine-1","process":"beneficiation","inputs":[{"lot":"ore-1","mass_g":100000}],"outputs":[{"lot":"c-1","material":"concentrate","mass_g":500000,"assay":{}}]}' >t1.jsonl
refused t1.jsonl 'event t1: outputs: the outputs weigh 500000 g dry but the inputs 100000 g dry \(100000 g tracked, 0 g external\), at most 100000 g with the declared uncertainty of 0 mg/kg'
# within the declared weighing uncertainty (1 %), a 0.5 % gain passes
echo '{"type":"transform","id":"t2","time":"2025-09-03T08:00:00Z","site":"mine-1","process":"beneficiation","mass_uncertainty_ppm":10000,"inputs":[{"lot":"ore-1","mass_g":100000}],"outputs":[{"lot":"c-2","material":"concentrate","mass_g":100500,"assay":{}}]}' >t2.jsonl
submit t2.jsonl
# a wet output is balanced on its dry mass: 200000 g at 50 % is 100000 g dry
echo '{"type":"transform","id":"t3","time":"2025-09-03T09:00:00Z","site":"mine-1","process":"beneficiation","inputs":[{"lot":"ore-1","mass_g":100000}],"outputs":[{"lot":"c-3","material":"concentrate","mass_g":200000,"moisture_ppm":500000,"assay":{"Nd":400000}},{"lot":"r-3","material":"residue","mass_g":1,"assay":{}}]}' >t3.jsonl
refused t3.jsonl 'outputs\[0\]\.assay\.Nd: the outputs hold 40000\.000 g of Nd but the inputs hold 5000\.000 g'
# loss: 300000 g in, 200000 g concentrate and 60000 g residue out: 40000 g unassigned
echo '{"type":"transform","id":"t4","time":"2025-09-03T10:00:00Z","site":"mine-1","process":"beneficiation","inputs":[{"lot":"ore-1","mass_g":300000}],"outputs":[{"lot":"c-4","material":"concentrate","mass_g":200000,"assay":{"Nd":70000}},{"lot":"r-4","material":"residue","mass_g":60000,"assay":{}}]}' >t4.jsonl
submit t4.jsonl

# --- external inputs ---
ext() { # ID EXTERNAL-JSON: an alloying with one tracked and one external input
	echo '{"type":"transform","id":"'"$1"'","time":"2025-09-04T08:00:00Z","site":"mine-1","process":"alloying","inputs":[{"lot":"c-4","mass_g":100000},'"$2"'],"outputs":[{"lot":"alloy-'"$1"'","material":"alloy","mass_g":150000,"assay":{"Nd":46000,"Fe":330000}}]}' >"$1.jsonl"
}
ext e1 '{"external":{"material":"metal","supplier":"JFE","country":"JP","assay":{"Fe":999000}}}'
refused e1.jsonl 'event e1: inputs\[1\]\.external\.mass_g: required'
ext e2 '{"external":{"material":"metal","supplier":"JFE","mass_g":50000,"assay":{"Fe":999000}}}'
refused e2.jsonl 'event e2: inputs\[1\]\.external\.country: required'
ext e3 '{"external":{"material":"metal","supplier":"JFE","country":"jp","mass_g":50000,"assay":{"Fe":999000}}}'
refused e3.jsonl 'event e3: inputs\[1\]\.external\.country: "jp" is not an ISO 3166-1 alpha-2 country code'
# too little declared iron: the element balance counts the external assay
ext e4 '{"external":{"material":"metal","supplier":"JFE","country":"JP","mass_g":50000,"assay":{"Fe":900000}}}'
refused e4.jsonl 'outputs\[0\]\.assay\.Fe: the outputs hold 49500\.000 g of Fe but the inputs hold 45000\.000 g'
# the external mass counts in the mass balance: 100000 + 60000 >= 150000
ext e5 '{"external":{"material":"metal","supplier":"JFE","country":"JP","mass_g":60000,"moisture_ppm":10000,"assay":{"Fe":999000}}}'
submit e5.jsonl
"$CLI" trace --db l.db --json alloy-e5 >te.json
pycheck te.json '
rows=[s for s in d["stages"] if s["stage"]=="external"]
assert [(s["element"],s["country"],s["site"],s["share_ppm"]) for s in rows]==[("Fe","JP","external:e5:1",1000000)], rows
al=[s for s in d["stages"] if s["stage"]=="alloyed"]
assert sorted(s["element"] for s in al)==["Fe","Nd"], al
assert all(s["country"]=="PK" and s["site"]=="mine-1" for s in al), al'

# the offline certificate replays the external input the same way
"$CLI" prove --db l.db --out alloy.cert alloy-e5 >/dev/null 2>&1 || bad "prove alloy-e5"
expect 0 "" -- "$CLI" verify alloy.cert --key l.db.vkey

# --- moisture at receipt ---
"$CLI" audit --db l.db --json >a.json
pycheck a.json 'assert d["ok"] is True, d["problems"]; assert not [x for x in d["findings"] if x["kind"]=="moisture_mismatch"]'
cat >s.jsonl <<'JSON'
{"type":"site","id":"a4","time":"2025-09-01T08:00:00Z","site":"port-1","kind":"port","holder":"fwo","country":"PK"}
JSON
"$CLI" submit --db l.db --key l.db.key s.jsonl >/dev/null 2>&1 || bad "port"
cat >sh.jsonl <<'JSON'
{"type":"extract","id":"x3","time":"2025-09-05T08:00:00Z","site":"mine-1","lot":"ore-3","material":"ore","mass_g":100000,"moisture_ppm":80000,"assay":{}}
{"type":"ship","id":"s1","time":"2025-09-05T09:00:00Z","consignment":"k-1","from":"mine-1","to":"port-1","consignee":"fwo","lots":["ore-3"]}
JSON
submit sh.jsonl
echo '{"type":"receive","id":"r0","time":"2025-09-06T08:00:00Z","consignment":"k-1","site":"port-1","lots":[{"lot":"ore-3","mass_g":100000,"moisture_ppm":1000001}]}' >r0.jsonl
refused r0.jsonl 'lots\[0\]\.moisture_ppm: [-0-9]+ is outside 0..1000000'
# 100000 g wet at 150000 mg/kg is 85000 g dry against 92000 g shipped dry
echo '{"type":"receive","id":"r1","time":"2025-09-06T08:00:00Z","consignment":"k-1","site":"port-1","lots":[{"lot":"ore-3","mass_g":100000,"moisture_ppm":150000}]}' >r1.jsonl
submit r1.jsonl
"$CLI" audit --db l.db --json >a2.json
pycheck a2.json '
assert d["ok"] is True, d["problems"]
f=[(x["kind"],x["subject"]) for x in d["findings"] if x["kind"] in ("moisture_mismatch","transit_loss")]
assert f==[("moisture_mismatch","ore-3"),("transit_loss","ore-3")], f
m=[x["detail"] for x in d["findings"] if x["kind"]=="moisture_mismatch"][0]
assert "shipped at 80000 mg/kg" in m and "received at 150000 mg/kg" in m, m'
"$CLI" trace --db l.db --json ore-3 >t3.json
pycheck t3.json 'assert d["initial_g"]==92000 and d["mass_g"]==85000, d'
summary
