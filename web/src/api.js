// api.js: what the page reads from `oretrail serve`: the JSON API under
// api/ and the log itself (checkpoint, tiles). Paths are relative, so the
// dashboard works wherever the server is mounted.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function get(path) {
  let res;
  try {
    res = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(`the server did not answer (${path}): ${e.message}`, 0);
  }
  return res;
}

export async function getJSON(path) {
  const res = await get(path);
  const text = await res.text();
  let doc = null;
  try { doc = JSON.parse(text); } catch { /* below */ }
  if (!res.ok) {
    const msg = doc && doc.error && doc.error.message ? doc.error.message : `${res.status} ${res.statusText}`;
    throw new ApiError(msg, res.status);
  }
  if (doc === null) throw new ApiError(`${path}: the answer is not JSON`, res.status);
  return doc;
}

export async function getText(path) {
  const res = await get(path);
  if (!res.ok) throw new ApiError(`${path}: ${res.status} ${res.statusText}`, res.status);
  return res.text();
}

// Bytes, or null for 404.
export async function getBytes(path) {
  const res = await get(path);
  if (res.status === 404) return null;
  if (!res.ok) throw new ApiError(`${path}: ${res.status} ${res.statusText}`, res.status);
  return new Uint8Array(await res.arrayBuffer());
}

const enc = encodeURIComponent;

// Short-lived cache so that moving between pages does not refetch
// everything; the verification always refetches what it checks.
const cache = new Map();
function cached(key, fn, ttl = 5000) {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < ttl) return hit.promise;
  const promise = fn();
  cache.set(key, { at: Date.now(), promise });
  promise.catch(() => cache.delete(key));
  return promise;
}

// Every record of a paged list (/api/<name>?limit=&after=), up to maxPages.
export function listAll(name, maxPages = 20) {
  return cached(`list:${name}`, async () => {
    const items = [];
    let after = null;
    let more = false;
    for (let i = 0; i < maxPages; i++) {
      const q = `api/${name}?limit=1000` + (after ? `&after=${enc(after)}` : '');
      const doc = await getJSON(q);
      items.push(...(doc[name] || []));
      after = doc.next;
      more = !!after;
      if (!after) break;
    }
    return { items, more };
  });
}

export const api = {
  checkpoint: () => cached('checkpoint', () => getJSON('api/checkpoint'), 2000),
  lot: (id) => cached(`lot:${id}`, () => getJSON(`api/lots/${enc(id)}`)),
  consignment: (id) => cached(`consignment:${id}`, () => getJSON(`api/consignments/${enc(id)}`)),
  contract: (id) => cached(`contract:${id}`, () => getJSON(`api/contracts/${enc(id)}`)),
  actor: (id) => cached(`actor:${id}`, () => getJSON(`api/actors/${enc(id)}`)),
  site: (id) => cached(`site:${id}`, () => getJSON(`api/sites/${enc(id)}`)),
  findings: () => cached('findings', () => getJSON('api/findings')),
  report: () => cached('report', () => getJSON('api/report')),
  entry: (index) => cached(`entry:${index}`, () => getJSON(`api/entries/${index}`), 60000),
  lots: () => listAll('lots'),
  consignments: () => listAll('consignments'),
  contracts: () => listAll('contracts'),
  actors: () => listAll('actors'),
  sites: () => listAll('sites'),
};

// Index a list by a field.
export function byKey(items, key) {
  const m = new Map();
  for (const it of items) m.set(it[key], it);
  return m;
}
