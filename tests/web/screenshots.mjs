// screenshots.mjs: the README's dashboard screenshots (docs/screenshots/),
// run by hand against `oretrail serve` on the demo ledger and on the
// tampered copy tests/web/run.sh makes:
//
//   node tests/web/screenshots.mjs GOOD_URL TAMPERED_URL [OUT_DIR]
//
// The overview, a lot, a contract and the failed verification, at 1280 px
// (desktop) and 360 px (phone), as PNG of the first screen (small files).
// OT_CHROMIUM overrides the browser (default /usr/bin/chromium).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [good, tampered, out = path.join(here, '../../docs/screenshots')] = process.argv.slice(2);
if (!good || !tampered) {
  console.error('usage: node tests/web/screenshots.mjs GOOD_URL TAMPERED_URL [OUT_DIR]');
  process.exit(2);
}
const { chromium } = await import(pathToFileURL(path.join(here, '../../web/node_modules/playwright-core/index.mjs')).href);
const browser = await chromium.launch({ executablePath: process.env.OT_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'], headless: true });
const SHOTS = [
  ['overview', good, '#/'],
  ['lot', good, '#/lots/lot-ndpr-oxide-001'],
  ['contract', good, '#/contracts/mou-fwo-ussm-2025'],
  ['failed-verification', tampered, '#/verify'],
];
const SIZES = [['desktop', { width: 1280, height: 900 }, false], ['phone', { width: 360, height: 740 }, true]];
for (const [size, viewport, isMobile] of SIZES) {
  const context = await browser.newContext({ viewport, isMobile, hasTouch: isMobile });
  const page = await context.newPage();
  for (const [name, base, hash] of SHOTS) {
    await page.goto(base + hash);
    await page.waitForSelector(`main[data-route="${hash}"]`);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-check]')].every((e) => e.dataset.ok !== 'pending'), null, { timeout: 30000 });
    const file = path.join(out, `${name}-${size}.png`);
    await page.screenshot({ path: file });
    console.log(file);
  }
  await context.close();
}
await browser.close();
