// dashboard.test.mjs: the dashboard in headless Chromium (Debian's, driven
// by playwright-core), against `oretrail serve` on the demo ledger.
// Started by tests/web/run.sh, which sets:
//   OT_WEB_URL           the server on the demo ledger
//   OT_WEB_TAMPERED_URL  a server on a copy with one hash tile altered ('' to skip)
//   OT_WEB_VKEY          the log's verifier key; OT_WEB_OTHER_VKEY another key, same name
//   OT_WEB_CERT          the NdPr oxide lot's certificate (oretrail prove)
//   OT_WEB_SHOTS         where screenshots go
//   OT_CHROMIUM, OT_PLAYWRIGHT  the browser and playwright-core's directory
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, newPageIn, open, useBrowser } from './browser.mjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const URL_GOOD = process.env.OT_WEB_URL;
const URL_TAMPERED = process.env.OT_WEB_TAMPERED_URL || '';
const VKEY = (process.env.OT_WEB_VKEY || '').trim();
const OTHER_VKEY = (process.env.OT_WEB_OTHER_VKEY || '').trim();
const SHOTS = process.env.OT_WEB_SHOTS;
const CERT = process.env.OT_WEB_CERT ? readFileSync(process.env.OT_WEB_CERT, 'utf8') : '';
const CERT_DFARS = process.env.OT_WEB_CERT_DFARS ? readFileSync(process.env.OT_WEB_CERT_DFARS, 'utf8') : '';

const LOT = 'lot-ndpr-oxide-001';
const CONSIGNMENT = 'PK-US-2025-001';
const CONTRACT = 'mou-fwo-ussm-2025';
// The dashboard bundles the WebAssembly replay engine (web/wasm) when it
// was built with OT_BUILD_WASM; the replay tests need it.
const WASM = URL_GOOD ? (await fetch(new URL('ot_replay.wasm', URL_GOOD))).status === 200 : false;

const browser = useBrowser();

// A fresh context per test; page errors fail the test (page.errors).
const newPage = (base, opts = {}) =>
  newPageIn(browser(), base, { ...(opts.viewport ? { viewport: opts.viewport } : {}), ...(opts.context || {}) });

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Waits for every in-browser check on the page to finish; returns their states.
async function checks(page, selector = '[data-check]') {
  await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].every((e) => e.dataset.ok !== 'pending'), selector, { timeout: TIMEOUT });
  return page.$$eval(selector, (els) => els.map((e) => ({ check: e.dataset.check, ok: e.dataset.ok, text: e.textContent })));
}

async function api(p) {
  const r = await fetch(new URL(p.replace(/^\//, ''), URL_GOOD));
  assert.equal(r.status, 200, `${p}: ${r.status}`);
  return r.json();
}

function assertNoAlarm(page) {
  return page.$eval('#alarm', (e) => e.hidden).then((hidden) => assert.ok(hidden, 'the failure alarm is not shown'));
}

async function assertAllSameOrigin(page) {
  const origin = new URL(page.base).origin;
  const foreign = page.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'));
  assert.deepEqual(foreign, [], 'every request goes to the oretrail server');
}

describe('the dashboard on the demo ledger', () => {
  test('overview: ledger size, checkpoint, signer, witnesses, parties', async () => {
    const cp = await api('/api/checkpoint');
    const page = await newPage(URL_GOOD);
    await open(page, '#/');
    assert.match(await page.textContent('h1'), /The deal/);
    assert.match(await page.textContent('main .lede'), /public record of critical minerals/);
    assert.equal((await page.textContent('[data-card="size"] .value')).trim(), String(cp.size));
    assert.match(await page.textContent('[data-card="checkpoint"]'), new RegExp(`${cp.size} entries`));
    assert.match(await page.textContent('[data-card="checkpoint"]'), /days ago|hours ago|minutes ago|seconds ago/);
    assert.match(await page.textContent('[data-card="signer"]'), /pk-authority/);
    assert.match(await page.textContent('[data-card="witnesses"]'), /none yet/);
    const [c] = await checks(page, '[data-check="checkpoint"]');
    assert.equal(c.ok, 'true', c.text);
    assert.match(c.text, /Signature checked in your browser/);
    const parties = await page.textContent('table:has(caption:text-is("Registered parties"))');
    for (const p of ['fwo', 'Frontier Works Organisation', 'ussm', 'US Strategic Metals', 'pk-lab']) assert.ok(parties.includes(p), p);
    assert.ok((await page.textContent('main')).includes(cp.origin));
    await assertNoAlarm(page);
    await shot(page, 'overview');
    await assertAllSameOrigin(page);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('flows: a Sankey diagram per mineral from mines to the destination, volumes per mineral, country and period', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/flows');
    // One diagram per mineral: a site is a box in each diagram of a mineral it handled.
    for (const site of ['pk-kp-loe-shilman', 'pk-bl-chagai-cu', 'pk-kp-chitral-krinj-sb', 'pk-plant-ree', 'pk-port-karachi', 'us-mo-ussm'])
      assert.ok(await page.locator(`svg.sankey rect[data-node="${site}"]`).count() >= 1, site);
    assert.equal(await page.locator('[data-flow="Cu"] svg.sankey rect[data-node="pk-bl-chagai-cu"]').count(), 1);
    assert.ok(await page.locator('svg.sankey path[data-link]').count() >= 5);
    const label = await page.getAttribute('svg.sankey', 'aria-label');
    assert.match(label, /pk-port-karachi to us-mo-ussm/);
    const text = await page.textContent('main');
    for (const s of ['PK-US-2025-001', 'Neodymium (Nd)', 'Praseodymium (Pr)', 'Copper (Cu)', 'Antimony (Sb)', 'Pakistan (PK)', 'Pakistan \u2192 United States', '2025-Q3', 'HHI'])
      assert.ok(text.includes(s), s);
    await shot(page, 'flows');
    await page.click('a[href="#/flows?element=Nd"]');
    await page.waitForSelector('main[data-route="#/flows?element=Nd"]');
    // The first lot's three legs in PK and to the US, the second lot's two through China.
    assert.equal(await page.locator('svg.sankey path[data-link]').count(), 5);
    assert.match(await page.getAttribute('svg.sankey', 'aria-label'), /Neodymium.*pk-kp-loe-shilman to pk-plant-ree/);
    assert.match(await page.getAttribute('svg.sankey', 'aria-label'), /cn-plant-ree-sep to us-mo-ussm/);
    await shot(page, 'flows-nd');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('consignments: contents, trade codes, declared value, permit, status, shipped vs received', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/consignments');
    const list = await page.textContent('table');
    for (const s of [CONSIGNMENT, 'PK-DOM-2025-002', '2846.90, 2603.00, 2617.10', '286,000.00 USD', 'PK-EXP-2025-0001', 'received'])
      assert.ok(list.includes(s), s);
    await shot(page, 'consignments');
    await page.click(`a[href="#/consignments/${CONSIGNMENT}"]`);
    await page.waitForSelector(`main[data-route="#/consignments/${CONSIGNMENT}"]`);
    const text = await page.textContent('main');
    for (const s of ['2846.90 rare-earth compounds', '2603.00 copper ores and concentrates', '2617.10 antimony ores and concentrates',
      '286,000.00 USD', 'PK-EXP-2025-0001', 'United States (US)', LOT, 'lot-cu-conc-001', 'lot-sb-conc-001',
      '30.481 t', '30.47 t', '943.85 kg', '943.8 kg'])
      assert.ok(text.includes(s), s);
    // The shipping and receiving events, proven in the browser.
    const [c] = await checks(page, '[data-check="entries"]');
    assert.equal(c.ok, 'true', c.text);
    await assertNoAlarm(page);
    await shot(page, 'consignment');
    // The domestic leg whose copper arrived light.
    await open(page, '#/consignments/PK-DOM-2025-002');
    assert.match(await page.textContent('main'), /-0\.161 t \(-0\.80 %\)/); // in the unit of the masses it compares
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('lots: the NdPr oxide lot shows holder, status, origin shares and its ancestry, verified', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/lots');
    assert.ok((await page.textContent('table')).includes(LOT));
    await shot(page, 'lots');
    await open(page, `#/lots/${LOT}`);
    const facts = await page.textContent('dl.facts');
    for (const s of ['oxide', '943.8 kg', 'US Strategic Metals', 'us-mo-ussm', 'held']) assert.ok(facts.includes(s), s);
    const byCountry = await page.textContent('[data-table="origin-country"]');
    for (const s of ['Neodymium (Nd)', 'Praseodymium (Pr)', 'Pakistan (PK)', '100.00 %', '618.189 kg']) assert.ok(byCountry.includes(s), s);
    const byMine = await page.textContent('[data-table="origin-mine"]');
    for (const s of ['pk-kp-loe-shilman', '100.00 %']) assert.ok(byMine.includes(s), s);
    const [c] = await checks(page, '[data-check="entries"]');
    assert.equal(c.ok, 'true', c.text);
    assert.match(c.text, /All 12 entries verified/);
    assert.equal(await page.locator('.verify-panel li.ok').count(), 12);
    // The ancestry graph, drawn from the entries read from the log.
    await page.waitForSelector('svg.ancestry');
    for (const lot of ['lot-ree-ore-001', 'lot-ree-conc-001', 'lot-ree-carbonate-001', LOT])
      assert.equal(await page.locator(`svg.ancestry a[href="#/lots/${lot}"]`).count(), 1, lot);
    assert.match(await page.getAttribute('svg.ancestry', 'aria-label'), /lot-ree-carbonate-001 became lot-ndpr-oxide-001 by separation/);
    await assertNoAlarm(page);
    await shot(page, 'lot-ndpr-oxide');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('contracts: parties, value, what is public, the MoU\'s withheld days, the disclosed part verified', async () => {
    const server = await api(`/api/contracts/${CONTRACT}`);
    const withheld = server.commitments.filter((c) => !c.disclosed);
    assert.ok(withheld.length >= 1);
    const page = await newPage(URL_GOOD);
    await open(page, '#/contracts');
    const list = await page.textContent('table');
    for (const s of [CONTRACT, 'Frontier Works Organisation', 'US Strategic Metals', '500,000,000.00 USD', '8 Sept 2025'])
      assert.ok(list.includes(s), s);
    await shot(page, 'contracts');
    await page.click(`a[href="#/contracts/${CONTRACT}"]`);
    await page.waitForSelector(`main[data-route="#/contracts/${CONTRACT}"]`);
    const pub = await page.textContent('[data-table="public"]');
    for (const s of ['Islamabad', 'poly-metallic refinery', '500,000,000.00 USD']) assert.ok(pub.includes(s), s);
    for (const w of withheld) {
      const days = await page.getAttribute(`[data-section="withheld"] [data-field="${w.field}"] [data-withheld-days]`, 'data-withheld-days');
      assert.equal(Number(days), w.withheld_days, w.field);
      assert.match(await page.textContent(`[data-section="withheld"] [data-field="${w.field}"]`), new RegExp(`Withheld for ${w.withheld_days} days`));
    }
    const d = await checks(page, '[data-check="disclosure"]');
    assert.equal(d.length, 1);
    assert.equal(d[0].ok, 'true', d[0].text);
    assert.match(d[0].text, /Verified: this matches what was committed on 8 Sept 2025, the day of signing/);
    assert.match(await page.textContent('[data-section="disclosed"] [data-field="terms.phases"]'), /poly-metallic refinery in Pakistan/);
    await assertNoAlarm(page);
    await shot(page, 'contract-mou');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('findings: the audit in plain words', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/findings');
    const loss = await page.textContent('[data-kind="transit_loss"]');
    assert.match(loss, /Material lost in transit/);
    assert.match(loss, /lot-cu-conc-001/);
    assert.match(loss, /-0\.800 %/);
    // The demo records a 2025 story today: each event's claimed time is
    // before the interval in which the log took it (docs/events.md,
    // "Logged time"), and withholding counts from today.
    assert.match(await page.textContent('[data-kind="backdated"]'), /Dated before it was logged/);
    await shot(page, 'findings');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('verify: checkpoint signature, the whole log and a lot\'s proofs pass, saying which key was used', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/verify');
    const all = await checks(page);
    for (const c of all) assert.equal(c.ok, 'true', `${c.check}: ${c.text}`);
    const overall = all.find((c) => c.check === 'overall');
    assert.match(overall.text, /Everything checked matches the signed log/);
    assert.ok(overall.text.includes(VKEY), 'names the key used');
    // The read-only demo server publishes the log key from ledger.db.vkey.
    assert.match(await page.textContent('main'), /the key this server publishes for its log \(api\/checkpoint\)/);
    assert.match(await page.textContent('[data-checks="verify"]'), /entries were read from the log's entry bundles and hashed/);
    await assertNoAlarm(page);
    await shot(page, 'verify');
    await assertAllSameOrigin(page);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('verify: with the key pasted by the user', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/verify');
    await checks(page);
    await page.fill('#vkey', VKEY);
    await page.click('.key-form button[type="submit"]');
    await page.waitForFunction(() => /the key you entered/.test(document.querySelector('main').textContent));
    const overall = (await checks(page)).find((c) => c.check === 'overall');
    assert.equal(overall.ok, 'true', overall.text);
    await assertNoAlarm(page);
    await page.done();
  });

  test('verify: another key fails loudly', { skip: !OTHER_VKEY }, async () => {
    const page = await newPage(URL_GOOD);
    await page.goto(`${URL_GOOD}#/verify?key=${encodeURIComponent(OTHER_VKEY)}`);
    await page.waitForSelector('main[data-route^="#/verify"]');
    const overall = (await checks(page)).find((c) => c.check === 'overall');
    assert.equal(overall.ok, 'false');
    assert.match(overall.text, /VERIFICATION FAILED/);
    assert.ok(await page.isVisible('#alarm'));
    assert.match(await page.textContent('#alarm'), /no signature by the key pk-authority\+/);
    await shot(page, 'verify-wrong-key');
    await page.done();
  });

  test('a tampered tile served by the server fails visibly', { skip: !URL_TAMPERED }, async () => {
    const page = await newPage(URL_TAMPERED);
    await open(page, '#/verify');
    const all = await checks(page);
    const overall = all.find((c) => c.check === 'overall');
    assert.equal(overall.ok, 'false', overall.text);
    assert.match(overall.text, /VERIFICATION FAILED/);
    // The signature is fine: it is the data that does not match it.
    assert.equal(all.find((c) => c.check === 'checkpoint').ok, 'true');
    assert.match(await page.textContent('[data-checks="verify"]'), /MISMATCH: entry 31 does not hash to what the log's tile tile\/0\/000\.p\/\d+ says/);
    assert.ok(await page.isVisible('#alarm'));
    assert.match(await page.textContent('#alarm'), /Verification failed/);
    assert.match(await page.title(), /FAILED/);
    await shot(page, 'tampered-verify');

    await open(page, `#/lots/${LOT}`);
    const [c] = await checks(page, '[data-check="entries"]');
    assert.equal(c.ok, 'false');
    assert.match(c.text, /FAILED/);
    assert.match(await page.textContent('.verify-panel li.bad'), /MISMATCH/);
    assert.ok(await page.isVisible('#alarm'));
    await shot(page, 'tampered-lot');
    await page.done();
  });

  test('a tampered checkpoint fails visibly', async () => {
    const page = await newPage(URL_GOOD);
    await page.route((u) => u.pathname === '/checkpoint', async (route) => {
      const res = await route.fetch();
      const lines = (await res.text()).split('\n');
      lines[1] = String(Number(lines[1]) - 1); // claim a smaller tree
      await route.fulfill({ response: res, body: lines.join('\n') });
    });
    await open(page, '#/');
    const [c] = await checks(page, '[data-check="checkpoint"]');
    assert.equal(c.ok, 'false');
    assert.match(c.text, /does NOT verify/);
    assert.ok(await page.isVisible('#alarm'));
    await shot(page, 'tampered-checkpoint');
    await page.done();
  });

  test('a disclosed text the server alters does not pass as verified', async () => {
    const page = await newPage(URL_GOOD);
    await page.route(`**/api/contracts/${CONTRACT}`, async (route) => {
      const res = await route.fetch();
      const doc = await res.json();
      for (const c of doc.commitments) if (c.disclosed) c.value = { note: 'rewritten', phases: [] };
      await route.fulfill({ response: res, json: doc });
    });
    await open(page, `#/contracts/${CONTRACT}`);
    const [d] = await checks(page, '[data-check="disclosure"]');
    assert.equal(d.ok, 'false');
    assert.match(d.text, /Does NOT match: the server shows a different text from the one in the log/);
    assert.ok(await page.isVisible('#alarm'));
    await page.done();
  });
});

// The figures shown are those the ledger's rules, compiled to WebAssembly,
// derive in the browser from the signed log (web/src/replayed.js); a server
// summary (/api/...) that differs gets a red notice, never a green check.
describe('figures replayed in the browser (WebAssembly)', { skip: !WASM && 'the dashboard was built without web/wasm (OT_BUILD_WASM)' }, () => {
  // Serves the JSON at `pattern` edited by fn.
  async function tamper(page, pattern, fn) {
    await page.route(pattern, async (route) => {
      const res = await route.fetch();
      const doc = await res.json();
      fn(doc);
      await route.fulfill({ response: res, json: doc });
    });
  }
  const factText = (page, label) => page.$$eval('dl dt', (dts, l) => {
    const dt = dts.find((d) => d.textContent.trim() === l);
    return dt ? dt.nextElementSibling.textContent.trim() : null;
  }, label);

  test('the policy lets the page compile WebAssembly and nothing more', async () => {
    const r = await fetch(URL_GOOD, { headers: { Accept: 'text/html' } });
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
    const w = await fetch(new URL('ot_replay.wasm', URL_GOOD));
    assert.equal(w.headers.get('content-type'), 'application/wasm');
  });

  test('on the demo every page\'s figures are the replay\'s and the summaries agree', async () => {
    const page = await newPage(URL_GOOD);
    for (const route of ['#/', '#/lots', `#/lots/${LOT}`, '#/consignments', `#/consignments/${CONSIGNMENT}`, `#/contracts/${CONTRACT}`]) {
      await open(page, route);
      const [r] = await checks(page, '[data-check="replay"]');
      assert.equal(r.ok, 'true', `${route}: ${r.text}`);
      assert.match(r.text, /all 63 entries of the signed log replayed with the ledger's own rules \(WebAssembly\); the server's summary agrees/);
    }
    assert.ok(await factText(page, 'Parties'), 'the contract page rendered its facts');
    await assertNoAlarm(page);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('a lot summary claiming twice the mass gets a red notice and the replayed mass', async () => {
    const page = await newPage(URL_GOOD);
    await tamper(page, `**/api/lots/${LOT}`, (d) => { d.mass_g *= 2; });
    await open(page, `#/lots/${LOT}`);
    const [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'false');
    assert.match(r.text, /The server's summary of lot lot-ndpr-oxide-001 does not match the signed log/);
    assert.match(await page.textContent('[data-check="replay"] li[data-field="mass_g"]'),
      /mass_g: the server says 1\.888 t; the replay gives 0\.944 t\./);
    assert.equal(await page.$$eval('.status.ok[data-check="replay"]', (e) => e.length), 0, 'no green check');
    assert.equal(await factText(page, 'Mass now'), '943.8 kg');
    assert.ok(await page.isVisible('#alarm'));
    assert.match(await page.textContent('#alarm'), /summary of lot lot-ndpr-oxide-001 differs from the replay of the signed log \(mass_g\)/);
    await shot(page, 'tampered-summary-lot');
    await page.done();
  });

  test('origin shares, a consignment and the overview\'s counts are checked the same way', async () => {
    const page = await newPage(URL_GOOD);
    await tamper(page, `**/api/lots/${LOT}`, (d) => { for (const o of d.origins) o.mg *= 2; });
    await tamper(page, `**/api/consignments/${CONSIGNMENT}`, (d) => { d.to = 'somewhere-else'; });
    await tamper(page, (u) => u.pathname === '/api/lots', (d) => { d.lots.pop(); });
    await open(page, `#/lots/${LOT}`);
    let [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'false');
    assert.match(r.text, /origins: the server says/);
    await open(page, `#/consignments/${CONSIGNMENT}`);
    [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'false');
    assert.match(r.text, /to: the server says somewhere-else; the replay gives us-mo-ussm\./);
    await open(page, '#/');
    [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'false');
    assert.match(r.text, /number of lots: the server says 12; the replay gives 13\./);
    const lotsCard = await page.$$eval('.cards .card', (cs) => cs.find((c) => /Lots of material/.test(c.textContent)).querySelector('.value').textContent);
    assert.equal(lotsCard.trim(), '13', 'the overview counts the replayed lots');
    await page.done();
  });

  test('entries that are not the signed ones are refused by the replay', async () => {
    const page = await newPage(URL_GOOD);
    await page.route((u) => u.pathname.startsWith('/tile/entries/'), async (route) => {
      const res = await route.fetch();
      const body = Buffer.from(await res.body());
      body[body.length - 5] ^= 1;
      await route.fulfill({ response: res, body });
    });
    await open(page, `#/lots/${LOT}`);
    const [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'false');
    assert.match(r.text, /checkpoint_mismatch/);
    assert.ok(await page.isVisible('#alarm'));
    await page.done();
  });

  // A lot's stage origins and DFARS/CRMA determinations (issue 12 item 9):
  // the server's (GET /api/lots/<id>) compared with those the ledger's C
  // code derives in the page from the replayed log (otw_lot).
  const LOT_CN = 'lot-ndpr-oxide-002'; // separated in China (scripts/demo)
  const AT = '2027-01-01'; // DFARS 252.225-7052 covers separation from then on
  const lotPage = (id) => `#/lots/${id}?at=${AT}`;
  const isLot = (id) => (u) => u.pathname === `/api/lots/${id}`;
  const determination = (page, profile) => page.$eval(`[data-section="compliance"] [data-profile="${profile}"]`, (a) => ({
    determination: a.dataset.determination,
    badge: a.querySelector('[data-badge="determination"]').textContent,
    verified: a.querySelector('[data-verified]').dataset.verified,
    reasons: [...a.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim())),
    links: [...a.querySelectorAll('tbody a')].map((x) => x.getAttribute('href')),
  }));
  const stageRows = (page) => page.$$eval('[data-table="stages"] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));

  test('stage origins and determinations are recomputed in the browser and marked verified', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, lotPage(LOT));
    let [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'true', r.text);
    const served = await api(`/api/lots/${LOT}?at=${AT}`);
    const rows = await stageRows(page);
    assert.equal(rows.length, served.stages.length);
    assert.ok(rows.length > 0);
    assert.deepEqual(rows.map((c) => c[0]), served.stages.map((s) => ({ mined: 'Mined', concentrated: 'Concentrated', processed: 'Processed', separated: 'Separated', refined: 'Refined', alloyed: 'Alloyed', magnet: 'Made into magnets' })[s.stage]));
    assert.equal(await page.$eval('[data-section="stages"] [data-verified]', (e) => e.dataset.verified), 'true');
    let d = await determination(page, 'dfars-7052');
    assert.deepEqual([d.determination, d.badge, d.verified], ['pass', 'Pass', 'true']);
    assert.match(d.reasons[0][0], /None: no covered country/);
    d = await determination(page, 'crma');
    assert.equal(d.verified, 'true');
    assert.equal(d.determination, served.compliance.find((c) => c.profile === 'crma').determination);
    await shot(page, 'lot-compliance-pass');

    await open(page, lotPage(LOT_CN));
    [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'true', r.text);
    d = await determination(page, 'dfars-7052');
    assert.deepEqual([d.determination, d.badge, d.verified], ['fail', 'Fail', 'true']);
    const cn = d.reasons.filter((c) => c[0] === 'Separated' && /\(CN\)/.test(c[2]));
    assert.deepEqual(cn.map((c) => /\((\w+)\)/.exec(c[1])[1]).sort(), ['Nd', 'Pr'], JSON.stringify(d.reasons));
    assert.ok(cn.every((c) => /100\.00\s?%/.test(c[3]) && /covered country/.test(c[4])), JSON.stringify(cn));
    // Each reason links the transform at the Chinese plant to its own page.
    const cnIndex = (await api(`/api/lots/${LOT_CN}?at=${AT}`)).compliance.find((c) => c.profile === 'dfars-7052').reasons[0].entries[0];
    assert.ok(d.links.includes(`#/entries/${cnIndex}`), JSON.stringify(d.links));
    assert.ok(await page.$$eval('[data-section="stages"] [data-table="stages"] tbody tr', (trs) => trs.some((tr) => /Separated/.test(tr.textContent) && /\(CN\)/.test(tr.textContent))));
    await shot(page, 'lot-compliance-fail');
    await assertNoAlarm(page);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('the determinations as of today are the server\'s today', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, `#/lots/${LOT}`);
    const [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'true', r.text);
    const served = await api(`/api/lots/${LOT}`);
    for (const c of served.compliance) {
      const d = await determination(page, c.profile);
      assert.deepEqual([d.determination, d.verified], [c.determination, 'true'], c.profile);
    }
    assert.equal((await determination(page, 'dfars-7052')).determination, 'pass');
    await page.done();
  });

  test('a server that says a lot separated in China passes DFARS gets a red notice and no verified mark', async () => {
    const page = await newPage(URL_GOOD);
    await tamper(page, isLot(LOT_CN), (doc) => {
      const c = doc.compliance.find((x) => x.profile === 'dfars-7052');
      c.determination = 'pass';
      c.reasons = [];
    });
    await open(page, lotPage(LOT_CN));
    const [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'false');
    assert.match(await page.textContent('[data-check="replay"] li[data-field="compliance.dfars-7052.determination"]'),
      /compliance\.dfars-7052\.determination: the server says pass; the replay gives fail\./);
    const d = await determination(page, 'dfars-7052');
    assert.deepEqual([d.determination, d.verified], ['fail', 'false'], 'the replayed determination, not marked verified');
    assert.equal((await determination(page, 'crma')).verified, 'true', 'the profile the server did not change stays verified');
    assert.ok(await page.isVisible('#alarm'));
    await shot(page, 'tampered-determination');
    await page.done();
  });

  test('a server that moves a stage to another country gets a red notice naming the row', async () => {
    const page = await newPage(URL_GOOD);
    let moved = -1;
    await tamper(page, isLot(LOT_CN), (doc) => {
      moved = doc.stages.findIndex((s) => s.stage === 'separated' && s.country === 'CN');
      doc.stages[moved].country = 'US';
    });
    await open(page, lotPage(LOT_CN));
    const [r] = await checks(page, '[data-check="replay"]');
    assert.equal(r.ok, 'false');
    assert.ok(moved >= 0);
    assert.match(await page.textContent(`[data-check="replay"] li[data-field="stages[${moved}].country"]`),
      /the server says US; the replay gives CN\./);
    assert.equal(await page.$eval('[data-section="stages"] [data-verified]', (e) => e.dataset.verified), 'false');
    const rows = await stageRows(page);
    assert.ok(/\(CN\)/.test(rows[moved][2]), 'the page shows the replayed country');
    assert.ok(await page.isVisible('#alarm'));
    await page.done();
  });
});

// Provenance certificates, checked in the browser (#/certificate).
describe('checking a provenance certificate', { skip: !CERT }, () => {
  // Chooses `text` as the certificate file and waits for the verdict.
  async function checkCertificate(page, text, name = 'lot-ndpr-oxide-001.cert.json') {
    await page.setInputFiles('#cert-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
    return certificateResult(page);
  }
  async function certificateResult(page) {
    await page.waitForSelector('[data-check="certificate"]:not([data-ok="pending"])');
    return page.evaluate(() => ({
      ok: document.querySelector('[data-check="certificate"]').dataset.ok,
      verdict: document.querySelector('[data-check="certificate"]').textContent,
      steps: Object.fromEntries([...document.querySelectorAll('[data-checks="certificate"] > li')].map((li) => [li.dataset.step, { ok: li.dataset.ok, text: li.textContent }])),
      main: document.querySelector('main').textContent,
    }));
  }
  const edit = (fn) => { const c = JSON.parse(CERT); fn(c); return JSON.stringify(c, null, 2); };

  test('a certificate whose determination was changed from fail to pass is refused by the rules replayed in the browser', { skip: (!WASM || !CERT_DFARS) && 'needs the WASM build and the DFARS certificate' }, async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/certificate');
    // The honest one: lot-ndpr-oxide-002, DFARS as of 2027-01-01, fail.
    let r = await checkCertificate(page, CERT_DFARS, 'lot-ndpr-oxide-002.cert.json');
    assert.equal(r.ok, 'true', r.verdict);
    const rows = await page.$$eval('[data-table="cert-determinations"] tbody tr', (t) => t.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows.map((x) => [x[0], x[1], x[2]]), [['dfars-7052', '1 Jan 2027', 'fail']]);
    // Forged: the determination says pass. Every check of the JavaScript
    // verifier still passes (the entries are the log's); the replay refuses.
    const c = JSON.parse(CERT_DFARS);
    c.compliance[0].determination.determination = 'pass';
    c.compliance[0].determination.reasons = [];
    r = await checkCertificate(page, JSON.stringify(c, null, 2), 'forged.cert.json');
    assert.equal(r.ok, 'false', r.verdict);
    assert.match(r.verdict, /CERTIFICATE FAILED/);
    assert.equal(await page.getAttribute('[data-check="certificate"] [data-failure]', 'data-failure'), 'determination_mismatch');
    for (const [step, s] of Object.entries(r.steps)) assert.equal(s.ok, 'true', `the JS checks pass on the forgery: ${step}`);
    await page.done();
  });

  test('a certificate from the demo ledger verifies, with the server\'s key and the warning', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/certificate');
    assert.match(await page.textContent('h1'), /Check a provenance certificate/);
    const r = await checkCertificate(page, CERT);
    assert.equal(r.ok, 'true', r.verdict);
    assert.match(r.verdict, /Certificate verified: lot lot-ndpr-oxide-001/);
    if (WASM) {
      // Replayed by the C rules in WebAssembly (otw_certificate).
      assert.match(r.verdict, /origin shares, the stage rows and every determination were recomputed in your browser/);
      assert.equal(await page.getAttribute('[data-check="certificate"]', 'data-recomputed'), 'true');
      assert.ok((await page.$$eval('[data-table="cert-stages"] tbody tr', (t) => t.length)) > 0);
    } else {
      assert.match(r.verdict, /origin shares were NOT recomputed in your browser/);
    }
    assert.match(r.verdict, /oretrail verify/);
    for (const [step, s] of Object.entries(r.steps)) assert.equal(s.ok, 'true', `${step}: ${s.text}`);
    assert.match(r.steps.signatures.text, /All 35 event signatures/);
    assert.match(r.steps.proofs.text, /in the tree of 63 entries/);
    // The served key, and the Verify page's warning about it.
    assert.match(r.main, /A key served by this site is only as trustworthy as the site/);
    assert.ok(r.main.includes(VKEY), 'names the key used');
    const byCountry = await page.textContent('[data-table="cert-country"]');
    for (const x of ['Neodymium (Nd)', 'Praseodymium (Pr)', 'Pakistan (PK)', '100.00 %', '618.189 kg']) assert.ok(byCountry.includes(x), x);
    assert.ok((await page.textContent('[data-table="cert-mine"]')).includes('pk-kp-loe-shilman'));
    assert.equal(await page.locator('[data-table="cert-entries"] .badge.ok').count(), 35);
    assert.match(r.main, WASM ? /Verified: these entries, replayed through the ledger's rules, give the claimed origin shares/
      : /Not verified here: that these entries imply the claimed origin shares/);
    await assertNoAlarm(page);
    await shot(page, 'certificate');
    await assertAllSameOrigin(page);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('dropped on any page, checked with the key the user pasted', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/lots');
    // A file dropped on the lots page opens the certificate page and checks it.
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      const target = document.querySelector('main');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, CERT);
    await page.waitForSelector('main[data-route="#/certificate"]');
    let r = await certificateResult(page);
    assert.equal(r.ok, 'true', r.verdict);
    assert.match(r.verdict, /dropped\.json/);
    // The same with a pasted key.
    await page.fill('#cert-key', VKEY);
    r = await checkCertificate(page, CERT);
    assert.equal(r.ok, 'true', r.verdict);
    assert.match(r.main, /Checked against the key .*: the key you entered above/);
    assert.doesNotMatch(r.main, /only as trustworthy as the site/);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('an entry with one digit changed fails: the merged proof, and no entry is shown verified', async () => {
    const altered = edit((c) => {
      const e = c.entries.find((x) => x.index === 31);
      assert.equal(e.entry.event.outputs[0].mass_g, 943900);
      e.entry.event.outputs[0].mass_g = 843900; // another initial mass
    });
    const page = await newPage(URL_GOOD);
    await open(page, '#/certificate');
    const r = await checkCertificate(page, altered, 'altered-entry.json');
    assert.equal(r.ok, 'false');
    assert.match(r.verdict, /CERTIFICATE FAILED/);
    assert.match(r.verdict, /an entry or a proof node was altered/);
    assert.equal(r.steps.proofs.ok, 'false');
    assert.match(r.steps.proofs.text, /FAILED/);
    assert.equal(await page.locator('[data-check="certificate"] li[data-failure="proof_invalid"]').count(), 1);
    assert.equal(await page.getAttribute('[data-check="certificate"]', 'role'), 'alert');
    assert.match(await page.title(), /^\u2717/);
    const entries = await page.textContent('[data-table="cert-entries"]');
    assert.match(entries, /\u2717 not proven/);
    assert.doesNotMatch(entries, /\u2713 verified/);
    await shot(page, 'certificate-altered-entry');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('a changed origin share fails visibly', async () => {
    const altered = edit((c) => { c.claim.countries.find((x) => x.element === 'Nd').share_ppm = 900000; });
    const page = await newPage(URL_GOOD);
    await open(page, '#/certificate');
    const r = await checkCertificate(page, altered, 'altered-share.json');
    assert.equal(r.ok, 'false');
    assert.match(r.verdict, /CERTIFICATE FAILED/);
    assert.match(r.verdict, /Nd share by country of PK is 90\.00 %/);
    assert.equal(r.steps['claim-origins'].ok, 'false');
    // The entries themselves are fine, and the page says so.
    assert.equal(r.steps.proofs.ok, 'true');
    assert.equal(r.steps.signatures.ok, 'true');
    assert.match(r.main, /as the certificate claims \(the certificate FAILED/);
    await shot(page, 'certificate-altered-share');
    await page.done();
  });

  test('another key, and a file that is not a certificate, fail loudly', { skip: !OTHER_VKEY }, async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/certificate');
    await page.fill('#cert-key', OTHER_VKEY);
    let r = await checkCertificate(page, CERT);
    assert.equal(r.ok, 'false');
    assert.match(r.verdict, /no signature by the key pk-authority\+/);
    assert.equal(r.steps.checkpoint.ok, 'false');
    assert.equal(r.steps.proofs.ok, 'skipped');
    await page.fill('#cert-key', '');
    r = await checkCertificate(page, '{"hello": "world"}', 'other.json');
    assert.equal(r.ok, 'false');
    assert.match(r.verdict, /not an oretrail provenance certificate/);
    await page.done();
  });
});

describe('accessibility and phones', () => {
  const ROUTES = ['#/', '#/flows', '#/consignments', `#/consignments/${CONSIGNMENT}`, '#/lots', `#/lots/${LOT}`,
    '#/contracts', `#/contracts/${CONTRACT}`, '#/findings', '#/verify', '#/certificate', '#/entries/0', '#/checkpoints', '#/search?q=oxide', '#/sites/pk-bl-chagai-cu', '#/actors/fwo', '#/payments', '#/timeline'];

  test('every page: one h1, landmarks, labelled images and tables, linkable', async () => {
    const page = await newPage(URL_GOOD);
    for (const r of ROUTES) {
      await open(page, r);
      const facts = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        h1: document.querySelectorAll('main h1').length,
        nav: document.querySelectorAll('nav[aria-label]').length,
        main: document.querySelectorAll('main').length,
        imgNoAlt: [...document.querySelectorAll('img')].filter((i) => !i.hasAttribute('alt')).length,
        svgNoLabel: [...document.querySelectorAll('main svg')].filter((s) => !s.getAttribute('aria-label')).length,
        tablesNoCaption: [...document.querySelectorAll('main table')].filter((t) => !t.querySelector('caption')).length,
        current: document.querySelector('nav [aria-current="page"]')?.textContent,
      }));
      assert.equal(facts.lang, 'en', r);
      assert.equal(facts.h1, 1, `${r}: one h1`);
      assert.ok(facts.nav >= 1 && facts.main === 1, r);
      assert.equal(facts.imgNoAlt, 0, r);
      assert.equal(facts.svgNoLabel, 0, r);
      assert.equal(facts.tablesNoCaption, 0, r);
      assert.ok(facts.current, `${r}: the menu marks the current page`);
    }
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('keyboard: skip link, menu and links work without a mouse', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    // Tab from the top to the "Lots" menu item and follow it.
    await page.evaluate(() => document.activeElement.blur());
    await page.focus('a[data-nav="lots"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main[data-route="#/lots"]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'focus moves to the new content');
    // Focus is visible.
    await page.focus(`a[href="#/lots/${LOT}"]`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`main[data-route="#/lots/${LOT}"]`);
    await page.done();
  });

  test('text contrast meets WCAG AA on every page', async () => {
    const page = await newPage(URL_GOOD);
    for (const r of ROUTES) {
      await open(page, r);
      await checks(page);
      const worst = await page.evaluate(() => {
        const parse = (c) => { const m = c.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
        const lum = ([r, g, b]) => {
          const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const bg = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c.length < 4 || c[3] > 0.9) return c;
          }
          return [255, 255, 255];
        };
        let min = { ratio: 21, text: '' };
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!n.textContent.trim() || !el || el.closest('svg') || el.closest('[hidden]') || el.closest('.sr-only') || el.closest('.skip-link') || el.closest('noscript')) continue;
          const st = getComputedStyle(el);
          if (st.visibility === 'hidden' || st.display === 'none') continue;
          const a = lum(parse(st.color));
          const b = lum(bg(el));
          const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          if (ratio < min.ratio) min = { ratio, text: n.textContent.trim().slice(0, 40) };
        }
        return min;
      });
      assert.ok(worst.ratio >= 4.5, `${r}: contrast ${worst.ratio.toFixed(2)} for "${worst.text}"`);
    }
    await page.done();
  });

  test('phone: every page fits a 390 px screen', async () => {
    const page = await newPage(URL_GOOD, { viewport: { width: 390, height: 844 }, context: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } });
    for (const r of ROUTES) {
      await open(page, r);
      await checks(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${r}: the page is ${overflow}px wider than the screen`);
      const name = r === '#/' ? 'overview' : r.slice(2).replace(/[^a-z0-9]+/gi, '-');
      await shot(page, `phone-${name}`);
    }
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
