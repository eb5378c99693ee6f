// dashboard_passport_print.test.mjs: the printable lot passport
// (#/lots/<id>?print) prints on one A4 sheet, in headless Chromium against
// `oretrail serve` on the demo ledger (run.sh): the PDF Chromium prints of
// the demo's final oxide lots (the longest stage and reason tables) and of
// the copper concentrate has exactly one page, and still carries the QR
// code, the determinations and every ancestry entry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPageIn, open, useBrowser } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();
const LOTS = ['lot-ndpr-oxide-001', 'lot-ndpr-oxide-002', 'lot-cu-conc-001'];

// The page objects of a PDF ("/Type /Page", not "/Type /Pages").
const pages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) || []).length;

describe('passport print', () => {
  for (const lot of LOTS) {
    test(`${lot}: one A4 page with the QR code, the determinations and the ancestry`, async () => {
      const served = await (await fetch(new URL(`api/lots/${lot}`, URL_GOOD))).json();
      const page = await newPageIn(browser(), URL_GOOD);
      await open(page, `#/lots/${lot}?print`);
      await page.waitForSelector('main [data-section="compliance"] [data-verified]');
      await page.emulateMedia({ media: 'print' });
      const shown = await page.evaluate(() => ({
        qr: !!document.querySelector('main svg.qr'),
        determinations: document.querySelectorAll('main [data-section="compliance"] [data-determination]').length,
        entries: document.querySelector('main [data-print="passport-entries"]').textContent,
        table: getComputedStyle(document.querySelector('main [data-table="passport-entries"]')).display,
      }));
      assert.ok(shown.qr);
      assert.equal(shown.determinations, (served.compliance || []).length);
      for (const a of served.ancestry || []) assert.match(shown.entries, new RegExp(`\\b${a.index} ${a.type}\\b`));
      assert.equal(shown.table, 'none', 'the entries table is left out of print');
      const pdf = await page.pdf({ format: 'A4' });
      assert.equal(pages(pdf), 1, `${lot} prints on ${pages(pdf)} pages`);
      assert.deepEqual(page.errors, []);
      await page.done();
    });
  }
});
