// tlog.js: reading the log as C2SP tlog-tiles and proving inclusion from the
// tiles themselves, so that the page trusts no proof the server computed.
//
// Hash tiles have height 8: tile/<L>/<N> holds the hashes at tree level 8L,
// nodes N*256 ... N*256+255; tile/entries/<N> holds entries N*256 ... as a
// bundle (each a big-endian uint16 length, then the entry). A partial tile
// of width W has the suffix .p/<W>. N is written in groups of three digits,
// all but the last prefixed with x: 1234067 -> x001/x234/067.
//
// Inclusion proofs follow RFC 9162 section 2.1.3: the path is generated
// from tile hashes (2.1.3.1) and checked against the signed root (2.1.3.2).
import { equal, fromUtf8 } from './bytes.js';
import { leafHash, nodeHash } from './hash.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export function tileIndexPath(n) {
  let s = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    s = 'x' + String(n % 1000).padStart(3, '0') + '/' + s;
    n = Math.floor(n / 1000);
  }
  return s;
}

// level: a number for hash tiles, 'entries' for entry bundles.
export function tilePath(level, index, width) {
  let p = `tile/${level}/${tileIndexPath(index)}`;
  if (width < TILE_WIDTH) p += `.p/${width}`;
  return p;
}

// Width of tile (level, index) in a tree of `size` leaves: 256 when full,
// 1..255 at the right edge, 0 when it does not exist. Entry bundles have
// the widths of level 0.
export function tileWidth(level, index, size) {
  const lv = level === 'entries' ? 0 : level;
  const nodes = Math.floor(size / 2 ** (TILE_HEIGHT * lv));
  const w = nodes - index * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, w));
}

function isPow2(n) {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}
function largestPow2Below(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export class TileError extends Error {}

// Reads tiles for a tree of `size` entries through `fetchBytes(path)`
// (resolving to a Uint8Array, or null for 404). Tiles are cached; every
// fetched tile's length is checked. `onFetch(path)` (optional) is told of
// each tile fetched, for the page to say what it read.
export class TileReader {
  constructor(size, fetchBytes, onFetch) {
    this.size = size;
    this.fetchBytes = fetchBytes;
    this.onFetch = onFetch || (() => {});
    this.cache = new Map();
  }

  async tile(level, index) {
    const width = tileWidth(level, index, this.size);
    if (width === 0) throw new TileError(`tile ${level}/${index} is outside a tree of ${this.size} entries`);
    const key = `${level}/${index}/${width}`;
    if (!this.cache.has(key)) this.cache.set(key, this.load(level, index, width));
    return this.cache.get(key);
  }

  async load(level, index, width) {
    const path = tilePath(level, index, width);
    this.onFetch(path);
    let data = await this.fetchBytes(path);
    let used = path;
    if (data === null && width < TILE_WIDTH) {
      // The log grew past this checkpoint and the tile is full now: a full
      // tile's first `width` elements are the partial tile (C2SP tlog-tiles).
      used = tilePath(level, index, TILE_WIDTH);
      this.onFetch(used);
      data = await this.fetchBytes(used);
    }
    if (data === null) throw new TileError(`the server has no ${path}`);
    if (level === 'entries') {
      const entries = [];
      let o = 0;
      while (o < data.length && entries.length < width) {
        if (o + 2 > data.length) throw new TileError(`${used} is truncated`);
        const n = (data[o] << 8) | data[o + 1];
        if (o + 2 + n > data.length) throw new TileError(`${used} is truncated`);
        entries.push(data.subarray(o + 2, o + 2 + n));
        o += 2 + n;
      }
      if (entries.length < width || (data.length !== o && width === TILE_WIDTH))
        throw new TileError(`${used} does not hold ${width} entries`);
      return entries;
    }
    if (data.length < 32 * width || (used === path && data.length !== 32 * width))
      throw new TileError(`${used} is ${data.length} bytes, not ${32 * width}`);
    const hashes = [];
    for (let i = 0; i < width; i++) hashes.push(data.subarray(32 * i, 32 * i + 32));
    return hashes;
  }

  // The entry at `index`, from its bundle.
  async entry(index) {
    if (index < 0 || index >= this.size) throw new TileError(`entry ${index} is outside the tree`);
    const bundle = await this.tile('entries', Math.floor(index / TILE_WIDTH));
    return bundle[index % TILE_WIDTH];
  }

  // The hash of the complete subtree at tree level `h`, index `i` (leaves
  // i*2^h ... (i+1)*2^h - 1), from the tile at level floor(h/8) and, inside
  // the tile, the 2^(h mod 8) stored hashes below it.
  async hashAt(h, i) {
    const L = Math.floor(h / TILE_HEIGHT);
    const r = h - TILE_HEIGHT * L;
    const first = i * 2 ** r; // index at stored level 8L
    const t = Math.floor(first / TILE_WIDTH);
    const hashes = await this.tile(L, t);
    let row = hashes.slice(first - t * TILE_WIDTH, first - t * TILE_WIDTH + 2 ** r);
    if (row.length !== 2 ** r) throw new TileError(`tile ${L}/${t} lacks the hashes below node ${h}/${i}`);
    while (row.length > 1) {
      const up = [];
      for (let j = 0; j < row.length; j += 2) up.push(await nodeHash(row[j], row[j + 1]));
      row = up;
    }
    return row[0];
  }

  // MTH(D[lo:hi]) (RFC 9162 2.1.1), from the largest complete subtrees.
  async subtreeHash(lo, hi) {
    const n = hi - lo;
    if (isPow2(n) && lo % n === 0) return this.hashAt(Math.log2(n), lo / n);
    const k = largestPow2Below(n);
    return nodeHash(await this.subtreeHash(lo, lo + k), await this.subtreeHash(lo + k, hi));
  }

  // PATH(m, D[0:size]) (RFC 9162 2.1.3.1).
  async inclusionProof(m) {
    if (m < 0 || m >= this.size) throw new TileError(`entry ${m} is outside a tree of ${this.size}`);
    const path = [];
    const walk = async (lo, hi) => {
      if (hi - lo <= 1) return;
      const k = largestPow2Below(hi - lo);
      if (m < lo + k) {
        await walk(lo, lo + k);
        path.push(await this.subtreeHash(lo + k, hi));
      } else {
        await walk(lo + k, hi);
        path.push(await this.subtreeHash(lo, lo + k));
      }
    };
    await walk(0, this.size);
    return path;
  }

  async rootHash() {
    if (this.size === 0) return null;
    return this.subtreeHash(0, this.size);
  }
}

// Checks an inclusion proof (RFC 9162 2.1.3.2). Returns true or false.
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index >= 0 && index < size)) return false;
  if (leaf.length !== 32 || root.length !== 32 || proof.some((p) => p.length !== 32)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

// The merged proof of a version 2 certificate (docs/certificate.md, "The
// merged proof"): the hashes of the maximal subtrees that hold none of the
// included leaves, each once, in the order a walk from the root meets them,
// left subtree before right, the tree split as RFC 9162 2.1.1 splits it.
// One walk serves counting (leaves null) and verifying. `indexes` strictly
// increasing and below `size` (else null); returns the root it hashes to
// (or the count), st.used the nodes taken.
async function walkMerged(lo, hi, indexes, a, b, leaves, nodes, st) {
  if (a === b) {
    if (!leaves) { st.used++; return null; }
    if (st.used === nodes.length) throw new Error('too few nodes');
    return nodes[st.used++];
  }
  if (hi - lo === 1) return leaves ? leaves[a] : null;
  const k = largestPow2Below(hi - lo);
  let m = a;
  while (m < b && indexes[m] < lo + k) m++;
  const left = await walkMerged(lo, lo + k, indexes, a, m, leaves, nodes, st);
  const right = await walkMerged(lo + k, hi, indexes, m, b, leaves, nodes, st);
  return leaves ? nodeHash(left, right) : null;
}

const indexesFit = (size, indexes) => size > 0 && indexes.every((x, i) => Number.isSafeInteger(x) && x >= 0 && x < size && (i === 0 || x > indexes[i - 1]));

// How many nodes the merged proof of these indexes has (null: the indexes
// are not increasing inside the tree).
export async function mergedProofCount(size, indexes) {
  if (!indexesFit(size, indexes)) return null;
  const st = { used: 0 };
  await walkMerged(0, size, indexes, 0, indexes.length, null, null, st);
  return st.used;
}

// Checks a merged proof: leaves[i] (32-byte leaf hashes) at indexes[i], the
// proof's nodes, against the root of the tree of `size`. True or false.
export async function verifyMergedProof(size, indexes, leaves, nodes, root) {
  if (!indexesFit(size, indexes) || leaves.length !== indexes.length) return false;
  const st = { used: 0 };
  try {
    const got = await walkMerged(0, size, indexes, 0, indexes.length, leaves, nodes, st);
    return st.used === nodes.length && equal(got, root);
  } catch {
    return false;
  }
}

// Proves that entry `index` is in the tree of the checkpoint `cp`: reads the
// entry from its bundle, hashes it, checks the hash against the level-0
// tile, generates the path from tiles and checks it against the root.
// Returns { ok, index, entry (bytes), text (string), leaf, proofLength, reason }.
export async function proveEntry(reader, cp, index) {
  const out = { ok: false, index, entry: null, text: null, leaf: null, proofLength: 0, reason: '' };
  try {
    out.entry = await reader.entry(index);
    try { out.text = fromUtf8(out.entry); } catch { out.text = null; }
    out.leaf = await leafHash(out.entry);
    const stored = await reader.hashAt(0, index);
    const proof = await reader.inclusionProof(index);
    out.proofLength = proof.length;
    if (!equal(stored, out.leaf)) {
      out.reason = `the log's hash tile disagrees with entry ${index}: the tile says its hash is different from the hash of the entry served`;
      return out;
    }
    if (!(await verifyInclusion(index, cp.size, out.leaf, proof, cp.root))) {
      out.reason = `entry ${index} is not in the signed tree: hashing it up with the ${proof.length} hashes read from the tiles does not give the signed root hash`;
      return out;
    }
    out.ok = true;
  } catch (e) {
    out.reason = e instanceof TileError ? e.message : `entry ${index}: ${e.message}`;
  }
  return out;
}

// Recomputes the whole tree from the entries: every entry hashed, every
// level-0 tile compared, and the root compared with the signed one. Higher
// tiles are compared too. `progress(done, total)` is called now and then.
// Returns { ok, entries, tiles, reason }.
export async function checkWholeLog(reader, cp, progress = () => {}) {
  const res = { ok: false, entries: 0, tiles: 0, reason: '' };
  try {
    let level = [];
    for (let t = 0; t * TILE_WIDTH < cp.size; t++) {
      const bundle = await reader.tile('entries', t);
      const tile = await reader.tile(0, t);
      for (let j = 0; j < bundle.length; j++) {
        const h = await leafHash(bundle[j]);
        const idx = t * TILE_WIDTH + j;
        if (!equal(h, tile[j])) {
          res.reason = `entry ${idx} does not hash to what the log's tile ${tilePath(0, t, tile.length)} says`;
          return res;
        }
        level.push(h);
        res.entries++;
      }
      res.tiles++;
      progress(res.entries, cp.size);
    }
    // Higher stored levels: level 8L is made from level 8(L-1).
    for (let L = 1; 2 ** (TILE_HEIGHT * L) <= cp.size; L++) {
      let row = level;
      for (let k = 0; k < TILE_HEIGHT; k++) {
        const up = [];
        for (let j = 0; j + 1 < row.length; j += 2) up.push(await nodeHash(row[j], row[j + 1]));
        row = up;
      }
      for (let t = 0; t * TILE_WIDTH < row.length; t++) {
        const tile = await reader.tile(L, t);
        for (let j = 0; j < tile.length; j++) {
          if (!equal(tile[j], row[t * TILE_WIDTH + j])) {
            res.reason = `the log's tile ${tilePath(L, t, tile.length)} does not match the entries below it`;
            return res;
          }
        }
        res.tiles++;
      }
      level = row;
    }
    const root = await reader.rootHash();
    if (!equal(root, cp.root)) {
      res.reason = 'the tiles do not add up to the signed root hash';
      return res;
    }
    res.ok = true;
  } catch (e) {
    res.reason = e.message;
  }
  return res;
}
