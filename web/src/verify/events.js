// events.js: oretrail log entries, as the page reads them from the tiles.
//
// An entry is the RFC 8785 form of {"event":{...},"sig":"<base64>",
// "signer":"<actor>"}; the signature is Ed25519 over
// "oretrail/event/v1\n" || canonical(event) (docs/events.md). Commitments are
// {"commit":"sha256:<hex>"} = SHA-256(salt || canonical(value)).
import { b64decode, concat, equal, fromHex, fromUtf8, utf8 } from './bytes.js';
import { sha256 } from './hash.js';
import { canonicalize } from './jcs.js';
import { ed25519Verify } from './note.js';

const EVENT_DOMAIN = utf8('oretrail/event/v1\n');

// Parses an entry. Returns { envelope, event, signer, sig, eventBytes }:
// eventBytes are the event's exact canonical bytes as logged (cut out of the
// entry, not re-serialised). Throws when the entry is not an envelope.
export function parseEntry(bytes) {
  const text = fromUtf8(bytes);
  const env = JSON.parse(text);
  if (!env || typeof env !== 'object' || !env.event || typeof env.signer !== 'string' || typeof env.sig !== 'string')
    throw new Error('the entry is not a signed event envelope');
  // Canonical form: {"event":<event>,"sig":"<b64>","signer":"<name>"};
  // sig and signer hold no quotes, so the event ends at the last ,"sig":".
  const head = '{"event":';
  const tail = text.lastIndexOf(',"sig":"');
  if (!text.startsWith(head) || tail < 0) throw new Error('the entry is not in canonical form');
  const eventText = text.slice(head.length, tail);
  return { envelope: env, event: env.event, signer: env.signer, sig: env.sig, eventBytes: utf8(eventText) };
}

// Checks an entry's event signature with an actor's verifier key (parsed,
// see note.js). Returns true or false.
export async function verifyEventSignature(parsed, key) {
  let sig;
  try { sig = b64decode(parsed.sig); } catch { return false; }
  if (sig.length !== 64) return false;
  return ed25519Verify(key.publicKey, sig, concat(EVENT_DOMAIN, parsed.eventBytes));
}

// Does (salt, value) open the commitment "sha256:<hex>"? Returns
// { ok, reason }.
export async function checkOpening(commit, saltB64, value) {
  const m = /^sha256:([0-9a-f]{64})$/.exec(commit || '');
  if (!m) return { ok: false, reason: 'the commitment is not sha256:<64 hex digits>' };
  let salt;
  try { salt = b64decode(saltB64); } catch { return { ok: false, reason: 'the salt is not valid base64' }; }
  if (salt.length !== 32) return { ok: false, reason: 'the salt is not 32 bytes' };
  let canon;
  try { canon = canonicalize(value); } catch (e) { return { ok: false, reason: 'the disclosed value cannot be checked here: ' + e.message }; }
  const digest = await sha256(concat(salt, utf8(canon)));
  if (!equal(digest, fromHex(m[1])))
    return { ok: false, reason: 'SHA-256 of the salt and the disclosed value is not the commitment made at signing' };
  return { ok: true, reason: '' };
}

// The value at a dotted path ("terms.phases") of an event, or undefined.
export function fieldAt(event, path) {
  let v = event;
  for (const k of path.split('.')) {
    if (!v || typeof v !== 'object' || !(k in v)) return undefined;
    v = v[k];
  }
  return v;
}
