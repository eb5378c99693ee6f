#!/usr/bin/env bash
# partial_ship_cli.sh: partial shipments and receipts (issue 14, item 7).
# A ship entry {"lot","mass_g","as"} sends part of a lot as a lot of its own
# with the parent's provenance (origin vector, stages, assays) in proportion,
# the rest staying; a consignment received in two receipts, open after the
# first; short_shipment when it closes short; transit_gain within a declared
# weighing uncertainty; each refusal (a part above the lot's remaining mass,
# parts together above it, a part without "as", an existing "as", a lot
# received twice, a gain beyond the weighing uncertainty: the 5x gain once
# accepted) exit 4 and nothing appended; consignments read through a real
# `oretrail serve --read-only`; the audit's replay agrees.
. "$(dirname "$0")/lib.sh"

cd "$T"
"$CLI" init --db l.db --origin test.example/partial >/dev/null 2>err || abort "init: $(cat err)"
for a in fwo ussm lab1; do "$CLI" key new $a --dir . >/dev/null 2>&1 || abort "key $a"; done
actor() { printf '{"type":"actor","id":"a-%s","time":"2025-09-01T08:00:00Z","actor":"%s","name":"%s","country":"%s","roles":%s,"key":"%s"}\n' "$1" "$1" "$1" "$2" "$3" "$(cat "$1.vkey")"; }
site() { printf '{"type":"site","id":"s-%s","time":"2025-09-01T09:00:00Z","site":"%s","kind":"%s","holder":"%s","country":"%s","licence":"L-%s","minerals":["Cu"],"valid_from":"2025-01-01T00:00:00Z","valid_until":"2035-01-01T00:00:00Z"}\n' "$1" "$1" "$2" "$3" "$4" "$1"; }
{
	actor fwo PK '["miner","processor","exporter"]'
	actor ussm US '["importer","processor"]'
	actor lab1 PK '["lab"]'
	site mine-1 mine fwo PK
	site us-site plant ussm US
	site lab-site lab lab1 PK
} >reg.jsonl
expect 0 'entries 0-5\)' -- "$CLI" submit --db l.db --key l.db.key reg.jsonl
extract() { printf '{"type":"extract","id":"%s","time":"2025-09-10T06:00:00Z","site":"mine-1","lot":"%s","material":"concentrate","mass_g":%s,"assay":{"Cu":250000}}\n' "$1" "$2" "$3"; }
{
	extract x1 lot-x 1000000
	extract x2 lot-y 500000
	extract x3 lot-z 200000
} >x.jsonl
expect 0 'entries 6-8\)' -- "$CLI" submit --db l.db --key fwo.key x.jsonl
printf '{"type":"assay","id":"y1","time":"2025-09-11T06:00:00Z","lot":"lot-x","assay":{"Cu":240000},"lab":"lab-site","role":"seller"}\n' >y1.jsonl
expect 0 'entries 9-9\)' -- "$CLI" submit --db l.db --key lab1.key y1.jsonl

# refuse NAME CODE KEY PATTERN (lib.sh): refused with CODE, exit 4, nothing appended.
ship() { printf '{"type":"ship","id":"%s","time":"2025-09-12T06:00:00Z","consignment":"%s","from":"mine-1","to":"us-site","consignee":"ussm","lots":%s}\n' "$1" "$2" "$3"; }
recv() { printf '{"type":"receive","id":"%s","time":"2025-09-20T06:00:00Z","consignment":"%s","site":"us-site","lots":%s%s}\n' "$1" "$2" "$3" "${4:-}"; }

# --- refused shipments ---
ship s0 C1 '[{"lot":"lot-x","mass_g":1000001,"as":"x-part-1"}]' >over.jsonl
refuse over mass_exceeded fwo.key 'lots\[0\]\.mass_g: ships 1000001 g of lot-x as x-part-1 but only 1000000 g remain'
ship s0 C1 '[{"lot":"lot-x","mass_g":600000,"as":"x-p1"},{"lot":"lot-x","mass_g":500000,"as":"x-p2"}]' >over2.jsonl
refuse over2 mass_exceeded fwo.key 'lots\[1\]\.mass_g: the parts of lot-x shipped come to 1100000 g but only 1000000 g remain'
ship s0 C1 '[{"lot":"lot-x","mass_g":400000}]' >noas.jsonl
refuse noas missing_field fwo.key 'lots\[0\]\.as'
ship s0 C1 '[{"lot":"lot-x","mass_g":400000,"as":"lot-y"}]' >dup.jsonl
refuse dup duplicate_lot fwo.key 'lots\[0\]\.as: lot lot-y already exists'
ship s0 C1 '[{"lot":"lot-x","mass_g":400000,"as":"x-part-1"},"lot-x"]' >twice.jsonl
refuse twice bad_field fwo.key 'lot lot-x is listed twice'

# --- C1: 400 kg of lot-x as x-part-1, and lot-y whole ---
ship s1 C1 '[{"lot":"lot-x","mass_g":400000,"as":"x-part-1"},"lot-y"]' >s1.jsonl
expect 0 'entries 10-10\)' -- "$CLI" submit --db l.db --key fwo.key s1.jsonl
"$CLI" trace --db l.db --json lot-x >x.json
pycheck x.json 'assert (d["mass_g"], d["status"], d["site"]) == (600000, "held", "mine-1"), d
assert [(o["site"], o["grams"]) for o in d["origins"]] == [("mine-1", 144000)], d["origins"]'
"$CLI" trace --db l.db --json x-part-1 >p.json
pycheck p.json 'assert (d["mass_g"], d["initial_g"], d["status"], d["consignment"]) == (400000, 400000, "in_transit", "C1"), d
assert d["created"]["type"] == "ship" and d["created"]["id"] == "s1", d["created"]
assert d["material"] == "concentrate" and d["assay"] == {"Cu": 250000}, d
assert d["certified"]["assay"] == {"Cu": 240000} and d["governing"]["role"] == "seller", d
assert [(o["site"], o["country"], o["grams"]) for o in d["origins"]] == [("mine-1", "PK", 96000)], d["origins"]
assert [(a["type"], a["id"]) for a in d["ancestry"]] == [("extract", "x1"), ("assay", "y1"), ("ship", "s1")], d["ancestry"]'
# The rest of lot-x stays: it can be shipped on its own, but not beyond it.
ship s0 C2 '[{"lot":"lot-x","mass_g":600001,"as":"x-part-2"}]' >over3.jsonl
refuse over3 mass_exceeded fwo.key 'only 600000 g remain'

# --- receipts: part of C1 first, the rest later ---
# api OUT PATH...: each GET PATH's body, in turn, into OUT, OUT.2, ... from
# a real `oretrail serve --read-only`, started for them and stopped after:
# the server reads between submits, never beside one (no busy waits).
api() {
	local out=$1 n=1
	shift
	start "ro-$out" "$CLI" serve --db l.db --read-only --listen 127.0.0.1:0 || abort "serve"
	for path in "$@"; do
		exec 3<>"/dev/tcp/127.0.0.1/$PORT" || abort "connect $PORT"
		printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
		timeout 10 cat <&3 | sed '1,/^\r$/d' >"$out$([ $n = 1 ] || echo ".$n")"
		exec 3<&-
		n=$((n + 1))
	done
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
}
# A 5x gain (2,000 kg received of 400 kg shipped) was once taken: refused.
recv r0 C1 '[{"lot":"x-part-1","mass_g":2000000}]' >gain.jsonl
refuse gain mass_gained ussm.key 'lots\[0\]\.mass_g: lot x-part-1: 2000000 g received of 400000 g shipped in consignment C1: \+400\.000 %, beyond the weighing uncertainty of 5000 mg/kg'
recv r1 C1 '[{"lot":"x-part-1","mass_g":399000}]' >r1.jsonl
expect 0 'entries 11-11\)' -- "$CLI" submit --db l.db --key ussm.key r1.jsonl
api c1.json /api/consignments/C1
pycheck c1.json 'assert d["status"] == "open", d
assert [(e["lot"], e["mass_g"], e.get("received_g"), e.get("part_of")) for e in d["lots"]] == [("x-part-1", 400000, 399000, "lot-x"), ("lot-y", 500000, None, None)], d["lots"]
assert [r["index"] for r in d["receipts"]] == [11], d'
recv r0 C1 '[{"lot":"x-part-1","mass_g":399000}]' >again.jsonl
refuse again lot_already_received ussm.key 'lot x-part-1 of consignment C1 was received at entry 11'
# lot-y arrives 2 % short: transit_loss for it, short_shipment for C1.
recv r2 C1 '[{"lot":"lot-y","mass_g":487000}]' >r2.jsonl
expect 0 'entries 12-12\)' -- "$CLI" submit --db l.db --key ussm.key r2.jsonl
api c1b.json /api/consignments/C1
pycheck c1b.json 'assert (d["status"], d["received_index"], d["received_g"]) == ("received", 12, 886000), d
assert [r["index"] for r in d["receipts"]] == [11, 12], d'
recv r0 C1 '[{"lot":"lot-y","mass_g":487000}]' >closed.jsonl
refuse closed consignment_closed ussm.key 'consignment C1 was already received at entry 12'
"$CLI" trace --db l.db --json x-part-1 >p2.json
pycheck p2.json 'assert (d["holder"], d["site"], d["status"], d["mass_g"]) == ("ussm", "us-site", "held", 399000), d
assert [o["grams"] for o in d["origins"]] == [95760], d["origins"]'

# --- C2: a gain within the declared weighing uncertainty (2 %) is taken,
# and beyond the 0.5 % tolerance it is the finding transit_gain ---
ship s2 C2 '["lot-z"]' >s2.jsonl
expect 0 'entries 13-13\)' -- "$CLI" submit --db l.db --key fwo.key s2.jsonl
recv r0 C2 '[{"lot":"lot-z","mass_g":205000}]' ',"mass_uncertainty_ppm":20000' >gain2.jsonl
refuse gain2 mass_gained ussm.key 'beyond the weighing uncertainty of 20000 mg/kg'
recv r3 C2 '[{"lot":"lot-z","mass_g":203000}]' ',"mass_uncertainty_ppm":20000' >r3.jsonl
expect 0 'entries 14-14\)' -- "$CLI" submit --db l.db --key ussm.key r3.jsonl

# --- a part of a processed lot takes its stages and stage_output in
# proportion: 250 kg of the 500 kg concentrate made from lot-x's rest ---
printf '{"type":"transform","id":"t1","time":"2025-09-21T06:00:00Z","site":"mine-1","process":"beneficiation","inputs":[{"lot":"lot-x","mass_g":600000}],"outputs":[{"lot":"conc-1","material":"concentrate","mass_g":500000,"assay":{"Cu":280000}}]}\n' >t1.jsonl
expect 0 'entries 15-15\)' -- "$CLI" submit --db l.db --key fwo.key t1.jsonl
"$CLI" trace --db l.db --json conc-1 >c.json
ship s3 C3 '[{"lot":"conc-1","mass_g":250000,"as":"conc-1-a"}]' | sed 's/2025-09-12/2025-09-22/' >s3.jsonl
expect 0 'entries 16-16\)' -- "$CLI" submit --db l.db --key fwo.key s3.jsonl
"$CLI" trace --db l.db --json conc-1 >c2.json
"$CLI" trace --db l.db --json conc-1-a >ca.json
python3 - c.json c2.json ca.json <<'PY' && ok || bad "stages of conc-1 and conc-1-a do not add up to conc-1's"
import json, sys
before, rest, part = (json.load(open(f)) for f in sys.argv[1:])
rows = lambda d: {(r["stage"], r["element"], r["site"]): r["mg"] for r in d["stages"]}
b, r, p = rows(before), rows(rest), rows(part)
assert set(b) == set(r) == set(p) and ("concentrated", "Cu", "mine-1") in b, (b, r, p)
for k in b:
    assert r[k] + p[k] == b[k] and p[k] == b[k] // 2, (k, b[k], r[k], p[k])
assert (rest["mass_g"], part["mass_g"]) == (250000, 250000), (rest["mass_g"], part["mass_g"])
PY

# --- findings, through the server and the audit's replay ---
api f.json /api/findings '/api/lots?prefix=x-part'
pycheck f.json 'f = sorted((x["kind"], x["subject"], x["index"]) for x in d["findings"] if x["kind"] not in ("backdated",))
assert f == [("export_without_assay", "conc-1-a", 16), ("export_without_assay", "lot-y", 10), ("export_without_assay", "lot-z", 13), ("extraction_beyond_resource", "mine-1", 6), ("short_shipment", "C1", 12), ("transit_gain", "lot-z", 14), ("transit_loss", "lot-y", 12)], f
s = [x for x in d["findings"] if x["kind"] == "short_shipment"][0]
assert "900000 g shipped, 886000 g received in 2 receipts: -1.555 %" in s["detail"], s
assert s["values"] == {"shipped_g": 900000, "received_g": 886000}, s
e = [x for x in d["findings"] if x["kind"] == "extraction_beyond_resource"][0]
assert set(e["values"]) <= {"mass_g", "extracted_g"} and len(e["values"]) == 1 and "%d g" % list(e["values"].values())[0] in e["detail"], e'
pycheck f.json.2 'assert [(l["lot"], l["split_from"], l["initial_g"]) for l in d["lots"]] == [("x-part-1", "lot-x", 400000)], d'
"$CLI" audit --db l.db --json >audit.json
pycheck audit.json 'assert d["ok"] is True, d
assert sorted(x["kind"] for x in d["findings"] if x["kind"] in ("short_shipment", "transit_gain", "transit_loss")) == ["short_shipment", "transit_gain", "transit_loss"], d["findings"]'
summary
