// trust.js: what the page checks for itself, shared by every page: the
// signed checkpoint against the log's key, entries proven into it from the
// tiles, event signatures against keys registered in the log, and the loud
// alarm when anything does not match.
import { api, getBytes, getText } from './api.js';
import { h, clear } from './dom.js';
import { parseEntry, verifyEventSignature } from './verify/events.js';
import { cryptoAvailable } from './verify/hash.js';
import { parseSignedNote, parseVerifierKey, verifyCheckpoint } from './verify/note.js';
import { TileReader, proveEntry } from './verify/tlog.js';
import { t, tx } from './i18n.js';

const KEY_STORE = 'oretrail.logkey';

function storage() {
  try { return window.localStorage; } catch { return null; }
}
export function pastedKey() {
  const s = storage();
  return s ? s.getItem(KEY_STORE) : null;
}
export function setPastedKey(text) {
  const s = storage();
  if (s) s.setItem(KEY_STORE, text.trim());
  reset();
}
export function clearPastedKey() {
  const s = storage();
  if (s) s.removeItem(KEY_STORE);
  reset();
}

// --- the alarm -----------------------------------------------------------

const failures = [];
export function raiseAlarm(what) {
  if (!failures.includes(what)) failures.push(what);
  const el = document.getElementById('alarm');
  if (!el) return;
  clear(el);
  el.hidden = false;
  el.append(
    h('strong', {}, t('\u26a0 Verification failed: this ledger does not match its signed record')),
    h('ul', {}, failures.slice(0, 4).map((f) => h('li', {}, f)),
      failures.length > 4 ? h('li', {}, t('and {n} more mismatches', { n: failures.length - 4 })) : null),
    h('p', {}, ...tx('Do not rely on the figures on this site until this is explained. {link}.', {
      link: h('a', { href: '#/verify' }, t('See what was checked')),
    })));
  window.dispatchEvent(new Event('ot-alarm'));
  if (!document.title.startsWith('\u26a0')) document.title = `\u26a0 ${t('FAILED:')} ${document.title}`;
}
export const alarmRaised = () => failures.length > 0;

// --- the log's key ------------------------------------------------------

// Finds the key to check the checkpoint with. A key the user pasted comes
// first; otherwise the one this server publishes for the checkpoint's
// signer (only as trustworthy as the server: the page says so).
async function resolveLogKey(noteText) {
  const pasted = pastedKey();
  if (pasted) {
    return { key: await parseVerifierKey(pasted), source: 'pasted', where: t('the key you entered on the Verify page (kept in this browser)') };
  }
  return servedLogKey(noteText);
}

// The key this server publishes for the log that signed `noteText` (a
// signed note): { key, source: 'served', where }, or throws.
export async function servedLogKey(noteText) {
  const served = await api.checkpoint().catch(() => null);
  if (served && typeof served.vkey === 'string') {
    return { key: await parseVerifierKey(served.vkey), source: 'served', where: t('the key this server publishes for its log (api/checkpoint)') };
  }
  // The authority's actor record carries the log key: the authority is the
  // actor named like the key that signs the checkpoints.
  const note = parseSignedNote(noteText);
  for (const s of note.sigs) {
    const actor = await api.actor(s.name).catch(() => null);
    for (const k of (actor && actor.keys) || []) {
      try {
        const key = await parseVerifierKey(k.vkey);
        if (key.keyIdHex === s.keyIdHex && key.name === s.name)
          return { key, source: 'served', where: t('the key this server lists for {name}, the ledger\'s authority (api/actors/{name})', { name: s.name }) };
      } catch { /* not this one */ }
    }
  }
  throw new Error('no key to check the checkpoint with: paste the log\'s verifier key on the Verify page');
}

// The witness keys this server is configured with (api/checkpoint's
// witness_keys, from `serve --witness-key`): the cosignatures on the
// checkpoint are checked with them, in this browser.
async function servedWitnessKeys() {
  const served = await api.checkpoint().catch(() => null);
  const keys = [];
  for (const text of (served && served.witness_keys) || []) {
    try { keys.push(await parseVerifierKey(text)); } catch { /* not a usable key: its cosignature stays unchecked */ }
  }
  return keys;
}

// --- the session's checkpoint ------------------------------------------

let session = null;
export function reset() {
  session = null;
}

// Fetches /checkpoint and checks its signature. Resolves to
// { ok, noteText, cp, result, key, keySource, keyWhere, reason, reader }.
export function checkpointCheck() {
  if (!session) session = runCheckpointCheck();
  return session;
}

async function runCheckpointCheck() {
  const out = { ok: false, noteText: null, cp: null, result: null, key: null, keySource: null, keyWhere: null, reason: '', reader: null };
  if (!cryptoAvailable()) {
    out.reason = 'this browser offers no WebCrypto here (browsers allow it only over HTTPS or on localhost), so nothing can be checked';
    return out;
  }
  try {
    out.noteText = await getText('checkpoint');
  } catch (e) {
    out.reason = 'the signed checkpoint could not be fetched: ' + e.message;
    raiseAlarm(out.reason);
    return out;
  }
  try {
    const k = await resolveLogKey(out.noteText);
    out.key = k.key;
    out.keySource = k.source;
    out.keyWhere = k.where;
  } catch (e) {
    out.reason = e.message;
    return out;
  }
  out.witnessKeys = await servedWitnessKeys();
  out.result = await verifyCheckpoint(out.noteText, out.key, out.witnessKeys);
  if (!out.result.ok) {
    out.reason = out.result.reason;
    raiseAlarm(`The log's signed checkpoint: ${out.reason}.`);
    return out;
  }
  out.cp = out.result.checkpoint;
  const bad = out.result.witnesses.filter((w) => w.verified === false);
  if (bad.length) {
    out.reason = `the cosignature of witness ${bad[0].name} does not match`;
    raiseAlarm(`The checkpoint: ${out.reason}.`);
    return out;
  }
  out.reader = new TileReader(out.cp.size, getBytes);
  out.ok = true;
  return out;
}

// --- signer keys, from the log ------------------------------------------

const keyCache = new Map();

// The key `signer` used for an entry at `index`: from the actor's record
// (api/actors), but only once the actor event that registered it has been
// proven into the log and its signature checked by its own signer, back to
// the log's key. Resolves to { key, chain: [sentences] } or throws.
async function signerKey(cc, signer, index, depth = 0) {
  if (signer === cc.key.name && depth > 0) return { key: cc.key, chain: [] };
  const ck = `${signer}@${index}`;
  if (keyCache.has(ck)) return keyCache.get(ck);
  const p = (async () => {
    if (depth > 8) throw new Error('the chain of key registrations is too long');
    const actor = await api.actor(signer);
    const keys = (actor.keys || []).filter((k) => typeof k.added === 'number' && k.added < index)
      .sort((a, b) => b.added - a.added);
    if (!keys.length) throw new Error(`${signer} had no registered key before entry ${index}`);
    const k = keys[0];
    const proof = await proveEntry(cc.reader, cc.cp, k.added);
    if (!proof.ok) throw new Error(`the registration of ${signer}'s key (entry ${k.added}): ${proof.reason}`);
    const reg = parseEntry(proof.entry);
    if (reg.event.type !== 'actor' || reg.event.actor !== signer || reg.event.key !== k.vkey)
      throw new Error(`entry ${k.added} does not register the key the server lists for ${signer}`);
    const key = await parseVerifierKey(k.vkey);
    // The registration is signed by the authority, whose key comes from the
    // log key (or its own registration).
    let by;
    if (reg.signer === cc.key.name) by = { key: cc.key, chain: [] };
    else by = await signerKey(cc, reg.signer, k.added, depth + 1);
    if (!(await verifyEventSignature(reg, by.key)))
      throw new Error(`the registration of ${signer}'s key (entry ${k.added}) is not validly signed by ${reg.signer}`);
    return { key, chain: [...by.chain, `${signer}'s key ${key.name}+${key.keyIdHex} was registered at entry ${k.added} by ${reg.signer}`] };
  })();
  keyCache.set(ck, p);
  p.catch(() => keyCache.delete(ck));
  return p;
}

// Proves entries into the signed tree and checks each event's signature.
// expect: optional map index -> { id, type } the API claimed, compared with
// what the log holds. Resolves to [{ index, ok, reason, event, signer,
// keyChain, proofLength }]. Every failure raises the alarm.
export async function verifyEntries(indexes, expect = new Map()) {
  const cc = await checkpointCheck();
  const results = [];
  for (const index of indexes) {
    const r = { index, ok: false, reason: '', event: null, signer: null, keyChain: [], proofLength: 0 };
    results.push(r);
    if (!cc.ok) { r.reason = 'the checkpoint could not be checked: ' + cc.reason; continue; }
    if (index >= cc.cp.size) { r.reason = `entry ${index} is newer than the signed checkpoint (${cc.cp.size} entries)`; continue; }
    const proof = await proveEntry(cc.reader, cc.cp, index);
    r.proofLength = proof.proofLength;
    if (!proof.ok) { r.reason = proof.reason; raiseAlarm(proof.reason); continue; }
    let parsed;
    try { parsed = parseEntry(proof.entry); } catch (e) {
      r.reason = `entry ${index} is not a signed event: ${e.message}`;
      raiseAlarm(r.reason);
      continue;
    }
    r.event = parsed.event;
    r.signer = parsed.signer;
    const want = expect.get(index);
    if (want && ((want.id && want.id !== parsed.event.id) || (want.type && want.type !== parsed.event.type))) {
      r.reason = `the server says entry ${index} is ${want.type} ${want.id}, but the log holds ${parsed.event.type} ${parsed.event.id}`;
      raiseAlarm(r.reason);
      continue;
    }
    try {
      const sk = parsed.signer === cc.key.name ? { key: cc.key, chain: [] } : await signerKey(cc, parsed.signer, index);
      r.keyChain = sk.chain;
      if (!(await verifyEventSignature(parsed, sk.key))) {
        r.reason = `entry ${index} (${parsed.event.type} ${parsed.event.id}) is not validly signed by ${parsed.signer}`;
        raiseAlarm(r.reason);
        continue;
      }
    } catch (e) {
      r.reason = `entry ${index}: the signer's key could not be checked: ${e.message}`;
      raiseAlarm(r.reason);
      continue;
    }
    r.ok = true;
  }
  return results;
}
