// dashboard_cert_gzip.test.mjs: a gzip-compressed provenance certificate
// (`oretrail prove --gzip`) checked on the certificate page (#/certificate),
// in headless Chromium against `oretrail serve` on the demo ledger
// (run.sh): inflated by the browser's DecompressionStream, it verifies as
// the plain one does; a forged one inside gzip is refused; a cut stream
// and one that inflates past the page's cap are not certificates.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { newPageIn, open, useBrowser } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const CERT = process.env.OT_WEB_CERT ? readFileSync(process.env.OT_WEB_CERT, 'utf8') : '';
const browser = useBrowser();

async function check(page, buffer, name) {
  await page.setInputFiles('#cert-file', { name, mimeType: 'application/gzip', buffer });
  await page.waitForSelector('[data-check="certificate"]:not([data-ok="pending"])');
  return page.evaluate(() => ({
    ok: document.querySelector('[data-check="certificate"]').dataset.ok,
    verdict: document.querySelector('[data-check="certificate"]').textContent,
  }));
}

describe('gzip certificates', { skip: !CERT && 'needs OT_WEB_CERT' }, () => {
  test('verifies as the plain one; a forgery, a cut stream and a bomb are refused', async () => {
    const page = await newPageIn(browser(), URL_GOOD);
    await open(page, '#/certificate');
    let r = await check(page, gzipSync(Buffer.from(CERT)), 'lot-ndpr-oxide-001.cert.json.gz');
    assert.equal(r.ok, 'true', r.verdict);
    assert.match(r.verdict, /Certificate verified: lot lot-ndpr-oxide-001/);
    const forged = JSON.parse(CERT);
    forged.claim.mass_g *= 2;
    await open(page, '#/certificate');
    r = await check(page, gzipSync(Buffer.from(JSON.stringify(forged, null, 2))), 'forged.cert.json.gz');
    assert.equal(r.ok, 'false', r.verdict);
    const gz = gzipSync(Buffer.from(CERT));
    await open(page, '#/certificate');
    r = await check(page, gz.subarray(0, 1000), 'cut.cert.json.gz');
    assert.equal(r.ok, 'false');
    assert.match(r.verdict, /NOT A CERTIFICATE[\s\S]*not a valid gzip stream/);
    await open(page, '#/certificate');
    r = await check(page, gzipSync(Buffer.alloc(40 * 1024 * 1024)), 'bomb.cert.json.gz');
    assert.equal(r.ok, 'false');
    assert.match(r.verdict, /inflates to more than 33554432 bytes/);
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
