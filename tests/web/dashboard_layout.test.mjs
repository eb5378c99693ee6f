// dashboard_layout.test.mjs: every route on a 360 px phone, its text and an
// axe-core accessibility scan (issue 17, items 4 and 7). Started by
// tests/web/run.sh with the environment dashboard.test.mjs describes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, useBrowser } from './browser.mjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const URL_GOOD = process.env.OT_WEB_URL;
const AXE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web/node_modules/axe-core/axe.min.js');
const AXE_SRC = (() => {
  try {
    return readFileSync(AXE, 'utf8');
  } catch {
    return '';
  }
})();

const ROUTES = ['#/', '#/flows', '#/consignments', '#/consignments?element=Nd&country=US&period=2025', '#/contracts?element=Cu', '#/lots?country=CN', '#/consignments/PK-US-2025-001', '#/lots',
  '#/lots/lot-ndpr-oxide-001', '#/lots/lot-ndpr-oxide-002?at=2027-01-01', '#/contracts', '#/contracts/mou-fwo-ussm-2025',
  '#/findings', '#/verify', '#/certificate', '#/entries/0', '#/checkpoints', '#/search?q=oxide', '#/sites/pk-bl-chagai-cu',
  '#/actors/fwo', '#/payments', '#/lots/lot-ndpr-oxide-001?print', '#/timeline', '#/timeline?type=ship&period=2025',
  '#/sites/pk-kp-loe-shilman', '#/lots/lot-ree-ore-001', '#/flows?element=goods'];

const browser = useBrowser();

// A 360x740 phone; the page's CSP is bypassed only so that axe can be injected.
async function phone() {
  const context = await browser().newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.done = () => context.close();
  return page;
}

// Opens a route and waits until it has rendered and its checks have run.
async function open(page, hash) {
  await page.goto(URL_GOOD + hash);
  await page.waitForSelector(`main[data-route="${hash}"]`);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-check]')].every((e) => e.dataset.ok !== 'pending'));
}

describe('layout, text and accessibility on every route', () => {
  for (const r of ROUTES) {
    test(`${r}: fits 360 px, no "null"/"undefined", no serious axe violation`, async () => {
      const page = await phone();
      await open(page, r);
      const facts = await page.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        text: document.body.innerText,
      }));
      assert.ok(facts.width <= 360, `${r}: scrollWidth ${facts.width} > 360`);
      const bad = facts.text.match(/.{0,30}\b(null|undefined|NaN)\b.{0,30}/);
      assert.equal(bad, null, `${r}: the page shows "${bad && bad[0]}"`);
      assert.ok(AXE_SRC, `${AXE} exists (npm ci --prefix web)`);
      await page.addScriptTag({ content: AXE_SRC });
      const found = await page.evaluate(async () => {
        const res = await window.axe.run(document, { resultTypes: ['violations'] });
        return res.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(found, [], `${r}: axe-core`);
      assert.deepEqual(page.errors, []);
      await page.done();
    });
  }
});
