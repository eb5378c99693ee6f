#!/usr/bin/env bash
# CLI test of provenance by stage and `oretrail comply`: a multi-country
# scenario (mined in PK, separated in CN, refined in the US) beside a lot
# mined and separated in PK and refined in the US; DFARS and CRMA
# determinations with their reasons and entries, the stage rows of trace,
# an undetermined lot, the bad-input errors, and a lineage deeper than one
# ancestry record holds (lineage.h), traced whole and in order.
. "$(dirname "$0")/lib.sh"

cd "$T"
expect 0 "^usage: oretrail comply" -- "$CLI" comply --help
"$CLI" init --db l.db --origin test.example/comply --key-name gov >/dev/null 2>&1
for a in fwo cnp ussm; do "$CLI" key new $a >/dev/null 2>&1; done
cat >reg.jsonl <<JSON
{"type":"actor","id":"r1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter","importer"],"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"r2","time":"2025-09-01T08:00:00Z","actor":"cnp","name":"CN separator","country":"CN","roles":["processor","exporter","importer"],"key":"$(cat cnp.vkey)"}
{"type":"actor","id":"r3","time":"2025-09-01T08:00:00Z","actor":"ussm","name":"USSM","country":"US","roles":["processor","importer"],"key":"$(cat ussm.vkey)"}
{"type":"site","id":"r4","time":"2025-09-01T08:00:00Z","site":"mine-pk","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"r5","time":"2025-09-01T08:00:00Z","site":"plant-pk","kind":"plant","holder":"fwo","country":"PK","operator":"FWO rare earth plant"}
{"type":"site","id":"r6","time":"2025-09-01T08:00:00Z","site":"plant-cn","kind":"plant","holder":"cnp","country":"CN","operator":"Example Separation Co.","facility_ids":{"rmi":"CID009999"}}
{"type":"site","id":"r7","time":"2025-09-01T08:00:00Z","site":"plant-us","kind":"plant","holder":"ussm","country":"US"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 && ok || bad "registration"

# $1 lot suffix, $2 separation site, $3 its holder, $4 day
chain() {
	local s=$1 sep=$2 who=$3 d=$4
	cat >fwo-$s.jsonl <<JSON
{"type":"extract","id":"x-$s","time":"2025-09-${d}T01:00:00Z","site":"mine-pk","lot":"ore-$s","material":"ore","mass_g":1000000,"assay":{"Nd":5000}}
{"type":"transform","id":"b-$s","time":"2025-09-${d}T02:00:00Z","site":"mine-pk","process":"beneficiation","inputs":[{"lot":"ore-$s","mass_g":1000000}],"outputs":[{"lot":"conc-$s","material":"concentrate","mass_g":100000,"assay":{"Nd":45000}}]}
{"type":"ship","id":"s1-$s","time":"2025-09-${d}T03:00:00Z","consignment":"c1-$s","from":"mine-pk","to":"$sep","consignee":"$who","lots":["conc-$s"]}
JSON
	cat >sep-$s.jsonl <<JSON
{"type":"receive","id":"v1-$s","time":"2025-09-${d}T04:00:00Z","consignment":"c1-$s","site":"$sep","lots":[{"lot":"conc-$s","mass_g":100000}]}
{"type":"transform","id":"p-$s","time":"2025-09-${d}T05:00:00Z","site":"$sep","process":"separation","inputs":[{"lot":"conc-$s","mass_g":100000}],"outputs":[{"lot":"oxide-$s","material":"oxide","mass_g":6000,"assay":{"Nd":700000}}]}
{"type":"ship","id":"s2-$s","time":"2025-09-${d}T06:00:00Z","consignment":"c2-$s","from":"$sep","to":"plant-us","consignee":"ussm","lots":["oxide-$s"]}
JSON
	cat >us-$s.jsonl <<JSON
{"type":"receive","id":"v2-$s","time":"2025-09-${d}T07:00:00Z","consignment":"c2-$s","site":"plant-us","lots":[{"lot":"oxide-$s","mass_g":6000}]}
{"type":"transform","id":"f-$s","time":"2025-09-${d}T08:00:00Z","site":"plant-us","process":"refining","inputs":[{"lot":"oxide-$s","mass_g":6000}],"outputs":[{"lot":"metal-$s","material":"metal","mass_g":4000,"assay":{"Nd":990000}}]}
JSON
	if [ "$sep" = plant-pk ]; then
		cat fwo-$s.jsonl sep-$s.jsonl >fwo2-$s.jsonl
		"$CLI" submit --db l.db --key fwo.key fwo2-$s.jsonl >/dev/null 2>&1 || bad "chain $s: fwo"
	else
		"$CLI" submit --db l.db --key fwo.key fwo-$s.jsonl >/dev/null 2>&1 || bad "chain $s: fwo"
		"$CLI" submit --db l.db --key $who.key sep-$s.jsonl >/dev/null 2>&1 || bad "chain $s: $who"
	fi
	"$CLI" submit --db l.db --key ussm.key us-$s.jsonl >/dev/null 2>&1 || bad "chain $s: ussm"
}
chain a plant-pk fwo 10
chain b plant-cn cnp 11

# --- trace: the stages of the multi-country lot ---
"$CLI" trace --db l.db --json metal-b >b.json
pycheck b.json '
rows=[(r["stage"],r["element"],r["country"],r["site"],r["share_ppm"]) for r in d["stages"]]
assert rows==[("mined","Nd","PK","mine-pk",1000000),("concentrated","Nd","PK","mine-pk",1000000),("separated","Nd","CN","plant-cn",1000000),("refined","Nd","US","plant-us",1000000)], rows
sep=[r for r in d["stages"] if r["stage"]=="separated"][0]
assert sep["facility"]=={"operator":"Example Separation Co.","ids":{"rmi":"CID009999"}}, sep
assert all(set(r)=={"stage","element","country","site","facility","grams","mg","share_ppm"} for r in d["stages"])
assert all(r["grams"]==(r["mg"]+500)//1000 for r in d["stages"])
assert [(o["country"],o["share_ppm"]) for o in d["countries"]]==[("PK",1000000)]'
"$CLI" trace --db l.db metal-b >b.out
grep -qE "^  separated +Nd +CN +plant-cn +Example Separation Co. rmi:CID009999 " b.out && ok || bad "trace text lacks the CN separation: $(cat b.out)"

# --- comply: DFARS fails the lot separated in CN, passes the other ---
sep_index=$(python3 -c 'import json,sys; d=json.load(open("b.json")); print([a["index"] for a in d["ancestry"] if a["id"]=="p-b"][0])')
"$CLI" comply --db l.db --json --at 2027-06-01 dfars-7052 metal-b >fb.json
[ $? = 1 ] && ok || bad "dfars metal-b exit"
pycheck fb.json "
assert d['profile']=='dfars-7052' and d['lot']=='metal-b' and d['at']=='2027-06-01' and d['determination']=='fail'
assert d['reasons']==[{'kind':'covered_country','stage':'separated','element':'Nd','country':'CN','share_ppm':1000000,'sites':['plant-cn'],'entries':[$sep_index]}], d['reasons']"
expect 0 "^determination  PASS$" -- "$CLI" comply --db l.db --at 2027-06-01 dfars-7052 metal-a
expect 1 "^determination  FAIL$" -- "$CLI" comply --db l.db --at 2027-06-01 dfars-7052 metal-b
expect 1 "^  1. separated Nd: CN 100.00 %, covered_country; sites plant-cn; log entries $sep_index$" -- "$CLI" comply --db l.db --at 2027-06-01 dfars-7052 metal-b
# Before 2027 only the magnet stages are in effect: the CN separation is not yet covered.
expect 0 "^determination  PASS$" -- "$CLI" comply --db l.db --at 2026-06-01 dfars-7052 metal-b
# CRMA: one third country (PK) mined all of it, above 65 %.
"$CLI" comply --db l.db --json crma metal-b >cb.json
[ $? = 1 ] && ok || bad "crma metal-b exit"
pycheck cb.json '
got={(r["stage"],r["country"],r["kind"]) for r in d["reasons"]}
assert got=={("mined","PK","third_country_share"),("concentrated","PK","third_country_share"),("separated","CN","third_country_share"),("refined","US","third_country_share")}, got'
# A user profile: the EU exempt, US not covered: the US refining passes a 100 % threshold.
cat >mine.json <<'JSON'
{"profile":"pk-only","elements":["Nd"],"stages":{"mined":"2020-01-01"},"covered_countries":["CN"]}
JSON
expect 0 "^determination  PASS$" -- "$CLI" comply --db l.db mine.json metal-b

# --- undetermined: content the inputs do not account for (within their uncertainty) ---
cat >u.jsonl <<'JSON'
{"type":"extract","id":"x-u","time":"2025-09-12T01:00:00Z","site":"mine-pk","lot":"ore-u","material":"ore","mass_g":1000000,"assay":{"Nd":5000},"uncertainty_ppm":200000}
{"type":"transform","id":"b-u","time":"2025-09-12T02:00:00Z","site":"mine-pk","process":"beneficiation","inputs":[{"lot":"ore-u","mass_g":1000000}],"outputs":[{"lot":"conc-u","material":"concentrate","mass_g":100000,"assay":{"Nd":55000}}]}
JSON
"$CLI" submit --db l.db --key fwo.key u.jsonl >/dev/null 2>&1 && ok || bad "undetermined events"
"$CLI" comply --db l.db --json --at 2027-06-01 dfars-7052 conc-u >u.json
[ $? = 5 ] && ok || bad "undetermined exit"
pycheck u.json '
assert d["determination"]=="undetermined"
assert d["reasons"]==[{"kind":"unattributed","stage":"mined","element":"Nd","country":None,"share_ppm":90909,"sites":[],"entries":[]}], d["reasons"]'

# --- bad input: exit 2, the field named ---
expect 2 "unknown profile nope" -- "$CLI" comply --db l.db nope metal-b
expect 2 "lot nolot does not exist" -- "$CLI" comply --db l.db dfars-7052 nolot
echo '{"profile":"x","elements":["Nd"],"stages":{"smelted":"2020-01-01"},"covered_countries":["CN"]}' >p1.json
expect 2 "profile: stages.smelted: unknown stage" -- "$CLI" comply --db l.db p1.json metal-b
echo '{"profile":"x","elements":["Nd"],"stages":{"mined":"2020-01-01"},"covered_countries":["China"]}' >p2.json
expect 2 "profile: covered_countries\[0\]: unknown country code" -- "$CLI" comply --db l.db p2.json metal-b
echo '{"profile":"x",' >p3.json
expect 2 "profile: not JSON" -- "$CLI" comply --db l.db p3.json metal-b
expect 2 "not a date" -- "$CLI" comply --db l.db --at 2027-13-45 dfars-7052 metal-b
"$CLI" comply --db l.db --json p1.json metal-b >e.json 2>/dev/null
[ $? = 2 ] && ok || bad "comply --json error exit"
pycheck e.json 'assert d["error"]["code"]=="bad_profile", d'
expect 4 'facility_ids.RMI: a scheme is' -- "$CLI" submit --db l.db --key l.db.key <(echo '{"type":"site","id":"r9","time":"2025-09-01T08:00:00Z","site":"plant-x","kind":"plant","holder":"cnp","country":"CN","facility_ids":{"RMI":"CID1"}}') --json

# --- certificates carry the stages and determinations (prove --profile) ---
# edit NAME PYTHON: NAME.json, cb.cert after PYTHON edits d.
edit() {
	python3 -c "import json,sys
d=json.load(open('cb.cert'))
$2
json.dump(d,open(sys.argv[1],'w'),indent=1)" "$1.json" || bad "edit $1 failed"
}
# refused NAME PYTHON PATTERN [VERIFY-ARGS]: verify of the edit exits 1 with PATTERN.
refused() {
	local name=$1 py=$2 want=$3
	shift 3
	edit "$name" "$py"
	expect 1 "$want" -- "$CLI" verify "$name.json" --key $vkey "$@"
}
"$CLI" prove --db l.db --profile dfars-7052 --profile crma --profile mine.json --at 2027-06-01 metal-b >cb.cert && ok || bad "prove --profile"
"$CLI" trace --db l.db --json --context metal-b >bt.json
python3 -c "import json
c=json.load(open('cb.cert')); t=json.load(open('bt.json'))
assert c['claim']['stages']==t['stages'], c['claim']['stages']
comp=c['compliance']
assert [x['profile']['profile'] for x in comp]==['dfars-7052','crma','pk-only']
assert comp[0]['profile']==json.load(open('$TOP/profiles/dfars-7052.json'))
assert comp[0]['determination']==json.load(open('fb.json')), comp[0]['determination']
assert [x['determination']['determination'] for x in comp]==['fail','fail','pass']" && ok || bad "prove --profile: certificate shape"
vkey=l.db.vkey
expect 0 "^ok: the certificate of lot metal-b verifies" -- "$CLI" verify cb.cert --key $vkey
expect 0 "^  dfars-7052: fail as of 2027-06-01, 1 reason$" -- "$CLI" verify cb.cert --key $vkey
expect 0 "^  separated +Nd +CN +plant-cn +Example Separation Co. rmi:CID009999 " -- "$CLI" verify cb.cert --key $vkey
expect 0 "^    profile pk-only is the certificate's own, not a shipped one$" -- "$CLI" verify cb.cert --key $vkey
expect 0 "^    profile pk-only is the one given with --profile$" -- "$CLI" verify cb.cert --key $vkey --profile mine.json --profile dfars-7052
"$CLI" verify cb.cert --key $vkey --json >cv.json
pycheck cv.json '
assert [(x["profile"],x["source"],x["determination"]["determination"]) for x in d["compliance"]]==[("dfars-7052","shipped","fail"),("crma","shipped","fail"),("pk-only","certificate","pass")], d["compliance"]
assert d["trace"]["stages"][2]["country"]=="CN"'
# The issue's example: the lot separated in CN claimed to pass.
refused pass 'x=d["compliance"][0]["determination"]; x["determination"]="pass"; x["reasons"]=[]' \
	'determination_mismatch: compliance\[0\].determination.determination is not what the entries imply: the certificate says "pass", the replay gives "fail"'
refused reason 'd["compliance"][0]["determination"]["reasons"][0]["country"]="PK"' \
	'determination_mismatch: compliance\[0\].determination.reasons\[0\].country'
# A shipped profile's name with other content: CN no longer covered, so the
# pass it implies is consistent, but the profile is not dfars-7052.
refused prof 'x=d["compliance"][0]; x["profile"]["covered_countries"]=["RU","KP","IR"]; x["determination"]["determination"]="pass"; x["determination"]["reasons"]=[]' \
	'profile_mismatch: compliance\[0\].profile.covered_countries is not the shipped profile dfars-7052: the certificate says \["RU","KP","IR"\], the shipped one has \["CN","RU","KP","IR"\]'
# The user profile edited: its determination no longer follows.
refused uprof 'd["compliance"][2]["profile"]["covered_countries"]=["PK"]' \
	'determination_mismatch: compliance\[2\].determination'
expect 1 'profile_mismatch: compliance\[2\].profile.covered_countries\[0\] is not the given profile pk-only: the certificate says "PK", the given one has "CN"' -- "$CLI" verify uprof.json --key $vkey --profile mine.json
# Edited stage shares and countries in the claim.
refused share 'd["claim"]["stages"][2]["share_ppm"]=400000' \
	'claim_mismatch: claim.stages\[2\].share_ppm is not what the entries imply: the certificate says 400000, the replay gives 1000000'
refused country 'd["claim"]["stages"][2]["country"]="PK"' \
	'claim_mismatch: claim.stages\[2\].country is not what the entries imply: the certificate says "PK", the replay gives "CN"'
refused droprow 'del d["claim"]["stages"][2]' \
	'claim_mismatch: claim.stages is not what the entries imply'
# Asked for a determination the certificate does not carry.
"$CLI" prove --db l.db metal-a >ca.cert && ok || bad "prove metal-a"
expect 1 "determination_missing: the certificate carries no determination under profile dfars-7052" -- "$CLI" verify ca.cert --key $vkey --profile dfars-7052
echo '{"profile":"other","elements":["Nd"],"stages":{"mined":"2020-01-01"},"covered_countries":["RU"]}' >other.json
"$CLI" verify cb.cert --key $vkey --profile dfars-7052 --profile "$TOP/profiles/crma.json" --profile other.json --json >miss.json 2>/dev/null
[ $? = 1 ] && ok || bad "determination_missing exit"
pycheck miss.json 'assert d["error"]["code"]=="determination_missing" and "profile other" in d["error"]["message"], d'
"$CLI" prove --db l.db --profile dfars-7052 --at 2027-06-01 metal-a >ca2.cert
expect 0 "^  dfars-7052: pass as of 2027-06-01, 0 reasons$" -- "$CLI" verify ca2.cert --key $vkey --profile dfars-7052
# A certificate made before stages and determinations still verifies.
edit old 'del d["claim"]["stages"]; del d["compliance"]'
expect 0 "^ok: the certificate of lot metal-b verifies" -- "$CLI" verify old.json --key $vkey
edit badcomp 'd["compliance"][1]["profile"]["stages"]={"smelted":"2020-01-01"}'
expect 2 "cert_malformed: compliance\[1\].profile: stages.smelted: unknown stage" -- "$CLI" verify badcomp.json --key $vkey
expect 2 "unknown profile nope" -- "$CLI" prove --db l.db --profile nope metal-b
expect 2 "profile: stages.smelted: unknown stage" -- "$CLI" prove --db l.db --profile p1.json metal-b
expect 2 "not a date" -- "$CLI" prove --db l.db --profile dfars-7052 --at 2027-02-30x metal-b
expect 2 "profile dfars-7052 is given twice" -- "$CLI" prove --db l.db --profile dfars-7052 --profile dfars-7052 metal-b
expect 2 "unknown profile nope" -- "$CLI" verify cb.cert --key $vkey --profile nope

# --- a lineage deeper than an ancestry record holds (OTX_LINEAGE_INLINE 64) ---
{
	echo '{"type":"extract","id":"dx","time":"2025-10-01T00:00:00Z","site":"mine-pk","lot":"d-0","material":"ore","mass_g":1000000,"assay":{"Nd":5000}}'
	for i in $(seq 1 200); do
		printf '{"type":"transform","id":"dt%d","time":"2025-10-01T00:%02d:%02dZ","site":"mine-pk","process":"blending","inputs":[{"lot":"d-%d","mass_g":%d}],"outputs":[{"lot":"d-%d","material":"ore","mass_g":%d,"assay":{"Nd":5000}}]}\n' \
			$i $((i / 60)) $((i % 60)) $((i - 1)) $((1000000 - i + 1)) $i $((1000000 - i))
	done
} >deep.jsonl
"$CLI" submit --db l.db --key fwo.key deep.jsonl >/dev/null 2>&1 && ok || bad "deep chain"
"$CLI" trace --db l.db --json d-200 >d.json
pycheck d.json '
ids=[a["id"] for a in d["ancestry"]]
assert ids==["dx"]+["dt%d" % i for i in range(1,201)], ids[:5]
assert [r["share_ppm"] for r in d["stages"]]==[1000000]'
summary
