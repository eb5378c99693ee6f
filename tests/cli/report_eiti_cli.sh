#!/usr/bin/env bash
# CLI test of `oretrail report eiti` and the `receipt` event: payments by
# payer, payee agency, revenue stream (given, or from the kind), contract
# and declared period, per currency; the payees' receipts reconciled with
# every discrepancy (a payment without receipt, a receipt for less, one in
# another currency, a receipt naming no payment); contracts with their
# disclosure status and days withheld; --period in its three forms; text
# and CSV; each refused receipt (exit 4, nothing written) and bad input.
. "$(dirname "$0")/lib.sh"

cd "$T"
expect 0 "^usage: oretrail report eiti" -- "$CLI" report eiti --help
"$CLI" init --db l.db --origin test.example/eiti --key-name gov >/dev/null 2>&1
for a in fwo pcc fbr kpmd; do "$CLI" key new $a >/dev/null 2>&1; done
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-01-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"a2","time":"2025-01-01T08:00:00Z","actor":"pcc","name":"PCC","country":"PK","roles":["miner"],"key":"$(cat pcc.vkey)"}
{"type":"actor","id":"a3","time":"2025-01-01T08:00:00Z","actor":"fbr","name":"Federal Board of Revenue","country":"PK","roles":["customs"],"key":"$(cat fbr.vkey)"}
{"type":"actor","id":"a4","time":"2025-01-01T08:00:00Z","actor":"kpmd","name":"KP Minerals Department","country":"PK","roles":["customs"],"key":"$(cat kpmd.vkey)"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 && ok || abort "registration"

royalty=$("$CLI" commit --openings o.jsonl --contract ct-1 --field terms.royalty '{"rate_ppm":50000}' 2>/dev/null)
price=$("$CLI" commit --openings o.jsonl --contract ct-1 --field terms.price '"120 USD/kg"' 2>/dev/null)
cat >fwo.jsonl <<JSON
{"type":"contract","id":"k1","time":"2025-01-10T08:00:00Z","contract":"ct-1","parties":["kpmd","fwo"],"title":"Mining lease KP-ML-017","disclose_by":"2025-06-30","terms":{"royalty":$royalty,"price":$price}}
{"type":"payment","id":"p1","time":"2025-08-10T08:00:00Z","payer":"fwo","payee":"kpmd","kind":"royalty","amount":{"amount":1250000,"currency":"PKR"},"contract":"ct-1","period":"2025-Q3"}
{"type":"payment","id":"p2","time":"2025-09-15T08:00:00Z","payer":"fwo","payee":"fbr","kind":"tax","stream":"tax","amount":{"amount":500000,"currency":"PKR"},"period":"2025-Q3"}
{"type":"payment","id":"p3","time":"2025-11-02T08:00:00Z","payer":"fwo","payee":"kpmd","kind":"other","stream":"social","amount":{"amount":200000,"currency":"PKR"},"contract":"ct-1","period":"2025-Q4"}
JSON
cat >pcc.jsonl <<'JSON'
{"type":"contract","id":"k2","time":"2025-02-01T08:00:00Z","contract":"ct-2","parties":["fbr","pcc"],"title":"Tax stability agreement"}
{"type":"payment","id":"p4","time":"2025-08-20T08:00:00Z","payer":"pcc","payee":"fbr","kind":"fee","amount":{"amount":10000,"currency":"USD"},"contract":"ct-2","period":"2025-Q3"}
{"type":"payment","id":"p5","time":"2026-02-01T08:00:00Z","payer":"pcc","payee":"kpmd","kind":"levy","amount":{"amount":300000,"currency":"PKR"},"period":"2026-Q1"}
JSON
cat >kpmd.jsonl <<'JSON'
{"type":"receipt","id":"r1","time":"2025-08-12T08:00:00Z","payment":"p1","amount":{"amount":1250000,"currency":"PKR"}}
{"type":"receipt","id":"r3","time":"2025-11-05T08:00:00Z","payment":"p3","payer":"fwo","amount":{"amount":150000,"currency":"PKR"}}
{"type":"receipt","id":"r9","time":"2025-09-30T08:00:00Z","payer":"pcc","stream":"royalty","amount":{"amount":75000,"currency":"PKR"},"period":"2025-Q3"}
JSON
cat >fbr.jsonl <<'JSON'
{"type":"receipt","id":"r4","time":"2025-08-25T08:00:00Z","payment":"p4","amount":{"amount":10000,"currency":"EUR"}}
JSON
for s in fwo pcc kpmd fbr; do
	"$CLI" submit --db l.db --key $s.key $s.jsonl >/dev/null 2>&1 || bad "submit $s"
done
"$CLI" disclose --openings o.jsonl --db l.db --contract ct-1 --field terms.price --time 2025-10-01 >disc.jsonl 2>/dev/null || bad "disclose"
"$CLI" submit --db l.db --key fwo.key disc.jsonl >/dev/null 2>&1 && ok || bad "submit disclose"

# Withholding counts from when the contract was logged: 89 days on.
"$CLI" contract show --db l.db --json ct-1 >show.json || bad "contract show"
NOW=$(python3 -c 'import json,sys,datetime as D; c=json.load(open(sys.argv[1]))["committed"]; print((D.datetime.strptime(c,"%Y-%m-%dT%H:%M:%SZ")+D.timedelta(days=89,minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))' show.json)
OVERDUE=$(python3 -c 'import sys,datetime as D; print((D.datetime.strptime(sys.argv[1],"%Y-%m-%dT%H:%M:%SZ")-D.datetime(2025,7,1)).days)' "$NOW")

"$CLI" report eiti --db l.db --period 2025 --now "$NOW" --json >y.json && ok || bad "report eiti --json"
pycheck y.json '
g=lambda k,f:[(r[f],r["currency"],r["amount"],r["count"]) for r in d[k]]
assert d["period"]=="2025" and d["as_of"]=="'"$NOW"'", d["period"]
assert [(r["currency"],r["amount"],r["count"]) for r in d["totals"]]==[("PKR",1950000,3),("USD",10000,1)], d["totals"]
assert g("by_payer","payer")==[("fwo","PKR",1950000,3),("pcc","USD",10000,1)], g("by_payer","payer")
assert g("by_payee","payee")==[("fbr","PKR",500000,1),("fbr","USD",10000,1),("kpmd","PKR",1450000,2)]
# the stream as given, else from the kind (royalty, fee)
assert g("by_stream","stream")==[("fee","USD",10000,1),("royalty","PKR",1250000,1),("social","PKR",200000,1),("tax","PKR",500000,1)], g("by_stream","stream")
assert g("by_contract","contract")==[(None,"PKR",500000,1),("ct-1","PKR",1450000,2),("ct-2","USD",10000,1)], g("by_contract","contract")
assert g("by_period","period")==[("2025-Q3","PKR",1750000,2),("2025-Q3","USD",10000,1),("2025-Q4","PKR",200000,1)]
assert [p["id"] for p in d["payments"]]==["p1","p2","p3","p4"] and [p["stream"] for p in d["payments"]]==["royalty","tax","social","fee"]
assert [(r["id"],r["payee"],r["payer"],r.get("payment")) for r in d["receipts"]]==[("r1","kpmd","fwo","p1"),("r3","kpmd","fwo","p3"),("r9","kpmd","pcc",None),("r4","fbr","pcc","p4")], d["receipts"]
rc=d["reconciliation"]
assert (rc["payments"],rc["receipts"],rc["acknowledged"])==(4,4,3), rc
dis=[(x["kind"],x.get("payment"),x.get("receipt"),x["payer"],x["payee"],x.get("paid"),x.get("received"),x.get("difference")) for x in rc["discrepancies"]]
assert dis==[
 ("unacknowledged_payment","p2",None,"fwo","fbr",{"amount":500000,"currency":"PKR"},None,None),
 ("amount_differs","p3","r3","fwo","kpmd",{"amount":200000,"currency":"PKR"},{"amount":150000,"currency":"PKR"},-50000),
 ("amount_differs","p4","r4","pcc","fbr",{"amount":10000,"currency":"USD"},{"amount":10000,"currency":"EUR"},None),
 ("receipt_without_payment",None,"r9","pcc","kpmd",None,{"amount":75000,"currency":"PKR"},None)], dis
c={x["contract"]:x for x in d["contracts"]}
assert (c["ct-1"]["status"],c["ct-1"]["commitments"],c["ct-1"]["withheld"],c["ct-1"]["withheld_days"],c["ct-1"]["disclose_by"],c["ct-1"]["overdue"],c["ct-1"]["overdue_days"])==("partly_disclosed",2,1,89,"2025-06-30",True,'"$OVERDUE"'), c["ct-1"]
assert (c["ct-2"]["status"],c["ct-2"]["withheld"],c["ct-2"]["withheld_days"],c["ct-2"]["overdue"],c["ct-2"]["disclose_by"])==("public",0,0,False,None), c["ct-2"]
assert c["ct-1"]["title"]=="Mining lease KP-ML-017" and c["ct-2"]["parties"]==["fbr","pcc"]'

# --period: a quarter, a month; all periods
"$CLI" report eiti --db l.db --period 2026-Q1 --json >q.json && ok || bad "--period 2026-Q1"
pycheck q.json '
assert [p["id"] for p in d["payments"]]==["p5"] and d["payments"][0]["stream"]=="tax"
assert [(x["kind"],x["payment"]) for x in d["reconciliation"]["discrepancies"]]==[("unacknowledged_payment","p5")]
assert d["receipts"]==[]'
"$CLI" report eiti --db l.db --period 2025-09 --json >m.json && ok || bad "--period 2025-09"
pycheck m.json '
assert [p["id"] for p in d["payments"]]==["p2"]
assert [(x["kind"],x.get("payment"),x.get("receipt")) for x in d["reconciliation"]["discrepancies"]]==[("unacknowledged_payment","p2",None),("receipt_without_payment",None,"r9")]'
"$CLI" report eiti --db l.db --json >a.json && ok || bad "all periods"
pycheck a.json '
assert d["period"] is None and [(r["currency"],r["amount"],r["count"]) for r in d["totals"]]==[("PKR",2250000,4),("USD",10000,1)]
assert d["reconciliation"]["payments"]==5 and len(d["reconciliation"]["discrepancies"])==5'

# text and CSV
"$CLI" report eiti --db l.db --period 2025 --now "$NOW" >t.out && ok || bad "text"
grep -qE "^  total 19,500.00 PKR in 3 payments$" t.out && ok || bad "text total: $(cat t.out)"
grep -qE "^  social +2,000.00 PKR +1$" t.out && ok || bad "text stream row"
grep -qE "^receipts: 4; payments acknowledged: 3 of 4; discrepancies: 4$" t.out && ok || bad "text reconciliation line"
grep -qE "^  amount_differs +p3 +r3 +fwo +kpmd +2,000.00 PKR +1,500.00 PKR$" t.out && ok || bad "text discrepancy row"
grep -qE "^  ct-1 +partly_disclosed +1 of 2 +89 +2025-06-30 +yes, $OVERDUE days$" t.out && ok || bad "text contract row"
"$CLI" report eiti --db l.db --period 2025 --now "$NOW" --csv >c.csv && ok || bad "csv"
[ "$(head -1 c.csv)" = "section,key,currency,amount,count,payment,receipt,received_currency,received_amount,status,withheld_days,overdue_days" ] && ok || bad "csv header: $(head -1 c.csv)"
grep -qx "total,,PKR,1950000,3,,,,,,," c.csv && ok || bad "csv total: $(cat c.csv)"
grep -qx "stream,royalty,PKR,1250000,1,,,,,,," c.csv && ok || bad "csv stream"
grep -qx "contract,,PKR,500000,1,,,,,,," c.csv && ok || bad "csv no contract"
grep -qx "discrepancy,amount_differs,USD,10000,,p4,r4,EUR,10000,,," c.csv && ok || bad "csv discrepancy"
grep -qx "discrepancy,receipt_without_payment,,,,,r9,PKR,75000,,," c.csv && ok || bad "csv receipt without payment"
grep -qx "disclosure,ct-1,,,1,,,,,partly_disclosed,89,$OVERDUE" c.csv && ok || bad "csv contract"
[ "$(wc -l <c.csv)" = 24 ] && ok || bad "csv rows: $(wc -l <c.csv)"

# --- refused receipts and payments: exit 4, nothing written ---
size() { "$CLI" report eiti --db l.db --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["receipts"]), len(d["payments"]))'; }
before=$(size)
refuse() { # $1 key, $2 pattern, $3 event
	echo "$3" >bad.jsonl
	expect 4 "$2" -- "$CLI" submit --db l.db --key $1.key bad.jsonl
}
refuse kpmd "not_payee|only the payee may acknowledge it, not kpmd" '{"type":"receipt","id":"b1","time":"2025-10-01T08:00:00Z","payment":"p2","amount":{"amount":500000,"currency":"PKR"}}'
refuse kpmd "payment p1 was acknowledged by entry" '{"type":"receipt","id":"b2","time":"2025-10-01T08:00:00Z","payment":"p1","amount":{"amount":1,"currency":"PKR"}}'
refuse kpmd "no payment with id nope is in the log" '{"type":"receipt","id":"b3","time":"2025-10-01T08:00:00Z","payment":"nope","amount":{"amount":1,"currency":"PKR"}}'
refuse kpmd "no payment with id k1 is in the log: it is a contract event" '{"type":"receipt","id":"b4","time":"2025-10-01T08:00:00Z","payment":"k1","amount":{"amount":1,"currency":"PKR"}}'
refuse kpmd "payment p5 was made by pcc, not fwo" '{"type":"receipt","id":"b5","time":"2026-02-02T08:00:00Z","payment":"p5","payer":"fwo","amount":{"amount":300000,"currency":"PKR"}}'
refuse kpmd "names the payment it acknowledges, or else its payer" '{"type":"receipt","id":"b6","time":"2025-10-01T08:00:00Z","amount":{"amount":1,"currency":"PKR"}}'
refuse kpmd "stream" '{"type":"receipt","id":"b7","time":"2025-10-01T08:00:00Z","payer":"fwo","stream":"gift","amount":{"amount":1,"currency":"PKR"}}'
refuse kpmd "amount" '{"type":"receipt","id":"b8","time":"2025-10-01T08:00:00Z","payer":"fwo","amount":{"amount":0,"currency":"PKR"}}'
refuse fwo "stream" '{"type":"payment","id":"b9","time":"2025-10-01T08:00:00Z","payer":"fwo","payee":"kpmd","kind":"royalty","stream":"gift","amount":{"amount":1,"currency":"PKR"}}'
[ "$(size)" = "$before" ] && ok || bad "refusals wrote something: $before -> $(size)"

# A replay of the log derives the same receipts and payments (audit).
"$CLI" audit --db l.db --json >au.json
pycheck au.json 'assert d["ok"] is True and d["problems"]==[], d["problems"]'

# --- bad input: exit 2 ---
for p in 25 2025-Q5 2025-13 2025-00 2025Q1 2025-1; do
	expect 2 "period \"$p\" is not YYYY, YYYY-Qn \(n 1-4\) or YYYY-MM" -- "$CLI" report eiti --db l.db --period $p
done
expect 2 "--now x is not a time" -- "$CLI" report eiti --db l.db --now x
expect 2 "exclude each other" -- "$CLI" report eiti --db l.db --json --csv
expect 2 "unexpected argument" -- "$CLI" report eiti --db l.db extra
"$CLI" report eiti --db l.db --json --period x >e.json 2>/dev/null
[ $? = 2 ] && ok || bad "--json error exit"
pycheck e.json 'assert d["error"]["code"]=="bad_field", d'
summary
