#!/usr/bin/env bash
# CLI test of `oretrail report crma`: each stage's output counted once (a
# second refining step adds nothing), alloying and magnet making as stages
# of their own (not refining), a lot shipped back to the country that mined
# it a return and not an export, the 65 % flag against the largest third
# country (DE, in the EU, is not one), --year, the CSV form and bad input.
. "$(dirname "$0")/lib.sh"

cd "$T"
expect 0 "^usage: oretrail report crma" -- "$CLI" report crma --help
"$CLI" init --db l.db --origin test.example/crma --key-name gov >/dev/null 2>&1
for a in fwo cnp dep; do "$CLI" key new $a >/dev/null 2>&1; done
cat >reg.jsonl <<JSON
{"type":"actor","id":"r1","time":"2025-01-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter","importer"],"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"r2","time":"2025-01-01T08:00:00Z","actor":"cnp","name":"CN separator","country":"CN","roles":["processor","exporter","importer"],"key":"$(cat cnp.vkey)"}
{"type":"actor","id":"r3","time":"2025-01-01T08:00:00Z","actor":"dep","name":"DE separator","country":"DE","roles":["processor","exporter","importer"],"key":"$(cat dep.vkey)"}
{"type":"site","id":"r4","time":"2025-01-01T08:00:00Z","site":"mine-pk","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"r5","time":"2025-01-01T08:00:00Z","site":"plant-pk","kind":"plant","holder":"fwo","country":"PK"}
{"type":"site","id":"r6","time":"2025-01-01T08:00:00Z","site":"plant-cn","kind":"plant","holder":"cnp","country":"CN"}
{"type":"site","id":"r7","time":"2025-01-01T08:00:00Z","site":"plant-de","kind":"plant","holder":"dep","country":"DE"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 && ok || bad "registration"

# $1 suffix, $2 year, $3 separation site, $4 its holder
mine() {
	cat >m-$1.jsonl <<JSON
{"type":"extract","id":"x-$1","time":"$2-03-01T01:00:00Z","site":"mine-pk","lot":"ore-$1","material":"ore","mass_g":1000000,"assay":{"Nd":5000}}
{"type":"transform","id":"b-$1","time":"$2-03-01T02:00:00Z","site":"mine-pk","process":"beneficiation","inputs":[{"lot":"ore-$1","mass_g":1000000}],"outputs":[{"lot":"conc-$1","material":"concentrate","mass_g":100000,"assay":{"Nd":45000}}]}
{"type":"ship","id":"s1-$1","time":"$2-03-01T03:00:00Z","consignment":"c1-$1","from":"mine-pk","to":"$3","consignee":"$4","lots":["conc-$1"]}
JSON
	cat >p-$1.jsonl <<JSON
{"type":"receive","id":"v1-$1","time":"$2-03-01T04:00:00Z","consignment":"c1-$1","site":"$3","lots":[{"lot":"conc-$1","mass_g":100000}]}
{"type":"transform","id":"p-$1","time":"$2-03-01T05:00:00Z","site":"$3","process":"separation","inputs":[{"lot":"conc-$1","mass_g":100000}],"outputs":[{"lot":"oxide-$1","material":"oxide","mass_g":6000,"assay":{"Nd":700000}}]}
JSON
	"$CLI" submit --db l.db --key fwo.key m-$1.jsonl >/dev/null 2>&1 || bad "chain $1: mine"
	"$CLI" submit --db l.db --key $4.key p-$1.jsonl >/dev/null 2>&1 || bad "chain $1: separation"
}
# 2025: mined in PK, separated in CN, shipped back to PK (a return),
# refined twice, alloyed and made into magnets in PK.
mine a 2025 plant-cn cnp
cat >back.jsonl <<'JSON'
{"type":"ship","id":"s2-a","time":"2025-03-01T06:00:00Z","consignment":"c2-a","from":"plant-cn","to":"plant-pk","consignee":"fwo","lots":["oxide-a"]}
JSON
cat >pk.jsonl <<'JSON'
{"type":"receive","id":"v2-a","time":"2025-03-01T07:00:00Z","consignment":"c2-a","site":"plant-pk","lots":[{"lot":"oxide-a","mass_g":6000}]}
{"type":"transform","id":"f1-a","time":"2025-03-01T08:00:00Z","site":"plant-pk","process":"refining","inputs":[{"lot":"oxide-a","mass_g":6000}],"outputs":[{"lot":"metal-a","material":"metal","mass_g":4000,"assay":{"Nd":990000}}]}
{"type":"transform","id":"f2-a","time":"2025-03-01T09:00:00Z","site":"plant-pk","process":"refining","inputs":[{"lot":"metal-a","mass_g":4000}],"outputs":[{"lot":"metal2-a","material":"metal","mass_g":3900,"assay":{"Nd":999000}}]}
{"type":"transform","id":"al-a","time":"2025-03-01T10:00:00Z","site":"plant-pk","process":"alloying","inputs":[{"lot":"metal2-a","mass_g":3900}],"outputs":[{"lot":"alloy-a","material":"alloy","mass_g":3890,"assay":{"Nd":990000}}]}
{"type":"transform","id":"mg-a","time":"2025-03-01T11:00:00Z","site":"plant-pk","process":"magnet_making","inputs":[{"lot":"alloy-a","mass_g":3890}],"outputs":[{"lot":"magnet-a","material":"magnet","mass_g":3880,"assay":{"Nd":990000}}]}
JSON
"$CLI" submit --db l.db --key cnp.key back.jsonl >/dev/null 2>&1 || bad "return shipment"
"$CLI" submit --db l.db --key fwo.key pk.jsonl >/dev/null 2>&1 && ok || bad "PK refining"
# 2026: mined in PK, separated in DE (EU: not a third country).
mine b 2026 plant-de dep

"$CLI" report crma --db l.db --json >all.json && ok || bad "report crma --json"
pycheck all.json '
assert d["profile"]=="crma" and d["year"] is None and d["third_country_max_ppm"]==650000, d
assert "DE" in d["exempt_countries"] and "CN" not in d["exempt_countries"]
[m]=d["minerals"]
assert m["element"]=="Nd" and m["listed"] is True
st={s["stage"]:s for s in m["stages"]}
assert list(st)==["mined","concentrated","separated","refined","alloyed","magnet"], list(st)
rows=lambda s:[(c["country"],c["grams"],c["share_ppm"],c["third_country"]) for c in st[s]["countries"]]
assert rows("mined")==[("PK",10000,1000000,True)], rows("mined")
assert rows("concentrated")==[("PK",9000,1000000,True)], rows("concentrated")
assert rows("separated")==[("CN",4200,500000,True),("DE",4200,500000,False)], rows("separated")
# counted once: the second refining step adds nothing (3960 g, not 3960 + 3896)
assert rows("refined")==[("PK",3960,1000000,True)], rows("refined")
# magnet making and alloying are their own stages, not refining
assert rows("alloyed")==[("PK",3851,1000000,True)] and rows("magnet")==[("PK",3841,1000000,True)]
# no stage exceeds what was mined
assert all(s["grams"]<=st["mined"]["grams"] for s in m["stages"])
assert (st["mined"]["largest_third_country"],st["mined"]["over_threshold"])==("PK",True)
assert (st["separated"]["largest_third_country"],st["separated"]["largest_third_country_share_ppm"],st["separated"]["over_threshold"])==("CN",500000,False)
assert all(s["judged"] for s in m["stages"])
# the lot shipped back to PK, where it was mined, is a return, not an export
assert [(e["from"],e["to"],e["grams"]) for e in m["exported"]]==[("PK","CN",4500),("PK","DE",4500)], m["exported"]
assert [(e["from"],e["to"],e["grams"]) for e in m["returned"]]==[("CN","PK",4200)], m["returned"]'

# --year: 2025 alone has CN as the only separator, above 65 %.
"$CLI" report crma --db l.db --json --year 2025 >y.json && ok || bad "report crma --year"
pycheck y.json '
[m]=d["minerals"]
assert d["year"]=="2025"
st={s["stage"]:s for s in m["stages"]}
assert [(c["country"],c["grams"]) for c in st["separated"]["countries"]]==[("CN",4200)]
assert (st["separated"]["largest_third_country_share_ppm"],st["separated"]["over_threshold"])==(1000000,True)
assert st["mined"]["grams"]==5000 and [e["to"] for e in m["exported"]]==["CN"]'
"$CLI" report crma --db l.db --json --year 2024 >n.json && ok || bad "report crma --year 2024"
pycheck n.json 'assert d["minerals"]==[], d'

# text and CSV
"$CLI" report crma --db l.db >t.out && ok || bad "report crma text"
grep -qE "^  separated +CN +4.200 kg +50.00 % +yes$" t.out && ok || bad "text: separated CN row: $(cat t.out)"
grep -qE "^  mined +largest third country PK 100.00 %: OVER$" t.out && ok || bad "text: mined flag"
grep -qE "^  returned +CN -> PK 4.200 kg$" t.out && ok || bad "text: returned row"
"$CLI" report crma --db l.db --csv >c.csv && ok || bad "report crma --csv"
[ "$(head -1 c.csv)" = "element,stage,country,to,grams,share_ppm,third_country,over_threshold" ] && ok || bad "csv header: $(head -1 c.csv)"
grep -qx "Nd,separated,DE,,4200,500000,false,false" c.csv && ok || bad "csv DE row: $(cat c.csv)"
grep -qx "Nd,mined,PK,,10000,1000000,true,true" c.csv && ok || bad "csv mined row"
grep -qx "Nd,returned,CN,PK,4200,,," c.csv && ok || bad "csv returned row"
[ "$(wc -l <c.csv)" = 11 ] && ok || bad "csv rows: $(wc -l <c.csv)"

# The old flows report is unchanged.
expect 0 "^flows by mineral" -- "$CLI" report --db l.db

# --- bad input: exit 2, nothing written ---
expect 2 "--year: 25 is not a year YYYY" -- "$CLI" report crma --db l.db --year 25
expect 2 "unknown profile nope" -- "$CLI" report crma --db l.db --profile nope
expect 2 "needs one such as crma" -- "$CLI" report crma --db l.db --profile dfars-7052
echo '{"profile":"x","elements":["Nd"],"stages":{"smelted":"2020-01-01"},"third_country_max_ppm":1}' >p1.json
expect 2 "profile: stages.smelted: unknown stage" -- "$CLI" report crma --db l.db --profile p1.json
expect 2 "exclude each other" -- "$CLI" report crma --db l.db --json --csv
expect 2 "unexpected argument" -- "$CLI" report crma --db l.db extra
expect 2 "unexpected argument \"nosuch\"" -- "$CLI" report --db l.db nosuch
"$CLI" report crma --db l.db --json --year x >e.json 2>/dev/null
[ $? = 2 ] && ok || bad "--json error exit"
pycheck e.json 'assert d["error"]["code"]=="bad_field", d'
summary
