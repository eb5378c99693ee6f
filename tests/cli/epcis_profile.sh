#!/usr/bin/env bash
# CLI test of EPCIS mapping profiles (docs/epcis-profiles.md): a partner's
# plain EPCIS document (tests/data/epcis/partner-plain.jsonld: SGLNs, PGLNs
# and LGTINs, no oretrail extensions) does not import as it is, and nothing
# of it is appended; `epcis profile infer` lists what needs a word from the
# user; with the filled-in profile (partner-profile.json) the dry run maps
# every material flow, writes nothing, and the import puts the lots, masses
# and custody in the ledger; bad profiles are refused with the reason.
. "$(dirname "$0")/lib.sh"
DATA=${OT_TEST_DATA:?}/epcis
cd "$T"

mkdir keys
for a in fwo pk-lab ussm; do
	"$CLI" key new "$a" --dir keys >/dev/null 2>&1 || bad "key new $a"
done
"$CLI" init --db b.db --origin test.example/b --key-name pk-authority >/dev/null 2>&1 || bad "init"
subst=(-e "s|\"@vkey:pk-authority\"|\"$(cat b.db.vkey)\"|g")
for a in fwo pk-lab ussm; do
	subst+=(-e "s|\"@vkey:$a\"|\"$(cat "keys/$a.vkey")\"|g")
done
sed "${subst[@]}" "$TOP/examples/demo/01-pk-authority.jsonl" >registry.jsonl
"$CLI" submit --db b.db --key b.db.key registry.jsonl >/dev/null 2>&1 || bad "registry"
size() { sed -n 2p <("$CLI" checkpoint --db b.db); }
size0=$(size)
DOC=$DATA/partner-plain.jsonld
PROF=$DATA/partner-profile.json

# --- without a profile: one document, one batch: nothing appended ---
expect 4 "event 1 \(ObjectEvent\) cannot be imported, nothing appended .*no material .*profile line \"materials\"" -- \
	"$CLI" import --db b.db --key keys/fwo.key "$DOC"
[ "$(size)" = "$size0" ] && ok || bad "an incomplete document appended entries"
"$CLI" import --db b.db --key keys/fwo.key --dry-run --json "$DOC" >j 2>/dev/null
pycheck j '
ev = d["events"]
assert [e["index"] for e in ev] == [0, 1, 2, 3], ev
assert [e["outcome"] for e in ev] == ["error", "error", "unsupported", "error"], [e["outcome"] for e in ev]
assert [e["epcis_type"] for e in ev] == ["ObjectEvent", "TransformationEvent", "AggregationEvent", "ObjectEvent"]
assert all(e["event"] is None for e in ev)
assert "no material" in ev[0]["reason"] and "no process" in ev[1]["reason"], ev
assert "not a material flow" in ev[2]["reason"] and "\"parties\"" in ev[3]["reason"], ev'

# --- infer: every identifier that needs a word from the user, and where ---
"$CLI" epcis profile infer "$DOC" >inferred.json 2>infer.err && ok || bad "infer: $(cat infer.err)"
grep -q "6 identifiers to map by hand" infer.err && ok || bad "infer summary: $(cat infer.err)"
pycheck inferred.json '
assert d["profile"] == "oretrail-epcis-profile/1"
assert d["sites"] == {"urn:epc:id:sgln:0614141.00001.0": "https://id.gs1.org/414/0614141000012",
                      "urn:epc:id:sgln:0614141.00002.0": "https://id.gs1.org/414/0614141000029"}, d["sites"]
assert d["parties"] == {"urn:epc:id:pgln:0614141.00009": None, "urn:epc:id:pgln:0614141.00003": None}
assert sorted(d["materials"]) == ["urn:epc:class:lgtin:0614141.012345.REE-ORE-A",
    "urn:epc:class:lgtin:0614141.012345.REE-ORE-B", "urn:epc:class:lgtin:0614141.012346.REE-CONC-1"]
assert d["processes"] == {"commissioning": None}
u = [(x["kind"], x["id"], x["events"]) for x in d["unmapped"]]
assert len(u) == 6, u
assert ("process", "commissioning", [2]) in u and ("party", "urn:epc:id:pgln:0614141.00003", [4]) in u, u'
# The inferred profile is a valid profile: placeholders read as no entry.
expect 4 "nothing appended" -- "$CLI" import --db b.db --key keys/fwo.key --profile inferred.json "$DOC"

# --- with the filled-in profile: dry run maps every material flow ---
"$CLI" import --db b.db --key keys/fwo.key --profile "$PROF" --dry-run --json "$DOC" >j 2>/dev/null
pycheck j '
ev = d["events"]
assert d["appended"] == 0 and d["dry_run"] is True
assert [e["outcome"] for e in ev] == ["mapped", "mapped", "unsupported", "mapped"], ev
assert ev[0]["event"]["site"] == "pk-kp-loe-shilman" and ev[0]["event"]["material"] == "ore"
assert ev[0]["event"]["mass_g"] == 120000000 and "epcis" not in ev[0]["event"]
t = ev[1]["event"]
assert t["type"] == "transform" and t["process"] == "beneficiation", t
assert [i["mass_g"] for i in t["inputs"]] == [120000000, 80000000], t
assert t["outputs"][0]["material"] == "concentrate" and t["outputs"][0]["assay"] == {"Nd": 46090, "Pr": 13420}
s = ev[3]["event"]
assert (s["type"], s["from"], s["to"], s["consignee"]) == ("ship", "pk-kp-loe-shilman", "us-mo-ussm", "ussm"), s
assert ev[2]["event"] is None and ev[1]["reason"] is None'
[ "$(size)" = "$size0" ] && ok || bad "dry run appended"
expect 4 "3 of 4 EPCIS events imported \(4 entries\), 1 not mapped" -- "$CLI" import --db b.db --key keys/fwo.key --profile "$PROF" "$DOC"
[ "$(size)" = "$((size0 + 4))" ] && ok || bad "size $(size), want $((size0 + 4))"
CONC=https://id.gs1.org/01/00614141123469/10/REE-CONC-1
"$CLI" trace --db b.db --json "$CONC" >t.json 2>/dev/null || bad "trace"
pycheck t.json '
assert (d["material"], d["mass_g"], d["status"], d["holder"]) == ("concentrate", 14570000, "in_transit", "fwo"), d
assert d["consignment"] == "urn:epcglobal:cbv:bt:0614141000005:PK-US-2025-001", d
assert {o["site"] for o in d["origins"]} == {"pk-kp-loe-shilman"}, d["origins"]
assert [a["type"] for a in d["ancestry"]] == ["extract", "extract", "transform", "ship"], d["ancestry"]'

# --- an inspecting event with element contents is an assay (no profile) ---
cat >lab.jsonld <<'DOC'
{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument",
 "schemaVersion":"2.0","creationDate":"2025-09-27T10:00:00Z","epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2025-09-27T10:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE",
  "bizStep":"inspecting","quantityList":[{"epcClass":"urn:epc:class:lgtin:0614141.012346.REE-CONC-1"}],
  "readPoint":{"id":"urn:epc:id:sgln:0614141.00001.0"},
  "sensorElementList":[{"sensorReport":[
   {"type":"Temperature","value":21.5,"uom":"CEL"},
   {"chemicalSubstance":"https://example.org/element/Nd","value":4.7,"uom":"P1"},
   {"chemicalSubstance":"https://example.org/element/Pr","value":13500,"uom":"59"}]}]}]}}
DOC
"$CLI" import --db b.db --key keys/pk-lab.key --dry-run --json lab.jsonld >j 2>/dev/null
pycheck j '
e = d["events"][0]
assert e["outcome"] == "mapped", e
assert e["event"]["type"] == "assay" and e["event"]["lot"] == "https://id.gs1.org/01/00614141123469/10/REE-CONC-1", e
assert e["event"]["assay"] == {"Nd": 47000, "Pr": 13500}, e'
expect 0 "assay .* <- event 1 \(ObjectEvent\)" -- "$CLI" import --db b.db --key keys/pk-lab.key lab.jsonld
sed 's/"uom":"P1"/"uom":"KGM"/' lab.jsonld >lab2.jsonld
expect 4 "epcis_bad_assay|the content must be a number in 59" -- "$CLI" import --db b.db --key keys/pk-lab.key lab2.jsonld

# --- --keep-going without the profile: the events that map go in ---
"$CLI" init --db k.db --origin test.example/k --key-name pk-authority >/dev/null 2>&1
expect 4 "0 of 4 EPCIS events imported" -- "$CLI" import --db k.db --key keys/fwo.key --keep-going "$DOC"

# --- serialised items and counts: the mass of one item; defaults ---
# A receipt of two SGTINs and a count of three items of a batch, with no
# business transaction: infer lists the item mass of the class and the
# consignment; completed, every lot comes with its mass.
cat >items.jsonld <<'DOC'
{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument",
 "schemaVersion":"2.0","creationDate":"2025-09-27T10:00:00Z","epcisBody":{"eventList":[
 {"type":"ObjectEvent","eventTime":"2025-09-27T10:00:00Z","eventTimeZoneOffset":"+00:00","action":"OBSERVE",
  "bizStep":"receiving","epcList":["urn:epc:id:sgtin:0614141.107346.1","urn:epc:id:sgtin:0614141.107346.2"],
  "quantityList":[{"epcClass":"urn:epc:class:lgtin:0614141.107346.B1","quantity":3}],
  "bizLocation":{"id":"urn:epc:id:sgln:0614141.00001.0"}}]}}
DOC
"$CLI" epcis profile infer items.jsonld >items-p.json 2>infer.err && ok || bad "infer items: $(cat infer.err)"
pycheck items-p.json '
assert d["item_mass_g"] == {"https://id.gs1.org/01/10614141073464": None}, d
assert d["defaults"] == {"consignment": None}, d
u = [(x["kind"], x["id"], x["events"]) for x in d["unmapped"]]
assert ("item_mass", "https://id.gs1.org/01/10614141073464", [1]) in u and ("default", "consignment", [1]) in u, u'
python3 - items-p.json <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["item_mass_g"] = {"urn:epc:idpat:sgtin:0614141.107346.*": 2500}
p["defaults"] = {"consignment": "C-9"}
json.dump(p, open(sys.argv[1], "w"))
PY
"$CLI" import --db b.db --key keys/ussm.key --profile items-p.json --dry-run --keep-going --json \
	items.jsonld >j 2>/dev/null
pycheck j '
e = d["events"][0]["event"]
assert e["type"] == "receive" and e["consignment"] == "C-9", e
assert [l["mass_g"] for l in e["lots"]] == [2500, 2500, 7500], e
assert e["lots"][0]["lot"] == "https://id.gs1.org/01/10614141073464/21/1", e'
expect 4 'no consignment: .* or the profile line "defaults":\{"consignment":"ID"\}' -- \
	"$CLI" import --db b.db --key keys/ussm.key --dry-run items.jsonld
printf '{"profile":"oretrail-epcis-profile/1","defaults":{"consignment":"C-9"}}' >items-d.json
expect 4 'serialised item with no mass.*"item_mass_g":\{"https://id.gs1.org/01/10614141073464":GRAMS\}' -- \
	"$CLI" import --db b.db --key keys/ussm.key --profile items-d.json --dry-run items.jsonld

# --- bad profiles: exit 2, the reason, nothing appended ---
size1=$(size)
printf '{"profile":"oretrail-epcis-profile/1","site":{}}' >p1.json
expect 2 'profile p1.json: unknown member "site"' -- "$CLI" import --db b.db --key keys/fwo.key --profile p1.json "$DOC"
printf '{"profile":"oretrail-epcis-profile/1","sites":{"urn:x:1":"a b"}}' >p2.json
expect 2 'sites\["urn:x:1"\] must be a site id' -- "$CLI" import --db b.db --key keys/fwo.key --profile p2.json "$DOC"
printf '{"profile":"oretrail-epcis-profile/1","materials":{"urn:x:1":{"material":"ore","grade":1}}}' >p3.json
expect 2 'unknown member "grade"' -- "$CLI" import --db b.db --key keys/fwo.key --profile p3.json "$DOC"
printf '{"profile":"oretrail-epcis-profile/1","sites":{"urn:epc:id:sgln:0614141.00001.0":"a","https://id.gs1.org/414/0614141000012":"b"}}' >p4.json
expect 2 "names the same identifier as another key" -- "$CLI" import --db b.db --key keys/fwo.key --profile p4.json "$DOC"
printf '{"profile":"v0"}' >p5.json
expect 2 '"profile" must be "oretrail-epcis-profile/1"' -- "$CLI" import --db b.db --key keys/fwo.key --profile p5.json "$DOC"
printf '{"profile":"oretrail-epcis-profile/1","item_mass_g":{"urn:x:1":0}}' >p7.json
expect 2 'item_mass_g\["urn:x:1"\] must be the grams of one item' -- "$CLI" import --db b.db --key keys/fwo.key --profile p7.json "$DOC"
printf '{"profile":"oretrail-epcis-profile/1","defaults":{"site":"x"}}' >p8.json
expect 2 'defaults: unknown member "site"' -- "$CLI" import --db b.db --key keys/fwo.key --profile p8.json "$DOC"
printf '{"profile":"oretrail-epcis-profile/1","hash_ids":"trust"}' >p9.json
expect 2 '"hash_ids" must be "verify"' -- "$CLI" import --db b.db --key keys/fwo.key --profile p9.json "$DOC"
printf '{"profile":' >p6.json
expect 2 "profile p6.json: line 1" -- "$CLI" import --db b.db --key keys/fwo.key --profile p6.json "$DOC"
expect 2 "nope.json" -- "$CLI" import --db b.db --key keys/fwo.key --profile nope.json "$DOC"
[ "$(size)" = "$size1" ] && ok || bad "a bad profile appended"
expect 2 "expected one FILE" -- "$CLI" epcis profile infer
expect 2 "expected .oretrail epcis profile infer" -- "$CLI" epcis profile
expect 0 "usage: oretrail epcis profile infer" -- "$CLI" epcis profile infer --help
printf "{\"a\":" >trunc.jsonld
expect 2 "trunc.jsonld: line 1" -- "$CLI" epcis profile infer trunc.jsonld
summary
