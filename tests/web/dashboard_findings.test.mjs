// dashboard_findings.test.mjs: the findings page (#/findings) writes the
// figures of each finding as a person reads them, in headless Chromium
// against `oretrail serve` on the demo ledger (run.sh): grades in the
// assay dispute's detail, which the ledger writes in mg/kg, as percentages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPageIn, open, useBrowser } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();

describe('findings', () => {
  test('an assay dispute reads its grades and its splitting limit in %, not mg/kg', async () => {
    const doc = await (await fetch(new URL('api/findings', URL_GOOD))).json();
    const dispute = doc.findings.find((f) => f.kind === 'assay_dispute');
    assert.ok(dispute, 'the demo has an assay dispute');
    const ppm = [...dispute.detail.matchAll(/(\d+) mg\/kg/g)].map((m) => Number(m[1]));
    assert.ok(ppm.length >= 2, dispute.detail);
    const limit = Number(dispute.detail.match(/\(limit (\d+)\)/)[1]);
    const page = await newPageIn(browser(), URL_GOOD);
    await open(page, '#/findings');
    const text = await page.textContent('section[data-kind="assay_dispute"]');
    assert.doesNotMatch(text, /mg\/kg/);
    for (const v of ppm) assert.ok(text.includes(`${(v / 1e4).toFixed(2)} %`), `${v} mg/kg as ${(v / 1e4).toFixed(2)} % in: ${text}`);
    const lim = limit >= 10000 ? (limit / 1e4).toFixed(2) : (limit / 1e4).toFixed(3);
    assert.ok(text.includes(`(limit ${lim} %)`), text);
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
