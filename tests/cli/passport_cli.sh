#!/usr/bin/env bash
# CLI test of `oretrail passport` and `oretrail passport verify` on the demo
# ledger: the passport of the NdPr oxide lot validates against the published
# JSON Schema of UNTP DPP 0.5.0 (rebuilt below from a written description of
# it, applied with python3-jsonschema), its figures are those of
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

# Validation against the published JSON Schema of UNTP DPP 0.5.0,
# website/schema/untp-digital-product-passport-schema.0.5.0.json in
# https://github.com/uncefact/spec-untp at commit b1f821c7ce84751e0fe8595ef46459cd0c50d07c
# (2024-06-12, the file's last revision before it was removed on 2024-07-25).
# The schema is not copied here: $T/dpp.py below rebuilds it from this
# description of what it states, and python3-jsonschema applies it.
#  - top level: an object; required @context, type, credentialSchema,
#    validFrom, issuer, credentialSubject; other members allowed.
#  - @context: an array equal to [W3C VC v2 context, UNTP context untp-v1]
#    in that order, each item one of those two strings.
#  - type: an array equal to ["VerifiableCredential",
#    "UNTPDigitalProductPassportCredential"], each item one of those two.
#  - id: a string, format uri. validFrom, validTo: strings, format date-time.
#  - credentialSchema: an object with exactly id (a string, format uri, the
#    constant DigitalProductPassport specification URL) and type (the
#    constant "JsonSchema"), both required, no other member.
#  - issuer: an object with no members beyond type (array equal to
#    ["Organization"]), id, name, street, locality, region, postalCode,
#    country (all strings); type, id and name required.
#  - credentialSubject: an object, type required (array equal to
#    ["UNTPDigitalProductPassport"]); product an object whose type, if
#    present, is ["Product"] and whose modelName is a string;
#    guaranteeOfOriginCredential a string, format uri; other members allowed.
# Formats are checked by the test's own functions: uri as RFC 3986 (a
# scheme, ':', then only characters a URI may hold), date-time as RFC 3339.
cat >"$T/dpp.py" <<'PY'
import re, jsonschema
VC = 'https://www.w3.org/ns/credentials/v2'
UNTP = 'https://test.uncefact.org/vocabulary/untp/untp-v1'
SPEC = 'https://uncefact.github.io/spec-untp/docs/specification/DigitalProductPassport'
def fixed(*items):
    return {'type': 'array', 'const': list(items), 'items': {'type': 'string', 'enum': list(items)}}
def text(fmt=None):
    return dict({'type': 'string'}, **({'format': fmt} if fmt else {}))
schema = {'type': 'object',
  'required': ['@context', 'type', 'credentialSchema', 'validFrom', 'issuer', 'credentialSubject'],
  'properties': {
    '@context': fixed(VC, UNTP),
    'type': fixed('VerifiableCredential', 'UNTPDigitalProductPassportCredential'),
    'id': text('uri'), 'validFrom': text('date-time'), 'validTo': text('date-time'),
    'credentialSchema': {'type': 'object', 'additionalProperties': False, 'required': ['type', 'id'],
      'properties': {'id': dict(text('uri'), const=SPEC), 'type': {'const': 'JsonSchema'}}},
    'issuer': {'type': 'object', 'additionalProperties': False, 'required': ['type', 'id', 'name'],
      'properties': dict({'type': fixed('Organization')},
        **{k: text() for k in ('id', 'name', 'street', 'locality', 'region', 'postalCode', 'country')})},
    'credentialSubject': {'type': 'object', 'required': ['type'], 'properties': {
      'type': fixed('UNTPDigitalProductPassport'),
      'product': {'type': 'object', 'properties': {'type': fixed('Product'), 'modelName': text()}},
      'guaranteeOfOriginCredential': text('uri')}}}}
formats = jsonschema.FormatChecker(formats=())
@formats.checks('uri')
def uri(s):
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:([A-Za-z0-9._~!$&'()*+,;=:@/?#\[\]-]|%[0-9A-Fa-f]{2})*", s))
@formats.checks('date-time')
def date_time(s):
    return bool(re.fullmatch(r'\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)', s))
def errors(d):
    v = jsonschema.Draft202012Validator(schema, format_checker=formats)
    return sorted(e.json_path + ': ' + e.message for e in v.iter_errors(d))
PY
# Beyond the schema (which leaves them open): the members of the UNTP DPP
# vocabulary the passport uses, as the specification page describes them.
python3 -c "import json,sys,jsonschema
sys.path.insert(0,'$T'); import dpp
bad=dpp.errors(json.load(open(sys.argv[1]))); assert not bad, bad
typed=lambda t,req,props={}: {'type':'object','required':['type']+req,
  'properties':dict({'type':{'type':'array','contains':{'const':t}}},**props)}
link=typed('Link',['linkURL','linkType'],{'linkURL':{'type':'string','minLength':1}})
schema={'type':'object','properties':{
  'credentialSubject':{'type':'object','required':['product'],'properties':{
   'product':typed('Product',['id','name'],{'batchNumber':{'type':'string'}}),
   'materialsProvenance':{'type':'array','items':typed('Material',['name','originCountry','massFraction'],{
     'originCountry':typed('Country',['countryCode'],{'countryCode':{'type':'string','pattern':'^[A-Z]{2}\$'}}),
     'massFraction':{'type':'number','minimum':0,'maximum':1},
     'massAmount':{'type':'object','required':['value','unit']}})},
   'traceabilityInformation':{'type':'array','items':typed('TraceabilityPerformance',['traceabilityEvent'],{
     'traceabilityEvent':{'type':'array','items':link}})},
   'conformityClaim':{'type':'array','items':typed('Claim',['conformance'],{'conformance':{'type':'boolean'}})}}}}}
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

# Both forms validate; the rebuilt schema is not vacuous: each edit below
# breaks one constraint it states and is refused naming that member.
pycheck "$T/ref.json" "import sys; sys.path.insert(0,'$T'); import dpp, copy
assert not dpp.errors(d), dpp.errors(d)
def broken(edit, where):
    e=copy.deepcopy(d); edit(e); got=dpp.errors(e)
    assert got and all(g.startswith(where) for g in got), (where, got)
broken(lambda e: e.__setitem__('type', e['type'][::-1]), '\$.type:')
broken(lambda e: e['@context'].__setitem__(1, 'https://test.uncefact.org/vocabulary/untp/dpp/0.5.0/'), '\$[\'@context\']')
broken(lambda e: e.pop('validFrom'), '\$:')
broken(lambda e: e.__setitem__('validFrom', '22-07-2026'), '\$.validFrom:')
broken(lambda e: e.__setitem__('id', 'lot 1'), '\$.id:')
broken(lambda e: e['credentialSchema'].__setitem__('version', '0.5.0'), '\$.credentialSchema:')
broken(lambda e: e['issuer'].__setitem__('type', ['CredentialIssuer']), '\$.issuer.type')
broken(lambda e: e['issuer'].__setitem__('oretrail:log', 'x'), '\$.issuer:')
broken(lambda e: e['credentialSubject'].__setitem__('type', ['ProductPassport']), '\$.credentialSubject.type')
broken(lambda e: e['credentialSubject']['product'].__setitem__('modelName', 7), '\$.credentialSubject.product.modelName')"

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
