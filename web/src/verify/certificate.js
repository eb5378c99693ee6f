// certificate.js: checking an oretrail provenance certificate (format
// versions 1 and 2, docs/certificate.md) with nothing but the file, the log's key
// and WebCrypto: the checks a browser can make. The replay of the ledger's
// rules (and so the recomputation of the origin shares) is not among them:
// that needs `oretrail verify`.
//
// verifyCertificate(text, logKey, witnessKeys) returns
//   { ok, format, steps: [{ check, code, ok, text, failures: [{ index, reason }] }],
//     failures: [{ check, code, index, reason }], cert, checkpoint, witnesses, entries }
// where each step is one check of docs/certificate.md ("What verify checks"),
// in order, with the failure codes of `oretrail verify --json`; a step that
// could not run (an earlier one failed) has ok null. Nothing here touches the
// DOM: the page (pages/certificate.js) and the unit tests share it.
import { b64decode, equal, utf8 } from './bytes.js';
import { leafHash } from './hash.js';
import { parseEntry, verifyEventSignature } from './events.js';
import { parseVerifierKey, verifyCheckpoint } from './note.js';
import { canonicalize } from './jcs.js';
import { mergedProofCount, verifyInclusion, verifyMergedProof } from './tlog.js';

export const CERT_FORMAT = 'oretrail-provenance-certificate';
// The versions read: 1 (base64 entries, each with its leaf hash and
// inclusion proof) and 2 (the entries as JSON, one merged proof).
export const CERT_VERSION = 2;
export const CERT_VERSION_MIN = 1;
const PROOF_MAX = 64;

const isIndex = (v) => Number.isSafeInteger(v) && v >= 0;

function b64hash(s) {
  const u = b64decode(s);
  if (u.length !== 32) throw new Error('not 32 bytes');
  return u;
}

// Version 1: entries[i] is {index, entry (base64), leaf_hash, proof}.
function readEntryV1(it, where, bad) {
  if (typeof it.entry !== 'string' || !Array.isArray(it.proof) || it.proof.length > PROOF_MAX)
    return bad(`${where} is not {index, entry, leaf_hash, proof} with indexes in increasing order`);
  let bytes;
  try { bytes = b64decode(it.entry); } catch { bytes = null; }
  if (!bytes || bytes.length === 0) return bad(`${where}.entry (entry ${it.index}) is not base64 of an entry`, { index: it.index });
  let leaf;
  try { leaf = b64hash(it.leaf_hash); } catch { return bad(`${where}.leaf_hash (entry ${it.index}) is not a base64 SHA-256 hash`, { index: it.index }); }
  const proof = [];
  for (let k = 0; k < it.proof.length; k++) {
    try { proof.push(b64hash(it.proof[k])); } catch { return bad(`${where}.proof[${k}] (entry ${it.index}) is not a base64 SHA-256 hash`, { index: it.index }); }
  }
  return { ok: true, entry: { index: it.index, bytes, leaf, proof } };
}

// Version 2: entries[i] is {index, entry (the envelope as JSON)}; its bytes
// are the entry's RFC 8785 form. No stated leaf hash, no proof of its own.
function readEntryV2(it, where, bad) {
  if (!it.entry || typeof it.entry !== 'object' || Array.isArray(it.entry))
    return bad(`${where} is not {index, entry} with indexes in increasing order and the entry a signed envelope`);
  let bytes;
  try { bytes = utf8(canonicalize(it.entry)); } catch (e) {
    return bad(`${where}.entry (entry ${it.index}) has no canonical form: ${e.message}`, { index: it.index });
  }
  return { ok: true, entry: { index: it.index, bytes, leaf: null, proof: null } };
}

// Parses and shape-checks the file. Returns { ok, cert, version, entries,
// proof, code, reason, unsupported }: entries are { index, bytes, leaf,
// proof } decoded (leaf and proof null in version 2, whose merged proof's
// nodes are `proof`); unsupported is true when the file is a certificate of
// another version (code cert_version: unusable here, not proven invalid).
export function parseCertificate(text) {
  const bad = (reason, extra = {}) => ({ ok: false, code: 'cert_malformed', reason, ...extra });
  let doc;
  try { doc = JSON.parse(text); } catch (e) { return bad(`the file is not JSON (${e.message})`); }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || doc.format !== CERT_FORMAT)
    return bad(`the file is not an oretrail provenance certificate (its "format" is not "${CERT_FORMAT}")`);
  if (!isIndex(doc.version)) return bad('the certificate\'s version is not a number');
  if (doc.version < CERT_VERSION_MIN || doc.version > CERT_VERSION)
    return { ok: false, code: 'cert_version', unsupported: true, reason: `unsupported certificate version ${doc.version}: this page reads versions ${CERT_VERSION_MIN} to ${CERT_VERSION}` };
  let proof = null;
  if (doc.version >= 2) {
    if (!Array.isArray(doc.proof)) return bad('a version 2 certificate needs proof, the merged proof\'s nodes');
    proof = [];
    for (let k = 0; k < doc.proof.length; k++) {
      try { proof.push(b64hash(doc.proof[k])); } catch { return bad(`proof[${k}] is not a base64 SHA-256 hash`); }
    }
  }
  const log = doc.log;
  let root = null;
  try { root = log && b64hash(log.root); } catch { root = null; }
  if (typeof doc.lot !== 'string' || !doc.lot || !doc.claim || typeof doc.claim !== 'object' || Array.isArray(doc.claim)
    || !Array.isArray(doc.entries) || typeof doc.checkpoint !== 'string' || !log || typeof log.origin !== 'string'
    || !isIndex(log.size) || !root)
    return bad('a certificate needs lot, log {origin, size, root (base64 SHA-256)}, checkpoint, claim and entries');
  const entries = [];
  for (let i = 0; i < doc.entries.length; i++) {
    const it = doc.entries[i];
    const where = `entries[${i}]`;
    if (!it || !isIndex(it.index) || (i > 0 && it.index <= entries[i - 1].index))
      return bad(`${where} has no index, or not one above the entry before (indexes in increasing order)`);
    const r = doc.version === 1 ? readEntryV1(it, where, bad) : readEntryV2(it, where, bad);
    if (!r.ok) return r;
    entries.push(r.entry);
  }
  return { ok: true, cert: doc, version: doc.version, log: { origin: log.origin, size: log.size, root }, entries, proof };
}

// The claim's lists of entries (docs/certificate.md: ancestry, context, uses).
const CLAIM_LISTS = ['ancestry', 'context', 'uses'];

// Is the claim consistent in itself? The shares by country must be the sums
// of the shares by mine, each share the mine's content over the element's
// total, and each element's shares must add up to 100 %; every mine must be
// registered, as a mine in the claimed country, by a site entry of the
// certificate. This catches an edited share; it is NOT the recomputation of
// the origins from the entries, which only the replay does.
export function checkClaimOrigins(claim, sites = new Map()) {
  const problems = [];
  const origins = Array.isArray(claim.origins) ? claim.origins : [];
  const countries = Array.isArray(claim.countries) ? claim.countries : [];
  const amount = (r) => (Number.isSafeInteger(r.mg) ? r.mg : Number.isSafeInteger(r.grams) ? r.grams * 1000 : NaN);
  const shareOk = (r) => Number.isSafeInteger(r.share_ppm) && r.share_ppm >= 0 && r.share_ppm <= 1000000;
  for (const [name, rows] of [['origins', origins], ['countries', countries]]) {
    const total = new Map();
    const sum = new Map();
    const n = new Map();
    for (const r of rows) {
      if (!r || typeof r.element !== 'string' || typeof r.country !== 'string' || !shareOk(r) || !(amount(r) >= 0)) {
        problems.push(`a row of claim.${name} is not {element, country, mg, share_ppm}`);
        return problems;
      }
      total.set(r.element, (total.get(r.element) || 0) + amount(r));
      sum.set(r.element, (sum.get(r.element) || 0) + r.share_ppm);
      n.set(r.element, (n.get(r.element) || 0) + 1);
    }
    const what = name === 'origins' ? 'by mine' : 'by country';
    for (const r of rows) {
      const t = total.get(r.element);
      const want = t > 0 ? Math.round((amount(r) * 1e6) / t) : 0;
      if (Math.abs(want - r.share_ppm) > 1)
        problems.push(`the claimed ${r.element} share ${what} of ${r.site || r.country} is ${(r.share_ppm / 1e4).toFixed(2)} %, but its content is ${(want / 1e4).toFixed(2)} % of the claimed ${r.element} total`);
    }
    for (const [el, s] of sum) {
      if (total.get(el) > 0 && Math.abs(s - 1e6) > n.get(el))
        problems.push(`the claimed ${el} shares ${what} add up to ${(s / 1e4).toFixed(2)} %, not 100 %`);
    }
  }
  // By country = the sum of by mine.
  const key = (r) => `${r.element} ${r.country}`;
  const fromMines = new Map();
  for (const r of origins) {
    const a = fromMines.get(key(r)) || { amount: 0, share: 0, n: 0 };
    a.amount += amount(r); a.share += r.share_ppm; a.n++;
    fromMines.set(key(r), a);
  }
  const seen = new Set();
  for (const r of countries) {
    seen.add(key(r));
    const m = fromMines.get(key(r));
    if (!m) { problems.push(`the claim gives ${r.element} from ${r.country} by country, but no mine in ${r.country} by mine`); continue; }
    if (m.amount !== amount(r) || Math.abs(m.share - r.share_ppm) > m.n)
      problems.push(`the claimed ${r.element} share of ${r.country} (${(r.share_ppm / 1e4).toFixed(2)} %) is not the sum of its mines' (${(m.share / 1e4).toFixed(2)} %)`);
  }
  for (const k of fromMines.keys()) if (!seen.has(k)) problems.push(`the claim lists mines for ${k.replace(' ', ' in ')} but no such country share`);
  for (const r of origins) {
    const s = sites.get(r.site);
    if (!s) problems.push(`the claimed mine ${r.site} is not registered by any site entry of the certificate`);
    else if (s.kind !== 'mine') problems.push(`${r.site} is registered (entry ${s.index}) as a ${s.kind}, not a mine`);
    else if (s.country !== r.country) problems.push(`the claim puts the mine ${r.site} in ${r.country}, but its registration (entry ${s.index}) says ${s.country}`);
  }
  return problems;
}

// Version 1: each entry against its stated leaf hash, then its own
// inclusion proof. Returns the entries proven into the tree, by index.
async function checkEachProof(p, cp, sLeaf, sProof, fail) {
  const good = new Map();
  for (const e of p.entries) {
    const leaf = await leafHash(e.bytes);
    if (!equal(leaf, e.leaf)) {
      fail(sLeaf, `entry ${e.index} does not hash to its leaf hash: SHA-256(0x00 \u2016 entry) differs, so the entry was altered`, e.index);
      continue;
    }
    if (e.index >= cp.size || !(await verifyInclusion(e.index, cp.size, leaf, e.proof, cp.root))) {
      fail(sProof, `the inclusion proof of entry ${e.index} (${e.proof.length} hashes) does not lead to the checkpoint's root: the entry is not in the signed log at that index`, e.index);
      continue;
    }
    good.set(e.index, e);
  }
  if (sLeaf.ok === null) { sLeaf.ok = true; sLeaf.text = `All ${p.entries.length} entries hash (SHA-256 with the 0x00 prefix) to their stated leaf hashes.`; }
  if (sProof.ok === null) {
    sProof.ok = true;
    sProof.text = `All ${p.entries.length} entries are proven, with RFC 9162 inclusion proofs, to be in the tree of ${cp.size} entries whose root the log signed.`;
  } else if (!sProof.failures.length && sLeaf.ok === false) {
    sProof.ok = true;
    sProof.text = `The ${good.size} entries that hash correctly are all in the signed tree.`;
  }
  return good;
}

// Version 2: the leaf hashes computed, and all of them with the merged
// proof's nodes lead to the checkpoint's root (or none is proven).
async function checkMergedProof(p, cp, sLeaf, sProof, fail) {
  const good = new Map();
  const indexes = p.entries.map((e) => e.index);
  const leaves = [];
  for (const e of p.entries) leaves.push(await leafHash(e.bytes));
  sLeaf.ok = true;
  sLeaf.text = `Version 2 states no leaf hashes: each of the ${p.entries.length} entries' is computed here (SHA-256 with the 0x00 prefix) and checked by the merged proof below.`;
  if (indexes.some((x) => x >= cp.size)) return good; // the log step said which
  const want = await mergedProofCount(cp.size, indexes);
  if (want !== p.proof.length) {
    fail(sProof, `the merged proof has ${p.proof.length} nodes; entries at these ${indexes.length} indexes of a tree of ${cp.size} need ${want}`);
  } else if (!(await verifyMergedProof(cp.size, indexes, leaves, p.proof, cp.root))) {
    fail(sProof, `the entries and the merged proof's ${p.proof.length} nodes do not lead to the checkpoint's root: an entry or a proof node was altered, or an entry is not in the log at its index`);
  } else {
    for (const e of p.entries) good.set(e.index, e);
    sProof.ok = true;
    sProof.text = `All ${p.entries.length} entries are proven, with one merged proof of ${p.proof.length} nodes, to be in the tree of ${cp.size} entries whose root the log signed.`;
  }
  return good;
}

// Checks a certificate. `text`: the file's text; `logKey`: the parsed log
// key (note.js parseVerifierKey); `witnessKeys`: parsed cosignature keys
// (optional). Never throws for a bad file: every problem is a failure.
export async function verifyCertificate(text, logKey, witnessKeys = []) {
  const out = { ok: false, unsupported: false, steps: [], failures: [], cert: null, checkpoint: null, witnesses: [], entries: [] };
  const step = (check, code, title) => {
    const s = { check, code, title, ok: null, text: '', failures: [] };
    out.steps.push(s);
    return s;
  };
  const fail = (s, reason, index = null) => {
    s.ok = false;
    s.failures.push({ index, reason });
    out.failures.push({ check: s.check, code: s.code, index, reason });
  };

  // 1. The file.
  const sFormat = step('format', 'cert_malformed', `The file is a provenance certificate of version ${CERT_VERSION_MIN} or ${CERT_VERSION}`);
  const p = parseCertificate(text);
  const rest = [
    ['checkpoint', 'checkpoint_signature', 'The checkpoint is signed by the log key'],
    ['witnesses', 'not_enough_witnesses', 'Witness cosignatures'],
    ['log', 'checkpoint_mismatch', 'The log summary matches the signed checkpoint'],
    ['leaves', 'entry_altered', 'Each entry hashes to its leaf hash'],
    ['proofs', 'proof_invalid', 'Each entry is in the signed tree (inclusion proof)'],
    ['signatures', 'entry_signature', 'Each event is signed by a key its signer had registered'],
    ['claim-entries', 'missing_entry', 'Every entry the claim names is present'],
    ['claim-origins', 'claim_inconsistent', 'The claimed origin shares are consistent'],
  ].map(([c, code, title]) => step(c, code, title));
  const [sCp, sWit, sLog, sLeaf, sProof, sSig, sClaimEntries, sOrigins] = rest;
  if (!p.ok) {
    out.unsupported = !!p.unsupported;
    sFormat.code = p.code;
    fail(sFormat, p.reason, p.index ?? null);
    for (const s of rest) s.text = 'Not checked: the file could not be read as a certificate.';
    return out;
  }
  sFormat.ok = true;
  sFormat.text = `An ${CERT_FORMAT}, version ${p.version}, about lot ${p.cert.lot}, with ${p.entries.length} log entries.`;
  out.cert = p.cert;

  // 2. The checkpoint's signature.
  const vc = await verifyCheckpoint(p.cert.checkpoint, logKey, witnessKeys);
  out.witnesses = vc.witnesses;
  if (!vc.ok) {
    fail(sCp, vc.reason);
    for (const s of rest.slice(1)) s.text = 'Not checked: without a valid signature on the checkpoint, nothing can be proven against it.';
    return out;
  }
  const cp = vc.checkpoint;
  out.checkpoint = cp;
  sCp.ok = true;
  sCp.text = `The note carries a valid Ed25519 signature by ${logKey.name}+${logKey.keyIdHex}: the log ${cp.origin} had ${cp.size} entries with this root hash.`;

  // 3. Witnesses: checked when keys are known, otherwise only counted.
  const checked = vc.witnesses.filter((w) => w.verified === true);
  const wrong = vc.witnesses.filter((w) => w.verified === false);
  const unknown = vc.witnesses.filter((w) => w.verified === null);
  for (const w of wrong) fail(sWit, `the cosignature of witness ${w.name} does not match the checkpoint`);
  if (witnessKeys.length && checked.length < witnessKeys.length && !wrong.length)
    fail(sWit, `${checked.length} of the ${witnessKeys.length} witnesses given cosigned the checkpoint`);
  if (sWit.ok === null) sWit.ok = true;
  sWit.text = vc.witnesses.length
    ? `${vc.witnesses.length} other signature line(s): ${checked.length} witness cosignature(s) checked` +
      (unknown.length ? `, ${unknown.length} not checked (${unknown.map((w) => w.name).join(', ')}: no key for it here)` : '') + '.'
    : 'The checkpoint carries no witness cosignature.';

  // 4. The summary against the signed checkpoint.
  if (p.log.origin !== cp.origin || p.log.size !== cp.size || !equal(p.log.root, cp.root)) {
    fail(sLog, `the log summary (${p.log.origin}, ${p.log.size} entries) is not the signed checkpoint (${cp.origin}, ${cp.size} entries${p.log.origin === cp.origin && p.log.size === cp.size ? ', another root hash' : ''})`);
  }
  for (const e of p.entries) {
    if (e.index >= cp.size) fail(sLog, `entry ${e.index} lies beyond the checkpoint's ${cp.size} entries`, e.index);
  }
  if (sLog.ok === null) {
    sLog.ok = true;
    sLog.text = `Origin ${cp.origin}, ${cp.size} entries and the root hash agree with the signed checkpoint; every entry lies inside its tree.`;
  }

  // 5-6. Each entry: its hash, then its place in the tree.
  const good = p.version === 1 ? await checkEachProof(p, cp, sLeaf, sProof, fail) : await checkMergedProof(p, cp, sLeaf, sProof, fail);

  // 7. Event signatures, with the keys the certificate's actor entries
  // register, in log order (key rotation and revocation as the ledger's
  // rules have them: a new key or revoke_from ends the keys in force).
  const regs = new Map(); // actor -> [{ key, index, until }]
  const sites = new Map(); // site -> { kind, country, index }
  const events = new Map(); // index -> parsed entry
  let signed = 0;
  for (const e of p.entries) {
    let parsed;
    try { parsed = parseEntry(e.bytes); } catch (err) {
      fail(sSig, `entry ${e.index} is not a signed event: ${err.message}`, e.index);
      continue;
    }
    const ev = parsed.event;
    events.set(e.index, parsed);
    out.entries.push({ index: e.index, signer: parsed.signer, type: ev.type, id: ev.id, time: ev.time, proven: good.has(e.index) });
    const at = Date.parse(ev.time);
    const keys = regs.get(parsed.signer);
    let ok = false;
    if (!keys) {
      if (parsed.signer === logKey.name) ok = await verifyEventSignature(parsed, logKey);
      else {
        fail(sSig, `entry ${e.index} (${ev.type} ${ev.id}) is signed by ${parsed.signer}, but no earlier entry of the certificate registers ${parsed.signer}'s key`, e.index);
        continue;
      }
    } else {
      let revoked = null;
      for (const k of keys) {
        const valid = !k.until || at < Date.parse(k.until);
        if (await verifyEventSignature(parsed, k.key)) {
          if (valid) { ok = true; break; }
          revoked = revoked || k.until;
        }
      }
      if (!ok && revoked) {
        fail(sSig, `entry ${e.index} (${ev.type} ${ev.id}) is signed with a key of ${parsed.signer} revoked from ${revoked}, before the event's time ${ev.time}`, e.index);
        continue;
      }
    }
    if (!ok) {
      fail(sSig, `entry ${e.index} (${ev.type} ${ev.id}) is not validly signed by ${parsed.signer}: the signature does not match the event with any key ${parsed.signer} had registered`, e.index);
      continue;
    }
    signed++;
    // A verified registration takes effect for the entries after it.
    if (ev.type === 'actor' && typeof ev.actor === 'string') {
      let key = null;
      if (ev.key !== undefined) {
        try {
          key = await parseVerifierKey(ev.key);
          if (key.name !== ev.actor) throw new Error(`the key is named ${key.name}, not ${ev.actor}`);
        } catch (err) {
          fail(sSig, `entry ${e.index} registers a key for ${ev.actor} that cannot be used: ${err.message}`, e.index);
          continue;
        }
      }
      const list = regs.get(ev.actor);
      if (!list) { if (key) regs.set(ev.actor, [{ key, index: e.index, until: null }]); }
      else {
        if (key || ev.revoke_from) for (const k of list) if (!k.until) k.until = ev.revoke_from || ev.time;
        if (key) list.push({ key, index: e.index, until: null });
      }
    } else if (ev.type === 'site' && typeof ev.site === 'string') {
      const prev = sites.get(ev.site) || {};
      sites.set(ev.site, { kind: ev.kind ?? prev.kind, country: ev.country ?? prev.country, index: e.index });
    }
  }
  if (sSig.ok === null) {
    sSig.ok = true;
    sSig.text = `All ${signed} event signatures (Ed25519) verify with keys registered by the ${[...regs.keys()].length} actors' entries in the certificate, themselves signed back to the log key ${logKey.name}.`;
  }

  // 8. The entries the claim names.
  const claim = p.cert.claim;
  if (claim.lot !== p.cert.lot) fail(sClaimEntries, `the claim is about lot ${claim.lot ?? '(none)'}, the certificate about ${p.cert.lot}`);
  let named = 0;
  for (const list of CLAIM_LISTS) {
    const items = claim[list] === undefined ? [] : claim[list];
    if (!Array.isArray(items)) { fail(sClaimEntries, `claim.${list} is not a list`); continue; }
    for (const it of items) {
      if (!it || !isIndex(it.index)) { fail(sClaimEntries, `an item of claim.${list} has no entry index`); continue; }
      named++;
      const got = events.get(it.index);
      if (!p.entries.some((e) => e.index === it.index))
        fail(sClaimEntries, `the claim's ${list} names entry ${it.index} (${it.type || '?'} ${it.id || '?'}), which the certificate does not include`, it.index);
      else if (got && ((it.type && it.type !== got.event.type) || (it.id && it.id !== got.event.id)))
        fail(sClaimEntries, `the claim's ${list} says entry ${it.index} is ${it.type} ${it.id}, but the entry is ${got.event.type} ${got.event.id}`, it.index);
    }
  }
  if (claim.created && isIndex(claim.created.index)) {
    const got = events.get(claim.created.index);
    if (!got) fail(sClaimEntries, `the claim says the lot was made by entry ${claim.created.index}, which the certificate does not include`, claim.created.index);
    else if (got.event.id !== claim.created.id || got.event.type !== claim.created.type)
      fail(sClaimEntries, `the claim says the lot was made by ${claim.created.type} ${claim.created.id} (entry ${claim.created.index}), but that entry is ${got.event.type} ${got.event.id}`, claim.created.index);
  }
  if (sClaimEntries.ok === null) {
    sClaimEntries.ok = true;
    sClaimEntries.text = `All ${named} entries the claim's ancestry, context and uses name are in the certificate, and are the events the claim says.`;
  }

  // 9. The claimed origins: consistent in themselves (not recomputed).
  for (const problem of checkClaimOrigins(claim, sites)) fail(sOrigins, problem);
  if (sOrigins.ok === null) {
    sOrigins.ok = true;
    sOrigins.text = 'The shares by country are the sums of the shares by mine, each element\'s shares add up to 100 %, and every claimed mine is registered as a mine, in the claimed country, by a site entry of the certificate.';
  }

  out.ok = out.failures.length === 0;
  return out;
}
