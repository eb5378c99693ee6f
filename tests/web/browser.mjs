// browser.mjs: headless Chromium for the dashboard tests, through
// playwright-core from web/node_modules (OT_PLAYWRIGHT) and Debian's
// chromium (OT_CHROMIUM), as tests/web/run.sh sets them.
import { after, before } from 'node:test';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const { chromium } = await import(pathToFileURL(path.join(process.env.OT_PLAYWRIGHT, 'index.mjs')).href);

// No network but the page's own server, nothing in the background.
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--metrics-recording-only', '--mute-audio'];

// A wait for one selector or answer; generous for a busy machine.
export const TIMEOUT = 30000;

export const launchBrowser = () => chromium.launch({ executablePath: process.env.OT_CHROMIUM, args: ARGS, headless: true });

// Opens base + hash in a fresh 1280x900 context, waits until the route has
// rendered (main[data-route]) and `ready` is on the page, and returns
// fn(page); fails if the page threw.
export async function withPage(browser, base, hash, ready, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(base + hash);
    await page.waitForSelector(`main[data-route="${hash}"]`);
    await page.waitForSelector(ready);
    const out = await fn(page);
    if (errors.length) throw new Error(`page errors on ${hash}: ${errors.join('; ')}`);
    return out;
  } finally {
    await context.close();
  }
}

// One browser for a test file: launched before its tests, closed after.
// Returns a function that gives it.
export function useBrowser() {
  let browser = null;
  before(async () => {
    if (!process.env.OT_WEB_URL) throw new Error('OT_WEB_URL is not set (run through tests/web/run.sh)');
    browser = await launchBrowser();
  });
  after(async () => {
    if (browser) await browser.close();
  });
  return () => browser;
}

// A page in a fresh context (its own storage: no pasted key left over) of
// `browser`, for `base`: 1280x900 unless contextOptions say otherwise.
// Page errors and console errors are kept in page.errors, every request in
// page.requests; page.done() closes the context.
export async function newPageIn(browser, base, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.requests = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`console: ${m.text()}`); });
  page.on('request', (r) => page.requests.push(r.url()));
  page.base = base;
  page.done = async () => { await context.close(); };
  return page;
}

// Opens a route and waits until it has rendered.
export async function open(page, hash) {
  await page.goto(page.base + hash);
  await page.waitForSelector(`main[data-route="${hash}"]`);
}
