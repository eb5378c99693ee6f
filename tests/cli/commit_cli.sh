#!/usr/bin/env bash
# CLI test of `oretrail commit` and `oretrail disclose`: commitments that
# anyone can recompute from the opening, the openings file (mode 0600, one
# line per commitment, safe under concurrent commits), finding an opening by
# label, by commitment or through the ledger, the disclose event it makes,
# and the ledger accepting that event and refusing a false one.
. "$(dirname "$0")/lib.sh"

cd "$T"
# The ledger: an SQLite file, or a PostgreSQL database (OT_DB_BACKEND, lib.sh).
L=$(ledger l.db) || exit $?
LK=$(ledger_key "$L" .key)
expect 0 "usage: oretrail commit" -- "$CLI" commit --help
expect 0 "usage: oretrail disclose" -- "$CLI" disclose --help
expect 0 "usage: oretrail disclose" -- "$CLI" commit open --help

# --- a commitment to a JSON value, and its opening ---
"$CLI" commit --openings o.jsonl --contract c1 --field terms.royalty '{"rate_ppm": 50000, "basis": "gross"}' >c.json 2>err
[ $? = 0 ] && ok || bad "commit: $(cat err)"
grep -qx "oretrail: commit: the opening (salt and value) is kept in o.jsonl" err && ok || bad "commit message: $(cat err)"
grep -qxE '\{"commit":"sha256:[0-9a-f]{64}"\}' c.json && ok || bad "commitment: $(cat c.json)"
[ "$(stat -c %a o.jsonl)" = 600 ] && ok || bad "openings mode $(stat -c %a o.jsonl)"
[ "$(wc -l <o.jsonl)" = 1 ] && ok || bad "openings lines"
# Anyone can recompute it: SHA-256(salt || RFC 8785 form of the value).
python3 - c.json o.jsonl <<'PY' && ok || bad "the opening does not recompute to the commitment"
import base64, hashlib, json, sys
c = json.load(open(sys.argv[1]))["commit"]
o = json.loads(open(sys.argv[2]).read())
assert o["commit"] == c and o["contract"] == "c1" and o["field"] == "terms.royalty", o
assert o["value"] == {"rate_ppm": 50000, "basis": "gross"}
salt = base64.b64decode(o["salt"], validate=True)
assert len(salt) == 32
canon = json.dumps(o["value"], separators=(",", ":"), sort_keys=True).encode()
assert canon == b'{"basis":"gross","rate_ppm":50000}'
assert "sha256:" + hashlib.sha256(salt + canon).hexdigest() == c
PY
# A fresh salt each time: the same value, another commitment.
"$CLI" commit --openings o.jsonl '{"rate_ppm": 50000, "basis": "gross"}' >c2.json 2>/dev/null
cmp -s c.json c2.json && bad "two commitments to one value are equal" || ok

# --- a document ---
printf 'The full text.\nSecond line, \xc3\xa9.\n' >doc.txt
"$CLI" commit --openings o.jsonl --contract c1 --field text --file doc.txt >d.json 2>/dev/null && ok || bad "commit --file"
python3 - d.json o.jsonl <<'PY' && ok || bad "document opening"
import base64, hashlib, json, sys
c = json.load(open(sys.argv[1]))["commit"]
o = [json.loads(l) for l in open(sys.argv[2])][-1]
assert o["value"] == "The full text.\nSecond line, \u00e9.\n" and o["file"] == "doc.txt"
canon = json.dumps(o["value"], ensure_ascii=False).encode()
assert "sha256:" + hashlib.sha256(base64.b64decode(o["salt"]) + canon).hexdigest() == c
PY

# --- concurrent commits append whole lines ---
for i in $(seq 1 20); do
	"$CLI" commit --openings par.jsonl "$i" >/dev/null 2>&1 &
done
wait
python3 -c "
import json
lines = open('par.jsonl').read().splitlines()
assert len(lines) == 20, len(lines)
assert sorted(json.loads(l)['value'] for l in lines) == list(range(1, 21))" && ok || bad "concurrent commits: $(cat par.jsonl)"

# --- errors ---
expect 2 "^oretrail: commit: VALUE is not JSON \(.*\); to commit to a text, quote it as a JSON string" -- "$CLI" commit --openings o.jsonl 'plain words'
expect 2 "^oretrail: commit: VALUE is not JSON \(.*json_not_integer|.*integer" -- "$CLI" commit --openings o.jsonl '1.5'
expect 2 "^oretrail: commit: expected one VALUE \(JSON\) or --file DOC$" -- "$CLI" commit --openings o.jsonl
expect 2 "^oretrail: commit: expected one VALUE \(JSON\) or --file DOC$" -- "$CLI" commit --openings o.jsonl --file doc.txt 1
expect 2 "^oretrail: commit: --contract and --field go together$" -- "$CLI" commit --openings o.jsonl --contract c1 1
printf '\xff\xfe' >bin.dat
expect 2 "^oretrail: commit: bin.dat is not UTF-8 text" -- "$CLI" commit --openings o.jsonl --file bin.dat
head -c 60000 /dev/zero | tr '\0' a >huge.txt
expect 2 "^oretrail: commit: huge.txt: larger than 49152 bytes" -- "$CLI" commit --openings o.jsonl --file huge.txt
expect 2 "^oretrail: commit: missing.txt: No such file or directory$" -- "$CLI" commit --openings o.jsonl --file missing.txt
cp o.jsonl open.jsonl
chmod 644 open.jsonl
expect 2 "^oretrail: commit: open.jsonl is readable by others \(mode 644\): openings are secret until disclosed; run chmod 600 open.jsonl$" -- "$CLI" commit --openings open.jsonl 1
expect 2 "^oretrail: disclose: open.jsonl is readable by others" -- "$CLI" disclose --openings open.jsonl --contract c1 --field text
lines=$(wc -l <o.jsonl)

# --- disclose: by label, by commitment ---
"$CLI" disclose --openings o.jsonl --contract c1 --field terms.royalty --time 2025-11-01 >ev.json 2>err
[ $? = 0 ] && ok || bad "disclose: $(cat err)"
[ "$(wc -l <ev.json)" = 1 ] && ok || bad "disclose prints one line"
pycheck ev.json 'o=json.loads(open("o.jsonl").readline())
assert d=={"contract":"c1","field":"terms.royalty","id":"disclose-c1-terms.royalty","salt":o["salt"],"time":"2025-11-01T00:00:00Z","type":"disclose","value":{"basis":"gross","rate_ppm":50000}}, d'
"$CLI" disclose --openings o.jsonl --contract c1 --field x --commit "$(python3 -c 'import json;print(json.load(open("d.json"))["commit"])')" --id my-id --time 2025-11-02T10:00:00Z >ev2.json
pycheck ev2.json 'assert d["id"]=="my-id" and d["field"]=="x" and d["value"].startswith("The full text.") and d["time"]=="2025-11-02T10:00:00Z", d'
"$CLI" commit open --openings o.jsonl --contract c1 --field text >ev3.json && ok || bad "commit open"
pycheck ev3.json 'assert d["type"]=="disclose" and d["field"]=="text", d'
expect 2 "^oretrail: disclose: o.jsonl holds no opening labelled contract c1, field nope \(give --db or --commit to find it by its commitment\)$" -- "$CLI" disclose --openings o.jsonl --contract c1 --field nope
expect 2 "^oretrail: disclose: o.jsonl holds no opening for sha256:0000" -- "$CLI" disclose --openings o.jsonl --contract c1 --field text --commit sha256:0000000000000000000000000000000000000000000000000000000000000000
expect 2 "^oretrail: disclose: --contract and --field are required$" -- "$CLI" disclose --openings o.jsonl --contract c1
expect 2 "^oretrail: disclose: --time soon is not a time" -- "$CLI" disclose --openings o.jsonl --contract c1 --field text --time soon
expect 2 "^oretrail: disclose: missing.jsonl: No such file or directory$" -- "$CLI" disclose --openings missing.jsonl --contract c1 --field text
# An opening whose value was changed no longer opens its commitment.
sed '1s/"gross"/"net"/' o.jsonl >forged.jsonl
chmod 600 forged.jsonl
expect 2 "^oretrail: disclose: forged.jsonl: the opening does not open sha256:" -- "$CLI" disclose --openings forged.jsonl --contract c1 --field terms.royalty
echo 'not json' >>forged.jsonl
expect 2 "^oretrail: disclose: forged.jsonl: line $((lines + 1)) is not an opening" -- "$CLI" disclose --openings forged.jsonl --contract c1 --field terms.royalty

# --- end to end through a ledger ---
"$CLI" init --db "$L" --origin test.example/commit --key-name gov >/dev/null 2>&1
"$CLI" key new fwo >/dev/null 2>&1
rm -f led.jsonl
text=$("$CLI" commit --openings led.jsonl --contract mou-1 --field text --file doc.txt 2>/dev/null)
terms=$("$CLI" commit --openings led.jsonl --contract mou-1 --field terms.royalty '{"rate_ppm":50000}' 2>/dev/null)
cat >ev.jsonl <<JSON
{"type":"actor","id":"a1","time":"2025-09-01T08:00:00Z","actor":"fwo","name":"FWO","country":"PK","roles":["miner"],"key":"$(cat fwo.vkey)"}
JSON
"$CLI" submit --db "$L" --key "$LK" ev.jsonl >/dev/null 2>&1 || bad "register fwo"
echo "{\"type\":\"contract\",\"id\":\"k1\",\"time\":\"2025-09-08T11:00:00Z\",\"contract\":\"mou-1\",\"parties\":[\"fwo\",\"ussm\"],\"title\":\"An MoU\",\"text\":$text,\"terms\":{\"royalty\":$terms,\"years\":10}}" >contract.jsonl
"$CLI" submit --db "$L" --key fwo.key contract.jsonl >/dev/null 2>&1 || bad "contract"
"$CLI" disclose --openings led.jsonl --db "$L" --contract mou-1 --field terms.royalty --time 2025-10-01 >disc.jsonl 2>err || bad "disclose --db: $(cat err)"
# A false disclosure is refused by the ledger: the value must open the commitment.
sed 's/50000/10000/' disc.jsonl >false.jsonl
expect 4 "event disclose-mou-1-terms.royalty: value: salt and value do not open the commitment sha256:[0-9a-f]{64} made to terms.royalty of contract mou-1 at entry 1" -- "$CLI" submit --db "$L" --key fwo.key false.jsonl
expect 0 "^2 disclose disclose-mou-1-terms.royalty$" -- "$CLI" submit --db "$L" --key fwo.key disc.jsonl
# Withholding counts from when the contract was logged (today), not from
# its claimed 2025 date: 89 days on from that.
"$CLI" contract show --db "$L" --json mou-1 >show0.json
NOW89=$(python3 -c 'import json,sys,datetime as D; c=json.load(open(sys.argv[1]))["committed"]; print((D.datetime.strptime(c,"%Y-%m-%dT%H:%M:%SZ")+D.timedelta(days=89,minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))' show0.json)
"$CLI" contract show --db "$L" --now "$NOW89" --json mou-1 >show.json
pycheck show.json 'c={x["field"]:x for x in d["commitments"]}
assert c["terms.royalty"]["disclosed"] is True and c["terms.royalty"]["value"]=={"rate_ppm":50000} and c["terms.royalty"]["disclosed_index"]==2
assert c["text"]["disclosed"] is False and c["text"]["withheld_days"]==89, c'
expect 2 "^oretrail: disclose: field terms.royalty of contract mou-1 was already disclosed at entry 2$" -- "$CLI" disclose --openings led.jsonl --db "$L" --contract mou-1 --field terms.royalty
expect 2 "^oretrail: disclose: contract mou-1 has no commitment at field terms.years$" -- "$CLI" disclose --openings led.jsonl --db "$L" --contract mou-1 --field terms.years
expect 2 "^oretrail: disclose: contract nope does not exist$" -- "$CLI" disclose --openings led.jsonl --db "$L" --contract nope --field text
expect 2 "^oretrail: disclose: give --db or --commit, not both$" -- "$CLI" disclose --openings led.jsonl --db "$L" --commit sha256:00 --contract mou-1 --field text
# The document, piped straight into submit.
"$CLI" disclose --openings led.jsonl --db "$L" --contract mou-1 --field text --time 2025-12-01 |
	"$CLI" submit --db "$L" --key fwo.key - >/dev/null 2>&1 && ok || bad "disclose | submit"
"$CLI" contract show --db "$L" --json mou-1 >show2.json
pycheck show2.json 'assert all(x["disclosed"] for x in d["commitments"]), d'

summary
