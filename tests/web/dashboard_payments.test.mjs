// dashboard_payments.test.mjs: the payments page (#/payments), in headless
// Chromium against `oretrail serve` on the demo ledger (run.sh): the
// report's tables as /api/report/eiti gives them, every payment and receipt
// proven, the totals by payer and payee recomputed from the proven events,
// and a server that inflates a total caught.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, withPage } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();
const get = async (p) => (await fetch(new URL(p, URL_GOOD))).json();

const captionRows = (page, caption) => page.$$eval('main table', (tables, c) => {
  const t = tables.find((x) => x.caption && x.caption.textContent === c);
  // A linked actor shows its name; its id is in data-id.
  const cell = (td) => { const a = td.querySelector('[data-id]'); return a ? a.dataset.id : td.textContent; };
  return t ? [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map(cell)) : null;
}, caption);

describe('payments', () => {
  test('the report\'s totals, every payment proven, totals by payer and payee recomputed', async () => {
    const r = await get('api/report/eiti');
    assert.ok(r.payments.length > 0, 'the demo records payments');
    const got = await withPage(browser(), URL_GOOD, '#/payments', '[data-check="payments"]:not([data-ok="pending"])', async (page) => ({
      ok: await page.getAttribute('[data-check="payments"]', 'data-ok'),
      text: await page.textContent('[data-check="payments"]'),
      payers: await captionRows(page, 'By payer'),
      payees: await captionRows(page, 'By payee (government agency)'),
      payments: await page.$$eval('main table', (tables) => tables.at(-1).querySelectorAll('tbody tr').length),
      proven: await page.$$eval('.verify-panel li.ok', (li) => li.length),
      links: await page.$$eval('main table a[href^="#/entries/"]', (a) => a.length),
    }));
    assert.equal(got.ok, 'true', got.text);
    assert.match(got.text, new RegExp(`sums of the ${r.payments.length} payments? proven`));
    assert.deepEqual(got.payers.map((x) => x[0]), r.by_payer.map((x) => x.payer));
    assert.deepEqual(got.payees.map((x) => x[2]), r.by_payee.map((x) => String(x.count)));
    assert.equal(got.payments, r.payments.length);
    assert.equal(got.proven, r.payments.length + r.receipts.length);
    assert.ok(got.links >= r.payments.length);
  });

  test('a period narrows the report to it', async () => {
    const all = await get('api/report/eiti');
    const period = all.by_period[0].period;
    const r = await get(`api/report/eiti?period=${period}`);
    const rows = await withPage(browser(), URL_GOOD, `#/payments?period=${period}`, '[data-check="payments"]:not([data-ok="pending"])',
      (page) => page.$$eval('main table', (tables) => tables.at(-1).querySelectorAll('tbody tr').length));
    assert.equal(rows, r.payments.length || 1);
  });

  test('a server whose total by payee is not the sum of the logged payments gets a red notice', async () => {
    const got = await withPage(browser(), URL_GOOD, '#/', '#verify-state', async (page) => {
      await page.route((u) => u.pathname.endsWith('/api/report/eiti'), async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        body.by_payee[0].amount += 100000;
        await route.fulfill({ response: res, json: body });
      });
      await page.goto(`${URL_GOOD}#/payments`);
      await page.waitForSelector('[data-check="payments"][data-ok="false"]');
      return { text: await page.textContent('[data-check="payments"]'), alarm: await page.$eval('#alarm', (e) => !e.hidden) };
    });
    assert.match(got.text, /The server's totals differ from the log's payments: payee .*the server says/);
    assert.equal(got.alarm, true);
  });
});
