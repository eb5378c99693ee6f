#!/usr/bin/env bash
# CLI test of title separate from custody (docs/events.md "Title and
# custody"): a `transfer` moves the owner, not the material; only the owner
# transfers (not_owner, also when `from` is not the signer); a ship with
# "title":"retained" keeps the owner through the receipt (toll processing)
# and the processor's outputs stay with that owner; a sale afloat keeps the
# buyer as owner through the receipt; inputs of two owners are
# refused (mixed_owners); the holder ships, and a plain receipt makes the
# receiver owner and holder, as before. Trace (text and --json) shows both.
# Each refusal: exit 4, nothing appended.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "transfer_cli: skipped: no python3" >&2; exit 77; }
cd "$T"

"$CLI" init --db l.db --origin test.example/title --key-name gov >/dev/null 2>&1 || abort "init"
for k in fwo ref buy; do "$CLI" key new $k >/dev/null 2>&1 || abort "key $k"; done
cat >reg.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner","processor","exporter"],"key":"$(cat fwo.vkey)"}
{"type":"actor","id":"a2","time":"2025-09-01T08:00:00Z","actor":"ref","name":"Toll Refiner","country":"PK","roles":["processor"],"key":"$(cat ref.vkey)"}
{"type":"actor","id":"a3","time":"2025-09-01T08:00:00Z","actor":"buy","name":"Buyer","country":"US","roles":["importer"],"key":"$(cat buy.vkey)"}
{"type":"site","id":"a4","time":"2025-09-01T08:00:00Z","site":"mine-1","kind":"mine","holder":"fwo","country":"PK"}
{"type":"site","id":"a5","time":"2025-09-01T08:00:00Z","site":"plant-r","kind":"plant","holder":"ref","country":"PK"}
{"type":"site","id":"a6","time":"2025-09-01T08:00:00Z","site":"wh-us","kind":"warehouse","holder":"buy","country":"US"}
JSON
"$CLI" submit --db l.db --key l.db.key reg.jsonl >/dev/null 2>&1 || abort "registration"
size() { "$CLI" checkpoint --db l.db | sed -n 2p; }
submit() { # SIGNER FILE
	"$CLI" submit --db l.db --key "$1.key" "$2" >"$2.out" 2>&1 || bad "submit $2: $(cat "$2.out")"
}
refused() { # SIGNER FILE PATTERN: refused with exit 4, the log unchanged
	local before
	before=$(size)
	expect 4 "rejected, nothing appended: .*$3" -- "$CLI" submit --db l.db --key "$1.key" "$2"
	[ "$(size)" = "$before" ] && ok || bad "$2: the log grew from $before to $(size)"
}
ev() { # FILE JSON
	echo "$2" >"$1"
}

ev x.jsonl '{"type":"extract","id":"x1","time":"2025-09-02T08:00:00Z","site":"mine-1","lot":"ore-1","material":"ore","mass_g":1000000,"assay":{"Cu":20000}}'
submit fwo x.jsonl
"$CLI" trace --db l.db --json ore-1 >t0.json
pycheck t0.json 'assert d["owner"]=="fwo" and d["holder"]=="fwo" and "title" not in d, d'

# --- refusals ---
ev n1.jsonl '{"type":"transfer","id":"n1","time":"2025-09-03T08:00:00Z","from":"ref","to":"buy","lots":["ore-1"],"price_ref":"LME Cu"}'
refused ref n1.jsonl 'event n1: lots\[0\]: lot ore-1 is owned by fwo, not by ref'
ev n2.jsonl '{"type":"transfer","id":"n2","time":"2025-09-03T08:00:00Z","from":"fwo","to":"buy","lots":["ore-1"],"price_ref":"LME Cu"}'
refused ref n2.jsonl 'event n2: from: the title is transferred from fwo but ref signs: only the owner transfers'
ev n3.jsonl '{"type":"transfer","id":"n3","time":"2025-09-03T08:00:00Z","from":"fwo","to":"buy","lots":["ore-1"]}'
refused fwo n3.jsonl 'event n3: price_ref: a transfer names its price_ref or its contract'
ev n4.jsonl '{"type":"transfer","id":"n4","time":"2025-09-03T08:00:00Z","from":"fwo","to":"nobody","lots":["ore-1"],"price_ref":"LME Cu"}'
refused fwo n4.jsonl 'event n4: to: actor nobody is not registered'
ev n5.jsonl '{"type":"transfer","id":"n5","time":"2025-09-03T08:00:00Z","from":"fwo","to":"buy","lots":["ore-1"],"price_ref":"LME Cu","incoterm":"XYZ"}'
refused fwo n5.jsonl 'event n5: incoterm: "XYZ" is not one of EXW, FCA'
ev n6.jsonl '{"type":"transfer","id":"n6","time":"2025-09-03T08:00:00Z","from":"fwo","to":"buy","lots":["ore-1"],"contract":"bad id"}'
refused fwo n6.jsonl 'event n6: contract: an id is 1-[0-9]+ bytes of printable ASCII without spaces'
ev n6b.jsonl '{"type":"transfer","id":"n6b","time":"2025-09-03T08:00:00Z","from":"fwo","to":"fwo","lots":["ore-1"],"price_ref":"x"}'
refused fwo n6b.jsonl 'event n6b: to: fwo already owns what it transfers to itself'
ev n6c.jsonl '{"type":"transfer","id":"n6c","time":"2025-09-03T08:00:00Z","from":"fwo","to":"buy","lots":["ore-1","ore-1"],"price_ref":"x"}'
refused fwo n6c.jsonl 'event n6c: lots\[1\]: lot ore-1 is listed twice'
ev n7.jsonl '{"type":"transfer","id":"n7","time":"2025-09-01T07:00:00Z","from":"fwo","to":"buy","lots":["ore-1"],"price_ref":"LME Cu"}'
refused fwo n7.jsonl 'event n7: lots\[0\]: the event is dated .* before lot ore-1 was made'

# --- toll processing: fwo keeps title to what ref holds and makes ---
ev s1.jsonl '{"type":"ship","id":"s1","time":"2025-09-04T08:00:00Z","consignment":"k-1","from":"mine-1","to":"plant-r","consignee":"ref","lots":["ore-1"],"title":"retained"}'
submit fwo s1.jsonl
ev r1.jsonl '{"type":"receive","id":"r1","time":"2025-09-05T08:00:00Z","consignment":"k-1","site":"plant-r","lots":[{"lot":"ore-1","mass_g":1000000}]}'
submit ref r1.jsonl
"$CLI" trace --db l.db --json ore-1 >t1.json
pycheck t1.json 'assert d["owner"]=="fwo" and d["holder"]=="ref" and d["site"]=="plant-r", d'
ev p1.jsonl '{"type":"transform","id":"p1","time":"2025-09-06T08:00:00Z","site":"plant-r","process":"beneficiation","inputs":[{"lot":"ore-1","mass_g":1000000}],"outputs":[{"lot":"conc-1","material":"concentrate","mass_g":200000,"assay":{"Cu":90000}},{"lot":"res-1","material":"residue","mass_g":790000,"assay":{"Cu":2000}}]}'
submit ref p1.jsonl
for lot in conc-1 res-1; do
	"$CLI" trace --db l.db --json $lot >t-$lot.json
	pycheck t-$lot.json 'assert d["owner"]=="fwo" and d["holder"]=="ref", d'
done
# the processor holds but does not own: it cannot sell
ev n8.jsonl '{"type":"transfer","id":"n8","time":"2025-09-07T08:00:00Z","from":"ref","to":"buy","lots":["conc-1"],"price_ref":"LME Cu"}'
refused ref n8.jsonl 'lot conc-1 is owned by fwo, not by ref'
# and the owner cannot ship what it does not hold
ev n9.jsonl '{"type":"ship","id":"n9","time":"2025-09-07T08:00:00Z","consignment":"k-x","from":"plant-r","to":"wh-us","consignee":"buy","lots":["conc-1"]}'
refused fwo n9.jsonl 'lot conc-1 is held by ref, not by fwo'

# --- a sale in the processor's warehouse: title moves, the material does not ---
ev t1.jsonl '{"type":"transfer","id":"t1","time":"2025-09-07T08:00:00Z","from":"fwo","to":"buy","lots":["conc-1"],"incoterm":"FCA","price_ref":"LME Cu cash settlement 2025-09-05"}'
submit fwo t1.jsonl
"$CLI" trace --db l.db --json conc-1 >t2.json
pycheck t2.json '
assert d["owner"]=="buy" and d["holder"]=="ref" and d["site"]=="plant-r" and d["mass_g"]==200000, d
t=d["title"]
assert (t["id"],t["from"],t["to"],t["incoterm"],t["price_ref"])==("t1","fwo","buy","FCA","LME Cu cash settlement 2025-09-05"), t
assert [a["id"] for a in d["ancestry"]][-1]=="t1", d["ancestry"]'
expect 0 '^owner      buy, by transfer t1 \(entry [0-9]+\) from fwo$' -- "$CLI" trace --db l.db conc-1
expect 0 '^status     held by ref at plant-r$' -- "$CLI" trace --db l.db conc-1
ev n10.jsonl '{"type":"transfer","id":"n10","time":"2025-09-08T08:00:00Z","from":"fwo","to":"ref","lots":["conc-1"],"price_ref":"x"}'
refused fwo n10.jsonl 'lot conc-1 is owned by buy, not by fwo'
# inputs of two owners make no output of one owner
ev n11.jsonl '{"type":"transform","id":"n11","time":"2025-09-08T08:00:00Z","site":"plant-r","process":"blending","inputs":[{"lot":"conc-1","mass_g":1000},{"lot":"res-1","mass_g":1000}],"outputs":[{"lot":"mix-1","material":"concentrate","mass_g":2000,"assay":{}}]}'
refused ref n11.jsonl 'event n11: inputs\[1\]\.lot: lot res-1 is owned by fwo but an earlier input by buy'

# --- the holder ships; a plain receipt makes the buyer owner and holder ---
ev s2.jsonl '{"type":"ship","id":"s2","time":"2025-09-09T08:00:00Z","consignment":"k-2","from":"plant-r","to":"wh-us","consignee":"buy","lots":["conc-1"]}'
submit ref s2.jsonl
"$CLI" trace --db l.db --json conc-1 >t3.json
pycheck t3.json 'assert d["status"]=="in_transit" and d["owner"]=="buy" and d["holder"]=="ref", d'
ev r2.jsonl '{"type":"receive","id":"r2","time":"2025-09-10T08:00:00Z","consignment":"k-2","site":"wh-us","lots":[{"lot":"conc-1","mass_g":200000}]}'
submit buy r2.jsonl
"$CLI" trace --db l.db --json conc-1 >t4.json
pycheck t4.json 'assert d["owner"]=="buy" and d["holder"]=="buy" and d["status"]=="held", d'
expect 0 'transfer +title from fwo to buy, FCA: conc-1' -- "$CLI" trace --db l.db conc-1
# a certificate replays the transfer: its signer and new owner come along
"$CLI" prove --db l.db --out c.cert conc-1 >/dev/null 2>&1 || bad "prove conc-1"
expect 0 "" -- "$CLI" verify c.cert --key l.db.vkey
# the replay (audit) reaches the same owners
"$CLI" audit --db l.db --json >a.json
pycheck a.json 'assert d["ok"] is True, d["problems"]'
# a shipment whose title passes (the default) after a plain receipt
ev x2.jsonl '{"type":"extract","id":"x2","time":"2025-09-11T08:00:00Z","site":"mine-1","lot":"ore-2","material":"ore","mass_g":1000,"assay":{}}'
submit fwo x2.jsonl
ev s3.jsonl '{"type":"ship","id":"s3","time":"2025-09-11T09:00:00Z","consignment":"k-3","from":"mine-1","to":"plant-r","consignee":"ref","lots":["ore-2"]}'
submit fwo s3.jsonl
ev r3.jsonl '{"type":"receive","id":"r3","time":"2025-09-12T08:00:00Z","consignment":"k-3","site":"plant-r","lots":[{"lot":"ore-2","mass_g":1000}]}'
submit ref r3.jsonl
"$CLI" trace --db l.db --json ore-2 >t5.json
pycheck t5.json 'assert d["owner"]=="ref" and d["holder"]=="ref", d'
# a certificate made before owners were traced claims none: still valid
# while the owner is the holder, not when a transfer separated them
"$CLI" prove --db l.db --out o2.cert ore-2 >/dev/null 2>&1 || bad "prove ore-2"
"$CLI" prove --db l.db --out o1.cert ore-1 >/dev/null 2>&1 || bad "prove ore-1"
for c in o1 o2; do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["claim"]["owner"]; json.dump(d,open(sys.argv[2],"w"))' $c.cert $c-old.cert || bad "strip $c"
done
expect 0 "" -- "$CLI" verify o2-old.cert --key l.db.vkey
expect 1 'claim\.owner is not what the entries imply: the certificate says nothing, the replay gives "fwo"' -- "$CLI" verify o1-old.cert --key l.db.vkey
# a sale afloat: title moves while the lot is in transit, and the receipt
# moves custody only
ev x3.jsonl '{"type":"extract","id":"x3","time":"2025-09-13T08:00:00Z","site":"mine-1","lot":"ore-3","material":"ore","mass_g":1000,"assay":{}}'
submit fwo x3.jsonl
ev s4.jsonl '{"type":"ship","id":"s4","time":"2025-09-13T09:00:00Z","consignment":"k-5","from":"mine-1","to":"plant-r","consignee":"ref","lots":["ore-3"]}'
submit fwo s4.jsonl
ev t2.jsonl '{"type":"transfer","id":"t2","time":"2025-09-14T08:00:00Z","from":"fwo","to":"buy","lots":["ore-3"],"incoterm":"CIF","contract":"c-2025-7"}'
submit fwo t2.jsonl
ev r4.jsonl '{"type":"receive","id":"r4","time":"2025-09-15T08:00:00Z","consignment":"k-5","site":"plant-r","lots":[{"lot":"ore-3","mass_g":1000}]}'
submit ref r4.jsonl
"$CLI" trace --db l.db --json ore-3 >t6.json
pycheck t6.json 'assert d["owner"]=="buy" and d["holder"]=="ref" and d["title"]["contract"]=="c-2025-7" and "price_ref" not in d["title"], d'
ev n12.jsonl '{"type":"ship","id":"n12","time":"2025-09-12T09:00:00Z","consignment":"k-4","from":"plant-r","to":"wh-us","consignee":"buy","lots":["ore-2"],"title":"kept"}'
refused ref n12.jsonl 'event n12: title: "kept" is not one of passes, retained'
summary
