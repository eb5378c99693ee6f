// dashboard_rtl_charts.test.mjs: the SVG charts read right to left in Urdu,
// in headless Chromium against `oretrail serve` on the demo ledger
// (run.sh): in every flow diagram each band runs from its source at the
// right to its target at the left (left to right in English), and in the
// ancestry graph the mined lots stand right of the lot they became; the
// text itself is not mirrored (no transform flips the drawing).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPageIn, open, useBrowser } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();
const LOT = 'lot-ndpr-oxide-001';

// For each band of each Sankey: [source node's x, target node's x].
const bands = (page) => page.$$eval('svg.sankey', (charts) => charts.flatMap((c) => {
  const x = (id) => Number(c.querySelector(`rect[data-node="${CSS.escape(id)}"]`).getAttribute('x'));
  return [...c.querySelectorAll('path[data-link]')].map((p) => {
    const [a, b] = p.dataset.link.split('>');
    return [x(a), x(b)];
  });
}));

// The ancestry graph's boxes: [x of the target lot's box, x of every other].
const boxes = (page, lot) => page.$$eval('svg.ancestry a', (as, target) => as.map((a) => [
  a.getAttribute('href').endsWith(`/${target}`), Number(a.querySelector('rect').getAttribute('x')),
]), lot);

const transformed = (page) => page.$$eval('svg.sankey, svg.ancestry, svg.sankey *, svg.ancestry text', (els) => els.some((e) => {
  const t = getComputedStyle(e).transform;
  return t && t !== 'none' && /matrix\(-1/.test(t);
}));

describe('charts in Urdu', () => {
  for (const [lang, rtl] of [['en', false], ['ur', true]]) {
    test(`${lang}: the flows run ${rtl ? 'right to left' : 'left to right'}, the ancestry too`, async () => {
      const page = await newPageIn(browser(), `${URL_GOOD}?lang=${lang}`);
      await open(page, '#/flows');
      await page.waitForSelector('svg.sankey path[data-link]', { state: 'attached' });
      const b = await bands(page);
      assert.ok(b.length > 3, 'the demo has flows');
      for (const [sx, tx] of b) assert.ok(rtl ? sx > tx : sx < tx, `a band from x=${sx} to x=${tx}`);
      assert.equal(await transformed(page), false);
      await open(page, `#/lots/${LOT}`);
      await page.waitForSelector('svg.ancestry a rect', { state: 'attached' });
      const xs = await boxes(page, LOT);
      const target = xs.find(([t]) => t)[1];
      const others = xs.filter(([t]) => !t).map(([, x]) => x);
      assert.ok(others.length > 0);
      for (const x of others) assert.ok(rtl ? x > target : x < target, `an ancestor at x=${x}, the lot at ${target}`);
      assert.deepEqual(page.errors, []);
      await page.done();
    });
  }
});
