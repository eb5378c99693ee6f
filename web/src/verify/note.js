// note.js: C2SP signed-note and tlog-checkpoint, checked with WebCrypto
// Ed25519, and C2SP tlog-cosignature for witnesses.
//
// Verifier key: <name>+<8 hex key id>+<base64(type || 32-byte public key)>,
// type 0x01 for an Ed25519 note key, 0x04 for a witness cosignature key;
// key id = first 4 bytes of SHA-256(name || "\n" || type || public key).
// A signed note is its text (lines ending in "\n"), an empty line, then one
// line per signature: "\u2014 <name> <base64(key id || signature)>\n".
import { b64decode, concat, equal, fromHex, fromUtf8, hex, utf8 } from './bytes.js';
import { sha256 } from './hash.js';

export const ALG_ED25519 = 0x01;
export const ALG_COSIGNATURE = 0x04;

function validKeyName(name) {
  return name.length > 0 && !/[\s+]/u.test(name);
}

// Parses a verifier key and checks its key id. Throws Error with a plain
// sentence when the key is unusable.
export async function parseVerifierKey(text) {
  const s = String(text).trim();
  // name+keyid+base64: split at the first two '+' (base64 may hold more).
  const p1 = s.indexOf('+');
  const p2 = p1 < 0 ? -1 : s.indexOf('+', p1 + 1);
  if (p1 < 0 || p2 < 0) throw new Error('a verifier key has three parts, name+keyid+key');
  const name = s.slice(0, p1);
  const idHex = s.slice(p1 + 1, p2);
  const b64 = s.slice(p2 + 1);
  if (!validKeyName(name)) throw new Error('the key name is empty or has spaces');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new Error('the key id is not 8 hex digits');
  let raw;
  try { raw = b64decode(b64); } catch { throw new Error('the key is not valid base64'); }
  if (raw.length !== 33 || (raw[0] !== ALG_ED25519 && raw[0] !== ALG_COSIGNATURE))
    throw new Error('the key is not an Ed25519 note key');
  const id = (await sha256(concat(utf8(name + '\n'), raw))).slice(0, 4);
  if (!equal(id, fromHex(idHex))) throw new Error('the key id does not match the key');
  return { text: s, name, keyId: id, keyIdHex: idHex, alg: raw[0], publicKey: raw.slice(1) };
}

export async function ed25519Verify(publicKey, signature, message) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) throw new Error('this browser offers no WebCrypto');
  let key;
  try {
    key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    throw new Error('this browser cannot check Ed25519 signatures (' + e.message + ')');
  }
  return subtle.verify({ name: 'Ed25519' }, key, signature, message);
}

// Splits a signed note into its text and signature lines (Go's note.Open
// rules): the text ends at the last blank line and every signature line is
// "\u2014 name base64". Throws on a malformed note.
export function parseSignedNote(msg) {
  if (typeof msg !== 'string') msg = fromUtf8(msg);
  if (msg.includes('\r')) throw new Error('the note has carriage returns');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new Error('the note has no signature block');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (!block.endsWith('\n')) throw new Error('the last signature line does not end the note');
  const sigs = [];
  for (const line of block.slice(0, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m) throw new Error('a signature line is malformed');
    let raw;
    try { raw = b64decode(m[2]); } catch { throw new Error('a signature is not valid base64'); }
    if (raw.length < 5) throw new Error('a signature is too short');
    sigs.push({ name: m[1], keyId: raw.slice(0, 4), keyIdHex: hex(raw.slice(0, 4)), sig: raw.slice(4) });
  }
  if (sigs.length === 0) throw new Error('the note carries no signature');
  return { text, sigs };
}

// Parses a checkpoint body (C2SP tlog-checkpoint): origin, decimal tree
// size, base64 root hash, then optional extension lines.
export function parseCheckpoint(text) {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '')
    throw new Error('the checkpoint has fewer than three lines');
  const [origin, sizeText, rootText] = lines;
  if (!origin) throw new Error('the checkpoint names no origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new Error('the tree size is not a decimal number');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new Error('the tree size is too large for this page');
  let root;
  try { root = b64decode(rootText); } catch { throw new Error('the root hash is not valid base64'); }
  if (root.length !== 32) throw new Error('the root hash is not 32 bytes');
  return { origin, size, root, extensions: lines.slice(3, -1) };
}

// Verifies a signed checkpoint against the log's key. Returns
//   { ok, checkpoint, note, logSig, witnesses: [{name, keyIdHex, time?, verified?}], reason }
// ok is true only when the note is well formed and carries a valid
// signature by exactly that key (name and key id), and the checkpoint body
// parses. `witnessKeys` (parsed cosignature keys) are used to check
// cosignatures; other signatures are listed as unchecked.
export async function verifyCheckpoint(noteText, logKey, witnessKeys = []) {
  const res = { ok: false, checkpoint: null, note: null, logSig: null, witnesses: [], reason: '' };
  let note;
  try {
    note = parseSignedNote(noteText);
  } catch (e) {
    res.reason = 'the checkpoint is not a well-formed signed note: ' + e.message;
    return res;
  }
  res.note = note;
  const msg = utf8(note.text);
  for (const s of note.sigs) {
    if (s.name === logKey.name && equal(s.keyId, logKey.keyId)) {
      if (res.logSig) { res.reason = 'the checkpoint carries two signatures by the log key'; return res; }
      res.logSig = s;
      continue;
    }
    const w = { name: s.name, keyIdHex: s.keyIdHex, verified: null };
    if (s.sig.length === 72) {
      const t = s.sig.slice(0, 8);
      let time = 0;
      for (const b of t) time = time * 256 + b;
      w.time = time;
      const wk = witnessKeys.find((k) => k.name === s.name && equal(k.keyId, s.keyId));
      if (wk) {
        const cm = concat(utf8(`cosignature/v1\ntime ${time}\n`), msg);
        w.verified = await ed25519Verify(wk.publicKey, s.sig.slice(8), cm);
      }
    }
    res.witnesses.push(w);
  }
  if (!res.logSig) {
    res.reason = `the checkpoint carries no signature by the key ${logKey.name}+${logKey.keyIdHex}`;
    return res;
  }
  if (res.logSig.sig.length !== 64) { res.reason = 'the log signature is not 64 bytes'; return res; }
  const good = await ed25519Verify(logKey.publicKey, res.logSig.sig, msg);
  if (!good) {
    res.reason = `the signature does not match: this checkpoint was not signed by ${logKey.name}+${logKey.keyIdHex}, or it was altered after signing`;
    return res;
  }
  try {
    res.checkpoint = parseCheckpoint(note.text);
  } catch (e) {
    res.reason = 'the signed text is not a checkpoint: ' + e.message;
    return res;
  }
  res.ok = true;
  return res;
}
