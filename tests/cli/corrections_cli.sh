#!/usr/bin/env bash
# corrections_cli.sh: corrections without rewriting history (issue 13's
# "done when", with the earlier parts in time_cli.sh: a back-dated contract
# flagged and dated by its logged bound; revoke_cli.sh: a rotated key refused
# whatever its claimed time; disclose_by_cli.sh: an overdue disclosure;
# first_steps_cli.sh: init without --key-name). Here, on a ledger made by
# `init` without --key-name: an assay typo corrected by its lab, the
# corrected value in trace, report and a certificate that verifies, the
# history visible; each bad correction refused with its code, exit 4,
# nothing appended; voiding an unused lot's creation; audit lists it all.
. "$(dirname "$0")/lib.sh"

cd "$T"
"$CLI" init --db l.db --origin test.example/corr >/dev/null 2>err || abort "init: $(cat err)"
auth=$(sed -n 's/.*the authority is actor \([^ ,;:]*\).*/\1/p' err | head -1)
[ -n "$auth" ] || abort "init names no authority: $(cat err)"
for a in fwo lab1 lab2; do "$CLI" key new $a --dir . >/dev/null 2>&1 || abort "key $a"; done
actor() { printf '{"type":"actor","id":"a-%s","time":"2025-09-01T08:00:00Z","actor":"%s","name":"%s","country":"PK","roles":%s,"key":"%s"}\n' "$1" "$1" "$1" "$2" "$(cat "$1.vkey")"; }
site() { printf '{"type":"site","id":"s-%s","time":"2025-09-01T09:00:00Z","site":"%s","kind":"%s","holder":"%s","country":"PK","licence":"L-%s","minerals":["Nd"],"valid_from":"2025-01-01T00:00:00Z","valid_until":"2035-01-01T00:00:00Z"}\n' "$1" "$1" "$2" "$3" "$1"; }
{
	actor fwo '["miner","processor"]'
	actor lab1 '["lab"]'
	actor lab2 '["lab"]'
	site mine-1 mine fwo
	site lab-site lab lab1
} >reg.jsonl
expect 0 '^4 site s-lab-site' -- "$CLI" submit --db l.db --key l.db.key reg.jsonl
extract() { printf '{"type":"extract","id":"%s","time":"2025-09-10T06:00:00Z","site":"mine-1","lot":"%s","material":"ore","mass_g":%s,"assay":{"Nd":%s}}\n' "$1" "$2" "$3" "$4"; }
assay() { printf '{"type":"assay","id":"%s","time":"2025-09-11T06:00:00Z","lot":"%s","assay":{"Nd":%s},"lab":"lab-site"}\n' "$1" "$2" "$3"; }
extract x1 lot-a 1000000 20000 >x1.jsonl
extract x2 lot-b 1000000 20000 >x2.jsonl
extract x3 lot-c 1000000 20000 >x3.jsonl
expect 0 '^5 extract x1' -- "$CLI" submit --db l.db --key fwo.key x1.jsonl
assay y1 lot-a 2500 >y1.jsonl # the typo: 2500 for 25000 mg/kg
expect 0 '^6 assay y1' -- "$CLI" submit --db l.db --key lab1.key y1.jsonl
expect 0 '^7 extract x2' -- "$CLI" submit --db l.db --key fwo.key x2.jsonl
expect 0 '^8 extract x3' -- "$CLI" submit --db l.db --key fwo.key x3.jsonl
printf '{"type":"transform","id":"t1","time":"2025-09-12T06:00:00Z","site":"mine-1","process":"beneficiation","inputs":[{"lot":"lot-c","mass_g":600000}],"outputs":[{"lot":"lot-d","material":"concentrate","mass_g":100000,"assay":{"Nd":100000}}]}\n' >t1.jsonl
expect 0 '^9 transform t1' -- "$CLI" submit --db l.db --key fwo.key t1.jsonl

corr() { printf '{"type":"correct","id":"%s","time":"2025-09-15T06:00:00Z","corrects":"%s","reason":"%s","corrected":%s}\n' "$1" "$2" "$3" "$4"; }
fixed='{"type":"assay","id":"y1","time":"2025-09-11T06:00:00Z","lot":"lot-a","assay":{"Nd":25000},"lab":"lab-site"}'

# --- bad corrections: each its own code, exit 4, nothing written ---
corr k1 nope "typo" "$fixed" >unknown.jsonl
refuse unknown event_not_found lab1.key 'no event with id nope'
corr k1 y1 "typo" "$fixed" >stranger.jsonl
refuse stranger not_original_signer lab2.key 'signed by lab1; only lab1 or an authority'
corr k1 y1 "typo" '{"type":"extract","id":"y1","time":"2025-09-11T06:00:00Z","lot":"lot-a","assay":{"Nd":25000}}' >retype.jsonl
refuse retype correction_changes_type lab1.key 'y1 is a assay event'
corr k1 y1 "typo" '{"type":"assay","id":"y2","time":"2025-09-11T06:00:00Z","lot":"lot-a","assay":{"Nd":25000}}' >reid.jsonl
refuse reid correction_changes_id lab1.key 'must keep the id y1'
corr k1 y1 "typo" '{"type":"assay","id":"y1","time":"2025-09-11T06:00:00Z","lot":"lot-b","assay":{"Nd":25000}}' >relot.jsonl
refuse relot correction_changes_subject lab1.key 'was not about lot lot-b'
corr k1 t1 "wrong" '{"type":"transform","id":"t1","time":"2025-09-12T06:00:00Z"}' >tr.jsonl
refuse tr not_correctable fwo.key 't1 is a transform event, which cannot be corrected'
# lot-c: 600 kg of it went into t1 (entry 9)
corr k1 x3 "scale" '{"type":"extract","id":"x3","time":"2025-09-10T06:00:00Z","site":"mine-1","lot":"lot-c","material":"ore","mass_g":500000,"assay":{"Nd":20000}}' >down.jsonl
refuse down correction_breaks_downstream fwo.key 'would break entry 9 \(transform t1\): they used 600000.000 g'
printf '{"type":"void","id":"v1","time":"2025-09-15T06:00:00Z","voids":"x3","reason":"never mined"}\n' >used.jsonl
refuse used lot_used fwo.key 'only an unused lot.s creation can be voided'

# --- the assay typo corrected by its lab ---
corr k1 y1 "typo: 2500 for 25000 mg/kg" "$fixed" >k1.jsonl
expect 0 '^10 correct k1' -- "$CLI" submit --db l.db --key lab1.key k1.jsonl
"$CLI" trace --db l.db --json lot-a >trace.json
pycheck trace.json 'assert d["certified"]["assay"] == {"Nd": 25000}, d
assert d["corrections"] == [{"entry": 10, "by": "lab1", "reason": "typo: 2500 for 25000 mg/kg", "kind": "correct", "event": "y1", "event_index": 6}], d
assert [o["grams"] for o in d["origins"]] == [25000], d["origins"]
assert [(a["index"], a["type"], a["id"]) for a in d["ancestry"]] == [(5, "extract", "x1"), (6, "assay", "y1"), (10, "correct", "k1")], d["ancestry"]'
expect 0 'y1 corrected at entry 10 by lab1: typo: 2500 for 25000 mg/kg' -- "$CLI" trace --db l.db lot-a
expect 0 'certified  Nd 2.50 %, entry 10 by lab1' -- "$CLI" trace --db l.db lot-a
# the report counts the corrected content: lot-a 25 kg, lot-b 20 kg, lot-c
# 20 kg of Nd extracted
"$CLI" report --db l.db --json >report.json
pycheck report.json 'm = [x for x in d["minerals"] if x["element"] == "Nd"][0]
assert m["extracted"] == [{"country": "PK", "grams": 65000}], m'
# the certificate carries the correction and verifies offline
"$CLI" prove --db l.db lot-a >cert.json || bad "prove"
expect 0 '^ok: the certificate of lot lot-a verifies' -- "$CLI" verify cert.json --key l.db.vkey
"$CLI" verify cert.json --key l.db.vkey --json >verify.json
pycheck verify.json 'assert d["trace"]["corrections"][0]["entry"] == 10 and d["trace"]["certified"]["assay"] == {"Nd": 25000}, d'
# a second correction of the same assay, by the authority
corr k2 y1 "recalibrated" '{"type":"assay","id":"y1","time":"2025-09-11T06:00:00Z","lot":"lot-a","assay":{"Nd":24000},"lab":"lab-site"}' >k2.jsonl
expect 0 '^11 correct k2' -- "$CLI" submit --db l.db --key l.db.key k2.jsonl
# chaining a correction onto a correction: correct the original instead
corr k3 k1 "again" "$fixed" >chain.jsonl
refuse chain not_correctable lab1.key 'k1 is itself a correct entry'

# --- a mass correction that later uses leave room for ---
corr k4 x3 "scale" '{"type":"extract","id":"x3","time":"2025-09-10T06:00:00Z","site":"mine-1","lot":"lot-c","material":"ore","mass_g":800000,"assay":{"Nd":20000}}' >k4.jsonl
expect 0 '^12 correct k4' -- "$CLI" submit --db l.db --key fwo.key k4.jsonl
"$CLI" trace --db l.db --json lot-c >c.json
pycheck c.json 'assert (d["initial_g"], d["mass_g"]) == (800000, 200000), d
assert [o["grams"] for o in d["origins"]] == [4000], d["origins"]'

# --- voiding an unused lot's creation ---
printf '{"type":"void","id":"v2","time":"2025-09-15T06:00:00Z","voids":"x2","reason":"entered twice"}\n' >v2.jsonl
expect 0 '^13 void v2' -- "$CLI" submit --db l.db --key fwo.key v2.jsonl
expect 0 'x2 voided at entry 13 by fwo: entered twice' -- "$CLI" trace --db l.db lot-b
"$CLI" trace --db l.db --json lot-b >b.json
pycheck b.json 'assert d["status"] == "void" and d["mass_g"] == 0 and d["origins"] == [], d
assert d["corrections"][0]["kind"] == "void", d'
# a voided event: not corrected, not voided again; the lot is no more
corr k5 x2 "late" '{"type":"extract","id":"x2","time":"2025-09-10T06:00:00Z","site":"mine-1","lot":"lot-b","material":"ore","mass_g":5,"assay":{"Nd":1}}' >vcorr.jsonl
refuse vcorr event_voided fwo.key 'x2 was voided by entry 13'
sed 's/"v2"/"v3"/' v2.jsonl >vvoid.jsonl
refuse vvoid event_voided fwo.key 'x2 was voided by entry 13'
sed 's/"v2"/"v4"/; s/"x2"/"v2"/' v2.jsonl >vchain.jsonl
refuse vchain not_correctable fwo.key 'v2 is itself a void entry'
printf '{"type":"assay","id":"y9","time":"2025-09-16T06:00:00Z","lot":"lot-b","assay":{"Nd":1}}\n' >vuse.jsonl
refuse vuse lot_voided lab1.key 'the creation of lot lot-b was voided by entry 13'

# --- audit: the replay agrees, and lists the corrections ---
"$CLI" audit --db l.db --json >audit.json
pycheck audit.json 'assert d["ok"] is True, d
f = [(x["index"], x["kind"], x["subject"]) for x in d["findings"] if x["kind"] in ("corrected", "voided")]
assert f == [(10, "corrected", "y1"), (11, "corrected", "y1"), (12, "corrected", "x3"), (13, "voided", "x2")], f'
expect 0 'corrected +y1 +assay y1 of lot lot-a \(entry 6\) corrected by lab1: typo' -- "$CLI" audit --db l.db

summary
