// verify_unit.test.mjs: the dashboard's in-browser verification code
// (web/src/verify/) under node, which has the same WebCrypto (SHA-256,
// Ed25519) as the browser.
//   - tile paths, and proofs and roots computed from tiles, against the
//     known answers Go's sumdb/tlog made (tests/data/tiles/kat.txt);
//   - RFC 6962 inclusion vectors (../shared/conformance, skipped if absent);
//   - signed checkpoints and commitments made by the oretrail CLI ($OT_CLI);
//   - strict base64, RFC 8785 canonical JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const V = path.join(here, '../../web/src/verify');
const { b64decode, b64encode, concat, hex, utf8 } = await import(path.join(V, 'bytes.js'));
const { leafHash, nodeHash, sha256 } = await import(path.join(V, 'hash.js'));
const { TileReader, checkWholeLog, proveEntry, tileIndexPath, tilePath, tileWidth, verifyInclusion } = await import(path.join(V, 'tlog.js'));
const { parseCheckpoint, parseVerifierKey, verifyCheckpoint } = await import(path.join(V, 'note.js'));
const { canonicalize } = await import(path.join(V, 'jcs.js'));
const { checkOpening, fieldAt, parseEntry } = await import(path.join(V, 'events.js'));

const DATA = process.env.OT_TEST_DATA || path.join(here, '../data');
const CONFORMANCE = process.env.OT_CONFORMANCE || path.join(here, '../../../shared/conformance');
const CLI = process.env.OT_CLI || '';

test('strict base64', () => {
  assert.deepEqual([...b64decode('AQID')], [1, 2, 3]);
  assert.deepEqual([...b64decode('AQI=')], [1, 2]);
  assert.deepEqual([...b64decode('AQ==')], [1]);
  assert.equal(b64encode(new Uint8Array([1, 2, 3, 4])), 'AQIDBA==');
  for (const bad of ['AQI', 'AQ=I', 'AR==', 'AQJ=', 'A-I=', '====', 'AQ=\n']) assert.throws(() => b64decode(bad), bad);
});

test('tile paths (C2SP tlog-tiles)', () => {
  assert.equal(tileIndexPath(0), '000');
  assert.equal(tileIndexPath(1234067), 'x001/x234/067');
  assert.equal(tileIndexPath(1000), 'x001/000');
  assert.equal(tilePath(0, 1234067, 7), 'tile/0/x001/x234/067.p/7');
  assert.equal(tilePath('entries', 3, 256), 'tile/entries/003');
  assert.equal(tileWidth(0, 0, 42), 42);
  assert.equal(tileWidth(0, 1, 300), 44);
  assert.equal(tileWidth(1, 0, 255), 0);
  assert.equal(tileWidth(1, 0, 256), 1);
  assert.equal(tileWidth(1, 0, 70000), 256);
  assert.equal(tileWidth(1, 1, 70000), 17);
  assert.equal(tileWidth(2, 0, 70000), 1);
  assert.equal(tileWidth('entries', 2, 512), 0);
});

test('RFC 8785 canonical JSON', () => {
  assert.equal(canonicalize({ b: [1, 'é\u0001'], a: 'x', '\u20ac': 1, '\r': 2 }), '{"\\r":2,"a":"x","b":[1,"é\\u0001"],"\u20ac":1}');
  assert.equal(canonicalize([true, null, -0, 0.5, 1e-7]), '[true,null,0,0.5,1e-7]');
  assert.throws(() => canonicalize(2 ** 60));
  assert.throws(() => canonicalize('\ud800'));
});

// The known-answer log: entry i is "oretrail kat entry <i>\n".
// The reference tree is hashed with node:crypto (independently of the code
// under test, and much faster than one WebCrypto call per node).
const H = (...parts) => new Uint8Array(createHash('sha256').update(concat(...parts)).digest());
async function buildKatLog(n) {
  const entries = [];
  const levels = [[]];
  for (let i = 0; i < n; i++) {
    entries.push(utf8(`oretrail kat entry ${i}\n`));
    levels[0].push(H(new Uint8Array([0]), entries[i]));
  }
  for (let l = 1; levels[l - 1].length > 1; l++) {
    const below = levels[l - 1];
    const row = [];
    for (let j = 0; j + 1 < below.length; j += 2) row.push(H(new Uint8Array([1]), below[j], below[j + 1]));
    levels.push(row);
  }
  // The code under test agrees on a few hashes.
  assert.deepEqual(await leafHash(entries[0]), levels[0][0]);
  if (n > 1) assert.deepEqual(await nodeHash(levels[0][0], levels[0][1]), levels[1][0]);
  return { entries, levels };
}

function parseTilePath(p) {
  const m = /^tile\/(entries|\d+)\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d+))?$/.exec(p);
  if (!m) return null;
  const index = Number(m[2].replace(/x/g, '').replace(/\//g, ''));
  return { level: m[1] === 'entries' ? 'entries' : Number(m[1]), index, width: m[3] ? Number(m[3]) : 256 };
}

// The bytes a server would serve at path p, from a log of at least the
// tile's extent; null when the tile does not exist (a 404).
function tileBytes(log, p) {
  const t = parseTilePath(p);
  if (!t) return null;
  const first = t.index * 256;
  if (t.level === 'entries') {
    if (first + t.width > log.entries.length) return null;
    const parts = [];
    for (let i = first; i < first + t.width; i++) {
      const e = log.entries[i];
      parts.push(new Uint8Array([e.length >> 8, e.length & 255]), e);
    }
    return concat(...parts);
  }
  const row = log.levels[8 * t.level] || [];
  if (first + t.width > row.length) return null;
  return concat(...row.slice(first, first + t.width));
}

test('roots, tiles and inclusion proofs from tiles match the Go-made known answers', { timeout: 240000 }, async () => {
  const kat = readFileSync(path.join(DATA, 'tiles/kat.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const sizes = [...new Set(kat.map((l) => Number(l.split(' ')[0])))];
  const maxSize = Math.max(...sizes);
  const log = await buildKatLog(maxSize);
  let tiles = 0;
  for (const line of kat) {
    const [sizeText, what, a, b] = line.split(' ');
    const size = Number(sizeText);
    if (what === 'root') continue;
    const t = parseTilePath(what);
    assert.ok(t, what);
    assert.equal(tilePath(t.level, t.index, t.width), what, 'our path for the tile');
    assert.equal(tileWidth(t.level, t.index, size), Number(a), `${what} width at ${size}`);
    assert.equal(hex(await sha256(tileBytes(log, what))), b, what);
    tiles++;
  }
  assert.ok(tiles > 20);
  for (const line of kat.filter((l) => l.split(' ')[1] === 'root')) {
    const [sizeText, , rootB64] = line.split(' ');
    const size = Number(sizeText);
    // A server that has only this tree (the log of `size` entries).
    const view = { entries: log.entries.slice(0, size), levels: log.levels.map((row, l) => row.slice(0, Math.floor(size / 2 ** l))) };
    const fetched = [];
    const reader = new TileReader(size, async (p) => tileBytes(view, p), (p) => fetched.push(p));
    const root = await reader.rootHash();
    assert.equal(b64encode(root), rootB64, `root of ${size}`);
    const cp = { size, root };
    for (const m of new Set([0, size - 1, Math.floor(size / 2), Math.floor(size / 3) * 2])) {
      const r = await proveEntry(reader, cp, m);
      assert.ok(r.ok, `entry ${m} in ${size}: ${r.reason}`);
      const proof = await reader.inclusionProof(m);
      assert.equal(await verifyInclusion(m, size, await leafHash(utf8('not an entry')), proof, root), false, 'another leaf does not verify');
    }
  }
});

test('a log whose tiles were altered does not verify', async () => {
  const log = await buildKatLog(300);
  const good = async (p) => tileBytes(log, p);
  const root = await new TileReader(300, good).rootHash();
  const cp = { size: 300, root };
  assert.ok((await checkWholeLog(new TileReader(300, good), cp)).ok);
  // Flip one bit of entry 7's hash in tile 0.
  const bad = async (p) => {
    const b = tileBytes(log, p);
    if (b && p === 'tile/0/000') { const c = b.slice(); c[7 * 32] ^= 1; return c; }
    return b;
  };
  const whole = await checkWholeLog(new TileReader(300, bad), cp);
  assert.equal(whole.ok, false);
  assert.match(whole.reason, /entry 7 does not hash to what the log's tile tile\/0\/000 says/);
  const r7 = await proveEntry(new TileReader(300, bad), cp, 7);
  assert.equal(r7.ok, false);
  assert.match(r7.reason, /hash tile disagrees with entry 7/);
  const r6 = await proveEntry(new TileReader(300, bad), cp, 6);
  assert.equal(r6.ok, false, 'its neighbour\'s proof goes through the altered hash');
  assert.match(r6.reason, /not in the signed tree/);
  // A far entry's proof takes the hash of entries 0-255 from tile 1/000,
  // not from tile 0: it still verifies (the whole-log check above is what
  // catches a tile inconsistent with the tiles above it).
  assert.ok((await proveEntry(new TileReader(300, bad), cp, 299)).ok);
  // An altered entry bundle.
  const badEntry = async (p) => {
    const b = tileBytes(log, p);
    if (b && p === 'tile/entries/001.p/44') { const c = b.slice(); c[5] ^= 0x20; return c; }
    return b;
  };
  const r256 = await proveEntry(new TileReader(300, badEntry), cp, 256);
  assert.equal(r256.ok, false);
  // A truncated tile.
  const short = async (p) => (p === 'tile/0/001.p/44' ? tileBytes(log, p).slice(0, 40) : tileBytes(log, p));
  assert.match((await proveEntry(new TileReader(300, short), cp, 280)).reason, /is 40 bytes, not 1408/);
});

test('RFC 6962 inclusion proof vectors', async (t) => {
  const dir = path.join(CONFORMANCE, 'tlog/inclusion');
  if (!existsSync(dir)) { t.skip(`no conformance data at ${dir}`); return; }
  let n = 0;
  for (const sub of readdirSync(dir)) {
    for (const f of readdirSync(path.join(dir, sub)).filter((x) => x.endsWith('.json'))) {
      const v = JSON.parse(readFileSync(path.join(dir, sub, f), 'utf8'));
      let ok;
      try {
        ok = await verifyInclusion(v.leafIdx, v.treeSize, b64decode(v.leafHash || ''), (v.proof || []).map(b64decode), b64decode(v.root || ''));
      } catch {
        ok = false;
      }
      assert.equal(ok, !v.wantErr, `${sub}/${f}: ${v.desc}`);
      n++;
    }
  }
  assert.ok(n > 10);
});

function cli(args, opts = {}) {
  return execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

test('checkpoints signed by oretrail verify; altered ones and other keys do not', async (t) => {
  if (!CLI || !existsSync(CLI)) { t.skip('OT_CLI is not set'); return; }
  const base = process.env.OT_TMP || os.tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'web-unit-'));
  try {
    const db = path.join(dir, 'l.db');
    cli(['init', '--db', db, '--origin', 'unit.example/web', '--key-name', 'unit-log']);
    const vkeyText = readFileSync(`${db}.vkey`, 'utf8').trim();
    const key = await parseVerifierKey(vkeyText);
    assert.equal(key.name, 'unit-log');
    const note = cli(['checkpoint', '--db', db]);
    const ok = await verifyCheckpoint(note, key);
    assert.ok(ok.ok, ok.reason);
    assert.equal(ok.checkpoint.origin, 'unit.example/web');
    assert.equal(ok.checkpoint.size, 0);
    assert.deepEqual(parseCheckpoint(ok.note.text).root, ok.checkpoint.root);
    // The text altered after signing.
    const altered = note.replace('unit.example/web', 'unit.example/wex');
    const bad = await verifyCheckpoint(altered, key);
    assert.equal(bad.ok, false);
    assert.match(bad.reason, /signature does not match/);
    // Another key of the same name.
    cli(['key', 'new', 'unit-log', '--dir', dir]);
    const other = await parseVerifierKey(readFileSync(path.join(dir, 'unit-log.vkey'), 'utf8'));
    const wrong = await verifyCheckpoint(note, other);
    assert.equal(wrong.ok, false);
    assert.match(wrong.reason, /no signature by the key unit-log\+/);
    // A key whose id does not match.
    await assert.rejects(parseVerifierKey(vkeyText.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), /key id/);
    // Malformed notes.
    for (const m of [note.replace('\n\n', '\n'), note + 'x', note.replace('\u2014', '-')]) assert.equal((await verifyCheckpoint(m, key)).ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('commitments made by oretrail open in the browser code', async (t) => {
  if (!CLI || !existsSync(CLI)) { t.skip('OT_CLI is not set'); return; }
  const base = process.env.OT_TMP || os.tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'web-commit-'));
  try {
    const openings = path.join(dir, 'o.jsonl');
    const doc = path.join(dir, 'doc.txt');
    writeFileSync(doc, 'Article 1.\n\u00c9t\u00e9 \u2014 "quoted" \\ and a tab\there.\n');
    const values = ['{"b":[1,"\u00e9\\u0001"],"a":"x","n":-12}', '"a plain string"', '42'];
    for (const v of values) cli(['commit', '--openings', openings, v]);
    cli(['commit', '--openings', openings, '--file', doc]);
    const lines = readFileSync(openings, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    for (const o of lines) {
      const r = await checkOpening(o.commit, o.salt, o.value);
      assert.ok(r.ok, `${JSON.stringify(o.value)}: ${r.reason}`);
    }
    const last = lines[3];
    assert.equal(last.value, readFileSync(doc, 'utf8'));
    assert.equal((await checkOpening(last.commit, last.salt, last.value + ' ')).ok, false);
    assert.equal((await checkOpening(last.commit, lines[0].salt, last.value)).ok, false);
    assert.equal(fieldAt({ terms: { phases: 1 } }, 'terms.phases'), 1);
    assert.equal(fieldAt({ terms: {} }, 'terms.phases'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('entries: the event bytes are cut out exactly', () => {
  const event = '{"id":"e1","mass_g":5,"note":"a,\\"sig\\":\\"x","type":"extract"}';
  const entry = utf8(`{"event":${event},"sig":"c2ln","signer":"fwo"}`);
  const p = parseEntry(entry);
  assert.equal(new TextDecoder().decode(p.eventBytes), event);
  assert.equal(p.signer, 'fwo');
  assert.throws(() => parseEntry(utf8('{"signer":"fwo","event":{},"sig":"x"}')));
});

// Provenance certificates (docs/certificate.md) made by `oretrail prove` on
// the demo ledger: what web/src/verify/certificate.js accepts and, for each
// kind of edit, which check fails, at which entry.
test('provenance certificates made by oretrail: the browser checks', async (t) => {
  if (!CLI || !existsSync(CLI)) { t.skip('OT_CLI is not set'); return; }
  const { checkClaimOrigins, parseCertificate, verifyCertificate } = await import(path.join(V, 'certificate.js'));
  const base = process.env.OT_TMP || os.tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'web-cert-'));
  try {
    execFileSync(path.join(here, '../../scripts/demo'), ['--no-serve', '--dir', path.join(dir, 'demo')],
      { env: { ...process.env, OT_CLI: CLI }, stdio: ['ignore', 'ignore', 'pipe'] });
    const db = path.join(dir, 'demo', 'ledger.db');
    const vkeyFile = `${db}.vkey`;
    const key = await parseVerifierKey(readFileSync(vkeyFile, 'utf8'));
    const text = cli(['prove', 'lot-ndpr-oxide-001', '--db', db]);
    // The C verifier agrees that this one is good.
    const certFile = path.join(dir, 'cert.json');
    writeFileSync(certFile, text);
    cli(['verify', certFile, '--key', vkeyFile]);

    const good = await verifyCertificate(text, key);
    assert.ok(good.ok, JSON.stringify(good.failures));
    assert.equal(good.cert.lot, 'lot-ndpr-oxide-001');
    assert.equal(good.entries.length, JSON.parse(text).entries.length);
    assert.ok(good.steps.every((s) => s.ok === true), 'every step passes');

    // Every node hash of the tree the version 2 merged proof walks, by
    // [lo, hi) (docs/certificate.md, "The merged proof", walked here
    // independently of web/src/verify): from it, a version 1 certificate
    // (inclusion paths) or the merged proof of fewer entries.
    const split = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
    const H = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const leafOf = (e) => H(Buffer.from([0]), Buffer.from(canonicalize(e.entry)));
    const nodesOf = (c) => {
      const memo = new Map();
      const nodes = c.proof.map((x) => Buffer.from(x, 'base64'));
      const walk = (lo, hi, its) => {
        let h;
        if (!its.length) h = nodes.shift();
        else if (hi - lo === 1) h = leafOf(its[0]);
        else {
          const k = split(hi - lo);
          h = H(Buffer.from([1]), walk(lo, lo + k, its.filter((e) => e.index < lo + k)), walk(lo + k, hi, its.filter((e) => e.index >= lo + k)));
        }
        memo.set(`${lo} ${hi}`, h);
        return h;
      };
      assert.equal(walk(0, c.log.size, c.entries).toString('base64'), c.log.root);
      return memo;
    };
    const reprove = (c, memo) => {
      const out = [];
      const gen = (lo, hi, its) => {
        if (!its.length) out.push(memo.get(`${lo} ${hi}`).toString('base64'));
        else if (hi - lo > 1) {
          const k = split(hi - lo);
          gen(lo, lo + k, its.filter((e) => e.index < lo + k));
          gen(lo + k, hi, its.filter((e) => e.index >= lo + k));
        }
      };
      gen(0, c.log.size, c.entries);
      c.proof = out;
    };
    const toV1 = (c) => {
      const memo = nodesOf(c);
      const path = (lo, hi, m) => {
        if (hi - lo === 1) return [];
        const k = split(hi - lo);
        return m < lo + k ? [...path(lo, lo + k, m), memo.get(`${lo + k} ${hi}`)] : [...path(lo + k, hi, m), memo.get(`${lo} ${lo + k}`)];
      };
      c.entries = c.entries.map((e) => ({
        index: e.index,
        entry: Buffer.from(canonicalize(e.entry)).toString('base64'),
        leaf_hash: leafOf(e).toString('base64'),
        proof: path(0, c.log.size, e.index).map((h) => h.toString('base64')),
      }));
      delete c.proof;
      c.version = 1;
    };
    const v2 = JSON.parse(text);
    assert.equal(v2.version, 2);
    const v1 = JSON.parse(text);
    toV1(v1);
    const v1Text = JSON.stringify(v1);
    // The C verifier reads the version 1 form too, and so does the page.
    const v1File = path.join(dir, 'cert-v1.json');
    writeFileSync(v1File, v1Text);
    cli(['verify', v1File, '--key', vkeyFile]);
    const goodV1 = await verifyCertificate(v1Text, key);
    assert.ok(goodV1.ok, JSON.stringify(goodV1.failures));
    assert.ok(goodV1.steps.every((s) => s.ok === true), 'every step passes (version 1)');

    const editOf = (src) => (fn) => { const c = JSON.parse(src); fn(c); return JSON.stringify(c); };
    const edit = editOf(text);
    const editV1 = editOf(v1Text);
    const failsWith = async (doc, code, index, re, k = key) => {
      const r = await verifyCertificate(doc, k);
      assert.equal(r.ok, false);
      const f = r.failures[0];
      assert.equal(f.code, code, JSON.stringify(r.failures));
      if (index !== undefined) assert.equal(f.index, index);
      if (re) assert.match(f.reason, re);
      return r;
    };
    const pos = (c) => c.entries.findIndex((e) => e.index === 31);
    // Version 2: the merged proof. One amount of one entry changed, a node
    // changed, a node too few, an entry moved: the proof fails, as a whole.
    await failsWith(edit((c) => { c.entries[pos(c)].entry.event.outputs[0].mass_g += 1; }),
      'proof_invalid', null, /an entry or a proof node was altered/);
    await failsWith(edit((c) => { c.proof[0] = Buffer.alloc(32).toString('base64'); }),
      'proof_invalid', null, /do not lead to the checkpoint's root/);
    await failsWith(edit((c) => { c.proof.pop(); }), 'proof_invalid', null, /merged proof has \d+ nodes; entries at these \d+ indexes of a tree of \d+ need \d+/);
    await failsWith(edit((c) => {
      const i = c.entries.findIndex((e, j) => j + 1 < c.entries.length && c.entries[j + 1].index > e.index + 1);
      c.entries[i].index += 1;
    }), 'proof_invalid', null);
    // The proof remade for fewer entries (anyone can): what is missing shows.
    const memo = nodesOf(v2);
    assert.ok((await verifyCertificate(edit((c) => reprove(c, memo)), key)).ok, 'the remade proof of the same entries is the same');
    await failsWith(edit((c) => { c.entries.splice(pos(c), 1); reprove(c, memo); }), 'missing_entry', 31, /names entry 31/);
    await failsWith(edit((c) => { c.entries.splice(c.entries.findIndex((e) => e.index === 1), 1); reprove(c, memo); }),
      'entry_signature', undefined, /signed by fwo, but no earlier entry of the certificate registers fwo's key/);
    await failsWith(edit((c) => { c.entries[0].entry = 'e30='; }), 'cert_malformed', null, /entries\[0\] is not \{index, entry\}/);
    await failsWith(edit((c) => { delete c.proof; }), 'cert_malformed', null, /needs proof/);
    // Version 1: each entry's own hash and proof.
    await failsWith(editV1((c) => {
      const b = Buffer.from(c.entries[pos(c)].entry, 'base64');
      b[b.indexOf('943900')] ^= 1;
      c.entries[pos(c)].entry = b.toString('base64');
    }), 'entry_altered', 31, /entry 31 does not hash to its leaf hash/);
    await failsWith(editV1((c) => {
      const i = pos(c);
      c.entries[i].entry = c.entries[i - 1].entry;
      c.entries[i].leaf_hash = c.entries[i - 1].leaf_hash;
    }), 'proof_invalid', 31, /inclusion proof of entry 31/);
    await failsWith(editV1((c) => { c.entries.splice(pos(c), 1); }), 'missing_entry', 31, /names entry 31/);
    // A claimed share changed.
    await failsWith(edit((c) => { c.claim.countries[0].share_ppm = 900000; }), 'claim_inconsistent', null, /Nd share.*90\.00 %/);
    // The mines moved to another country, consistently: their registrations disagree.
    await failsWith(edit((c) => { for (const r of [...c.claim.origins, ...c.claim.countries]) r.country = 'CN'; }),
      'claim_inconsistent', null, /puts the mine pk-kp-loe-shilman in CN, but its registration \(entry \d+\) says PK/);
    // The summary disagrees with the checkpoint.
    await failsWith(edit((c) => { c.log.size -= 1; }), 'checkpoint_mismatch', null);
    // Another key, of the same name.
    cli(['key', 'new', key.name, '--dir', dir]);
    const other = await parseVerifierKey(readFileSync(path.join(dir, `${key.name}.vkey`), 'utf8'));
    const wrong = await failsWith(text, 'checkpoint_signature', null, /no signature by the key/, other);
    assert.ok(wrong.steps.slice(2).every((s) => s.ok === null), 'nothing is proven against an unverified checkpoint');
    // Not a certificate, or another version.
    assert.equal(parseCertificate('{').code, 'cert_malformed');
    for (const v of [3, 0]) {
      const p3 = parseCertificate(edit((c) => { c.version = v; }));
      assert.equal(p3.unsupported, true);
      assert.equal(p3.code, 'cert_version');
      assert.match(p3.reason, new RegExp(`unsupported certificate version ${v}`));
      const r3 = await verifyCertificate(edit((c) => { c.version = v; }), key);
      assert.equal(r3.unsupported, true);
      assert.equal(r3.failures[0].code, 'cert_version');
    }
    assert.match(parseCertificate(edit((c) => { c.entries[1].index = 0; })).reason, /increasing order/);
    assert.match(parseCertificate(editV1((c) => { c.entries[1].index = 0; })).reason, /increasing order/);
    // The claim's own arithmetic.
    assert.deepEqual(checkClaimOrigins({ origins: [], countries: [] }), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV downloads: RFC 4180 quoting, and no cell a spreadsheet runs as a formula', async () => {
  const { csvField, toCsv } = await import(path.join(here, '../../web/src/csv.js'));
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "x"'), '"say ""x"""');
  assert.equal(toCsv([['a', 'b'], ['1', '2']]), 'a,b\r\n1,2\r\n');
  // Signer-supplied text that would be a formula stays text.
  assert.equal(csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
  assert.equal(csvField('+1+1'), "'+1+1");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('-2+3'), "'-2+3");
  assert.equal(csvField("-2 +cmd|' /C calc'!A0"), "'-2 +cmd|' /C calc'!A0");
  assert.equal(csvField('+1 HYPERLINK(1)'), "'+1 HYPERLINK(1)");
  assert.equal(csvField('\tx'), "'\tx");
  // Numbers, negative ones with units included, and a lone dash are data.
  for (const v of ['-5', '-1.5 t', '-12,400 g', '-50 g (-0.01 %)', '+3 kg (+0.04 %)', '1,000', '-', 'lot-1', 'PK']) assert.equal(csvField(v), v.includes(',') ? `"${v}"` : v);
});
