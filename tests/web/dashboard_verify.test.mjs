// dashboard_verify.test.mjs: the one verification state every route shows
// (#verify-state, web/src/verifystate.js), in headless Chromium against
// `oretrail serve` on the demo ledger and on its tampered copy. Started by
// tests/web/run.sh (see dashboard.test.mjs for the environment it sets).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, withPage } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const URL_TAMPERED = process.env.OT_WEB_TAMPERED_URL || '';
const URL_WITNESSED = process.env.OT_WEB_WITNESSED_URL || '';
const URL_NOACTOR = process.env.OT_WEB_NOACTOR_URL || '';
const WASM = URL_GOOD ? (await fetch(new URL('ot_replay.wasm', URL_GOOD))).status === 200 : false;

// Every route of web/src/main.js's router.
const ROUTES = ['#/', '#/flows', '#/consignments', '#/consignments/PK-US-2025-001', '#/lots',
  '#/lots/lot-ndpr-oxide-001', '#/contracts', '#/contracts/mou-fwo-ussm-2025', '#/findings',
  '#/verify', '#/certificate', '#/entries/0', '#/checkpoints', '#/search?q=oxide', '#/sites/pk-bl-chagai-cu', '#/actors/fwo', '#/payments',
  '#/lots/lot-ndpr-oxide-001?print', '#/timeline'];

const browser = useBrowser();

// Opens `hash` on a fresh page and waits until the route has rendered and
// its verification state has settled; returns the state element's data.
function stateOf(base, hash) {
  return withPage(browser(), base, hash, '#verify-state[data-state="verified"], #verify-state[data-state="failed"]',
    (page) => page.$eval('#verify-state', (e) => ({ ...e.dataset, text: e.textContent })));
}

describe('the verification state on every route', () => {
  for (const hash of ROUTES) {
    test(`${hash}: verified, naming the checkpoint, the entries replayed and the witnesses`, async () => {
      const s = await stateOf(URL_GOOD, hash);
      assert.equal(s.state, 'verified', s.text);
      assert.equal(s.size, '63');
      assert.match(s.text, /checkpoint of 63 entries, root [0-9a-f]{8}…/);
      assert.match(s.text, /\d+ of \d+ witness cosignatures checked/);
      if (WASM) {
        assert.equal(s.entries, '63');
        assert.match(s.text, /63 entries replayed/);
      }
    });
  }

  test('a witness cosignature is checked in the browser with the key the server is configured with', { skip: !URL_WITNESSED && 'no witnessed server' }, async () => {
    const served = await (await fetch(new URL('api/checkpoint', URL_WITNESSED))).json();
    assert.equal(served.witness_keys.length, 1);
    assert.match(served.witness_keys[0], /^audit-office\.example\+[0-9a-f]{8}\+/);
    for (const hash of ['#/', '#/lots/lot-ndpr-oxide-001', '#/verify']) {
      const s = await stateOf(URL_WITNESSED, hash);
      assert.equal(s.state, 'verified', `${hash}: ${s.text}`);
      assert.equal(s.witnesses, '1');
      assert.match(s.text, /1 of 1 witness cosignatures checked/);
    }
  });

  test('a ledger whose authority is no registered actor verifies with the key the server publishes', { skip: !URL_NOACTOR && 'no such server' }, async () => {
    const served = await (await fetch(new URL('api/checkpoint', URL_NOACTOR))).json();
    assert.match(served.vkey, /^registry\.example\+[0-9a-f]{8}\+/);
    const actors = await (await fetch(new URL('api/actors', URL_NOACTOR))).json();
    assert.deepEqual(actors.actors.map((a) => a.actor), ['fwo'], 'the authority is not an actor');
    for (const hash of ['#/', '#/verify']) {
      const s = await stateOf(URL_NOACTOR, hash);
      assert.equal(s.state, 'verified', `${hash}: ${s.text}`);
      assert.equal(s.size, '1');
    }
    const where = await withPage(browser(), URL_NOACTOR, '#/verify', '[data-check="checkpoint"]', (page) => page.textContent('main'));
    assert.match(where, /the key this server publishes for its log \(api\/checkpoint\)/);
  });

  test('a tampered hash tile: every route says failed, naming what', { skip: !URL_TAMPERED && 'no tampered server' }, async () => {
    for (const hash of ROUTES) {
      const s = await stateOf(URL_TAMPERED, hash);
      assert.equal(s.state, 'failed', `${hash}: ${s.text}`);
      assert.match(s.text, /Verification failed/);
      assert.doesNotMatch(s.text, /✓/);
    }
  });
});
