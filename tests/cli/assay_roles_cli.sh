#!/usr/bin/env bash
# assay_roles_cli.sh: assays with roles (issue 14, item 5). A provisional,
# a seller's, a buyer's, an umpire's and a final assay of one lot: each kept,
# the governing one (umpire > final > seller = buyer > provisional >
# declared) certified and shown by trace, text and --json, the origin vector
# following it; a seller/buyer difference beyond the default splitting limit
# is the finding assay_dispute, settled by the umpire; a contract's
# splitting_limit widens it; an assay without role counts as final; each bad
# assay refused, exit 4, nothing appended; the audit's replay agrees.
. "$(dirname "$0")/lib.sh"

cd "$T"
"$CLI" init --db l.db --origin test.example/assay >/dev/null 2>err || abort "init: $(cat err)"
for a in fwo lab1; do "$CLI" key new $a --dir . >/dev/null 2>&1 || abort "key $a"; done
actor() { printf '{"type":"actor","id":"a-%s","time":"2025-09-01T08:00:00Z","actor":"%s","name":"%s","country":"PK","roles":%s,"key":"%s"}\n' "$1" "$1" "$1" "$2" "$(cat "$1.vkey")"; }
site() { printf '{"type":"site","id":"s-%s","time":"2025-09-01T09:00:00Z","site":"%s","kind":"%s","holder":"%s","country":"PK","licence":"L-%s","minerals":["Cu"],"valid_from":"2025-01-01T00:00:00Z","valid_until":"2035-01-01T00:00:00Z"}\n' "$1" "$1" "$2" "$3" "$1"; }
{
	actor fwo '["miner","processor"]'
	actor lab1 '["lab"]'
	site mine-1 mine fwo
	site lab-site lab lab1
} >reg.jsonl
expect 0 'appended .*entries [0-9]+-3\)' -- "$CLI" submit --db l.db --key l.db.key reg.jsonl
extract() { printf '{"type":"extract","id":"%s","time":"2025-09-10T06:00:00Z","site":"mine-1","lot":"%s","material":"concentrate","mass_g":1000000,"assay":{"Cu":240000}}\n' "$1" "$2"; }
{
	extract x1 lot-a
	extract x2 lot-b
	extract x3 lot-c
	printf '{"type":"contract","id":"c1","time":"2025-09-10T07:00:00Z","contract":"sale-b","parties":["fwo","lab1"],"splitting_limit":{"Cu":3000}}\n'
} >x.jsonl
expect 0 'appended .*entries [0-9]+-7\)' -- "$CLI" submit --db l.db --key fwo.key x.jsonl
# assay ID LOT CU ROLE [MORE]: an assay event (ROLE "" for none).
assay() {
	local role=""
	[ -n "$4" ] && role=",\"role\":\"$4\""
	printf '{"type":"assay","id":"%s","time":"2025-09-11T06:00:00Z","lot":"%s","assay":{"Cu":%s},"lab":"lab-site"%s%s}\n' "$1" "$2" "$3" "$role" "${5:-}"
}
# refuse NAME CODE KEY PATTERN (lib.sh): refused with CODE, exit 4, nothing appended.
# trace_is LOT ROLE CU GRAMS: governing role, certified Cu, Cu origin grams.
trace_is() {
	"$CLI" trace --db l.db --json "$1" >"t-$1.json"
	pycheck "t-$1.json" "assert d['governing']['role'] == '$2', d['governing']
assert d['certified']['assay'] == {'Cu': $3}, d['certified']
assert [o['grams'] for o in d['origins']] == [$4], d['origins']"
}

# --- refusals: exit 4, nothing appended ---
assay bad1 lot-a 250000 arbiter >bad1.jsonl
refuse bad1 bad_field lab1.key 'role: .*arbiter'
assay bad2 lot-a 250000 seller ',"basis":"wet"' >bad2.jsonl
refuse bad2 bad_field lab1.key 'basis: '
assay bad3 lot-a 250000 seller ',"contract":"no-such"' >bad3.jsonl
refuse bad3 contract_not_found lab1.key 'contract no-such does not exist'
assay bad4 lot-z 250000 seller >bad4.jsonl
refuse bad4 lot_not_found lab1.key 'lot lot-z does not exist'

# --- lot-a: declared, then provisional, seller, buyer, umpire, final ---
"$CLI" trace --db l.db --json lot-a >t0.json
pycheck t0.json 'assert d["governing"] == {"role": "declared"} and d["assays"] == [], d
assert "certified" not in d, d'
assay y1 lot-a 245000 provisional >y1.jsonl
expect 0 'appended 1 of 1 event \(entries 8-8\)' -- "$CLI" submit --db l.db --key lab1.key y1.jsonl
trace_is lot-a provisional 245000 245000
assay y2 lot-a 250000 seller >y2.jsonl
expect 0 'appended 1 of 1 event \(entries 9-9\)' -- "$CLI" submit --db l.db --key lab1.key y2.jsonl
trace_is lot-a seller 250000 250000
# A provisional assay after the seller's does not govern.
assay y3 lot-a 230000 provisional >y3.jsonl
expect 0 'appended 1 of 1 event \(entries 10-10\)' -- "$CLI" submit --db l.db --key lab1.key y3.jsonl
trace_is lot-a seller 250000 250000
# The buyer's: 6,000 mg/kg below, beyond 1 % of 250,000 (2,500).
assay y4 lot-a 244000 buyer >y4.jsonl
expect 0 'appended 1 of 1 event \(entries 11-11\)' -- "$CLI" submit --db l.db --key lab1.key y4.jsonl
trace_is lot-a buyer 244000 244000
pycheck t-lot-a.json 'assert d["assay_dispute"] == {"index": 11, "seller": 9, "buyer": 11, "elements": {"Cu": {"seller": 250000, "buyer": 244000, "limit": 2500}}}, d.get("assay_dispute")
assert [(a["index"], a["role"], a["basis"]) for a in d["assays"]] == [(8, "provisional", "dry"), (9, "seller", "dry"), (10, "provisional", "dry"), (11, "buyer", "dry")], d["assays"]'
expect 0 'dispute +open: seller \(entry 9\) and buyer \(entry 11\)' -- "$CLI" trace --db l.db lot-a
expect 0 'certified  by the buyer assay, which governs: Cu 24.40 %, entry 11' -- "$CLI" trace --db l.db lot-a
expect 0 'assay +provisional dry: Cu 24.50 %, entry 8 by lab1' -- "$CLI" trace --db l.db lot-a
"$CLI" audit --db l.db --json >audit1.json
pycheck audit1.json 'f = [x for x in d["findings"] if x["kind"] == "assay_dispute"]
assert len(f) == 1 and f[0]["subject"] == "lot-a" and f[0]["index"] == 11, f
assert "Cu seller 250000 mg/kg, buyer 244000 mg/kg (limit 2500)" in f[0]["detail"], f'
# The umpire decides; a final assay after it does not govern.
assay y5 lot-a 247000 umpire >y5.jsonl
expect 0 'appended 1 of 1 event \(entries 12-12\)' -- "$CLI" submit --db l.db --key lab1.key y5.jsonl
trace_is lot-a umpire 247000 247000
pycheck t-lot-a.json 'assert d["assay_dispute"]["settled_by"] == 12, d["assay_dispute"]
assert d["governing"] == {"role": "umpire", "index": 12}, d["governing"]'
expect 0 'dispute +seller .* settled by the umpire, entry 12' -- "$CLI" trace --db l.db lot-a
assay y6 lot-a 260000 final >y6.jsonl
expect 0 'appended 1 of 1 event \(entries 13-13\)' -- "$CLI" submit --db l.db --key lab1.key y6.jsonl
trace_is lot-a umpire 247000 247000
"$CLI" trace --db l.db --json lot-a >t-all.json
pycheck t-all.json 'assert len(d["assays"]) == 6, d["assays"]'

# --- lot-b: the contract's splitting limit (3,000 mg/kg for Cu) ---
assay z1 lot-b 250000 seller ',"contract":"sale-b"' >z1.jsonl
assay z2 lot-b 248000 buyer >z2.jsonl
expect 0 'appended 1 of 1 event \(entries 14-14\)' -- "$CLI" submit --db l.db --key lab1.key z1.jsonl
expect 0 'appended 1 of 1 event \(entries 15-15\)' -- "$CLI" submit --db l.db --key lab1.key z2.jsonl
trace_is lot-b buyer 248000 248000
pycheck t-lot-b.json 'assert "assay_dispute" not in d, d
assert d["assays"][0]["contract"] == "sale-b", d["assays"]'
# Beyond it (4,000): a dispute.
assay z3 lot-b 252000 seller >z3.jsonl
expect 0 'appended 1 of 1 event \(entries 16-16\)' -- "$CLI" submit --db l.db --key lab1.key z3.jsonl
trace_is lot-b seller 252000 252000
pycheck t-lot-b.json 'assert d["assay_dispute"]["elements"] == {"Cu": {"seller": 252000, "buyer": 248000, "limit": 3000}}, d'

# --- lot-c: an assay without role is final, and replaces an earlier one ---
assay w1 lot-c 250000 "" >w1.jsonl
assay w2 lot-c 255000 "" >w2.jsonl
expect 0 'appended 1 of 1 event \(entries 17-17\)' -- "$CLI" submit --db l.db --key lab1.key w1.jsonl
expect 0 'appended 1 of 1 event \(entries 18-18\)' -- "$CLI" submit --db l.db --key lab1.key w2.jsonl
trace_is lot-c final 255000 255000
# Voiding the governing assay: the earlier one governs again.
printf '{"type":"void","id":"v1","time":"2025-09-14T06:00:00Z","voids":"w2","reason":"wrong sample"}\n' >v1.jsonl
expect 0 'appended 1 of 1 event \(entries 19-19\)' -- "$CLI" submit --db l.db --key lab1.key v1.jsonl
trace_is lot-c final 250000 250000
pycheck t-lot-c.json 'assert [a["id"] for a in d["assays"]] == ["w1"], d["assays"]'

# --- the audit's replay agrees, and lists both disputes ---
"$CLI" audit --db l.db --json >audit.json
pycheck audit.json 'assert d["ok"] is True, d
f = [(x["subject"], x["index"]) for x in d["findings"] if x["kind"] == "assay_dispute"]
assert f == [("lot-a", 11), ("lot-b", 16)], f'
summary
