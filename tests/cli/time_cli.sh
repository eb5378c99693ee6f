#!/usr/bin/env bash
# CLI test of logged time (docs/events.md, "Logged time"): the checkpoint
# history, the interval each entry was logged in, and the findings on time.
#  - operator basis (no witness): a contract claimed on 2020-01-01 and
#    submitted now is flagged backdated; it counts as committed on its
#    logged date and its days withheld count from there; its interval
#    brackets its sequencing between the checkpoints before and after it;
#  - a receipt claimed before its shipment is taken, as out_of_order;
#  - GET /api/checkpoints[/<size>] and /api/entries/<index> serve the
#    history and the interval; `serve --tolerance` and `audit --tolerance`;
#  - witnessed basis with a real witness (`oretrail witness --once` against
#    `oretrail serve --witness-key`): an entry after the last cosigned
#    checkpoint has an open upper bound until the witness cosigns again.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "time_cli: skipped: no curl" >&2; exit 77; }
command -v python3 >/dev/null || { echo "time_cli: skipped: no python3" >&2; exit 77; }
cd "$T"

"$CLI" init --db l.db --origin test.example/time --key-name gov >/dev/null 2>&1 || abort "init"
"$CLI" key new fwo >/dev/null 2>&1
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter"],"key":"$(cat fwo.vkey)"}
{"type":"site","id":"a2","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"a3","time":"2025-09-01T08:00:00Z","site":"port-1","kind":"port","holder":"fwo","country":"PK"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 || abort "registration"
submit() { # FILE: fwo signs and submits it
	"$CLI" submit --db l.db --key fwo.key "$1" >"$1.out" 2>&1 || bad "submit $1: $(cat "$1.out")"
}
cat >k.jsonl <<'JSON'
{"type":"contract","id":"k2020","time":"2020-01-01T00:00:00Z","contract":"k-2020","parties":["fwo"],"title":"Back-dated","terms":{"commit":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}}
JSON
submit k.jsonl
cat >x.jsonl <<'JSON'
{"type":"extract","id":"x1","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-1","material":"ore","mass_g":2500,"assay":{"Sb":30000}}
{"type":"ship","id":"s1","time":"2025-09-03T08:00:00Z","consignment":"c-1","from":"mine-1","to":"port-1","consignee":"fwo","lots":["ore-1"]}
JSON
submit x.jsonl
cat >r.jsonl <<'JSON'
{"type":"receive","id":"r1","time":"2025-09-01T08:00:00Z","consignment":"c-1","site":"port-1","lots":[{"lot":"ore-1","mass_g":2500}]}
JSON
submit r.jsonl
# Entries: 0-2 registry, 3 the contract, 4-5 extract and ship, 6 the receipt;
# checkpoints of 0, 3, 4, 6 and 7 entries.

# --- operator basis: the contract is dated by when it was logged ---
"$CLI" contract show --db l.db --json k-2020 >k.json
pycheck k.json '
lg=d["logged"]
assert d["time"]=="2020-01-01T00:00:00Z", d
assert lg["basis"]=="operator" and lg["after_basis"]=="operator" and lg["before_basis"]=="operator" and lg["witnesses"]==0, lg
assert lg["after_size"]==3 and lg["before_size"]==4 and lg["after"]<=lg["before"]==lg["sequenced"], lg
assert d["committed"]==lg["before"] and d["committed"]>"2026", d
assert d["commitments"][0]["withheld_days"]==0, d["commitments"]'
NOW10=$(python3 -c 'import json,sys,datetime as D; c=json.load(open(sys.argv[1]))["committed"]; print((D.datetime.strptime(c,"%Y-%m-%dT%H:%M:%SZ")+D.timedelta(days=10,minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))' k.json)
"$CLI" contract show --db l.db --json --now "$NOW10" k-2020 >k10.json
pycheck k10.json 'assert d["commitments"][0]["withheld_days"]==10, d["commitments"]'
expect 0 "^  claimed 2020-01-01T00:00:00Z; logged between [0-9T:Z-]{20} and [0-9T:Z-]{20}, on the operator's clock \(no witness\)$" -- "$CLI" contract show --db l.db k-2020
expect 0 "^commitments: 1, committed at entry 3 on 20[2-9][0-9]-" -- "$CLI" contract show --db l.db k-2020

# --- the interval of each entry brackets it between two checkpoints ---
"$CLI" trace --db l.db --json ore-1 >t.json
pycheck t.json '
c=d["created"]; lg=c["logged"]
assert c["index"]==4 and lg["after_size"]==4 and lg["before_size"]==6 and lg["after_size"]<=c["index"]<lg["before_size"], c'
expect 0 "^logged     between [0-9T:Z-]{20} and [0-9T:Z-]{20}, on the operator's clock \(no witness\)$" -- "$CLI" trace --db l.db ore-1

# --- findings on time ---
"$CLI" audit --db l.db --json >a.json
pycheck a.json '
assert d["ok"] is True, d["problems"]
f={(x["index"],x["kind"],x["subject"]) for x in d["findings"]}
assert (3,"backdated","k2020") in f, f
assert (6,"out_of_order","c-1") in f, f
assert sorted(i for i,k,s in f if k=="backdated")==list(range(7)), f
assert not [x for x in f if x[1]=="future_dated"], f'
pycheck a.json 'assert [x["detail"] for x in d["findings"] if x["kind"]=="out_of_order"]==["receive r1 claims 2025-09-01T08:00:00Z, before its shipment (c-1, claimed 2025-09-03T08:00:00Z)"], d["findings"]
assert [x["values"] for x in d["findings"] if x["kind"]=="out_of_order"]==[{"claimed":"2025-09-01T08:00:00Z","earlier":"2025-09-03T08:00:00Z"}], d["findings"]'
# A tolerance wider than the back-dating: only the 2020 contract remains.
"$CLI" audit --db l.db --json --tolerance 1000d >a2.json
pycheck a2.json 'assert [(x["index"],x["subject"]) for x in d["findings"] if x["kind"]=="backdated"]==[(3,"k2020")], d["findings"]'
expect 2 "tolerance 48x is not a duration" -- "$CLI" audit --db l.db --tolerance 48x

# --- the history over HTTP ---
start ro "$CLI" serve --db l.db --listen 127.0.0.1:0 --quiet --read-only --tolerance 1000d || abort "serve"
U=http://127.0.0.1:$PORT
curl -s --max-time 10 "$U/api/checkpoints" >h.json
pycheck h.json '
assert [c["size"] for c in d["checkpoints"]]==[0,3,4,6,7] and d["next"] is None, d
assert all(c["cosignatures"]==[] and c["signed_at"].endswith("Z") and c["note"].startswith("test.example/time\n") for c in d["checkpoints"]), d'
curl -s --max-time 10 "$U/api/checkpoints?from=4&limit=2" >h2.json
pycheck h2.json 'assert [c["size"] for c in d["checkpoints"]]==[4,6] and d["next"]==7, d'
curl -s --max-time 10 "$U/api/checkpoints/6" >h6.json
pycheck h6.json 'assert d["size"]==6 and "\n6\n" in d["note"], d'
c=$(curl -s --max-time 10 -o h5.json -w '%{http_code}' "$U/api/checkpoints/5")
[ "$c" = 404 ] && grep -q checkpoint_not_found h5.json && ok || bad "/api/checkpoints/5: $c $(cat h5.json)"
curl -s --max-time 10 "$U/api/entries/3" >e3.json
pycheck e3.json 'assert d["logged"]["after_size"]==3 and d["logged"]["before_size"]==4, d'
curl -s --max-time 10 "$U/api/findings" >f.json
pycheck f.json 'assert [x["subject"] for x in d["findings"] if x["kind"]=="backdated"]==["k2020"], d'
curl -s --max-time 10 "$U/api/contracts/k-2020" >kc.json
pycheck kc.json 'assert d["logged"]["basis"]=="operator" and d["committed"]==d["logged"]["before"], d'

# --- witnessed basis: a real witness cosigns through serve ---
"$CLI" key new w1.example >/dev/null 2>&1
"$CLI" witness --key w1.example.key --print-vkey >w1.cvkey
start log "$CLI" serve --db l.db --listen 127.0.0.1:0 --quiet --key l.db.key --witness-key w1.cvkey || abort "serve with witness"
L=http://127.0.0.1:$PORT
witness() { timeout 60 "$CLI" witness --log "$L" --log-key l.db.vkey --key w1.example.key --state w --once >w.out 2>&1 || bad "witness: $(cat w.out)"; }
witness
cat >y.jsonl <<'JSON'
{"type":"extract","id":"x2","time":"2025-09-04T08:00:00Z","site":"mine-1","lot":"ore-2","material":"ore","mass_g":1000,"assay":{"Sb":30000}}
JSON
submit y.jsonl
# Entry 7: after the witnessed checkpoint of 7 entries, and no witness has
# cosigned one containing it: open.
"$CLI" trace --db l.db --json ore-2 >t2.json
pycheck t2.json '
lg=d["created"]["logged"]
assert lg["after_basis"]=="witnessed" and lg["after_size"]==7 and lg["before"] is None and lg["before_basis"] is None, lg
assert lg["basis"]=="witnessed" and lg["witnesses"]==0 and lg["sequenced"] is not None, lg'
expect 0 "^logged     after [0-9T:Z-]{20} \(witnessed\); open: no witness has cosigned a checkpoint with it yet$" -- "$CLI" trace --db l.db ore-2
witness
"$CLI" trace --db l.db --json ore-2 >t3.json
pycheck t3.json '
lg=d["created"]["logged"]
assert lg["basis"]=="witnessed" and lg["before_basis"]=="witnessed" and lg["before_size"]==8 and lg["witnesses"]==1 and lg["after"]<=lg["before"], lg'
expect 0 "^logged     between [0-9T:Z-]{20} and [0-9T:Z-]{20}, witnessed by 1$" -- "$CLI" trace --db l.db ore-2
curl -s --max-time 10 "$L/api/checkpoints/8" >h8.json
pycheck h8.json '
c=d["cosignatures"]; assert len(c)==1 and c[0]["witness"]=="w1.example" and c[0]["time"].endswith("Z") and c[0]["line"].startswith("\u2014 w1.example "), d'
# The contract of entry 3: closed by the witness now, opened by the operator.
"$CLI" contract show --db l.db --json k-2020 >kw.json
pycheck kw.json 'lg=d["logged"]; assert lg["after_basis"]=="operator" and lg["before_basis"]=="witnessed" and lg["before_size"]==7 and lg["basis"]=="operator", lg'

# --- a transform claimed before its input arrived (another ledger) ---
"$CLI" init --db o.db --origin test.example/time2 --key-name gov >/dev/null 2>&1 || bad "init o.db"
"$CLI" submit --db o.db --key o.db.key reg.jsonl >/dev/null 2>&1 || bad "registration o.db"
cat >o.jsonl <<'JSON'
{"type":"extract","id":"x3","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-3","material":"ore","mass_g":1000,"assay":{"Sb":30000}}
{"type":"ship","id":"s3","time":"2025-09-03T08:00:00Z","consignment":"c-3","from":"mine-1","to":"port-1","consignee":"fwo","lots":["ore-3"]}
{"type":"receive","id":"r3","time":"2025-09-10T08:00:00Z","consignment":"c-3","site":"port-1","lots":[{"lot":"ore-3","mass_g":1000}]}
{"type":"transform","id":"t3","time":"2025-09-05T08:00:00Z","site":"port-1","process":"split","inputs":[{"lot":"ore-3","mass_g":1000}],"outputs":[{"lot":"ore-3a","material":"ore","mass_g":500,"assay":{"Sb":30000}},{"lot":"ore-3b","material":"ore","mass_g":500,"assay":{"Sb":30000}}]}
JSON
"$CLI" submit --db o.db --key fwo.key o.jsonl >o.out 2>&1 || bad "transform before arrival: $(cat o.out)"
"$CLI" audit --db o.db --json >ao.json
pycheck ao.json 'assert [(x["subject"],x["detail"]) for x in d["findings"] if x["kind"]=="out_of_order"][-1]==("ore-3","transform t3 claims 2025-09-05T08:00:00Z, before its input arrived (ore-3, claimed 2025-09-10T08:00:00Z)"), d["findings"]'
summary
