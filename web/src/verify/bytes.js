// bytes.js: the byte plumbing of the in-browser checks: strict base64,
// hex, UTF-8, concatenation and comparison of Uint8Arrays.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

// Standard base64 with padding, strict: throws on any other character, on a
// bad length and on non-zero padding bits, so that one text has one meaning.
export function b64decode(s) {
  if (typeof s !== 'string' || s.length % 4 !== 0) throw new Error('bad base64 length');
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const v = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      if (c === 61 /* = */ && i + 4 === s.length && j >= 4 - pad) { v[j] = 0; continue; }
      const d = c < 128 ? B64_INDEX[c] : -1;
      if (d < 0) throw new Error('bad base64 character');
      v[j] = d;
    }
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    const last = i + 4 === s.length;
    if (last && pad === 2 && (n & 0xffff) !== 0) throw new Error('bad base64 padding bits');
    if (last && pad === 1 && (n & 0xff) !== 0) throw new Error('bad base64 padding bits');
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

export function b64encode(u8) {
  let s = '';
  for (let i = 0; i < u8.length; i += 3) {
    const n = (u8[i] << 16) | ((u8[i + 1] ?? 0) << 8) | (u8[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63];
    s += i + 1 < u8.length ? B64[(n >> 6) & 63] : '=';
    s += i + 2 < u8.length ? B64[n & 63] : '=';
  }
  return s;
}

export function hex(u8) {
  let s = '';
  for (const b of u8) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s) {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error('bad hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
export const utf8 = (s) => enc.encode(s);
export const fromUtf8 = (u8) => dec.decode(u8);
