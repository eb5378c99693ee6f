// dashboard_story2.test.mjs: the deal's story first (issue 17 item 5): the
// overview opens with the deal, not the log; its per-mineral figures and the
// flows page's equal `oretrail report crma --json` (each stage counted once;
// run.sh writes it to OT_WEB_CRMA); one flow diagram per mineral; the
// forward trace from the demo's mine reaches the export consignment; the
// timeline lists every entry once and its filters narrow it. Started by
// tests/web/run.sh (see dashboard.test.mjs for the environment).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newPageIn, open, useBrowser } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const CRMA = process.env.OT_WEB_CRMA ? JSON.parse(readFileSync(process.env.OT_WEB_CRMA, 'utf8')) : null;
const MINE = 'pk-kp-loe-shilman';
const EXPORT = 'PK-US-2025-001';

const browser = useBrowser();

// Opens a route and waits until its verification line has settled (it
// moves what is below it when it does, so a click must wait for it).
async function openSettled(page, hash) {
  await open(page, hash);
  await page.waitForSelector('#verify-state[data-state="verified"]');
}
const newPage = (base) => newPageIn(browser(), base);
const api = async (p) => (await fetch(new URL(p.replace(/^\//, ''), URL_GOOD))).json();

// The CLI's report as "element stage country" -> mg, for the stages `keep` names.
function cliRows(keep = () => true) {
  const out = new Map();
  for (const m of CRMA.minerals) {
    for (const s of m.stages) {
      if (!keep(s.stage)) continue;
      for (const c of s.countries) out.set(`${m.element} ${s.stage} ${c.country}`, c.mg);
    }
  }
  return out;
}

// The figures of a table on the page as "element stage country" -> mg.
async function pageRows(page, selector) {
  const rows = await page.$$eval(`${selector} [data-mg][data-stage][data-country]`, (els) => els.map((e) => [
    `${e.dataset.mineral} ${e.dataset.stage} ${e.dataset.country}`, Number(e.dataset.mg)]));
  assert.equal(new Set(rows.map(([k]) => k)).size, rows.length, `${selector}: each mineral, stage and country once`);
  return new Map(rows);
}

// Every entry of the log, from the API (an independent reading of the log).
async function allEvents() {
  const cp = await api('/api/checkpoint');
  const out = [];
  for (let i = 0; i < cp.size; i++) out.push((await api(`/api/entries/${i}`)).entry.event);
  return out;
}

describe('the story first', () => {
  test('the overview opens with the deal, and the log behind it comes after', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/');
    const headings = await page.$$eval('main h1, main h2', (hs) => hs.map((x) => ({ tag: x.tagName, text: x.textContent, section: x.dataset.section || '' })));
    assert.equal(headings[0].tag, 'H1');
    assert.match(headings[0].text, /deal/i);
    assert.doesNotMatch(headings[0].text, /log|checkpoint|entries|hash/i);
    assert.equal(headings[1].section, 'contracts', `the first section is the contracts: ${headings[1].text}`);
    const order = headings.map((x) => x.section).filter(Boolean);
    assert.deepEqual(order, ['contracts', 'mined', 'processed', 'shipped', 'paid', 'determinations', 'log']);
    // The log mechanics are still there, and still checked.
    await page.waitForSelector('[data-check="checkpoint"][data-ok="true"]');
    await page.waitForSelector('[data-check="replay"][data-ok="true"]');
    assert.ok(await page.locator('[data-card="size"]').count() === 1);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('the overview: contracts with what is withheld, overdue first; payees; the final lots\' determinations', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/');
    // Overdue as the contract list has it (disclose_by passed, a part withheld).
    const listed = (await api('/api/contracts?limit=1000')).contracts;
    assert.equal(await page.getAttribute('[data-overdue]', 'data-overdue'), String(listed.filter((c) => c.overdue).length));
    const first = '[data-table="deal-contracts"] tbody tr';
    const contract = await page.textContent(first);
    // Contracts and parties read by name, the id in the link (links.js).
    assert.equal(await page.getAttribute(`${first} a[data-kind="contract"]`, 'data-id'), 'mou-fwo-ussm-2025');
    assert.match(contract, /terms\.offtake, text/);
    assert.match(contract, /500,000,000\.00 USD/);
    await page.waitForFunction((sel) => /Frontier Works Organisation and US Strategic Metals/.test(document.querySelector(sel).textContent), first);
    assert.deepEqual(await page.$$eval(`${first} a[data-kind="actor"]`, (as) => as.map((a) => a.dataset.id)), ['fwo', 'ussm']);
    // The days withheld are the contract page's (from the logged date).
    const shown = (await api('/api/contracts/mou-fwo-ussm-2025')).commitments.filter((c) => !c.disclosed);
    assert.equal(await page.getAttribute('[data-table="deal-contracts"] [data-withheld-days]', 'data-withheld-days'),
      String(Math.max(...shown.map((c) => c.withheld_days))));
    // Paid to whom: the payees of the payments the EITI report lists, with their totals.
    const eiti = await api('/api/report/eiti');
    const paid = await page.$$eval('[data-table="deal-paid"] a[data-kind="actor"]', (as) => as.map((a) => a.dataset.id));
    for (const p of eiti.by_payee) assert.ok(paid.includes(p.payee), p.payee);
    // The final lots: the one separated in China and the one separated in
    // Pakistan, each with a DFARS and a CRMA determination.
    const finals = page.locator('[data-table="deal-determinations"] tbody tr');
    const text = await page.textContent('[data-table="deal-determinations"]');
    for (const lot of ['lot-ndpr-oxide-001', 'lot-ndpr-oxide-002', 'lot-ndfeb-alloy-002']) assert.ok(text.includes(lot), lot);
    assert.equal(await finals.locator('[data-profile="dfars-7052"]').count(), await finals.count());
    assert.equal(await finals.locator('[data-profile="crma"]').count(), await finals.count());
    // The same determination the lot page gives (the same replay, otw_lot).
    const row = finals.filter({ hasText: 'lot-ndpr-oxide-002' });
    assert.match(await row.textContent(), /Separated: China/);
    const crma = await row.locator('[data-profile="crma"]').getAttribute('data-determination');
    await open(page, '#/lots/lot-ndpr-oxide-002');
    assert.equal(await page.getAttribute('[data-section="compliance"] [data-profile="crma"]', 'data-determination'), crma);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('per-mineral figures on the overview and the flows page equal oretrail report crma --json', async () => {
    assert.ok(CRMA, 'OT_WEB_CRMA (run.sh) holds the CLI\'s report');
    const page = await newPage(URL_GOOD);
    await open(page, '#/');
    const first = (st) => st === 'mined' || st === 'recycled';
    assert.deepEqual(await pageRows(page, '[data-table="deal-mined"]'), cliRows(first));
    assert.deepEqual(await pageRows(page, '[data-table="deal-processed"]'), cliRows((st) => !first(st)));
    // Each mineral in its own unit: the copper rows in t of Cu, the
    // praseodymium ones in kg of Pr, never a mixed sum.
    const mined = await page.textContent('[data-table="deal-mined"]');
    assert.match(mined, /6\.368 t Cu/);
    assert.match(mined, /344 kg Pr/);

    await open(page, '#/flows');
    assert.deepEqual(await pageRows(page, '[data-table="stage-output"]'), cliRows());
    // The totals per mineral and stage, counted once.
    const totals = new Map(await page.$$eval('[data-figures="minerals"] [data-total]', (els) => els.map((e) => [`${e.dataset.mineral} ${e.dataset.stage}`, Number(e.dataset.mg)])));
    const cliTotals = new Map(CRMA.minerals.flatMap((m) => m.stages.map((s) => [`${m.element} ${s.stage}`, s.mg])));
    assert.deepEqual(totals, cliTotals);
    // No stage counted twice: nothing processed from mined Nd exceeds what was mined.
    const nd = CRMA.minerals.find((m) => m.element === 'Nd');
    const minedNd = nd.stages.find((s) => s.stage === 'mined').mg;
    for (const s of nd.stages) assert.ok(s.mg <= minedNd, `${s.stage}`);
    // The exports are the report's too.
    const exported = await page.$$eval('[data-mg][data-stage="exported"]', (els) => els.map((e) => `${e.dataset.mineral} ${e.dataset.from} ${e.dataset.to} ${e.dataset.mg}`).sort());
    assert.deepEqual(exported, CRMA.minerals.flatMap((m) => m.exported.map((x) => `${m.element} ${x.from} ${x.to} ${x.mg}`)).sort());
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('flows: one diagram per mineral, each in its own unit; goods per material in dry mass', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, '#/flows');
    const cons = (await api('/api/consignments?limit=1000')).consignments;
    const elements = [...new Set(cons.flatMap((c) => c.lots.flatMap((l) => Object.keys(l.content_mg || {}))))].sort();
    const flows = await page.$$eval('section[data-flow]', (ss) => ss.map((s) => ({ key: s.dataset.flow, label: s.querySelector('svg.sankey').getAttribute('aria-label') })));
    assert.deepEqual(flows.map((f) => f.key), elements);
    for (const f of flows) {
      // Every amount in a diagram is of its own element.
      const units = [...f.label.matchAll(/\d (t|kg|g|mg) ([A-Z][a-z]?)\b/g)].map((m) => m[2]);
      assert.ok(units.length >= 1, f.label);
      assert.deepEqual([...new Set(units)], [f.key], f.label);
    }
    await open(page, '#/flows?element=goods');
    const goods = await page.$$eval('section[data-flow]', (ss) => ss.map((s) => s.dataset.flow));
    assert.ok(goods.length >= 2 && goods.every((g) => g.startsWith('material-')), goods.join(', '));
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('forward trace: from the demo\'s mine to the export consignment, and from an ore lot; the backward trace linked', async () => {
    const page = await newPage(URL_GOOD);
    await open(page, `#/sites/${MINE}`);
    const consignments = await page.textContent('[data-table="forward-consignments"]');
    assert.ok(consignments.includes(EXPORT), `the export consignment ${EXPORT} is in the forward trace`);
    assert.ok(consignments.includes('CN-US-2025-001'), 'and the one through China');
    const dest = await page.$$eval('[data-table="forward-destinations"] tbody tr', (rs) => rs.map((r) => r.textContent));
    assert.ok(dest.some((d) => /us-mo-ussm.*United States.*export/.test(d)), dest.join(' | '));
    const lots = await page.textContent('[data-table="forward-lots"]');
    for (const l of ['lot-ree-conc-001', 'lot-ndpr-oxide-001', 'lot-ndpr-oxide-002', 'lot-ndfeb-alloy-002']) assert.ok(lots.includes(l), l);
    // The consignments the trace lists carry the lots it lists, as the API has them.
    const api1 = await api(`/api/consignments/${EXPORT}`);
    const shown = await page.$$eval('[data-table="forward-consignments"] tbody tr', (rs) => rs.find((r) => r.textContent.includes('PK-US-2025-001')).textContent);
    assert.ok(api1.lots.filter((l) => lots.includes(l.lot)).every((l) => shown.includes(l.lot)));
    assert.ok(!shown.includes('lot-cu-conc-001'), 'the copper in the same consignment is not from this mine');
    // From a lot: the ore's forward trace, with the backward trace linked.
    await openSettled(page, '#/lots/lot-ree-ore-001');
    assert.ok((await page.textContent('[data-table="forward-consignments"]')).includes(EXPORT));
    await page.click('[data-section="forward"] a[data-link="backward"]');
    assert.ok(await page.locator('#anc-h').isVisible());
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('timeline: every entry once, linked; the type and period filters narrow it', async () => {
    const events = await allEvents();
    const page = await newPage(URL_GOOD);
    await openSettled(page, '#/timeline');
    await page.waitForSelector('[data-check="timeline"][data-ok="true"]');
    const listed = await page.$$eval('[data-table="timeline"] [data-entry]', (as) => as.map((a) => [Number(a.dataset.entry), a.getAttribute('href')]));
    assert.equal(listed.length, events.length);
    assert.deepEqual(listed.map(([i]) => i).sort((a, b) => a - b), events.map((_, i) => i));
    for (const [i, href] of listed) assert.equal(href, `#/entries/${i}`);
    // By claimed time.
    const times = listed.map(([i]) => events[i].time);
    assert.deepEqual(times, [...times].sort());
    // Linked from the navigation.
    assert.equal(await page.locator('nav a[data-nav="timeline"][href="#/timeline"]').count(), 1);
    // The type filter.
    await page.click('[data-filter="type"] a[href="#/timeline?type=ship"]');
    await page.waitForSelector('main[data-route="#/timeline?type=ship"]');
    const ships = events.filter((e) => e.type === 'ship').length;
    assert.ok(ships >= 2);
    assert.equal(await page.locator('[data-table="timeline"] [data-entry]').count(), ships);
    // With a period: the ships of 2025.
    await open(page, '#/timeline?type=ship&period=2025');
    assert.equal(await page.locator('[data-table="timeline"] [data-entry]').count(),
      events.filter((e) => e.type === 'ship' && e.time.startsWith('2025-')).length);
    await open(page, '#/timeline?period=2026-Q1');
    const q1 = events.filter((e) => /^2026-0[1-3]-/.test(e.time)).length;
    assert.ok(q1 >= 1);
    assert.equal(await page.locator('[data-table="timeline"] [data-entry]').count(), q1);
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
