// dashboard_ui.test.mjs: what a reader sees, in headless Chromium against
// `oretrail serve` on the demo ledger (run.sh): masses in a unit per
// mineral (t of copper, kg of neodymium), names with their ids on hover,
// findings without raw grams or ISO timestamps, the ancestry graph's zoom,
// and the printable lot passport with its QR code. The expectations are
// derived from the API, not from the demo's length.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, newPageIn, open } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();
const get = async (p) => (await fetch(new URL(p, URL_GOOD))).json();

// A page that has rendered `hash` and whose names have been filled in (the
// replay behind them is done once the verification state is settled).
async function ready(hash) {
  const page = await newPageIn(browser(), URL_GOOD);
  await open(page, hash);
  await page.waitForSelector('#verify-state[data-state="verified"]');
  return page;
}

// The texts of the cells of column `label` of the table with `selector`.
const column = (page, selector, label) => page.$eval(selector, (t, l) => {
  const i = [...t.querySelectorAll('thead th')].findIndex((th) => th.textContent === l);
  return [...t.querySelectorAll('tbody tr')].map((tr) => tr.children[i].textContent);
}, label);

describe('units, names, findings, ancestry zoom and the passport', () => {
  test('copper shows in t of Cu and NdPr content in kg of Nd and Pr, one unit per element', async () => {
    const lot = await get('api/lots/lot-cu-conc-001');
    assert.ok(lot.countries.some((r) => r.element === 'Cu' && r.grams >= 1e6), 'the demo copper lot carries at least a tonne of copper');
    const page = await ready('#/lots/lot-cu-conc-001');
    const cu = await column(page, 'table[data-table="origin-country"]', 'Content');
    assert.ok(cu.length > 0);
    for (const c of cu) assert.match(c, /^[\d,.]+ t Cu$/);
    assert.match(await page.textContent('dl.facts'), /Mass now[\d,.]+ t/);

    await open(page, '#/lots/lot-ndpr-oxide-001');
    const nd = await page.$$eval('[data-table="origin-country"] tbody tr', (rows) => rows.map((tr) => [tr.children[0].textContent, tr.children[2].textContent]));
    const units = Object.fromEntries(nd.map(([el, c]) => [el, c.replace(/^[\d,.]+ /, '')]));
    assert.equal(units['Neodymium (Nd)'], 'kg Nd', JSON.stringify(nd));
    assert.equal(units['Praseodymium (Pr)'], 'kg Pr', JSON.stringify(nd));
    // Down the stage table the unit of an element does not change.
    const stages = await page.$$eval('[data-table="stages"] tbody tr', (rows) => rows.map((tr) => tr.children[4].textContent));
    assert.ok(stages.length > 2);
    assert.ok(stages.every((s) => / kg (Nd|Pr)$/.test(s)), stages.join(' | '));

    // The flows page, all minerals: copper's flows in t Cu, Nd's in kg Nd.
    await open(page, '#/flows');
    // One diagram per mineral (its section data-flow), its table's third column the amount.
    const amounts = async (el) => (await page.$$eval(`section[data-flow="${el}"] table tbody tr`, (rows) => rows.map((tr) => tr.children[2].textContent))).map((v) => [el, v]);
    const cuFlows = await amounts('Cu');
    const ndFlows = await amounts('Nd');
    assert.ok(cuFlows.length > 0 && ndFlows.length > 0, JSON.stringify([cuFlows, ndFlows]));
    assert.ok(cuFlows.every(([, v]) => / t Cu$/.test(v)), JSON.stringify(cuFlows));
    assert.ok(ndFlows.every(([, v]) => / kg Nd$/.test(v)), JSON.stringify(ndFlows));

    // The lots list: one unit per material down the column.
    await open(page, '#/lots');
    const lots = (await get('api/lots?limit=1000')).lots;
    const rows = await page.$$eval('main table tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[4].textContent]));
    const material = Object.fromEntries(lots.map((l) => [l.lot, l.material]));
    const unitsBy = new Map();
    for (const [id, m] of rows) {
      const u = m.replace(/^[\d,.]+ /, '');
      if (!unitsBy.has(material[id])) unitsBy.set(material[id], new Set());
      unitsBy.get(material[id]).add(u);
    }
    for (const [m, set] of unitsBy) assert.equal(set.size, 1, `${m}: ${[...set]}`);
    assert.deepEqual([...unitsBy.get('oxide')], ['kg']);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('an id is shown as its name, the id in the title, and linked', async () => {
    const actors = (await get('api/actors?limit=1000')).actors;
    const lot = await get('api/lots/lot-ndpr-oxide-001');
    const holder = actors.find((a) => a.actor === lot.holder);
    assert.ok(holder && holder.name && holder.name !== holder.actor);
    const page = await ready('#/lots/lot-ndpr-oxide-001');
    const sel = `dl.facts a[data-id="${lot.holder}"]`;
    await page.waitForFunction((s) => { const a = document.querySelector(s); return a && a.textContent !== a.title; }, sel);
    assert.equal(await page.textContent(sel), holder.name);
    assert.equal(await page.getAttribute(sel, 'title'), holder.actor);
    assert.equal(await page.getAttribute(sel, 'href'), `#/actors/${holder.actor}`);
    // A site without a name keeps its id.
    const site = `dl.facts a[data-id="${lot.site}"]`;
    assert.equal(await page.textContent(site), lot.site);
    // Contract parties by name.
    await open(page, '#/contracts');
    await page.waitForFunction((s) => { const a = document.querySelector(s); return a && a.textContent !== a.title; }, 'main table a[data-id="fwo"]');
    assert.equal(await page.getAttribute('main table a[data-id="fwo"]', 'title'), 'fwo');
    assert.equal(await page.textContent('main table a[data-id="fwo"]'), actors.find((a) => a.actor === 'fwo').name);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('findings read in words: no raw grams, no ISO timestamps; the ISO form on hover', async () => {
    const doc = await get('api/findings');
    const withValues = doc.findings.filter((f) => f.values);
    assert.ok(withValues.some((f) => f.kind === 'transit_loss') && withValues.some((f) => f.kind === 'backdated'));
    const page = await ready('#/findings');
    const text = await page.textContent('main');
    assert.doesNotMatch(text, /\d{5,} g\b/);
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    // The transit loss in its unit; the backdated claims as dates with the ISO form in title.
    const loss = doc.findings.find((f) => f.kind === 'transit_loss');
    const li = await page.textContent('[data-finding="transit_loss"]');
    assert.match(li, /20\.1 t shipped/);
    assert.ok(li.includes('-0.800 %'));
    const times = await page.$$eval('[data-finding="backdated"] time', (ts) => ts.map((t) => [t.title, t.textContent]));
    assert.ok(times.length >= 2);
    for (const [iso, shown] of times) {
      assert.match(iso, /^\d{4}-\d{2}-\d{2}T/);
      assert.match(shown, /^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2} UTC$/);
    }
    assert.equal(await page.locator(`[data-finding="transit_loss"] a[data-id="${loss.subject}"]`).count(), 1);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('the ancestry graph fits its box and zooms with its buttons', async () => {
    const page = await ready('#/lots/lot-ndpr-oxide-001');
    await page.waitForSelector('svg.ancestry g.viewport');
    const fits = await page.$eval('svg.ancestry', (s) => {
      const box = s.closest('.chart-scroll');
      return s.getBoundingClientRect().width <= box.clientWidth + 1 && box.scrollWidth <= box.clientWidth + 1;
    });
    assert.ok(fits, 'the whole graph fits the container at first');
    const transform = () => page.getAttribute('svg.ancestry g.viewport', 'transform');
    const start = await transform();
    assert.equal(start, 'translate(0 0) scale(1)');
    await page.click('button[data-zoom="in"]');
    const zoomed = await transform();
    assert.match(zoomed, /scale\(1\.25\)/);
    await page.click('button[data-zoom="in"]');
    assert.match(await transform(), /scale\(1\.5625\)/);
    await page.click('button[data-zoom="out"]');
    assert.equal(await transform(), zoomed);
    // The buttons are reached with Tab and work with Enter.
    await page.focus('button[data-zoom="reset"]');
    await page.keyboard.press('Enter');
    assert.equal(await transform(), start);
    await page.focus('button[data-zoom="out"]');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.zoom), 'in');
    await page.keyboard.press('Enter');
    assert.match(await transform(), /scale\(1\.25\)/);
    // The wheel zooms too, and dragging pans.
    const box = await page.$eval('svg.ancestry', (s) => { const r = s.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
    await page.mouse.move(box.x, box.y);
    await page.mouse.wheel(0, -100);
    await page.waitForFunction(() => /scale\(1\.5625\)/.test(document.querySelector('svg.ancestry g.viewport').getAttribute('transform')));
    // A drag that starts and ends on a lot's box pans, and stays on this page.
    await page.click('button[data-zoom="reset"]');
    const before = await transform();
    const lotBox = await page.$eval('svg.ancestry a[href="#/lots/lot-ndpr-oxide-001"] rect', (r) => { const b = r.getBoundingClientRect(); return { x: b.x + b.width / 2, y: b.y + b.height / 2 }; });
    await page.mouse.move(lotBox.x, lotBox.y);
    await page.mouse.down();
    await page.mouse.move(lotBox.x - 3, lotBox.y, { steps: 3 });
    await page.mouse.move(lotBox.x - 6, lotBox.y, { steps: 3 });
    await page.mouse.up();
    // At scale 1 the whole chart shows and panning is held at its edges;
    // zoomed in, the same drag moves it.
    await page.click('button[data-zoom="in"]');
    const zoomedIn = await transform();
    await page.mouse.move(lotBox.x, lotBox.y);
    await page.mouse.down();
    await page.mouse.move(lotBox.x + 30, lotBox.y + 10, { steps: 5 });
    await page.mouse.up();
    assert.notEqual(await transform(), zoomedIn);
    assert.notEqual(zoomedIn, before);
    assert.equal(await page.getAttribute('main', 'data-route'), '#/lots/lot-ndpr-oxide-001');
    // A click (no drag) on a box opens its lot.
    await page.click('button[data-zoom="reset"]');
    await page.click('svg.ancestry a[href="#/lots/lot-ree-ore-001"] rect');
    await page.waitForSelector('main[data-route="#/lots/lot-ree-ore-001"]');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('the passport print view: the lot\'s facts and a QR code of its permalink, printed under it', async () => {
    const id = 'lot-ndpr-oxide-001';
    const lot = await get(`api/lots/${id}`);
    const page = await ready(`#/lots/${id}`);
    await page.click('a[data-passport]');
    await page.waitForSelector(`main[data-route="#/lots/${id}?print"]`);
    await page.waitForSelector('svg.qr');
    const permalink = new URL(`#/lots/${id}`, URL_GOOD).href;
    assert.equal(await page.getAttribute('figure.passport-qr', 'data-permalink'), permalink);
    assert.equal(await page.textContent('figure.passport-qr figcaption'), permalink);
    // The QR code: version 1 to 40 has 21 + 4 (v - 1) modules a side; the
    // drawing has that many plus a quiet zone of 4 each side.
    const qr = await page.$eval('svg.qr', (s) => ({ n: Number(s.dataset.modules), text: s.dataset.text, box: s.getAttribute('viewBox'), d: s.querySelector('path').getAttribute('d') }));
    assert.equal(qr.text, permalink);
    assert.ok(qr.n >= 21 && (qr.n - 21) % 4 === 0, String(qr.n));
    assert.equal(qr.box, `0 0 ${qr.n + 8} ${qr.n + 8}`);
    // The three finder patterns: the 7x7 corners are dark on their edges.
    const dark = new Set(qr.d.match(/M\d+ \d+/g).map((m) => m.slice(1)));
    for (const [r, c] of [[0, 0], [0, qr.n - 7], [qr.n - 7, 0]]) {
      for (let i = 0; i < 7; i++) {
        assert.ok(dark.has(`${c + i + 4} ${r + 4}`) && dark.has(`${c + 4} ${r + i + 4}`), `finder at ${r},${c}`);
      }
    }
    // The facts `oretrail passport` carries.
    const text = await page.textContent('main');
    for (const s of [id, lot.material, 'Neodymium (Nd)', 'Pakistan (PK)', '100.00 %', '618.189 kg Nd', 'Compliance determinations', 'Issued by the log'])
      assert.ok(text.includes(s), s);
    assert.equal(await page.locator('[data-table="passport-entries"] tbody tr').count(), lot.ancestry.length);
    for (const c of lot.compliance) assert.equal(await page.locator(`[data-profile="${c.profile}"]`).count(), 1, c.profile);
    // Printed: no navigation, the QR code shown, one or two A4 pages.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.$eval('.site-header', (e) => getComputedStyle(e).display), 'none');
    assert.equal(await page.$eval('.passport-tools', (e) => getComputedStyle(e).display), 'none');
    assert.notEqual(await page.$eval('svg.qr', (e) => getComputedStyle(e).display), 'none');
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.ok(pages >= 1 && pages <= 3, `${pages} pages`);
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
