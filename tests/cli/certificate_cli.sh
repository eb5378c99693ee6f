#!/usr/bin/env bash
# CLI test of `oretrail prove` and `oretrail verify` on the demo ledger: the
# certificate of the NdPr oxide lot verifies offline (all of its Nd and Pr
# mined in PK); each kind of edit to the file fails with its own code and
# exit 1; unusable input exits 2; a version 1 certificate (the fuzz seed,
# made by an older oretrail) still verifies. (Forgeries by someone holding the log key,
# which reach the signature and rule checks of the replay, are in
# tests/test_certificate.c.)
. "$(dirname "$0")/lib.sh"

# tamper NAME PYTHON: writes $T/NAME.json, the certificate after PYTHON
# (which edits d, the parsed certificate; json/base64 at hand). reprove()
# remakes the merged proof for the entries left, as anyone can from the
# file (docs/certificate.md, "The merged proof": an independent walk).
tamper() {
	python3 -c "import json,sys,base64,hashlib
d=json.load(open(sys.argv[1]))
def H(b): return hashlib.sha256(b).digest()
def split(n):
    k=1
    while k*2<n: k*=2
    return k
def items(): return [(e['index'],H(b'\0'+json.dumps(e['entry'],separators=(',',':'),sort_keys=True,ensure_ascii=False).encode())) for e in d['entries']]
memo={}
def walk(lo,hi,its,nodes):
    if not its: h=nodes.pop(0)
    elif hi-lo==1: h=its[0][1]
    else:
        k=split(hi-lo)
        h=H(b'\1'+walk(lo,lo+k,[x for x in its if x[0]<lo+k],nodes)+walk(lo+k,hi,[x for x in its if x[0]>=lo+k],nodes))
    memo[(lo,hi)]=h
    return h
assert walk(0,d['log']['size'],items(),[base64.b64decode(x) for x in d['proof']])==base64.b64decode(d['log']['root'])
def gen(lo,hi,its,out):
    if not its: out.append(base64.b64encode(memo[(lo,hi)]).decode())
    elif hi-lo>1:
        k=split(hi-lo)
        gen(lo,lo+k,[x for x in its if x[0]<lo+k],out); gen(lo+k,hi,[x for x in its if x[0]>=lo+k],out)
def reprove():
    out=[]; gen(0,d['log']['size'],items(),out); d['proof']=out
def entry(i): return d['entries'][i]['entry']
def find(eid):
    for i in range(len(d['entries'])):
        if entry(i)['event']['id']==eid: return i
    raise SystemExit('no entry '+eid)
$2
json.dump(d,open(sys.argv[2],'w'),indent=1)" "$T/cert.json" "$T/$1.json" || bad "tamper $1 failed"
}

OT_CLI=$CLI "$TOP/scripts/demo" --dir "$T/demo" --no-serve >"$T/demo.out" 2>&1 ||
	abort "scripts/demo failed: $(tail -20 "$T/demo.out")"
db=$T/demo/ledger.db
key=$T/demo/ledger.db.vkey
lot=lot-ndpr-oxide-001

# --- prove ---
expect 0 "" -- "$CLI" prove --db "$db" "$lot"
"$CLI" prove --db "$db" "$lot" >"$T/cert.json" || bad "prove exit code"
"$CLI" prove --db "$db" --out "$T/cert2.json" "$lot" && cmp -s "$T/cert.json" "$T/cert2.json" && ok || bad "prove --out differs from stdout"
# gzip-compressed (--gzip, --out FILE.gz): the same bytes, compressed
"$CLI" prove --db "$db" --gzip "$lot" >"$T/cert.json.gz" || bad "prove --gzip"
"$CLI" prove --db "$db" --out "$T/cert2.json.gz" "$lot" || bad "prove --out .gz"
python3 -c "import gzip,sys; a=gzip.decompress(open(sys.argv[1],'rb').read()); b=gzip.decompress(open(sys.argv[2],'rb').read()); c=open(sys.argv[3],'rb').read()
assert a == b == c, 'the gzip certificates are not the plain one compressed'
assert len(open(sys.argv[1],'rb').read()) * 2 < len(c), 'gzip is not smaller'" "$T/cert.json.gz" "$T/cert2.json.gz" "$T/cert.json" && ok || bad "gzip certificates"
python3 -c "import json,sys,base64
d=json.load(open(sys.argv[1]))
assert d['format']=='oretrail-provenance-certificate' and d['version']==2 and d['lot']=='$lot'
assert d['log']['size']==63 and d['log']['origin']=='oretrail.example/demo'
assert d['checkpoint'].startswith('oretrail.example/demo\n63\n') and '\n\n\u2014 pk-authority ' in d['checkpoint']
idx=[e['index'] for e in d['entries']]; assert idx==sorted(set(idx))
types=[e['entry']['event']['type'] for e in d['entries']]
assert all(set(e)=={'index','entry'} for e in d['entries']) and 0<len(d['proof'])<len(d['entries'])
assert types.count('actor')==4 and types.count('site')==7, types
assert 'contract' not in types and 'payment' not in types and 'disclose' not in types and 'resource' not in types
anc={a['index'] for a in d['claim']['ancestry']}; assert anc <= set(idx)
assert len(d['entries'])<=40, len(d['entries'])
assert {(c['element'],c['country'],c['share_ppm']) for c in d['claim']['countries']}=={('Nd','PK',1000000),('Pr','PK',1000000)}
" "$T/cert.json" && ok || bad "certificate shape: $(head -c 2000 "$T/cert.json")"
expect 2 "lot lot-nope does not exist" -- "$CLI" prove --db "$db" lot-nope
expect 2 "expected LOT" -- "$CLI" prove --db "$db"
expect 2 "--db is required" -- "$CLI" prove "$lot"

# --- verify: a good certificate, offline (the ledger moved away) ---
mv "$T/demo" "$T/gone"
key=$T/gone/ledger.db.vkey
expect 0 "^ok: the certificate of lot $lot verifies" -- "$CLI" verify "$T/cert.json" --key "$key"
"$CLI" verify "$T/cert.json" --key "$key" >"$T/verify.out"
grep -qE "^  Nd +PK +618\.189 kg +100\.00 %$" "$T/verify.out" && grep -qE "^  Pr +PK +180\.266 kg +100\.00 %$" "$T/verify.out" && ok || bad "verify shares: $(cat "$T/verify.out")"
grep -qE "^  Nd +pk-kp-loe-shilman +PK +618\.189 kg +100\.00 %$" "$T/verify.out" && ok || bad "verify by mine: $(cat "$T/verify.out")"
"$CLI" verify "$T/cert.json" --key "$key" --json >"$T/verify.json"
python3 -c "import json,sys
d=json.load(open(sys.argv[1]))
assert d['lot']=='$lot' and d['size']==63 and d['witnesses']==0 and d['registrations']==11
t=d['trace']
assert {(c['element'],c['country'],c['share_ppm']) for c in t['countries']}=={('Nd','PK',1000000),('Pr','PK',1000000)}
assert [a['id'] for a in t['ancestry']]==['fwo-005','lab-001','fwo-008','fwo-011','fwo-014','fwo-017','fwo-018','lab-004','fwo-019','fwo-020','fwo-021','ussm-001']
" "$T/verify.json" && ok || bad "verify --json: $(cat "$T/verify.json")"

# --- each kind of tampering: its own code, exit 1 ---
tamper entry 'i=find("fwo-018"); s=json.dumps(entry(i)); assert "\"mass_g\": 943900" in s; d["entries"][i]["entry"]=json.loads(s.replace("\"mass_g\": 943900","\"mass_g\": 953900"))'
expect 1 "proof_invalid: the entries and the merged proof's [0-9]+ nodes do not lead to the checkpoint's root: an entry or a proof node was altered" -- "$CLI" verify "$T/entry.json" --key "$key"
tamper proof 'd["proof"][0]=base64.b64encode(bytes(32)).decode()'
expect 1 "proof_invalid: the entries and the merged proof's" -- "$CLI" verify "$T/proof.json" --key "$key"
tamper proofless 'n=len(d["proof"]); d["proof"].pop()'
expect 1 "proof_invalid: the merged proof has [0-9]+ nodes; entries at these [0-9]+ indexes of a tree of 63 need [0-9]+" -- "$CLI" verify "$T/proofless.json" --key "$key"
tamper moved 'i=[k for k in range(len(d["entries"])-1) if d["entries"][k+1]["index"]>d["entries"][k]["index"]+1][0]; d["entries"][i]["index"]+=1'
expect 1 "proof_invalid: the entries and the merged proof's" -- "$CLI" verify "$T/moved.json" --key "$key"
tamper same 'reprove()'
expect 0 "^ok:" -- "$CLI" verify "$T/same.json" --key "$key"
tamper cpsig 'c=d["checkpoint"]; head,sig=c.rsplit(" ",1); raw=bytearray(base64.b64decode(sig)); raw[10]^=1; d["checkpoint"]=head+" "+base64.b64encode(bytes(raw)).decode()+"\n"'
expect 1 "checkpoint_signature: the checkpoint does not verify" -- "$CLI" verify "$T/cpsig.json" --key "$key"
tamper cptext 'd["checkpoint"]=d["checkpoint"].replace("\n63\n","\n64\n",1)'
expect 1 "checkpoint_signature" -- "$CLI" verify "$T/cptext.json" --key "$key"
tamper cpsize 'd["log"]["size"]=41'
expect 1 "checkpoint_mismatch: the log summary" -- "$CLI" verify "$T/cpsize.json" --key "$key"
tamper cproot 'd["log"]["root"]=base64.b64encode(bytes(32)).decode()'
expect 1 "checkpoint_mismatch: .*another root" -- "$CLI" verify "$T/cproot.json" --key "$key"
tamper origin 'd["claim"]["countries"][0]["country"]="US"'
expect 1 'claim_mismatch: claim.countries\[0\].country is not what the entries imply: the certificate says "US", the replay gives "PK"' -- "$CLI" verify "$T/origin.json" --key "$key"
tamper share 'd["claim"]["origins"][0]["share_ppm"]=900000; d["claim"]["countries"][0]["share_ppm"]=900000'
expect 1 "claim_mismatch: claim.origins" -- "$CLI" verify "$T/share.json" --key "$key"
tamper mass 'd["claim"]["mass_g"]=1000000'
expect 1 "claim_mismatch: claim.mass_g" -- "$CLI" verify "$T/mass.json" --key "$key"
tamper lot 'd["lot"]="lot-cu-conc-001"'
expect 1 "claim_mismatch: the claim is about lot $lot" -- "$CLI" verify "$T/lot.json" --key "$key"
# Removed entries: one the claim names, a registration, one that only the
# replay needs (the Cu concentrate's extraction, shipped with the oxide).
tamper rm_anc 'del d["entries"][find("lab-004")]; reprove()'
expect 1 "missing_entry: the claim's ancestry names entry 32 \(assay lab-004\)" -- "$CLI" verify "$T/rm_anc.json" --key "$key"
tamper rm_site 'del d["entries"][find("auth-005")]; reprove()'
expect 1 "missing_entry: entry [0-9]+ needs an entry the certificate lacks: site_not_found" -- "$CLI" verify "$T/rm_site.json" --key "$key"
tamper rm_actor 'del d["entries"][find("auth-002")]; reprove()'
expect 1 "missing_entry: entry [0-9]+ needs an entry the certificate lacks: (unknown_signer|actor_not_found)" -- "$CLI" verify "$T/rm_actor.json" --key "$key"
tamper rm_ctx 'del d["entries"][find("fwo-006")]; reprove()'
expect 1 "missing_entry: entry [0-9]+ needs an entry the certificate lacks: lot_not_found" -- "$CLI" verify "$T/rm_ctx.json" --key "$key"
tamper rm_claim 'd["claim"]["ancestry"]=[a for a in d["claim"]["ancestry"] if a["id"]!="lab-004"]; del d["entries"][find("lab-004")]; reprove()'
expect 1 "claim_mismatch: claim.(ancestry|origins|countries)" -- "$CLI" verify "$T/rm_claim.json" --key "$key"
# The wrong log key: same name, another key.
mkdir -p "$T/other"
"$CLI" key new pk-authority --dir "$T/other" >/dev/null
# --- gzip-compressed certificates: --gzip, --out FILE.gz; every reader inflates ---
expect 0 "^ok: the certificate of lot $lot verifies" -- "$CLI" verify "$T/cert.json.gz" --key "$key"
# a tampered certificate fails inside gzip with the plain one's code
gzip -c "$T/origin.json" >"$T/origin.json.gz"
expect 1 'claim_mismatch: claim.countries\[0\].country is not what the entries imply' -- "$CLI" verify "$T/origin.json.gz" --key "$key"
# cut short, trailing bytes, and a stream that inflates past the cap: cert_malformed, exit 2
head -c 2000 "$T/cert.json.gz" >"$T/cut.gz"
expect 2 "cut.gz: the gzip stream is cut short: it ends after 2000 bytes without its trailer" -- "$CLI" verify "$T/cut.gz" --key "$key"
"$CLI" verify "$T/cut.gz" --key "$key" --json >"$T/cut.out" 2>/dev/null
pycheck "$T/cut.out" "assert d['error']['code'] == 'cert_malformed', d"
{ cat "$T/cert.json.gz"; printf 'junk'; } >"$T/trail.gz"
expect 2 "4 bytes follow the end of the gzip stream" -- "$CLI" verify "$T/trail.gz" --key "$key"
head -c 70000000 /dev/zero | gzip -1 >"$T/bomb.gz"
expect 2 "bomb.gz: the gzip stream inflates to more than 67108864 bytes, the most this reads" -- "$CLI" verify "$T/bomb.gz" --key "$key"
printf '\037\213garbage' >"$T/garbage.gz"
expect 2 "garbage.gz: not a valid gzip stream" -- "$CLI" verify "$T/garbage.gz" --key "$key"

expect 1 "checkpoint_signature: the checkpoint does not verify: the note has no signature by a known key" -- "$CLI" verify "$T/cert.json" --key "$T/other/pk-authority.vkey"
# Witnesses: the demo's checkpoint has no cosignatures.
"$CLI" key new witness-1 --dir "$T/other" >/dev/null
expect 1 "not_enough_witnesses: the checkpoint is cosigned by 0 of the witnesses given, 1 are required" -- "$CLI" verify "$T/cert.json" --key "$key" --witness "$T/other/witness-1.vkey"
expect 0 "^ok:" -- "$CLI" verify "$T/cert.json" --key "$key" --witness "$T/other/witness-1.vkey" --min-witnesses 0
expect 2 "asks for more than the 1 witnesses given" -- "$CLI" verify "$T/cert.json" --key "$key" --witness "$T/other/witness-1.vkey" --min-witnesses 2
"$CLI" verify "$T/origin.json" --key "$key" --json >"$T/err.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['error']['code']=='claim_mismatch', d" "$T/err.json" && ok || bad "verify --json error: $(cat "$T/err.json")"

# --- unusable input: exit 2 ---
echo 'not json' >"$T/garbage.json"
expect 2 "cert_malformed: not a JSON document" -- "$CLI" verify "$T/garbage.json" --key "$key"
tamper version 'd["version"]=3'
expect 2 "cert_version: unsupported certificate version 3: this oretrail reads versions 1 to 2" -- "$CLI" verify "$T/version.json" --key "$key"
"$CLI" verify "$T/version.json" --key "$key" --json >"$T/err.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['error']['code']=='cert_version', d" "$T/err.json" && ok || bad "verify --json version: $(cat "$T/err.json")"
tamper noproof 'del d["proof"]'
expect 2 "cert_malformed: a version 2 certificate needs proof" -- "$CLI" verify "$T/noproof.json" --key "$key"
tamper badnode 'd["proof"][0]="@@@"'
expect 2 "cert_malformed: proof\[0\] is not a base64 SHA-256 hash" -- "$CLI" verify "$T/badnode.json" --key "$key"
tamper noentries 'del d["entries"]'
expect 2 "cert_malformed" -- "$CLI" verify "$T/noentries.json" --key "$key"
tamper order 'd["entries"][3],d["entries"][4]=d["entries"][4],d["entries"][3]'
expect 2 "cert_malformed: entries\[4\] has no index, or not one above the entry before" -- "$CLI" verify "$T/order.json" --key "$key"
tamper b64 'd["entries"][0]["entry"]="@@@"'
expect 2 "cert_malformed: entries\[0\] is not \{index, entry\}" -- "$CLI" verify "$T/b64.json" --key "$key"
tamper float 'd["entries"][0]["entry"]["event"]["x"]=1.5'
expect 2 "cert_malformed" -- "$CLI" verify "$T/float.json" --key "$key"

# --- version 1: a certificate an older oretrail wrote (base64 entries, a
# proof each; fuzz/corpus/certificate/lot-1.json, key as fuzz_certificate.c)
echo "fuzz-authority+29c86910+AdYG6zwT+KyI5ijT8G6M+MWXRBNv6UxnjnmYATj5U60P" >"$T/fuzz.vkey"
expect 0 "^ok: the certificate of lot lot-1 verifies" -- "$CLI" verify "$TOP/fuzz/corpus/certificate/lot-1.json" --key "$T/fuzz.vkey"
python3 -c "import json,sys,base64
d=json.load(open(sys.argv[1])); assert d['version']==1
d['entries'][0]['entry']=base64.b64encode(base64.b64decode(d['entries'][0]['entry'])+b' ').decode()
json.dump(d,open(sys.argv[2],'w'))" "$TOP/fuzz/corpus/certificate/lot-1.json" "$T/v1alt.json"
expect 1 "entry_altered: entry 0 does not hash to its leaf hash" -- "$CLI" verify "$T/v1alt.json" --key "$T/fuzz.vkey"
expect 2 "" -- "$CLI" verify "$T/absent.json" --key "$key"
expect 2 "" -- "$CLI" verify "$T/cert.json" --key "$T/absent.vkey"
expect 2 "--key LOG.vkey" -- "$CLI" verify "$T/cert.json"
expect 0 "usage: oretrail verify" -- "$CLI" verify --help
expect 0 "usage: oretrail prove" -- "$CLI" prove --help

summary
