// dashboard_story.test.mjs: the dashboard's lists as data (issue 17 item 6):
// every table downloads as CSV with the rows the page shows. Headless
// Chromium (Debian's, driven by playwright-core) against `oretrail serve`
// on the demo ledger; started by tests/web/run.sh (see dashboard.test.mjs
// for the environment it sets).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPageIn, open, useBrowser } from './browser.mjs';
import { readFileSync } from 'node:fs';

const URL_GOOD = process.env.OT_WEB_URL;


const browser = useBrowser();
const newPage = (base) => newPageIn(browser(), base, { acceptDownloads: true });

// RFC 4180 CSV text to rows of fields (quoted fields, doubled quotes, CRLF).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  assert.equal(field + row.join(''), '', 'the CSV ends with CRLF');
  return rows;
}

// Every table on a route: its CSV download equals its rows, header first.
// Opens a route and waits until its verification line has settled: the
// line changes length when it does, moving what is below it, and a click
// aimed before that lands beside the button.
async function openSettled(page, hash) {
  await open(page, hash);
  await page.waitForSelector('#verify-state[data-state="verified"]');
}

async function assertCsvEqualsTables(page, hash) {
  await openSettled(page, hash);
  const blocks = page.locator('main .table-block:has(button.csv)');
  const n = await blocks.count();
  assert.ok(n >= 1, `${hash} has a table with a CSV button`);
  for (let i = 0; i < n; i++) {
    const block = blocks.nth(i);
    const shown = await block.locator('table').evaluate((t) => [...t.querySelectorAll('thead tr, tbody tr')]
      .map((tr) => [...tr.children].map((c) => c.textContent.replace(/\s+/g, ' ').trim())));
    const [download] = await Promise.all([page.waitForEvent('download'), block.locator('button.csv').click()]);
    assert.equal(download.suggestedFilename(), await block.locator('button.csv').getAttribute('data-csv'));
    assert.match(download.suggestedFilename(), /^[a-z0-9-]+\.csv$/);
    const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(rows, shown, `${hash} table ${i}: the CSV rows are the table's`);
    assert.ok(rows.length >= 2, `${hash} table ${i}: a header and at least one row`);
  }
  return n;
}

describe('the dashboard as data', () => {
  test('CSV: every table on the overview, lots, consignments and contracts downloads with the rows shown', async () => {
    // A page per route: Chromium stops a tab's downloads after ten.
    let tables = 0;
    for (const hash of ['#/', '#/lots', '#/consignments', '#/contracts']) {
      const p = await newPage(URL_GOOD);
      tables += await assertCsvEqualsTables(p, hash);
      assert.deepEqual(p.errors, []);
      await p.done();
    }
    assert.ok(tables >= 4, `${tables} tables checked`);
    const page = await newPage(URL_GOOD);
    // The lots list's CSV has one row per lot the API lists, plus the header.
    const lots = await (await fetch(new URL('api/lots?limit=1000', URL_GOOD))).json();
    assert.ok(!lots.next, 'the demo has fewer than 1000 lots');
    await openSettled(page, '#/lots');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main .table-block button.csv').first().click()]);
    const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
    assert.equal(rows.length - 1, lots.lots.length);
    assert.ok(rows.slice(1).some((r) => r[0].includes('lot-ndpr-oxide-001')), 'the NdPr oxide lot is a row');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('filter: the lots list by material narrows to the lots /api/lots lists with it', async () => {
    const lots = (await (await fetch(new URL('api/lots?limit=1000', URL_GOOD))).json()).lots;
    const materials = [...new Set(lots.map((l) => l.material).filter(Boolean))].sort();
    assert.ok(materials.length >= 2, `the demo has lots of several materials: ${materials}`);
    const page = await newPage(URL_GOOD);
    await open(page, '#/lots');
    assert.equal(await page.locator('main table tbody tr').count(), lots.length);
    for (const m of materials) {
      const want = lots.filter((l) => l.material === m).map((l) => l.lot).sort();
      assert.ok(want.length < lots.length);
      await page.click(`[data-filter="material"] a:text-is("${m}")`);
      await page.waitForSelector(`main[data-route="#/lots?material=${encodeURIComponent(m)}"]`);
      const shown = (await page.locator('main table tbody tr th').allTextContents()).map((t) => t.trim()).sort();
      assert.deepEqual(shown, want, m);
      assert.equal(await page.getAttribute('[data-filter="material"] a[aria-current="true"]', 'href'), `#/lots?material=${encodeURIComponent(m)}`);
    }
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
