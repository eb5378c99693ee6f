// wasm_replay.test.mjs: the WebAssembly replay (web/wasm, through
// web/src/verify/replay.js as the dashboard loads it) derives, byte for
// byte, the state the C replay derives (tests/tools/replay_state) from the
// same ledgers. Run by tests/web/wasm_replay.sh, which builds the module and
// the ledgers:
//
//   OT_WASM_MODULE  the module's ot_replay.mjs (ot_replay.wasm beside it)
//   OT_WASM_CASES   a directory of cases, each a directory with the C
//                   side's state.json, entries.bin, vkey and checkpoint
//                   (and lots.jsonl: ot_replay_lot's document per lot;
//                   crma.json: `oretrail report crma --json` of the ledger)
//   OT_WASM_NOW, OT_WASM_DAYS  the time and withholding limit both used
//   OT_WASM_AT, OT_WASM_PROFILES  the date the lots are judged as of, and
//                   the directory of the profiles they are judged under
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { pathToFileURL } from 'node:url';

import { loadReplay, ReplayError } from '../../web/src/verify/replay.js';

const modulePath = process.env.OT_WASM_MODULE;
const casesDir = process.env.OT_WASM_CASES;
const now = Number(process.env.OT_WASM_NOW);
const days = Number(process.env.OT_WASM_DAYS);
const at = process.env.OT_WASM_AT;
const profilesDir = process.env.OT_WASM_PROFILES;

// entries.bin: each entry a 4-byte big-endian length and its bytes.
function unpack(buf) {
  const out = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let off = 0; off < buf.length; ) {
    const n = view.getUint32(off);
    out.push(buf.subarray(off + 4, off + 4 + n));
    off += 4 + n;
  }
  return out;
}

const factory = (await import(pathToFileURL(modulePath).href)).default;
const engine = await loadReplay(factory, {
  wasmBinary: await readFile(modulePath.replace(/\.mjs$/, '.wasm')),
  getRandomValue: () => webcrypto.getRandomValues(new Uint32Array(1))[0],
});

async function loadCase(name) {
  const dir = path.join(casesDir, name);
  return {
    state: await readFile(path.join(dir, 'state.json'), 'utf8'),
    entries: unpack(await readFile(path.join(dir, 'entries.bin'))),
    vkey: (await readFile(path.join(dir, 'vkey'), 'utf8')).trim(),
    checkpoint: await readFile(path.join(dir, 'checkpoint'), 'utf8'),
    lots: (await readFile(path.join(dir, 'lots.jsonl'), 'utf8')).split('\n').filter(Boolean),
  };
}

const names = (await readdir(casesDir)).sort();

test('there are ledgers to compare, the demo and one with rejected entries among them', async () => {
  assert.ok(names.includes('demo'), `cases: ${names.join(', ')}`);
  let rejected = 0;
  for (const name of names) rejected += JSON.parse((await loadCase(name)).state).rejected > 0;
  assert.ok(rejected > 0, 'no ledger with a rejected entry');
});

for (const name of names) {
  test(`${name}: the WASM replay equals the C replay byte for byte`, async () => {
    const c = await loadCase(name);
    assert.ok(c.checkpoint, `${name} has no checkpoint covering every entry`);
    const wasm = engine.replay(c.vkey, c.checkpoint, c.entries, now, days);
    const doc = JSON.parse(c.state);
    assert.equal(doc.accepted + doc.rejected, c.entries.length);
    assert.equal(wasm.length, c.state.length, `${name}: lengths differ`);
    assert.equal(wasm, c.state);
  });
}

const profiles = await Promise.all((await readdir(profilesDir)).filter((f) => f.endsWith('.json')).sort()
  .map((f) => readFile(path.join(profilesDir, f), 'utf8')));

for (const name of names) {
  test(`${name}: every lot's stages and determinations (otw_lot) equal the C replay's byte for byte`, async () => {
    const c = await loadCase(name);
    const s = JSON.parse(engine.replay(c.vkey, c.checkpoint, c.entries, now, days));
    assert.equal(c.lots.length, Object.keys(s.lots).length, `${name}: one line per lot`);
    for (const line of c.lots) {
      const { lot } = JSON.parse(line);
      assert.equal(engine.lot(lot, at, profiles), line, `${name}: ${lot}`);
    }
  });
}

// The CRMA report (otw_report_crma, what the dashboard's overview and flows
// show per mineral) equals `oretrail report crma --json` on the same
// ledger (crma.json, written by wasm_replay.sh), each stage counted once.
const crmaProfile = profiles.find((p) => JSON.parse(p).profile === 'crma');
for (const name of names) {
  test(`${name}: the CRMA report from the WASM replay equals oretrail report crma --json`, async () => {
    const c = await loadCase(name);
    engine.replay(c.vkey, c.checkpoint, c.entries, now, days);
    const cli = JSON.parse(await readFile(path.join(casesDir, name, 'crma.json'), 'utf8'));
    assert.deepEqual(JSON.parse(engine.reportCrma(crmaProfile)), cli, name);
  });
}

test('the demo: the CRMA report counts each stage once and is refused a bad year', async () => {
  const c = await loadCase('demo');
  engine.replay(c.vkey, c.checkpoint, c.entries, now, days);
  const nd = JSON.parse(engine.reportCrma(crmaProfile)).minerals.find((m) => m.element === 'Nd');
  const mg = (stage) => nd.stages.find((s) => s.stage === stage).mg;
  // Nothing a later stage counts exceeds what was mined.
  for (const s of nd.stages) assert.ok(s.mg <= mg('mined'), `${s.stage}: ${s.mg} > mined ${mg('mined')}`);
  assert.equal(JSON.parse(engine.reportCrma(crmaProfile, '2019')).minerals.length, 0);
  assert.throws(() => engine.reportCrma(crmaProfile, '25'), (e) => e instanceof ReplayError && e.code === 'bad_field');
});

test('the demo: the lot separated in China fails DFARS at the separated stage, in the browser\'s replay', async () => {
  const c = await loadCase('demo');
  engine.replay(c.vkey, c.checkpoint, c.entries, now, days);
  const doc = JSON.parse(engine.lot('lot-ndpr-oxide-002', at, profiles));
  const dfars = doc.compliance.find((x) => x.profile === 'dfars-7052');
  assert.equal(dfars.determination, 'fail');
  assert.deepEqual(dfars.reasons.map((r) => `${r.stage} ${r.element} ${r.country} ${r.kind}`),
    ['separated Nd CN covered_country', 'separated Pr CN covered_country']);
  const pass = JSON.parse(engine.lot('lot-ndpr-oxide-001', at, profiles));
  assert.equal(pass.compliance.find((x) => x.profile === 'dfars-7052').determination, 'pass');
  assert.throws(() => engine.lot('no-such-lot', at, profiles), (e) => e instanceof ReplayError && e.code === 'lot_not_found');
  assert.throws(() => engine.lot('lot-ndpr-oxide-001', '2027-13-01', profiles), (e) => e instanceof ReplayError && e.code === 'bad_field');
  assert.throws(() => engine.lot('lot-ndpr-oxide-001', at, ['{"profile":"x"}']), (e) => e instanceof ReplayError && e.code === 'bad_profile');
});

test('the demo: the figures the dashboard shows are in the replayed state', async () => {
  const c = await loadCase('demo');
  const s = JSON.parse(engine.replay(c.vkey, c.checkpoint, c.entries, now, days));
  assert.equal(s.accepted, 63);
  assert.equal(s.rejected, 0);
  assert.ok(s.lots['lot-ndpr-oxide-001'], 'the NdPr oxide lot');
  assert.ok(s.lots['lot-ndpr-oxide-001'].mass_g > 0);
});

test('entries that are not the checkpoint\'s are refused, not replayed', async () => {
  const c = await loadCase('demo');
  const fewer = c.entries.slice(0, -1);
  assert.throws(() => engine.replay(c.vkey, c.checkpoint, fewer, now, days),
    (e) => e instanceof ReplayError && e.code === 'checkpoint_mismatch' && /63 entries, 62 were given/.test(e.message));
  const changed = c.entries.map((e) => e);
  changed[31] = Uint8Array.from(changed[31]);
  changed[31][changed[31].length - 3] ^= 1;
  assert.throws(() => engine.replay(c.vkey, c.checkpoint, changed, now, days),
    (e) => e instanceof ReplayError && e.code === 'checkpoint_mismatch' && /tree hash is not the checkpoint's root/.test(e.message));
  const otherNote = c.checkpoint.replace(/\n— (\S+) \S+\n$/, '\n— $1 AAAAAAAA\n');
  assert.throws(() => engine.replay(c.vkey, otherNote, c.entries, now, days),
    (e) => e instanceof ReplayError && e.code === 'checkpoint_signature');
});
