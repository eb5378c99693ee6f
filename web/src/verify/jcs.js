// jcs.js: RFC 8785 JSON canonicalization, for values parsed with
// JSON.parse. Object members sorted by their UTF-16 code units (JS's default
// string order), strings and numbers serialised as ECMAScript does (which is
// what RFC 8785 prescribes), no whitespace. Integers beyond 2^53 cannot be
// represented exactly after JSON.parse: canonicalize() refuses them.
export function canonicalize(v) {
  if (v === null || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('JSON has no NaN or Infinity');
    if (Number.isInteger(v) && !Number.isSafeInteger(v))
      throw new Error('an integer too large to check exactly in a browser');
    return JSON.stringify(v);
  }
  if (typeof v === 'string') {
    if (/\p{Surrogate}/u.test(v)) throw new Error('a string with a lone surrogate');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(canonicalize).join(',') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalize(v[k])).join(',') + '}';
  }
  throw new Error('not a JSON value');
}
