// dashboard_corrections.test.mjs: the correction history on the lot page
// and on the entry page (issue 13's display), in headless Chromium against
// `oretrail serve` on a small ledger run.sh makes: an assay typo (entry 6)
// corrected by its lab (entry 7) and an unused lot's creation (entry 5)
// voided by its miner (entry 8). What the page lists is compared with the
// server's trace (`corrections`), and the entry page's history with the
// correct and void entries, each linked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPageIn, open, useBrowser } from './browser.mjs';

const URL_CORR = process.env.OT_WEB_CORRECTIONS_URL;
const browser = useBrowser();
const get = async (p) => (await fetch(new URL(p, URL_CORR))).json();

describe('corrections', () => {
  test('a corrected lot lists its corrections: entry, what, who, why, each linked', async () => {
    for (const lot of ['lot-a', 'lot-b']) {
      const served = await get(`api/lots/${lot}`);
      assert.equal(served.corrections.length, 1, lot);
      const page = await newPageIn(browser(), URL_CORR);
      await open(page, `#/lots/${lot}`);
      await page.waitForSelector('[data-table="corrections"] tbody tr');
      const rows = await page.$$eval('[data-table="corrections"] tbody tr', (trs) => trs.map((tr) => ({
        text: tr.textContent,
        links: [...tr.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      })));
      assert.equal(rows.length, served.corrections.length);
      const c = served.corrections[0];
      assert.ok(rows[0].links.includes(`#/entries/${c.entry}`), rows[0].links.join(' '));
      assert.ok(rows[0].links.includes(`#/entries/${c.event_index}`), rows[0].links.join(' '));
      assert.match(rows[0].text, new RegExp(`${c.kind === 'void' ? 'voided' : 'corrected'} ${c.event}`));
      assert.ok(rows[0].text.includes(c.reason), rows[0].text);
      assert.deepEqual(page.errors, []);
      await page.done();
    }
  });

  test('an entry shows the later entries that corrected or voided it; a correction links to what it corrects', async () => {
    const page = await newPageIn(browser(), URL_CORR);
    const cases = [
      [6, '[data-corrections="y1"]', /entry 7: corrected by lab1: typo: 2500 for 25000 mg\/kg/, '#/entries/7'],
      [5, '[data-corrections="x2"]', /entry 8: voided by fwo: entered twice/, '#/entries/8'],
      [7, '[data-corrects="y1"]', /This entry corrects entry 6: typo/, '#/entries/6'],
      [8, '[data-corrects="x2"]', /This entry voids entry 5: entered twice/, '#/entries/5'],
    ];
    for (const [index, sel, text, href] of cases) {
      await open(page, `#/entries/${index}`);
      await page.waitForSelector(sel);
      assert.match(await page.textContent(sel), text);
      assert.ok(await page.$(`${sel} a[href="${href}"]`), `${index}: a link to ${href}`);
    }
    // An entry nobody corrected has no history.
    await open(page, '#/entries/4');
    await page.waitForSelector('main .entry-body table');
    assert.equal(await page.$('[data-corrections], [data-corrects]'), null);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('in Urdu the history reads in Urdu', async () => {
    const page = await newPageIn(browser(), `${URL_CORR}?lang=ur`);
    await open(page, '#/lots/lot-a');
    await page.waitForSelector('[data-table="corrections"] tbody tr');
    assert.match(await page.textContent('[data-section="corrections"] h2'), /[\u0600-\u06ff]/);
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
