#!/usr/bin/env bash
# CLI test: a ledger's EPCIS export round-trips (issue 18, item 4).
# Ledger A holds the demo chain (scripts/demo's events: extractions, lab
# assays, transforms, ships and receives) with GLNs on some sites and actors.
# Its export
# - validates against the GS1 EPCIS 2.0 JSON Schema (conformance folder
#   epcis/schema/, as in epcis_import.sh) when the folder is there;
# - names sites and actors with a GLN by their GS1 Digital Links (SGLN
#   https://id.gs1.org/414/<gln>, PGLN .../417/<gln>), the others by
#   urn:oretrail: URIs; gives every lot of every shipping and receiving a
#   quantity in GRM; writes each assay as ObjectEvent OBSERVE inspecting
#   with one sensor report per element.
# Imported into ledger B, which holds only the same registry (authority,
# actors, sites with their GLNs: the keys to sign with and the GLN registry
# import reads), each EPCIS event signed by the party whose key the ledger
# accepts, it gives every lot the same `trace --json` as in A but for log
# indexes and logged times, and B exports the same document (each event
# now as imported).
. "$(dirname "$0")/lib.sh"
CONF=${OT_CONFORMANCE:-}
SCHEMA=$CONF/epcis/schema/EPCIS-JSON-Schema-inlined.json
cd "$T"

OT_CLI="$CLI" "$TOP/scripts/demo" --dir "$T/demo" --no-serve >demo.log 2>&1 ||
	abort "scripts/demo: $(tail -5 demo.log)"

# GLNs (check digits computed by the GS1 algorithm) for three sites and
# two actors; the other sites and actors keep urn:oretrail: URIs.
glns() { # FILE AUTHORITY_VKEY: the demo's registry with GLNs, for a ledger with that key
	python3 - "$T/demo/events/01-pk-authority.jsonl" "$(cat "$T/demo/keys/pk-authority.vkey")" "$2" >"$1" <<'PY'
import json, sys
GLN = {"pk-kp-loe-shilman": "0614141000012", "pk-plant-ree": "0614141000029",
       "us-mo-ussm": "0614141000036", "fwo": "0614141000043", "ussm": "0614141000050"}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    e = json.loads(line.replace(sys.argv[2], sys.argv[3]))
    gln = GLN.get(e.get("site") if e["type"] == "site" else e.get("actor"))
    if gln and e["type"] in ("site", "actor"):
        e["gln"] = gln
    print(json.dumps(e, separators=(",", ":")))
PY
}
K=demo/keys
# The demo weighs its copper concentrate wet (moisture_ppm): the export
# carries each wet weighing as oretrail:moisture {lot: ppm} beside the
# weighed quantity, and the import reads it back (checked below).
submit() { "$CLI" submit --db "$1" --key "$2" "$3" >/dev/null 2>&1 || bad "submit $3 to $1"; }

# --- ledger A: the demo chain, with GLNs ---
"$CLI" init --db a.db --origin test.example/a --key-name pk-authority >/dev/null 2>&1 || abort "init a"
glns a.registry.jsonl "$(cat a.db.vkey)"
submit a.db a.db.key a.registry.jsonl
submit a.db $K/fwo.key demo/events/02-fwo-resources-contract-extraction.jsonl
submit a.db $K/pk-lab.key demo/events/03-pk-lab-ore-assays.jsonl
submit a.db $K/fwo.key demo/events/04-fwo-processing.jsonl
submit a.db $K/pk-lab.key demo/events/05-pk-lab-product-assays.jsonl
submit a.db $K/fwo.key demo/events/06-fwo-export.jsonl
submit a.db $K/ussm.key demo/events/07-ussm-receipt.jsonl

# --- its export ---
expect 0 "24 EPCIS events \(0 as imported, 24 from the ledger's fields\)" -- \
	"$CLI" export --db a.db --out e1.jsonld
if [ -f "$SCHEMA" ]; then
	python3 - "$SCHEMA" e1.jsonld <<'PY' && ok || bad "e1.jsonld does not validate"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
errors = list(v.iter_errors(json.load(open(sys.argv[2]))))
for e in errors[:5]:
    print("  %s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]), file=sys.stderr)
sys.exit(1 if errors else 0)
PY
fi
expect 0 "every hash ID carried matches" -- "$CLI" epcis hash --check e1.jsonld
pycheck e1.jsonld '
ev = d["epcisBody"]["eventList"]
steps = {}
for e in ev:
    steps[e.get("bizStep")] = steps.get(e.get("bizStep"), 0) + 1
assert steps == {"commissioning": 3, "inspecting": 6, "shipping": 5, "receiving": 5, None: 5}, steps
for e in ev:
    if e.get("bizStep") in ("shipping", "receiving"):
        for q in e["quantityList"]:
            assert q["uom"] == "GRM" and isinstance(q["quantity"], int) and q["quantity"] > 0, e
text = json.dumps(d)
assert "https://id.gs1.org/414/0614141000012" in text and "https://id.gs1.org/414/0614141000036" in text
assert "https://id.gs1.org/417/0614141000050" in text, "PGLN of ussm"
assert "urn:oretrail:site:pk-lab-islamabad" in text and "urn:oretrail:site:pk-port-karachi" in text
ship = [e for e in ev if e.get("bizStep") == "shipping" and "0614141000050" in json.dumps(e)][0]
assert {"type": "location", "destination": "https://id.gs1.org/414/0614141000036"} in ship["destinationList"], ship
lab = [e for e in ev if e.get("bizStep") == "inspecting"][0]
assert lab["action"] == "OBSERVE" and lab["type"] == "ObjectEvent", lab
assert lab["bizLocation"] == {"id": "urn:oretrail:site:pk-lab-islamabad"}, lab
r = lab["sensorElementList"][0]["sensorReport"]
assert all(x["uom"] == "59" and x["chemicalSubstance"].startswith("https://pubchem.ncbi.nlm.nih.gov/element/") for x in r), r
assert lab["oretrail:method"] == "ICP-MS" and lab["oretrail:uncertainty_ppm"] == 10000, lab
wet = [e for e in ev if "oretrail:moisture" in e]
assert [sorted(e["oretrail:moisture"].items()) for e in wet] == [[("lot-cu-conc-001", 90000)], [("lot-cu-conc-001", 86000)], [("lot-cu-conc-001", 84000)]], wet'

# --- ledger B: the registry only; the export imported event by event ---
"$CLI" init --db b.db --origin test.example/b --key-name pk-authority >/dev/null 2>&1 || abort "init b"
glns b.registry.jsonl "$(cat b.db.vkey)"
submit b.db b.db.key b.registry.jsonl
python3 - e1.jsonld <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["epcisBody"]["eventList"]
for i, e in enumerate(ev):
    one = dict(d, epcisBody={"eventList": [e]})
    json.dump(one, open("ev-%02d.jsonld" % (i + 1), "w"))
PY
imported=0
for f in ev-*.jsonld; do
	for who in fwo pk-lab ussm; do
		if "$CLI" import --db b.db --key $K/$who.key "$f" >/dev/null 2>&1; then
			imported=$((imported + 1))
			break
		fi
	done
done
[ "$imported" = 24 ] && ok || bad "$imported of 24 EPCIS events imported into b.db"

# Every lot: the same trace but for log indexes and logged times, and for
# what the EPCIS mapping does not carry yet (issue 14's bulk-trade members:
# a lot's HS code and an assay's role). Checked apart below, so that the
# gap stays visible. Wet weighings (moisture_ppm, wet_mass_g) do come back.
python3 - e1.jsonld >lots <<'PY'
import json, sys
lots = set()
for e in json.load(open(sys.argv[1]))["epcisBody"]["eventList"]:
    for k in ("quantityList", "inputQuantityList", "outputQuantityList"):
        lots.update(q["epcClass"].split(":")[-1] for q in e.get(k, []))
print("\n".join(sorted(lots)))
PY
[ "$(wc -l <lots)" = 8 ] && ok || bad "lots: $(cat lots)"
same_trace() { # LOT
	"$CLI" trace --json --db a.db "$1" >ta.json 2>&1 || bad "trace a $1"
	"$CLI" trace --json --db b.db "$1" >tb.json 2>&1 || bad "trace b $1"
	python3 - ta.json tb.json <<'PY' && ok || bad "trace of $1 differs: $(head -c 2000 ta.json) // $(head -c 2000 tb.json)"
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items()
                if k not in ("index", "logged", "hs_code", "role")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
a, b = (strip(json.load(open(f))) for f in sys.argv[1:3])
assert a == b, [(k, a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)]
print(len(a["origins"]))
PY
}
while IFS= read -r lot; do same_trace "$lot"; done <lots >origins
"$CLI" trace --json --db a.db lot-cu-conc-001 >ta.json && "$CLI" trace --json --db b.db lot-cu-conc-001 >tb.json
python3 - ta.json tb.json <<'PY' && ok || bad "the members EPCIS drops: $(head -c 600 ta.json) // $(head -c 600 tb.json)"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert (a["hs_code"], a["certified"]["role"]) == ("260300", "seller"), a
assert "hs_code" not in b and b["certified"]["role"] == "final", b
assert (b["moisture_ppm"], b["wet_mass_g"], b["mass_g"]) == (a["moisture_ppm"], a["wet_mass_g"], a["mass_g"]), (a, b)
PY
# Not vacuous: the lots still held have origins.
[ "$(grep -vc '^0$' origins)" -ge 3 ] && ok || bad "origin rows per lot: $(cat origins)"

# B exports the same document, each event as it was imported.
expect 0 "24 EPCIS events \(24 as imported, 0 from the ledger's fields\)" -- \
	"$CLI" export --db b.db --out e2.jsonld
if diff <(grep -v '"creationDate"' e1.jsonld) <(grep -v '"creationDate"' e2.jsonld) >d.txt; then
	ok
else
	bad "re-export differs: $(head -20 d.txt)"
fi

# A malformed oretrail:moisture is named, and nothing of the event maps.
python3 - e1.jsonld <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = [x for x in d["epcisBody"]["eventList"] if "oretrail:moisture" in x][0]
e["oretrail:moisture"] = {"lot-cu-conc-001": 1000001}
json.dump(dict(d, epcisBody={"eventList": [e]}), open("wet-bad.jsonld", "w"))
PY
"$CLI" import --db b.db --key $K/fwo.key --dry-run --json wet-bad.jsonld >wet-bad.json 2>/dev/null
pycheck wet-bad.json 'e = d["events"][0]; assert e["outcome"] == "error" and "oretrail:moisture: lot lot-cu-conc-001: expected an integer 0..1000000" in e["reason"], e'

# --- a GLN is 13 digits with its check digit ---
printf '{"type":"site","id":"s-x","time":"2025-09-02T00:00:00Z","site":"x-port","kind":"port","holder":"fwo","country":"PK","gln":"0614141000013"}\n' >bad.jsonl
expect 4 'gln: "0614141000013" is not a GLN' -- "$CLI" submit --db b.db --key b.db.key bad.jsonl
sed 's/"gln":"0614141000013"/"gln":"614141000012"/' bad.jsonl >bad2.jsonl
expect 4 'gln: "614141000012" is not a GLN' -- "$CLI" submit --db b.db --key b.db.key bad2.jsonl
sed 's/"gln":"0614141000013"/"gln":"0614141000067"/' bad.jsonl >good.jsonl
expect 0 "" -- "$CLI" submit --db b.db --key b.db.key good.jsonl

summary
