#!/usr/bin/env bash
# CLI test on the demo ledger (scripts/demo): the golden output of `trace`
# for the NdPr oxide lot (demo_trace.exp), and the --json shapes of trace,
# audit, contract show and report on a ledger that tells a whole story.
. "$(dirname "$0")/lib.sh"

OT_CLI=$CLI "$TOP/scripts/demo" --dir "$T/demo" --no-serve >"$T/demo.out" 2>&1
rc=$?
[ $rc = 0 ] && ok || abort "scripts/demo exited $rc: $(tail -20 "$T/demo.out")"
db=$T/demo/ledger.db
grep -q "^ok: 63 entries; the log verifies" "$T/demo.out" && ok || bad "demo audit line"
grep -q "^ok: 63 entries, every tile and the latest checkpoint verify" "$T/demo.out" && ok || bad "demo verify-log line"
# The DFARS determinations the demo prints: the lot separated in PK passes,
# the one separated in CN fails, on the separation entry, and so does the
# NdFeB alloy made from it in the US.
python3 -c "import re,sys
t=open(sys.argv[1]).read()
one=t.split('dfars-7052 lot-ndpr-oxide-001')[1].split('\n== ')[0]
two=t.split('dfars-7052 lot-ndpr-oxide-002')[1].split('\n== ')[0]
alloy=t.split('dfars-7052 lot-ndfeb-alloy-002')[1].split('\n== ')[0]
assert re.search(r'^determination  PASS$', one, re.M) and re.search(r'^as of          2027-01-01$', one, re.M), one
assert re.search(r'^determination  FAIL$', two, re.M), two
assert re.search(r'^  1\. separated Nd: CN 100\.00 %, covered_country; sites cn-plant-ree-sep; log entries 57$', two, re.M), two
assert re.search(r'^  2\. separated Pr: CN 100\.00 %, covered_country; sites cn-plant-ree-sep; log entries 57$', two, re.M), two
assert re.search(r'^determination  FAIL$', alloy, re.M), alloy
assert re.findall(r'^  \d\. .*$', alloy, re.M)==re.findall(r'^  \d\. .*$', two, re.M), alloy
# The audit's findings are announced with what each is there to show.
assert 'The story means these findings: transit_loss' in t and 'assay_dispute (its seller' in t" "$T/demo.out" && ok || bad "demo determinations: $(grep -A12 'comply' "$T/demo.out")"
expect 1 "^determination  FAIL$" -- "$CLI" comply --db "$db" --at 2027-01-01 dfars-7052 lot-ndpr-oxide-002
expect 0 "^determination  PASS$" -- "$CLI" comply --db "$db" --at 2026-12-31 dfars-7052 lot-ndpr-oxide-002
[ "$(stat -c %a "$T/demo/fwo-openings.jsonl")" = 600 ] && ok || bad "openings mode"
[ "$(stat -c %a "$T/demo/keys/fwo.key")" = 600 ] && ok || bad "key mode"

# --- golden: the trace of the NdPr oxide lot ---
# (The "logged" line holds today's times: checked apart.)
"$CLI" trace --db "$db" lot-ndpr-oxide-001 >"$T/trace.full" 2>&1
grep -v '^logged ' "$T/trace.full" >"$T/trace.out"
diff -u "$HERE/demo_trace.exp" "$T/trace.out" >"$T/trace.diff" && ok || bad "trace differs from demo_trace.exp:
$(cat "$T/trace.diff")"
grep -qE "^logged     between [0-9T:Z-]{20} and [0-9T:Z-]{20}, on the operator's clock \(no witness\)$" "$T/trace.full" &&
	ok || bad "trace's logged line: $(grep '^logged' "$T/trace.full")"

# --- trace --json: every gram of its Nd and Pr was mined in PK ---
"$CLI" trace --db "$db" --json lot-ndpr-oxide-001 >"$T/trace.json"
pycheck "$T/trace.json" '
assert d["lot"]=="lot-ndpr-oxide-001" and d["material"]=="oxide" and d["holder"]=="ussm"
assert d["status"]=="held" and d["site"]=="us-mo-ussm" and d["mass_g"]==943800 and d["initial_g"]==943900
assert d["created"]["type"]=="transform" and d["created"]["id"]=="fwo-018"
assert d["certified"]["assay"]=={"Nd":655000,"Pr":191000}
assert {(o["element"],o["country"],o["share_ppm"]) for o in d["countries"]}=={("Nd","PK",1000000),("Pr","PK",1000000)}
assert [(o["element"],o["site"]) for o in d["origins"]]==[("Nd","pk-kp-loe-shilman"),("Pr","pk-kp-loe-shilman")]
for o in d["origins"]: assert set(o)=={"element","site","country","grams","mg","share_ppm"} and o["grams"]==(o["mg"]+500)//1000
assert [a["id"] for a in d["ancestry"]]==["fwo-005","lab-001","fwo-008","fwo-011","fwo-014","fwo-017","fwo-018","lab-004","fwo-019","fwo-020","fwo-021","ussm-001"], d["ancestry"]
assert all(set(a)=={"index","type","id"} for a in d["ancestry"])
assert "context" not in d and "uses" not in d
idx=[a["index"] for a in d["ancestry"]]; assert idx==sorted(idx)'
# --context: what used a lot (the ore went into the beneficiation).
"$CLI" trace --db "$db" --json --context lot-ree-ore-001 >"$T/ore.json"
pycheck "$T/ore.json" 'assert [u["id"] for u in d["uses"]]==["fwo-008"] and d["context"]==[] and d["status"]=="consumed", d'
"$CLI" trace --db "$db" --context lot-ree-ore-001 >"$T/ore.out"
grep -qE "^used by: 1 entry, oldest first$" "$T/ore.out" && grep -qE "^ +21  2025-09-13  fwo +transform  beneficiation at pk-kp-loe-shilman" "$T/ore.out" && ok || bad "trace --context text: $(cat "$T/ore.out")"
# The copper concentrate: Cu only, from the Chagai mine.
"$CLI" trace --db "$db" --json lot-cu-conc-001 >"$T/cu.json"
pycheck "$T/cu.json" 'assert [(o["element"],o["site"],o["share_ppm"]) for o in d["origins"]]==[("Cu","pk-bl-chagai-cu",1000000)], d["origins"]'

# --- the bulk-trade story (issue 14) ---
# The copper concentrate: weighed wet (9.0 % at the mine, 8.6 % at Karachi,
# 8.4 % at USSM), its dry mass kept; seller and buyer assays 5,500 mg/kg
# apart, beyond the default splitting limit (1 % of 279,000), settled by the
# umpire's, which governs and rescales its copper.
"$CLI" trace --db "$db" --json lot-cu-conc-001 >"$T/cu.json"
pycheck "$T/cu.json" '
assert d["mass_g"]==19930000 and d["initial_g"]==20100000 and d["moisture_ppm"]==84000 and d["wet_mass_g"]==21757642, d
assert d["hs_code"]=="260300" and d["owner"]=="ussm"
assert [(a["role"],a["id"],a["assay"]["Cu"]) for a in d["assays"]]==[("seller","lab-005",279000),("buyer","usl-001",273500),("umpire","ump-001",276400)], d["assays"]
assert d["certified"]["role"]=="umpire" and d["certified"]["id"]=="ump-001" and d["certified"]["lab"]=="gb-lab-umpire"
g=d["governing"]; assert g["role"]=="umpire" and g["index"]==46, g
x=d["assay_dispute"]; assert x["settled_by"]==46 and x["elements"]=={"Cu":{"seller":279000,"buyer":273500,"limit":2790}}, x
assert [(o["element"],o["site"],o["share_ppm"]) for o in d["origins"]]==[("Cu","pk-bl-chagai-cu",1000000)], d["origins"]
assert sum(o["mg"] for o in d["origins"])==19930000*276400//1000, d["origins"]'
"$CLI" trace --db "$db" lot-cu-conc-001 >"$T/cu.out"
for pat in "^weighed    21\.758 t wet at 8\.40 % moisture, last weighing \(masses above are dry\)$" \
	"^certified  by the umpire assay, which governs: Cu 27\.64 %, entry 46 by umpire-lab at gb-lab-umpire" \
	"^dispute    seller \(entry 33\) and buyer \(entry 45\) differed beyond the splitting limit; settled by the umpire, entry 46$" \
	"^ +22 +2025-09-13 +fwo +transform +beneficiation at pk-bl-chagai-cu: lot-cu-ore-001 \(640\.000 t\) -> lot-cu-conc-001 \(22\.088 t wet concentrate\)$" \
	"^ +33 +2025-09-22 +pk-lab +assay +lot-cu-conc-001 assay \(seller\): Cu 27\.90 % " \
	"^ +46 +2025-10-14 +umpire-lab +assay +lot-cu-conc-001 assay \(umpire\): Cu 27\.64 % "; do
	grep -qE -- "$pat" "$T/cu.out" && ok || bad "cu trace lacks /$pat/: $(cat "$T/cu.out")"
done
# Toll separation in CN (title retained by FWO), then a sale at the plant:
# the transfer made USSM the owner while the plant held the oxide.
"$CLI" trace --db "$db" --json lot-ndpr-oxide-002 >"$T/ox2.json"
pycheck "$T/ox2.json" '
t=d["title"]; assert (t["id"],t["index"],t["from"],t["to"],t["incoterm"],t["contract"])==("fwo-027",58,"fwo","ussm","FCA","mou-fwo-ussm-2025"), t
assert d["owner"]==d["holder"]=="ussm" and d["mass_g"]==71900 and d["hs_code"]=="284690"
assert "fwo-027" in [a["id"] for a in d["ancestry"]]'
# The NdFeB alloy: its iron and boron came from outside the ledger, declared
# with supplier and country, and are counted in the balances and stages.
"$CLI" trace --db "$db" --json lot-ndfeb-alloy-002 >"$T/alloy.json"
pycheck "$T/alloy.json" '
assert d["mass_g"]==1092000 and d["material"]=="alloy" and d["hs_code"]=="720299" and d["owner"]=="ussm"
ext=sorted((s["element"],s["country"],s["site"],s["grams"]) for s in d["stages"] if s["stage"]=="external")
assert ext==[("B","DE","external:ussm-004:2",10920),("Fe","DE","external:ussm-004:2",49851),("Fe","JP","external:ussm-004:1",703629)], ext
al={(s["element"],s["country"]):s["grams"] for s in d["stages"] if s["stage"]=="alloyed"}
assert al=={("B","US"):10920,("Fe","US"):753480,("Nd","US"):253672,("Pr","US"):73819}, al
sep={s["element"]:s["country"] for s in d["stages"] if s["stage"]=="separated"}; assert sep=={"Nd":"CN","Pr":"CN"}, sep'
expect 1 "^determination  FAIL$" -- "$CLI" comply --db "$db" --at 2027-01-01 dfars-7052 lot-ndfeb-alloy-002
# The export declaration agrees with the consignment: no declaration_mismatch.
"$CLI" audit --db "$db" --json >"$T/audit0.json"
pycheck "$T/audit0.json" 'assert not [f for f in d["findings"] if f["kind"] in ("declaration_mismatch","moisture_mismatch","hs_code_mismatch","out_of_order")], d["findings"]'

# --- audit: ok, with the demo's findings ---
# The demo records a story dated 2025 today: every entry claims a time long
# before the log took it (backdated), and withholding counts from when the
# contract was logged (today), not from its claimed date.
days() { date -u -d "+$1 days" +%Y-%m-%dT%H:%M:%SZ; }
"$CLI" audit --db "$db" --json --now "$(days 200)" >"$T/audit.json"
[ $? = 0 ] && ok || bad "audit exit code"
pycheck "$T/audit.json" '
assert d["entries"]==63 and d["ok"] is True and d["problems"]==[]
k=sorted((f["kind"],f["subject"]) for f in d["findings"] if f["kind"]!="backdated")
assert k==[("assay_dispute","lot-cu-conc-001"),("export_without_assay","lot-ndpr-oxide-002"),("terms_withheld","mou-fwo-ussm-2025.terms.offtake"),("terms_withheld","mou-fwo-ussm-2025.text"),("transit_loss","lot-cu-conc-001")], k
assert [f["index"] for f in d["findings"] if f["kind"]=="backdated"]==list(range(63))
assert all(set(f) in ({"index","kind","subject","detail"},{"index","kind","subject","detail","values"}) for f in d["findings"])
# values: each figure written in the detail as it is structured (docs/events.md)
assert all(("%d g" % v if k.endswith("_g") else v) in f["detail"] for f in d["findings"] for k, v in f.get("values", {}).items()), d["findings"]
v={f["kind"]:set(f.get("values",{})) for f in d["findings"]}
assert v["transit_loss"]=={"shipped_g","received_g"} and v["export_without_assay"]=={"mass_g"} and v["terms_withheld"]=={"committed"} and v["backdated"]=={"claimed","logged_after"}, v'
# Before 180 days have passed, withholding is no finding yet.
"$CLI" audit --db "$db" --json --now "$(days 100)" >"$T/audit2.json"
pycheck "$T/audit2.json" 'assert [f["kind"] for f in d["findings"] if f["kind"]!="backdated"]==["transit_loss","assay_dispute","export_without_assay"], d["findings"]'
"$CLI" audit --db "$db" --now "$(days 31)" --withheld-days 30 >"$T/audit3.out"
grep -c "terms_withheld" "$T/audit3.out" | grep -qx 2 && ok || bad "--withheld-days 30: $(cat "$T/audit3.out")"
# A tolerance wider than the story's age: nothing is backdated.
"$CLI" audit --db "$db" --json --tolerance 3000d >"$T/audit4.json"
pycheck "$T/audit4.json" 'assert not [f for f in d["findings"] if f["kind"] in ("backdated","future_dated")], d["findings"]'
expect 2 "--tolerance 2 weeks is not a duration" -- "$CLI" audit --db "$db" --tolerance "2 weeks"

# --- contract show ---
"$CLI" contract show --db "$db" --json mou-fwo-ussm-2025 >"$T/contract0.json"
NOW181=$(python3 -c 'import json,sys,datetime as D; c=json.load(open(sys.argv[1]))["committed"]; t=D.datetime.strptime(c,"%Y-%m-%dT%H:%M:%SZ")+D.timedelta(days=181,minutes=1); print(t.strftime("%Y-%m-%dT%H:%M:%SZ"))' "$T/contract0.json")
"$CLI" contract show --db "$db" --json --now "$NOW181" mou-fwo-ussm-2025 >"$T/contract.json"
pycheck "$T/contract.json" '
assert d["contract"]=="mou-fwo-ussm-2025" and d["signer"]=="fwo" and d["time"]=="2025-09-08T11:00:00Z" and d["id"]=="fwo-004"
lg=d["logged"]; assert lg["basis"]=="operator" and lg["witnesses"]==0 and lg["after_size"]<=14<lg["before_size"] and lg["after"]<=lg["before"]==d["committed"], lg
f=d["fields"]; assert f["parties"]==["fwo","ussm"] and f["value"]=={"amount":50000000000,"currency":"USD"} and f["signed"]=="2025-09-08"
c={x["field"]:x for x in d["commitments"]}
assert sorted(c)==["terms.offtake","terms.phases","text"]
assert c["terms.phases"]["disclosed"] is True and c["terms.phases"]["disclosed_time"]=="2025-11-14T09:00:00Z" and c["terms.phases"]["value"]["phases"][0]["phase"]==1
assert c["text"]["disclosed"] is False and c["text"]["withheld_days"]==181 and c["terms.offtake"]["withheld_days"]==181
assert [p["payee"] for p in d["payments"]]==["gov-kp","gov-balochistan"]
assert d["payments"][0]["amount"]=={"amount":185000000,"currency":"PKR"}'
"$CLI" contract show --db "$db" --now "$NOW181" mou-fwo-ussm-2025 >"$T/contract.out"
for pat in "^commitments: 3, committed at entry 14 on [0-9]{4}-[0-9]{2}-[0-9]{2}; 1 disclosed, 2 withheld$" \
	"^  claimed 2025-09-08T11:00:00Z; logged between [0-9T:Z-]{20} and [0-9T:Z-]{20}, on the operator's clock \(no witness\)$" \
	"^  text +sha256:[0-9a-f]{16}\.\.\. +withheld for 181 days so far$" \
	"^  terms.phases +sha256:[0-9a-f]{16}\.\.\. +disclosed at entry 49 on 2025-11-14, 66 days after it was committed; the opening matches$" \
	"^  value +500,000,000.00 USD$" "^payments citing it: 2$" \
	"^ +47 +2025-10-15 +fwo +gov-kp +royalty +1,850,000.00 PKR +2025-Q3$"; do
	grep -qE -- "$pat" "$T/contract.out" && ok || bad "contract show lacks /$pat/: $(cat "$T/contract.out")"
done

# --- report ---
"$CLI" report --db "$db" --json >"$T/report.json"
pycheck "$T/report.json" '
m={x["element"]:x for x in d["minerals"]}
assert sorted(m)==["Cu","Nd","Pr","Sb"], sorted(m)
# Cu and Sb went from PK to the US; the second Nd/Pr lot was separated in CN.
for el in m:
    x=m[el]
    assert x["extracted"][0]["country"]=="PK"
    assert x["exported_origin"]==[{"country":"PK","grams":x["exported_origin"][0]["grams"]}], x["exported_origin"]
    routes=[(e["from"],e["to"]) for e in x["exported"]]
    assert routes==([("PK","US")] if el in ("Cu","Sb") else [("PK","US"),("PK","CN"),("CN","US")]), routes
    for c in x["concentration"]:
        assert set(c)=={"stage","top_country","top_share_ppm","hhi"} and c["top_country"]=="PK", c
        assert (c["top_share_ppm"]==1000000) == (el in ("Cu","Sb") or c["stage"] not in ("refined","exported")), c
assert m["Nd"]["extracted"]==[{"country":"PK","grams":1186000}], m["Nd"]["extracted"]
# (refined in the US too: USSM reduced part of the CN-separated oxide to metal)
assert [r["country"] for r in m["Nd"]["refined"]]==["PK","CN","US"], m["Nd"]["refined"]
assert [c["stage"] for c in m["Nd"]["concentration"]]==["extracted","processed","refined","exported","exported_origin"], m["Nd"]["concentration"]
assert "refined" not in m["Cu"] or m["Cu"]["refined"]==[]
assert sorted((p["payee"],p["currency"],p["amount"],p["count"]) for p in d["payments"])==[("gov-balochistan","PKR",240000000,1),("gov-kp","PKR",185000000,1)]
assert d["findings"]==3'
"$CLI" report --db "$db" >"$T/report.out"
for pat in "^Nd \(neodymium\)$" "^  extracted +PK +1.186 t +100.00 %$" "^                   CN -> US  309.316 kg  24.4974 %$" "^  exported +PK -> US +" "^  refined +PK +" \
	"^  extracted +PK +100.00 % +10000$" "^  gov-kp +1,850,000.00 PKR +1$"; do
	grep -qE -- "$pat" "$T/report.out" && ok || bad "report lacks /$pat/: $(cat "$T/report.out")"
done

summary
