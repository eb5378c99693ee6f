// hash.js: SHA-256 through WebCrypto, and RFC 6962 leaf and node hashing
// (RFC 9162 section 2.1.1): leaf = SHA-256(0x00 || entry),
// node = SHA-256(0x01 || left || right).
import { concat } from './bytes.js';

const subtle = globalThis.crypto && globalThis.crypto.subtle;

export function cryptoAvailable() {
  return !!subtle;
}

export async function sha256(u8) {
  if (!subtle) throw new Error('this browser offers no WebCrypto (a page served over plain HTTP from another host has none: use localhost or HTTPS)');
  return new Uint8Array(await subtle.digest('SHA-256', u8));
}

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export const leafHash = (entry) => sha256(concat(LEAF, entry));
export const nodeHash = (left, right) => sha256(concat(NODE, left, right));
