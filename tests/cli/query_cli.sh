#!/usr/bin/env bash
# CLI test of the read verbs on a small ledger: trace, audit, contract show
# and report. Their --help, their answers on an empty ledger, the errors with
# their messages, exit codes and --json error objects, and audit catching a
# ledger whose index or log was tampered with (exit 1).
. "$(dirname "$0")/lib.sh"
SQLITE=${OT_SQLITE:-}

cd "$T"
for verb in trace audit report "contract show" contract; do
	expect 0 "^usage: oretrail $verb" -- "$CLI" $verb --help
done
"$CLI" --help | grep -qE "^  (key|submit|trace|audit|contract|report|commit|disclose) " && ok || bad "verbs missing from --help"

# --- an empty ledger ---
"$CLI" init --db l.db --origin test.example/query --key-name gov >/dev/null 2>&1
expect 0 "^ok: 0 entries" -- "$CLI" audit --db l.db
"$CLI" audit --db l.db --json >a0.json
pycheck a0.json 'assert d=={"entries":0,"ok":True,"findings":[],"problems":[]}, d'
expect 0 "none: no lot has been recorded yet" -- "$CLI" report --db l.db
"$CLI" report --db l.db --json >r0.json
pycheck r0.json 'assert d=={"minerals":[],"payments":[],"findings":0}, d'

# --- a few events ---
"$CLI" key new fwo >/dev/null 2>&1
cat >ev.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"a3","time":"2025-09-01T08:00:00Z","site":"port-1","kind":"port","holder":"fwo","country":"PK"}
JSON
"$CLI" submit --db l.db --key l.db.key ev.jsonl >/dev/null 2>&1 || bad "registration"
cat >ev2.jsonl <<'JSON'
{"type":"extract","id":"x1","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-1","material":"ore","mass_g":2500,"assay":{"Sb":30000}}
{"type":"ship","id":"s1","time":"2025-09-03T08:00:00Z","consignment":"c-1","from":"mine-1","to":"port-1","consignee":"fwo","lots":["ore-1"]}
{"type":"contract","id":"k1","time":"2025-09-08T00:00:00Z","contract":"k-1","parties":["fwo"],"title":"A contract","value":{"amount":1000,"currency":"JPY"}}
JSON
"$CLI" submit --db l.db --key fwo.key ev2.jsonl >/dev/null 2>&1 || bad "events"
"$CLI" trace --db l.db ore-1 >t.out
for pat in "^lot        ore-1$" "^mass       2.500 kg now, 2.500 kg when made$" \
	"^status     in transit in consignment c-1, shipped by fwo from mine-1$" \
	"^certified  no: no laboratory has certified this lot's contents$" \
	"^  Sb       PK       75.000 g  100.00 %$" "^lineage: 2 entries, oldest first$" \
	"^ +4  2025-09-03  fwo  ship +consignment c-1 from mine-1 to port-1 for fwo: ore-1$"; do
	grep -qE -- "$pat" t.out && ok || bad "trace lacks /$pat/: $(cat t.out)"
done
"$CLI" trace --db l.db --json ore-1 >t.json
pycheck t.json 'assert d["status"]=="in_transit" and d["consignment"]=="c-1" and "certified" not in d; assert d["origins"]==[{"element":"Sb","site":"mine-1","country":"PK","grams":75,"mg":75000,"share_ppm":1000000}], d["origins"]'
expect 0 "^  value +1,000 JPY$" -- "$CLI" contract show --db l.db k-1
expect 0 "^commitments: 0, " -- "$CLI" contract show --db l.db k-1
expect 0 "^payments citing it: 0$" -- "$CLI" contract show --db l.db k-1

# --- errors ---
expect 2 '^oretrail: trace: lot nope does not exist$' -- "$CLI" trace --db l.db nope
"$CLI" trace --db l.db --json nope >e.json 2>/dev/null
[ $? = 2 ] && ok || bad "trace --json exit code"
pycheck e.json 'assert d=={"error":{"code":"lot_not_found","message":"lot nope does not exist"}}, d'
expect 2 '^oretrail: trace: expected LOT, the lot to trace$' -- "$CLI" trace --db l.db
expect 2 '^oretrail: trace: unexpected argument "b"$' -- "$CLI" trace --db l.db a b
expect 2 '^oretrail: trace: --db is required$' -- "$CLI" trace ore-1
expect 2 '^oretrail: trace: missing.db: no such ledger$' -- "$CLI" trace --db missing.db ore-1
echo "not a database, not at all, not even close to one" >junk.db
expect 3 '^oretrail: trace: ' -- "$CLI" trace --db junk.db ore-1
expect 2 '^oretrail: contract show: contract nope does not exist$' -- "$CLI" contract show --db l.db nope
"$CLI" contract show --db l.db --json nope >ce.json 2>/dev/null
pycheck ce.json 'assert d["error"]["code"]=="contract_not_found", d'
expect 2 '^oretrail: contract show: --now tomorrow is not a time: use YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD$' -- "$CLI" contract show --db l.db --now tomorrow k-1
expect 2 '^oretrail: contract show: expected ID, the contract to show$' -- "$CLI" contract show --db l.db
expect 2 '^oretrail: contract: no such contract verb "nope" \(show, list\)$' -- "$CLI" contract nope
expect 2 '^oretrail: contract list: --db is required$' -- "$CLI" contract list
expect 2 '^usage: oretrail contract show' -- "$CLI" contract
expect 2 '^oretrail: audit: --now 2025-13-01 is not a time' -- "$CLI" audit --db l.db --now 2025-13-01
expect 2 '^oretrail: audit: --withheld-days 0 is not a number of days \(1-100000\)$' -- "$CLI" audit --db l.db --withheld-days 0
expect 2 '^oretrail: audit: unexpected argument "x"$' -- "$CLI" audit --db l.db x
expect 2 '^oretrail: report: --db is required$' -- "$CLI" report
expect 2 '^oretrail: audit: missing.db: no such ledger$' -- "$CLI" audit --db missing.db
expect 0 "^ok: 6 entries" -- "$CLI" audit --db l.db
expect 0 "extraction_beyond_resource +mine-1 +mine mine-1: extraction of 2500 g without any declared resource" -- "$CLI" audit --db l.db

# --- audit finds a tampered ledger ---
if [ -z "$SQLITE" ]; then
	echo "sqlite3 not installed: skipping the tampering cases" >&2
else
	"$SQLITE" l.db "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	cp l.db t.db
	cp l.db.vkey t.db.vkey
	# The index says the lot is heavier than the log makes it.
	"$SQLITE" t.db "UPDATE kv SET value = replace(value, '\"mass_g\":2500', '\"mass_g\":9999') WHERE ns = 'lot' AND key = 'ore-1';"
	expect 1 "^NOT OK: 6 entries; 1 problem found$" -- "$CLI" audit --db t.db
	expect 1 "state_mismatch +lot record \"ore-1\" differs from what the log implies" -- "$CLI" audit --db t.db
	"$CLI" audit --db t.db --json >bad.json 2>/dev/null
	[ $? = 1 ] && ok || bad "audit --json exit code on a broken ledger"
	pycheck bad.json 'assert d["ok"] is False and d["problems"][0]["code"]=="state_mismatch", d'
	# A log entry rewritten.
	cp l.db t2.db
	cp l.db.vkey t2.db.vkey
	"$SQLITE" t2.db "UPDATE entries SET data = replace(data, '2500', '2600') WHERE idx = 3;"
	expect 1 "does not hash|entry 3" -- "$CLI" audit --db t2.db
fi

summary
