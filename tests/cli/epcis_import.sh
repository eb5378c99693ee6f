#!/usr/bin/env bash
# CLI test of `oretrail import` and `oretrail export` (EPCIS 2.0):
# - a mineral chain in EPCIS (tests/data/epcis/) imports into a ledger whose
#   actors and sites are those of the demo, each party with its own key;
#   events that are not material flows are reported one by one;
# - exported documents validate against the GS1 EPCIS 2.0 JSON Schema
#   (conformance folder epcis/schema/, with python3-jsonschema) and every
#   hash ID they carry is the event's own;
# - import -> export -> import is stable: a second ledger fed the export
#   exports the same document; the demo ledger's native events export,
#   import into a fresh ledger and export again to the same document;
# - every GS1 example document is read: each event mapped or reported,
#   nothing crashes;
# - bad input gives a clear error and the documented exit code.
. "$(dirname "$0")/lib.sh"
DATA=${OT_TEST_DATA:?}/epcis
CONF=${OT_CONFORMANCE:-}

# The JSON Schema validator: Debian's python3-jsonschema.
PY=
for py in /usr/bin/python3 python3; do
	if command -v "$py" >/dev/null && "$py" -c 'import jsonschema' 2>/dev/null; then
		PY=$py
		break
	fi
done
SCHEMA=$CONF/epcis/schema/EPCIS-JSON-Schema-inlined.json
validate() { # FILE: valid EPCIS 2.0 JSON-LD (draft-07 schema, formats checked where possible)
	if [ ! -f "$SCHEMA" ]; then
		return 0
	fi
	if [ -z "$PY" ]; then
		bad "no python3 jsonschema to validate $1 (scripts/install-deps test installs python3-jsonschema)"
		return 0
	fi
	if "$PY" - "$SCHEMA" "$1" <<'EOF'; then ok; else bad "$1 does not validate"; fi
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
errors = list(v.iter_errors(doc))
for e in errors[:5]:
    print("  %s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]), file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}

# same FILE1 FILE2: the same document but for its creation date.
same() {
	if diff <(grep -v '"creationDate"' "$1") <(grep -v '"creationDate"' "$2") >"$T/diff"; then
		ok
	else
		bad "$1 and $2 differ: $(head -20 "$T/diff")"
	fi
}

cd "$T"

# A ledger with the demo's authority, actors and sites (keys made here).
registry() { # DB: creates it and registers fwo, pk-lab, ussm and the sites
	local db=$1
	"$CLI" init --db "$db" --origin "test.example/$db" --key-name pk-authority >/dev/null 2>&1 ||
		bad "init $db"
	local subst=(-e "s|\"@vkey:pk-authority\"|\"$(cat "$db.vkey")\"|g")
	for a in fwo pk-lab ussm; do
		subst+=(-e "s|\"@vkey:$a\"|\"$(cat "keys/$a.vkey")\"|g")
	done
	sed "${subst[@]}" "$TOP/examples/demo/01-pk-authority.jsonl" >"$db.registry.jsonl"
	"$CLI" submit --db "$db" --key "$db.key" "$db.registry.jsonl" >/dev/null 2>&1 ||
		bad "registry of $db"
}
mkdir keys
for a in fwo pk-lab ussm; do
	"$CLI" key new "$a" --dir keys >/dev/null 2>&1 || bad "key new $a"
done

# --- import a mineral chain ---
registry b.db
size0=$(sed -n 2p <("$CLI" checkpoint --db b.db))
expect 0 "would be imported \(4 entries\)" -- \
	"$CLI" import --db b.db --key keys/fwo.key --dry-run "$DATA/fwo-chain.jsonld"
[ "$(sed -n 2p <("$CLI" checkpoint --db b.db))" = "$size0" ] && ok || bad "dry run appended"
expect 0 "extract .*#2 <- event 1 \(ObjectEvent\)" -- \
	"$CLI" import --db b.db --key keys/fwo.key "$DATA/fwo-chain.jsonld"
expect 4 "event 2 \(ObjectEvent\): not imported: ObjectEvent OBSERVE inspecting is not a material flow" -- \
	"$CLI" import --db b.db --key keys/ussm.key "$DATA/ussm-receipt.jsonld"
CONC=https://id.gs1.org/01/00614141123469/10/REE-CONC-1
expect 0 "held by ussm at us-mo-ussm" -- "$CLI" trace --db b.db "$CONC"
# The same document again: every event is a replay; all or none.
expect 4 "rejected, nothing appended: .*already used" -- \
	"$CLI" import --db b.db --key keys/fwo.key "$DATA/fwo-chain.jsonld"
"$CLI" import --db b.db --key keys/fwo.key --keep-going --json "$DATA/fwo-chain.jsonld" \
	>"$T/j" 2>/dev/null
grep -q '"appended":0' "$T/j" && grep -q '"status":"rejected"' "$T/j" && ok ||
	bad "--json: $(cat "$T/j")"
"$CLI" import --db b.db --key keys/ussm.key --dry-run --keep-going --json "$DATA/ussm-receipt.jsonld" \
	>"$T/j" 2>/dev/null
grep -q '"status":"not_mapped","code":"epcis_unsupported"' "$T/j" && ok || bad "--json not_mapped: $(cat "$T/j")"

# --- export: valid EPCIS, hash IDs kept and checked ---
expect 0 "4 EPCIS events \(4 as imported, 0 from the ledger's fields\)" -- \
	"$CLI" export --db b.db --out e1.jsonld
validate e1.jsonld
expect 0 "every hash ID carried matches" -- "$CLI" epcis hash --check e1.jsonld
# The originals' hash IDs survive the ledger.
"$CLI" epcis hash "$DATA/fwo-chain.jsonld" >want_ids
"$CLI" epcis hash "$DATA/ussm-receipt.jsonld" | head -1 >>want_ids
"$CLI" epcis hash e1.jsonld >got_ids
diff want_ids got_ids >/dev/null && ok || bad "hash IDs changed: $(diff want_ids got_ids)"
"$CLI" export --db b.db --lot "$CONC" >lot.jsonld 2>/dev/null && ok || bad "export --lot"
validate lot.jsonld
[ "$(grep -c '"oretrail:hash":' lot.jsonld)" = 4 ] && ok || bad "export --lot: $(grep -c '"oretrail:hash":' lot.jsonld) events"
"$CLI" export --db b.db --lot "$CONC" --out lot2.jsonld 2>/dev/null
same lot.jsonld lot2.jsonld
expect 2 "export: lot nope does not exist" -- "$CLI" export --db b.db --lot nope

# --- import -> export -> import: a second ledger exports the same document ---
registry c.db
expect 4 "event 4 \(ObjectEvent\): rejected: .*addressed to ussm, not to fwo" -- \
	"$CLI" import --db c.db --key keys/fwo.key --keep-going e1.jsonld
expect 4 "1 of 4 EPCIS events imported" -- \
	"$CLI" import --db c.db --key keys/ussm.key --keep-going e1.jsonld
"$CLI" export --db c.db --out e2.jsonld 2>/dev/null || bad "export c"
same e1.jsonld e2.jsonld

# --- the demo's native events: export, import into a fresh ledger, export ---
if OT_CLI="$CLI" "$TOP/scripts/demo" --dir "$T/demo" --no-serve >demo.log 2>&1; then
	ok
	# The alloying with iron and boron from outside the ledger (external
	# inputs) has no EPCIS form yet: it is named and left out.
	expect 0 "35 EPCIS events \(0 as imported, 35 from the ledger's fields\)" -- \
		"$CLI" export --db demo/ledger.db --out d1.jsonld
	expect 0 "entry 62 \(transform ussm-004\) not exported" -- \
		"$CLI" export --db demo/ledger.db --out d1b.jsonld
	validate d1.jsonld
	expect 0 "every hash ID carried matches" -- "$CLI" epcis hash --check d1.jsonld
	"$CLI" init --db d.db --origin test.example/d --key-name pk-authority >/dev/null 2>&1
	cat demo/events/01-pk-authority.jsonl demo/events/06a-pk-authority-customs-labs.jsonl \
		demo/events/10-pk-authority-cn-separator.jsonl |
		sed -e "s|$(cat demo/keys/pk-authority.vkey)|$(cat d.db.vkey)|" >d.registry.jsonl
	"$CLI" submit --db d.db --key d.db.key d.registry.jsonl >/dev/null 2>&1 || bad "registry d"
	# Each party imports what it signed, in the order the chain needs; the
	# assays (ObjectEvent inspecting) are the lab's and come in last here, so
	# the second document has the same events in another order; any lab key
	# signs an assay, so pk-lab imports all nine, the buyer's and umpire's too
	# (epcis_roundtrip.sh imports event by event, in order).
	for who in fwo:20 cn-separator:3 ussm:3 pk-lab:9; do
		expect 4 "${who#*:} of 35 EPCIS events imported" -- \
			"$CLI" import --db d.db --key "demo/keys/${who%%:*}.key" --keep-going d1.jsonld
	done
	expect 0 "35 EPCIS events \(35 as imported, 0 from the ledger's fields\)" -- \
		"$CLI" export --db d.db --out d2.jsonld
	python3 - d1.jsonld d2.jsonld <<'PY' && ok || bad "d1.jsonld and d2.jsonld hold different events"
import json, sys
a, b = ([json.dumps(e, sort_keys=True) for e in json.load(open(f))["epcisBody"]["eventList"]]
        for f in sys.argv[1:3])
assert len(a) == 35 and a != b and sorted(a) == sorted(b)
PY
	"$CLI" export --db demo/ledger.db --lot lot-ndpr-oxide-001 --out dlot.jsonld 2>/dev/null
	validate dlot.jsonld
else
	bad "scripts/demo: $(tail -5 demo.log)"
fi

# --- the schema validator is not a rubber stamp ---
if [ -f "$SCHEMA" ] && [ -n "$PY" ]; then
	sed 's/"eventTimeZoneOffset": "+05:00",//' "$DATA/fwo-chain.jsonld" >broken.jsonld
	if "$PY" -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
		"$SCHEMA" broken.jsonld 2>/dev/null; then
		bad "a document without eventTimeZoneOffset validated"
	else
		ok
	fi
	validate "$DATA/fwo-chain.jsonld"
	validate "$DATA/ussm-receipt.jsonld"
fi

# --- every GS1 example is read; each event mapped or reported ---
if [ -d "$CONF/epcis/examples" ]; then
	n=0
	while IFS= read -r doc; do
		n=$((n + 1))
		out=$("$CLI" import --db b.db --key keys/fwo.key --dry-run "$doc" 2>&1)
		rc=$?
		case $rc in
		2) grep -q "^oretrail: import: .*$(basename "$doc")" <<<"$out" && ok || bad "$doc: $out" ;;
		4)
			events=$("$CLI" epcis hash "$doc" 2>/dev/null | wc -l)
			reported=$(grep -c ': not imported: ' <<<"$out")
			[ "$reported" = "$events" ] && ok || bad "$doc: $events events, $reported reported: $out"
			;;
		*) bad "$doc: exit $rc: $out" ;;
		esac
	done < <(find "$CONF/epcis/examples" -name '*.jsonld' | sort)
	[ "$n" -ge 30 ] && ok || bad "only $n GS1 examples"
fi

# --- bad input ---
expect 0 "usage: oretrail import" -- "$CLI" import --help
expect 0 "usage: oretrail export" -- "$CLI" export --help
expect 2 "--db and --key are required" -- "$CLI" import --db b.db "$DATA/fwo-chain.jsonld"
expect 2 "expected one FILE" -- "$CLI" import --db b.db --key keys/fwo.key
expect 2 "import: .*nope.jsonld" -- "$CLI" import --db b.db --key keys/fwo.key nope.jsonld
printf '{"type":"EPCISDocument","epcisBody":{"eventList":[}' >trunc.jsonld
expect 2 "import: trunc.jsonld: line 1" -- "$CLI" import --db b.db --key keys/fwo.key trunc.jsonld
printf '[1,2]' >notdoc.jsonld
expect 2 "not an EPCIS document" -- "$CLI" import --db b.db --key keys/fwo.key notdoc.jsonld
expect 2 "signing key" -- "$CLI" import --db b.db --key nope.key "$DATA/fwo-chain.jsonld"
expect 2 "" -- "$CLI" import --db nope.db --key keys/fwo.key "$DATA/fwo-chain.jsonld"
expect 2 "--db is required" -- "$CLI" export
expect 2 "" -- "$CLI" export --db nope.db

summary
