#!/usr/bin/env bash
# CLI test of `oretrail epcis registry` (docs/epcis-profiles.md): for a
# partner's plain document (tests/data/epcis/partner-plain.jsonld, with
# partner-profile.json) and a fresh ledger it writes, signed, the partner's
# `actor` event (roles miner and processor, for its commissioning and its
# transformation) and a `site` event for each site its events name, and
# lists the consignee it cannot register (another actor: its own key),
# exit 2; once that actor is registered it exits 0, `submit` appends its
# events and the document's three material flows are all accepted; run
# again on the same ledger it writes nothing. Usage errors exit 2.
. "$(dirname "$0")/lib.sh"
DATA=${OT_TEST_DATA:?}/epcis
cd "$T"
"$CLI" init --db l.db --origin test.example/r >/dev/null 2>&1 || abort "init"
for a in fwo ussm; do
	"$CLI" key new "$a" --dir . >/dev/null 2>&1 || abort "key new $a"
done
DOC=$DATA/partner-plain.jsonld
reg=("$CLI" epcis registry --db l.db --key fwo.key --authority-key l.db.key
	--profile "$DATA/partner-profile.json" --country PK)

# --- a consignee only it can register: listed, exit 2 ---
expect 2 "left: actor ussm: the consignee" -- "${reg[@]}" "$DOC"
"${reg[@]}" --json "$DOC" >r.json 2>/dev/null
pycheck r.json '
assert [(x["kind"], x["id"]) for x in d["left"]] == [("actor", "ussm")], d["left"]
ev = [e["event"] for e in d["events"]]
assert [(e["type"], e.get("actor") or e.get("site")) for e in ev] == [
    ("actor", "fwo"), ("site", "pk-kp-loe-shilman"), ("site", "us-mo-ussm")], ev
assert ev[0]["roles"] == ["miner", "processor"] and ev[0]["country"] == "PK", ev[0]
assert ev[0]["key"] == open("fwo.vkey").read().strip()
assert ev[1]["kind"] == "mine" and ev[1]["holder"] == "fwo", ev[1]
assert all(e["signer"] == "test.example-r" for e in d["events"]), d["events"]'

# --- the consignee registered: nothing left; the document comes in ---
printf '{"type":"actor","id":"a-ussm","time":"2025-01-01T00:00:00Z","actor":"ussm","name":"USSM","country":"US","roles":["importer","processor"],"key":"%s"}\n' \
	"$(cat ussm.vkey)" >ussm.jsonl
"$CLI" submit --db l.db --key l.db.key ussm.jsonl >/dev/null 2>&1 || bad "registering ussm"
"${reg[@]}" "$DOC" >reg.jsonl 2>reg.err && ok || bad "registry: $(cat reg.err)"
[ "$(wc -l <reg.jsonl)" = 3 ] && ok || bad "registry wrote $(wc -l <reg.jsonl) events"
"$CLI" submit --db l.db reg.jsonl >/dev/null 2>&1 && ok || bad "submit of the registry"
"$CLI" import --db l.db --key fwo.key --profile "$DATA/partner-profile.json" --keep-going --json \
	"$DOC" >imp.json 2>/dev/null
pycheck imp.json '
st = [(e["epcis_type"], e["status"]) for e in d["events"]]
assert st == [("ObjectEvent", "imported"), ("TransformationEvent", "imported"),
              ("AggregationEvent", "not_mapped"), ("ObjectEvent", "imported")], st'
# --- again: the ledger holds it all, nothing to write ---
"${reg[@]}" "$DOC" >again.jsonl 2>&1 && [ ! -s again.jsonl ] && ok || bad "second run: $(cat again.jsonl)"

# --- usage ---
expect 2 "--country are required" -- "$CLI" epcis registry --db l.db --key fwo.key --authority-key l.db.key "$DOC"
expect 2 "not an ISO 3166-1 alpha-2 code" -- "${reg[@]/PK/pk}" "$DOC"
expect 2 "expected one FILE.jsonld" -- "${reg[@]}"
expect 2 "nope.db: no such ledger" -- "$CLI" epcis registry --db nope.db --key fwo.key --authority-key l.db.key --country PK "$DOC"
summary
