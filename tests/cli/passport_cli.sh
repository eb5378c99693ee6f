#!/usr/bin/env bash
# CLI test of `oretrail passport` and `oretrail passport verify` on the demo
# ledger: the passport of the NdPr oxide lot has the structure UNTP DPP 0.5.0
# requires (checked with python3-jsonschema against the schema written down
# below from the published specification), its figures are those of
# `trace --json`, it verifies offline, an edited mass or origin share is
# refused with passport_mismatch (exit 1), and bad input exits 2.
. "$(dirname "$0")/lib.sh"

OT_CLI=$CLI "$TOP/scripts/demo" --dir "$T/demo" --no-serve >"$T/demo.out" 2>&1 ||
	abort "scripts/demo failed: $(tail -20 "$T/demo.out")"
db=$T/demo/ledger.db
key=$T/demo/ledger.db.vkey
lot=lot-ndpr-oxide-001

# --- passport, certificate embedded ---
"$CLI" passport --db "$db" "$lot" >"$T/pp.json" || bad "passport exit code"
"$CLI" passport --db "$db" --out "$T/pp2.json" "$lot" && cmp -s "$T/pp.json" "$T/pp2.json" && ok || bad "passport --out differs"
"$CLI" trace --db "$db" --json "$lot" >"$T/trace.json" || bad "trace exit code"

# The required structure of a UNTP DPP 0.5.0 credential (W3C VC 2.0
# envelope; DigitalProductPassport, ProductPassport, Product, Material,
# Country, TraceabilityPerformance, Link, Claim), written down from
# https://uncefact.github.io/spec-untp/docs/specification/DigitalProductPassport
# (version 0.5.0) and its vocabulary https://test.uncefact.org/vocabulary/untp/dpp/0.5.0/
python3 -c "import json,sys,jsonschema
typed=lambda t,req,props={}: {'type':'object','required':['type']+req,
  'properties':dict({'type':{'type':'array','contains':{'const':t}}},**props)}
link=typed('Link',['linkURL','linkType'],{'linkURL':{'type':'string','minLength':1}})
schema={'type':'object','required':['@context','type','id','issuer','credentialSubject'],
 'properties':{
  '@context':{'type':'array','prefixItems':[{'const':'https://www.w3.org/ns/credentials/v2'}],
              'contains':{'const':'https://test.uncefact.org/vocabulary/untp/dpp/0.5.0/'}},
  'type':{'type':'array','allOf':[{'contains':{'const':'DigitalProductPassport'}},{'contains':{'const':'VerifiableCredential'}}]},
  'issuer':typed('CredentialIssuer',['id','name']),
  'credentialSubject':typed('ProductPassport',['product'],{
   'product':typed('Product',['id','name'],{'batchNumber':{'type':'string'}}),
   'materialsProvenance':{'type':'array','items':typed('Material',['name','originCountry','massFraction'],{
     'originCountry':typed('Country',['countryCode'],{'countryCode':{'type':'string','pattern':'^[A-Z]{2}\$'}}),
     'massFraction':{'type':'number','minimum':0,'maximum':1},
     'massAmount':{'type':'object','required':['value','unit']}})},
   'traceabilityInformation':{'type':'array','items':typed('TraceabilityPerformance',['traceabilityEvent'],{
     'traceabilityEvent':{'type':'array','items':link}})},
   'conformityClaim':{'type':'array','items':typed('Claim',['conformance'],{'conformance':{'type':'boolean'}})}})}}
d=json.load(open(sys.argv[1]))
jsonschema.validate(d,schema, cls=jsonschema.Draft202012Validator)
t=json.load(open(sys.argv[2]))
s=d['credentialSubject']
assert s['product']['batchNumber']=='$lot' and s['product']['name']==t['material']
assert s['oretrail:lot']['mass_g']==t['mass_g'] and s['oretrail:lot']['initial_g']==t['initial_g']
got={(m['name'],m['originCountry']['countryCode'],m['massAmount']['value'],m['oretrail:share_ppm']) for m in s['materialsProvenance']}
want={(c['element'],c['country'],c['grams'],c['share_ppm']) for c in t['countries']}
assert got==want and len(got)==2, (got,want)
assert {m['massFraction'] for m in s['materialsProvenance']}=={1.0}
ev=s['traceabilityInformation'][0]['traceabilityEvent']
assert [e['linkName'] for e in ev]==[a['id'] for a in t['ancestry']] and len(ev)>=5, ev
assert d['oretrail:certificate']['lot']=='$lot' and 'oretrail:certificate_sha256' not in d
" "$T/pp.json" "$T/trace.json" && ok || bad "passport shape: $(head -c 3000 "$T/pp.json")"

# --- a certificate with a determination, referenced by SHA-256 ---
"$CLI" prove --db "$db" --profile dfars-7052 --at 2026-06-01 "$lot" >"$T/cert.json" || bad "prove exit code"
"$CLI" passport --db "$db" --certificate "$T/cert.json" "$lot" >"$T/ref.json" || bad "passport --certificate exit code"
pycheck "$T/ref.json" "import hashlib
assert d['oretrail:certificate_sha256']==hashlib.sha256(open('$T/cert.json','rb').read()).hexdigest()
assert 'oretrail:certificate' not in d
c=d['credentialSubject']['conformityClaim']; assert len(c)==1, c
assert c[0]['referenceRegulation']['name']=='dfars-7052' and c[0]['oretrail:determination'] in ('pass','fail','undetermined')
assert c[0]['conformance']==(c[0]['oretrail:determination']=='pass')"

# --- verify, offline ---
mv "$T/demo" "$T/gone"
key=$T/gone/ledger.db.vkey
expect 0 "^ok: the passport of lot $lot verifies" -- "$CLI" passport verify "$T/pp.json" --key "$key"
expect 0 "^ok: the passport of lot $lot verifies" -- "$CLI" passport verify "$T/ref.json" --key "$key" --certificate "$T/cert.json"
"$CLI" passport verify "$T/pp.json" --key "$key" --json >"$T/verify.json" || bad "verify --json exit code"
pycheck "$T/verify.json" "assert d['lot']=='$lot' and d['trace']['mass_g']>0"

# edit: $1 name, $2 python editing d
edit() {
	python3 -c "import json,sys
d=json.load(open(sys.argv[1]))
$2
json.dump(d,open(sys.argv[2],'w'),indent=1)" "$T/pp.json" "$T/$1.json" || bad "edit $1 failed"
}
edit mass "d['credentialSubject']['oretrail:lot']['mass_g']+=1000"
edit amount "d['credentialSubject']['materialsProvenance'][0]['massAmount']['value']-=1"
edit country "d['credentialSubject']['materialsProvenance'][0]['originCountry']['countryCode']='AU'"
edit fraction "d['credentialSubject']['materialsProvenance'][0]['massFraction']=0.5"
edit claim "d['credentialSubject']['conformityClaim'].append({'type':['Claim'],'conformance':True})"
edit certclaim "d['oretrail:certificate']['claim']['countries'][0]['country']='AU'"
for e in mass amount country fraction claim; do
	expect 1 "passport_mismatch: credentialSubject\." -- "$CLI" passport verify "$T/$e.json" --key "$key"
done
expect 1 "claim_mismatch" -- "$CLI" passport verify "$T/certclaim.json" --key "$key"
echo '{"x":1}' >"$T/other.json"
expect 1 "certificate_hash_mismatch" -- "$CLI" passport verify "$T/ref.json" --key "$key" --certificate "$T/other.json"
"$CLI" passport verify "$T/mass.json" --key "$key" --json >"$T/err.json"
pycheck "$T/err.json" "assert d['error']['code']=='passport_mismatch'"

# --- bad input: exit 2 ---
expect 2 "passport_malformed" -- "$CLI" passport verify "$T/other.json" --key "$key"
expect 2 "give it with --certificate" -- "$CLI" passport verify "$T/ref.json" --key "$key"
expect 2 "--key LOG.vkey is required" -- "$CLI" passport verify "$T/pp.json"
expect 2 "expected FILE" -- "$CLI" passport verify --key "$key"
mv "$T/gone" "$T/demo"
db=$T/demo/ledger.db
expect 2 "lot lot-nope does not exist" -- "$CLI" passport --db "$db" lot-nope
expect 2 "expected LOT" -- "$CLI" passport --db "$db"
expect 2 "--db is required" -- "$CLI" passport "$lot"
expect 2 "is not a certificate of lot lot-other" -- "$CLI" passport --db "$db" --certificate "$T/cert.json" lot-other
expect 0 "usage: oretrail passport" -- "$CLI" passport --help

summary
