#!/usr/bin/env bash
# CLI test of recycled feed (docs/events.md "Recycled feed"): `recycle`
# events at recycler sites bring post-consumer and pre-consumer scrap into
# the ledger; each rule violation is refused with its code, exit 4, nothing
# appended; a lot refined from mined and recycled feed shows both in trace
# (origins, the `recycled` stage, the recycled content and its split);
# `report recycled` gives the content per lot and the feed per period;
# comply judges the recycled stage by the profile (crma lists it, DFARS
# does not) and counts recycled feed as attributed; the audit replays it
# and a certificate verifies it.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "recycled_cli: skipped: no python3" >&2; exit 77; }
cd "$T"

"$CLI" init --db l.db --origin test.example/recycled --key-name gov >/dev/null 2>&1 || abort "init"
for k in fwo rec lab1; do "$CLI" key new $k >/dev/null 2>&1 || abort "key $k"; done
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter"],"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"a2","time":"2025-09-01T08:00:00Z","actor":"rec","name":"Magnet Recycling GmbH","country":"DE","roles":["processor","importer"],"key":"$(cat rec.vkey)"}
{"type":"actor","id":"a3","time":"2025-09-01T08:00:00Z","actor":"lab1","name":"Lab","country":"DE","roles":["lab"],"key":"$(cat lab1.vkey)"}
{"type":"site","id":"s1","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"s2","time":"2025-09-01T08:00:00Z","site":"rec-de","kind":"recycler","holder":"rec","country":"DE","valid_from":"2025-01-01T00:00:00Z"}
{"type":"site","id":"s3","time":"2025-09-01T08:00:00Z","site":"plant-de","kind":"plant","holder":"rec","country":"DE"}
{"type":"site","id":"s4","time":"2025-09-01T08:00:00Z","site":"rec-cn","kind":"recycler","holder":"rec","country":"CN"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 || abort "registration"
size() { "$CLI" checkpoint --db l.db | sed -n 2p; }
submit() { # FILE KEY: signs and submits it
	"$CLI" submit --db l.db --key "$2.key" "$1" >"$1.out" 2>&1 || bad "submit $1: $(cat "$1.out")"
}
refused() { # FILE KEY CODE PATTERN: refused with CODE, exit 4, the log unchanged
	local before
	before=$(size)
	expect 4 "rejected, nothing appended: .*$4" -- "$CLI" submit --db l.db --key "$2.key" "$1"
	"$CLI" submit --db l.db --key "$2.key" --json "$1" >"$1.json" 2>/dev/null
	pycheck "$1.json" "assert d['error']['code'] == '$3', d"
	[ "$(size)" = "$before" ] && ok || bad "$1: the log grew from $before to $(size)"
}
rec() { # ID FIELDS: a recycle event at rec-de with the given fields after "time"
	echo '{"type":"recycle","id":"'"$1"'","time":"2025-09-02T08:00:00Z",'"$2"'}' >"$1.jsonl"
}
good='"site":"rec-de","lot":"bad-1","material":"scrap","mass_g":1000,"assay":{"Nd":250000},"scrap":"post_consumer","source":"end-of-life magnets"'

# --- refusals: each exit 4, nothing appended ---
rec x1 "${good/rec-de/mine-1}"
refused x1.jsonl fwo wrong_site_kind 'event x1: site: site mine-1 is a mine; recycling happens at a recycler'
rec x2 "$good"
refused x2.jsonl fwo not_site_holder 'event x2: site: recycler rec-de is held by rec, not by fwo'
rec x3 "$good"
refused x3.jsonl lab1 missing_role 'event x3: signer: lab1 has the roles lab; recycle events need one of processor'
rec x4 "${good/\"mass_g\":1000/\"mass_g\":0}"
refused x4.jsonl rec bad_field 'event x4: mass_g: 0 is outside 1..1000000000000000'
rec x5 "${good/250000/1000001}"
refused x5.jsonl rec bad_field 'event x5: assay.Nd'
rec x6 "${good/\"assay\":\{\"Nd\":250000\}/\"assay\":{\"Nd\":700000,\"Fe\":400000\}}"
refused x6.jsonl rec bad_field 'event x6: assay'
rec x7 "${good/post_consumer/industrial}"
refused x7.jsonl rec bad_field 'event x7: scrap: .*post_consumer.*pre_consumer'
rec x8 "${good/,\"source\":\"end-of-life magnets\"/}"
refused x8.jsonl rec missing_field 'event x8: source'
rec x9 "$good"',"country":"fr"'
refused x9.jsonl rec bad_field 'event x9: country'
rec x10 "${good/\{\"Nd\":250000\}/\{\}}"
refused x10.jsonl rec bad_field 'event x10: assay: recycled feed declares the content of at least one element'
rec x11 "${good/\"mass_g\":1000/\"mass_g\":1000,\"moisture_ppm\":1000001}"
refused x11.jsonl rec bad_field 'event x11: moisture_ppm'
echo '{"type":"recycle","id":"x12","time":"2024-09-02T08:00:00Z",'"$good"'}' >x12.jsonl
refused x12.jsonl rec licence_not_valid 'event x12: site: the licence'

# --- recycled feed, and mined oxide shipped to the same plant ---
cat >feed.jsonl <<'JSON'
{"type":"recycle","id":"r1","time":"2025-09-02T08:00:00Z","site":"rec-de","lot":"sw-1","material":"magnet","mass_g":200000,"assay":{"Nd":250000,"Pr":50000},"scrap":"post_consumer","source":"end-of-life NdFeB magnets from wind turbines","country":"FR"}
{"type":"recycle","id":"r2","time":"2025-09-03T08:00:00Z","site":"rec-de","lot":"sw-2","material":"scrap","mass_g":125000,"moisture_ppm":200000,"assay":{"Nd":200000},"scrap":"pre_consumer","source":"magnet grinding swarf"}
JSON
submit feed.jsonl rec
# sw-2: 125000 g wet at 20 % moisture is 100000 g dry, 20000 g of Nd
"$CLI" trace --db l.db --json sw-2 >t2.json
pycheck t2.json '
assert d["created"]["type"]=="recycle" and d["initial_g"]==100000, d
assert d["origins"]==[], d["origins"]
assert [(s["stage"],s["element"],s["country"],s["site"],s["grams"]) for s in d["stages"]]==[("recycled","Nd","DE","rec-de",20000)], d["stages"]'

rec x13 "${good/bad-1/sw-1}"
refused x13.jsonl rec duplicate_lot 'event x13: lot: lot sw-1 already exists'
cat >mined.jsonl <<'JSON'
{"type":"extract","id":"m1","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ox-1","material":"oxide","mass_g":100000,"assay":{"Nd":700000}}
{"type":"ship","id":"m2","time":"2025-09-03T08:00:00Z","consignment":"k-1","from":"mine-1","to":"plant-de","consignee":"rec","lots":["ox-1"]}
JSON
submit mined.jsonl fwo
cat >mix.jsonl <<'JSON'
{"type":"receive","id":"m3","time":"2025-09-10T08:00:00Z","consignment":"k-1","site":"plant-de","lots":[{"lot":"ox-1","mass_g":100000}]}
{"type":"ship","id":"m4","time":"2025-09-10T09:00:00Z","consignment":"k-2","from":"rec-de","to":"plant-de","consignee":"rec","lots":["sw-1","sw-2"]}
{"type":"receive","id":"m5","time":"2025-09-10T10:00:00Z","consignment":"k-2","site":"plant-de","lots":[{"lot":"sw-1","mass_g":200000},{"lot":"sw-2","mass_g":100000}]}
{"type":"transform","id":"m6","time":"2025-09-11T08:00:00Z","site":"plant-de","process":"refining","inputs":[{"lot":"ox-1","mass_g":100000},{"lot":"sw-1","mass_g":200000},{"lot":"sw-2","mass_g":100000}],"outputs":[{"lot":"metal-1","material":"metal","mass_g":150000,"assay":{"Nd":900000,"Pr":60000}}]}
{"type":"recycle","id":"r3","time":"2026-01-10T08:00:00Z","site":"rec-cn","lot":"sw-cn","material":"scrap","mass_g":40000,"assay":{"Sm":300000},"scrap":"pre_consumer","source":"SmCo machining scrap"}
JSON
submit mix.jsonl rec

# metal-1: 135000 g of Nd, half mined in PK, half recycled at rec-de: of
# the recycled 67500 g, 50/70 post-consumer and 20/70 pre-consumer
"$CLI" trace --db l.db --json metal-1 >t.json
pycheck t.json '
assert [(o["element"],o["site"],o["country"],o["mg"]) for o in d["origins"]]==[("Nd","mine-1","PK",67500000)], d["origins"]
rows=[(s["stage"],s["element"],s["country"],s["site"],s["mg"],s["share_ppm"]) for s in d["stages"]]
assert rows==[("mined","Nd","PK","mine-1",67500000,1000000),
              ("refined","Nd","DE","plant-de",135000000,1000000),
              ("refined","Pr","DE","plant-de",9000000,1000000),
              ("recycled","Nd","DE","rec-de",67500000,1000000),
              ("recycled","Pr","DE","rec-de",9000000,1000000)], rows
assert d["recycled"]==[
  {"element":"Nd","grams":67500,"mg":67500000,"share_ppm":500000,"post_consumer_mg":48214286,"pre_consumer_mg":19285714},
  {"element":"Pr","grams":9000,"mg":9000000,"share_ppm":1000000,"post_consumer_mg":9000000,"pre_consumer_mg":0}], d["recycled"]'
"$CLI" trace --db l.db metal-1 >t.txt 2>&1
grep -q "^recycled content" t.txt && grep -qE "^  Nd +67\.500 kg +50\.00 % +48\.214 kg +19\.286 kg" t.txt && ok || bad "trace text: $(cat t.txt)"
grep -q "sw-1: 200\.000 kg of magnet recycled at rec-de (Nd 25.*), post_consumer scrap: end-of-life NdFeB magnets" t.txt && ok || bad "lineage text: $(cat t.txt)"

# an assay rescales mined and recycled amounts alike: 880000 mg/kg of Nd
echo '{"type":"assay","id":"y1","time":"2025-09-12T08:00:00Z","lot":"metal-1","assay":{"Nd":880000}}' >y1.jsonl
submit y1.jsonl lab1
"$CLI" trace --db l.db --json metal-1 >ty.json
pycheck ty.json '
assert [o["mg"] for o in d["origins"]]==[66000000], d["origins"]
r=d["recycled"][0]
assert (r["mg"],r["share_ppm"],r["post_consumer_mg"]+r["pre_consumer_mg"])==(66000000,500000,66000000), r'

# --- comply: DFARS judges mined, separated, refined (none covered here) and
# counts recycled feed as attributed; crma judges the recycled stage too ---
expect 0 "determination +PASS" -- "$CLI" comply --db l.db --at 2027-06-01 dfars-7052 metal-1
expect 0 "determination +PASS" -- "$CLI" comply --db l.db --at 2027-06-01 dfars-7052 sw-cn
"$CLI" comply --db l.db --json --at 2026-06-01 crma sw-cn >c.json
pycheck c.json '
assert d["determination"]=="fail", d
r=d["reasons"]
assert [(x["kind"],x["stage"],x["element"],x["country"],x["share_ppm"],x["sites"]) for x in r]==[("third_country_share","recycled","Sm","CN",1000000,["rec-cn"])], r
assert len(r[0]["entries"])==1, r'
# metal-1 fails the crma profile for its mined half (PK), not for the
# recycled half (DE, a member state)
"$CLI" comply --db l.db --json --at 2026-06-01 crma metal-1 >c2.json
pycheck c2.json '
assert d["determination"]=="fail", d
assert [(x["stage"],x["element"],x["country"]) for x in d["reasons"]]==[("mined","Nd","PK")], d["reasons"]'


# --- report recycled ---
"$CLI" report recycled --db l.db --json >rr.json
pycheck rr.json '
assert d["period"] is None
assert d["feed"]==[
  {"element":"Nd","grams":70000,"mg":70000000,"post_consumer_mg":50000000,"pre_consumer_mg":20000000},
  {"element":"Pr","grams":10000,"mg":10000000,"post_consumer_mg":10000000,"pre_consumer_mg":0},
  {"element":"Sm","grams":12000,"mg":12000000,"post_consumer_mg":0,"pre_consumer_mg":12000000}], d["feed"]
assert [(i["lot"],i["site"],i["country"],i["scrap"],i.get("collected_in"),i["mass_g"]) for i in d["intake"]]==[
  ("sw-1","rec-de","DE","post_consumer","FR",200000),("sw-2","rec-de","DE","pre_consumer",None,100000),
  ("sw-cn","rec-cn","CN","pre_consumer",None,40000)], d["intake"]
assert [l["lot"] for l in d["lots"]]==["metal-1","sw-cn"], d["lots"]
m=d["lots"][0]
assert (m["type"],m["status"],m["mass_g"])==("transform","held",150000), m
assert [(e["element"],e["mg"],e["share_ppm"]) for e in m["elements"]]==[("Nd",66000000,500000),("Pr",9000000,1000000)], m'
"$CLI" report recycled --db l.db --json --period 2026-Q1 >rq.json
pycheck rq.json '
assert d["period"]=="2026-Q1" and [f["element"] for f in d["feed"]]==["Sm"], d
assert [l["lot"] for l in d["lots"]]==["sw-cn"], d["lots"]'
"$CLI" report recycled --db l.db --json --period 2025-09 >rm.json
pycheck rm.json 'assert [f["element"] for f in d["feed"]]==["Nd","Pr"] and [l["lot"] for l in d["lots"]]==["metal-1"], d'
expect 0 "" -- "$CLI" report recycled --db l.db --csv
"$CLI" report recycled --db l.db --csv >rr.csv
[ "$(head -1 rr.csv)" = "section,lot,element,mg,share_ppm,post_consumer_mg,pre_consumer_mg" ] &&
	grep -qx "lot,metal-1,Nd,66000000,500000,47142857,18857143" rr.csv &&
	grep -qx "feed,,Nd,70000000,,50000000,20000000" rr.csv && ok || bad "csv: $(cat rr.csv)"
expect 0 "lots holding recycled content" -- "$CLI" report recycled --db l.db
expect 2 "period \"2025-13\" is not YYYY" -- "$CLI" report recycled --db l.db --period 2025-13
expect 2 "exclude each other" -- "$CLI" report recycled --db l.db --json --csv
"$CLI" report crma --db l.db --json >cr.json
pycheck cr.json '
sm=[m for m in d["minerals"] if m["element"]=="Sm"][0]
assert [(s["stage"],s["mg"],s["largest_third_country"],s["judged"],s["over_threshold"]) for s in sm["stages"]]==[("recycled",12000000,"CN",True,True)], sm'

# --- EPCIS: a recycle is an ObjectEvent ADD commissioning with
# oretrail:recycled in its ILMD, and imports back as a recycle ---
"$CLI" export --db l.db >doc.json 2>/dev/null || bad "export"
pycheck doc.json '
ev=[e for e in d["epcisBody"]["eventList"] if e.get("eventID")=="urn:oretrail:event:r1"]
assert len(ev)==1, ev
e=ev[0]
assert (e["type"],e["action"],e["bizStep"])==("ObjectEvent","ADD","commissioning"), e
assert e["ilmd"]["oretrail:recycled"]=={"scrap":"post_consumer","source":"end-of-life NdFeB magnets from wind turbines","country":"FR"}, e["ilmd"]
d["epcisBody"]["eventList"]=ev
json.dump(d,open("r1doc.json","w"))'
"$CLI" init --db l2.db --origin test.example/recycled2 --key-name gov >/dev/null 2>&1 || bad "init l2"
"$CLI" submit --db l2.db --key l2.db.key reg.jsonl >/dev/null 2>&1 || bad "registration l2"
expect 0 "" -- "$CLI" import --db l2.db --key rec.key r1doc.json
"$CLI" trace --db l2.db --json sw-1 >ti.json
pycheck ti.json '
assert (d["created"]["type"],d["initial_g"])==("recycle",200000), d
assert [(r["element"],r["mg"],r["post_consumer_mg"]) for r in d["recycled"]]==[("Nd",50000000,50000000),("Pr",10000000,10000000)], d["recycled"]'

# --- the audit replays it to the same state; a certificate verifies it ---
"$CLI" audit --db l.db --json >a.json
pycheck a.json 'assert d["ok"] is True and d["problems"]==[], d["problems"]'
"$CLI" prove --db l.db --out metal.cert metal-1 >/dev/null 2>&1 || bad "prove metal-1"
expect 0 "" -- "$CLI" verify metal.cert --key l.db.vkey
summary
