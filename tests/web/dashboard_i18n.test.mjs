// dashboard_i18n.test.mjs: the dashboard in English and Urdu (issue 17
// item 6, web/src/i18n.js). Every key the code translates with a literal
// (t, tn, tx, under any import alias) and every label of index.html's
// navigation has an Urdu string keeping its placeholders; in Chromium,
// ?lang=ur gives <html lang="ur" dir="rtl">, the navigation, headings, table
// headers and the verification state in Urdu, Western digits, a mirrored
// layout with ids kept left to right, a remembered choice, CSV downloads
// without bidirectional controls, no horizontal overflow at 360 px and no
// serious axe-core violation; the switch back restores English. Started by
// tests/web/run.sh with the environment dashboard.test.mjs describes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newPageIn, open, useBrowser } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(HERE, '../../web/src');
const URL_GOOD = process.env.OT_WEB_URL;
const { UR } = await import(path.join(SRC, 'i18n.js'));

const LOT = 'lot-ndpr-oxide-001';
const CONSIGNMENT = 'PK-US-2025-001';
const CONTRACT = 'mou-fwo-ussm-2025';
// The routes an Urdu reader is most likely to open, with what they show.
const ROUTES = ['#/', '#/lots', `#/lots/${LOT}`, '#/consignments', `#/consignments/${CONSIGNMENT}`,
  '#/contracts', `#/contracts/${CONTRACT}`, '#/verify', '#/timeline', '#/flows', '#/findings', '#/payments',
  '#/certificate', '#/search?q=oxide', '#/entries/0', '#/checkpoints', '#/sites/pk-bl-chagai-cu', '#/actors/fwo'];
// At 360 px: the same, in the Urdu chrome.
const PHONE_ROUTES = ROUTES;
const ARABIC = /[\u0600-\u06ff]/;
const EASTERN_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/;
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

// --- the string table, read from the sources -----------------------------

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.js') ? [p] : [];
  });
}

// A JavaScript single-quoted literal's body as its string.
const unquote = (body) => body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|.)/g, (_, e) => {
  if (e[0] === 'u') return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16));
  return { n: '\n', t: '\t' }[e] ?? e;
});
const LIT = "'((?:\\\\.|[^'\\\\])*)'";

// Every literal key in web/src: [file, key]. t('k'), tx('k', ...) and
// tn(n, 'one', 'many'), under the names each file imports them as.
function literalKeys() {
  const out = [];
  for (const file of sources(SRC)) {
    const src = readFileSync(file, 'utf8');
    const imp = /import\s*\{([^}]*)\}\s*from\s*'(?:\.\.?\/)+i18n\.js'/.exec(src);
    const names = new Map();
    if (imp) {
      for (const part of imp[1].split(',')) {
        const [name, as] = part.trim().split(/\s+as\s+/);
        if (['t', 'tn', 'tx'].includes(name)) names.set(as || name, name);
      }
    } else if (file.endsWith(`${path.sep}i18n.js`)) {
      for (const n of ['t', 'tn', 'tx']) names.set(n, n);
    }
    for (const [local, fn] of names) {
      const call = fn === 'tn'
        ? new RegExp(`(?<![\\w.$])${local}\\([^;]*?,\\s*${LIT}\\s*,\\s*${LIT}`, 'g')
        : new RegExp(`(?<![\\w.$])${local}\\(\\s*${LIT}`, 'g');
      for (const m of src.matchAll(call)) {
        out.push([path.relative(SRC, file), unquote(m[1])]);
        if (fn === 'tn') out.push([path.relative(SRC, file), unquote(m[2])]);
      }
    }
  }
  return out;
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the Urdu string table', () => {
  test('every key translated in the code has an Urdu string with the same placeholders', () => {
    const keys = literalKeys();
    assert.ok(keys.length > 200, `only ${keys.length} translated keys found: the scan is broken`);
    for (const file of ['verifystate.js', 'dom.js', 'components.js', 'main.js', 'pages/overview.js', 'pages/lots.js',
      'pages/consignments.js', 'pages/contracts.js', 'pages/verify.js']) {
      assert.ok(keys.some(([f]) => f === file), `${file} translates nothing`);
    }
    const missing = keys.filter(([, k]) => !Object.hasOwn(UR, k)).map(([f, k]) => `${f}: ${JSON.stringify(k)}`);
    assert.deepEqual(missing, [], 'keys without an Urdu string');
    for (const [f, k] of keys) {
      assert.deepEqual(placeholders(UR[k]), placeholders(k), `${f}: ${JSON.stringify(k)}: the Urdu drops or adds a placeholder`);
      // Urdu, or nothing left in Latin letters but placeholders and acronyms ("JSON API").
      assert.ok(ARABIC.test(UR[k]) || !/[A-Za-z]{2}/.test(UR[k].replace(/\{\w+\}/g, '')) || /^[A-Z0-9 ]+$/.test(k),
        `${f}: ${JSON.stringify(k)}: the Urdu string is not in Urdu`);
    }
  });

  test('the navigation and skip link of index.html are in the table', () => {
    const html = readFileSync(path.join(SRC, 'index.html'), 'utf8');
    const labels = [...html.matchAll(/<a [^>]*data-(?:nav="[^"]*"|skip)[^>]*>([^<]+)<\/a>/g)].map((m) => m[1].trim());
    assert.ok(labels.length >= 10, `found ${labels.length} navigation labels`);
    assert.deepEqual(labels.filter((l) => !Object.hasOwn(UR, l)), []);
  });
});

// --- in the browser -------------------------------------------------------

const browser = useBrowser();

// The state of the page's chrome.
const chrome = (page) => page.evaluate(() => ({
  lang: document.documentElement.lang,
  dir: document.documentElement.dir,
  nav: Object.fromEntries([...document.querySelectorAll('[data-nav]')].map((a) => [a.dataset.nav, a.textContent.trim()])),
  stored: localStorage.getItem('oretrail.lang'),
  current: document.querySelector('.lang-switch [aria-current]')?.dataset.lang,
}));

// Waits for the verification state to settle and returns it.
async function verifyState(page) {
  await page.waitForFunction(() => document.getElementById('verify-state').dataset.state !== 'verifying');
  return page.evaluate(() => {
    const el = document.getElementById('verify-state');
    return { state: el.dataset.state, text: el.textContent, size: el.dataset.size, entries: el.dataset.entries };
  });
}

// Opens a route and waits until its checks have run.
async function openChecked(page, hash) {
  await open(page, hash);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-check]')].every((e) => e.dataset.ok !== 'pending'));
}

describe('the dashboard in Urdu', { skip: !URL_GOOD && 'OT_WEB_URL is not set' }, () => {
  test('?lang=ur: lang="ur" dir="rtl", the navigation and the verification state in Urdu, remembered', async () => {
    const page = await newPageIn(browser(), `${URL_GOOD}?lang=ur`);
    await open(page, '#/');
    const c = await chrome(page);
    assert.equal(c.lang, 'ur');
    assert.equal(c.dir, 'rtl');
    assert.equal(c.stored, 'ur');
    assert.equal(c.current, 'ur');
    assert.deepEqual(c.nav, {
      overview: UR.Overview, flows: UR.Flows, consignments: UR.Consignments, lots: UR.Lots, contracts: UR.Contracts,
      payments: UR.Payments, timeline: UR.Timeline, findings: UR.Findings, verify: UR.Verify, certificate: UR['Check a certificate'], search: UR.Search,
    });
    const vs = await verifyState(page);
    assert.equal(vs.state, 'verified', vs.text);
    assert.ok(vs.text.startsWith(UR['\u2713 Verified']), vs.text);
    // The figures in Western digits, as the page's data attributes have them.
    assert.ok(vs.text.includes(UR['{n} entries replayed'].replace('{n}', vs.entries)), vs.text);
    assert.ok(vs.text.includes(UR['checkpoint of {size} entries, root {root}\u2026'].split('{root}')[0].replace('{size}', vs.size)), vs.text);
    assert.doesNotMatch(await page.innerText('body'), EASTERN_DIGITS);
    assert.equal(await page.title(), `${UR.Overview} \u2013 oretrail`);
    assert.equal(await page.getAttribute('nav.lang-switch', 'aria-label'), UR.Language);

    // Remembered: the next address without ?lang is Urdu too.
    page.base = URL_GOOD;
    await open(page, '#/lots');
    assert.equal((await chrome(page)).dir, 'rtl');
    assert.equal(await page.textContent('main h1'), UR['Lots of material']);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('headings, table headers and captions, buttons and notices are Urdu on the main routes', async () => {
    const page = await newPageIn(browser(), `${URL_GOOD}?lang=ur`);
    for (const r of ROUTES) {
      await openChecked(page, r);
      const found = await page.evaluate(() => ({
        headings: [...document.querySelectorAll('main h1, main h2')].map((e) => e.textContent.trim()),
        headers: [...document.querySelectorAll('main thead th')].map((e) => e.textContent.trim()),
        captions: [...document.querySelectorAll('main caption')].map((e) => e.textContent.trim()),
        // A button's name: its text, or its label where the text is a sign (+, \u2212).
        buttons: [...document.querySelectorAll('main button')].map((e) => (/\p{L}/u.test(e.textContent) ? e.textContent : e.getAttribute('aria-label') || e.textContent).trim()),
        notices: [...document.querySelectorAll('main [data-check="replay"], main [data-check="checkpoint"]')].map((e) => e.textContent.trim()),
      }));
      // A contract's title is the contract's own text, not the page's.
      // A contract's, site's or actor's heading is its own name or id.
      const headings = /^#\/(contracts|sites|actors)\//.test(r) ? found.headings.slice(1) : found.headings;
      for (const [what, list] of Object.entries({ ...found, headings })) {
        for (const s of list) assert.match(s, ARABIC, `${r}: ${what} "${s}" is not in Urdu`);
      }
      assert.ok(found.headers.length > 0 || ['#/verify', '#/certificate', '#/findings'].includes(r), `${r}: no table`);
      assert.doesNotMatch(await page.innerText('body'), EASTERN_DIGITS, `${r}: Eastern digits`);
    }
    // A flow's quantity is a mass (کمیت), not a sum of money (رقم).
    await openChecked(page, '#/flows');
    const flowHeaders = await page.evaluate(() => [...document.querySelectorAll('main section.flow thead th')].map((e) => e.textContent.trim()));
    assert.ok(flowHeaders.includes(UR.Mass) && !flowHeaders.includes(UR.Amount), `#/flows headers: ${flowHeaders.join(', ')}`);
    // Dates in Urdu, digits Western.
    await openChecked(page, `#/lots/${LOT}`);
    const when = await page.textContent('main dl.facts time');
    assert.match(when, ARABIC);
    assert.match(when, /\b20\d\d\b/);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('the layout is mirrored; ids and hashes stay left to right', async () => {
    const page = await newPageIn(browser(), `${URL_GOOD}?lang=ur`);
    await openChecked(page, '#/lots');
    const m = await page.evaluate(() => {
      const nav = [...document.querySelectorAll('[data-nav]')].map((a) => a.getBoundingClientRect());
      const th = document.querySelector('main thead th');
      const code = document.querySelector('#origin') || document.querySelector('main code');
      const main = document.querySelector('main').getBoundingClientRect();
      const text = document.createRange();
      text.selectNodeContents(document.querySelector('main h1'));
      const h1 = text.getBoundingClientRect();
      return {
        navRightToLeft: nav[0].right > nav[1].right,
        thAlign: getComputedStyle(th).textAlign,
        thDirection: getComputedStyle(th).direction,
        codeDirection: getComputedStyle(code).direction,
        headingAtRight: main.right - h1.right < h1.left - main.left,
      };
    });
    assert.ok(m.navRightToLeft, 'the first navigation link is not at the right');
    assert.equal(m.thDirection, 'rtl');
    assert.ok(['start', 'right'].includes(m.thAlign), m.thAlign);
    assert.equal(m.codeDirection, 'ltr');
    assert.ok(m.headingAtRight, 'the heading does not start at the right');
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('a table downloaded in Urdu has Urdu headers and no bidirectional controls', async () => {
    const page = await newPageIn(browser(), `${URL_GOOD}?lang=ur`, { acceptDownloads: true });
    await openChecked(page, `#/lots/${LOT}`);
    const block = page.locator('main .table-block', { has: page.locator('[data-table="origin-country"]') });
    assert.equal((await block.locator('button.csv').textContent()).trim(), UR['Download CSV']);
    const [download] = await Promise.all([page.waitForEvent('download'), block.locator('button.csv').click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    assert.notEqual(download.suggestedFilename(), 'table.csv');
    const text = readFileSync(await download.path(), 'utf8');
    assert.doesNotMatch(text, BIDI_CONTROLS);
    const header = text.split('\r\n')[0].split(',');
    assert.deepEqual(header, [UR.Element, UR['Country of the mine'], UR.Content, UR.Share]);
    assert.match(text.split('\r\n')[1], /\d %/);
    await page.done();
  });

  test('at 360 px in Urdu, every route: no horizontal overflow and no serious axe-core violation', async () => {
    const axe = readFileSync(path.join(HERE, '../../web/node_modules/axe-core/axe.min.js'), 'utf8');
    const page = await newPageIn(browser(), `${URL_GOOD}?lang=ur`, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, bypassCSP: true });
    for (const r of PHONE_ROUTES) {
      await openChecked(page, r);
      assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `${r}: scrollWidth ${width} > 360`);
      const text = await page.innerText('body');
      const bad = text.match(/.{0,30}\b(null|undefined|NaN)\b.{0,30}/);
      assert.equal(bad, null, `${r}: the page shows "${bad && bad[0]}"`);
      await page.addScriptTag({ content: axe });
      const found = await page.evaluate(async () => {
        const res = await window.axe.run(document, { resultTypes: ['violations'] });
        return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(found, [], `${r}: axe-core`);
    }
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('switching back to English restores the English page, and stays', async () => {
    const page = await newPageIn(browser(), `${URL_GOOD}?lang=ur`);
    await open(page, '#/lots');
    assert.equal((await chrome(page)).dir, 'rtl');
    // The switch keeps the route.
    assert.equal(await page.getAttribute('.lang-switch a[data-lang="en"]', 'href'), '?lang=en#/lots');
    await Promise.all([page.waitForURL(/\?lang=en#\/lots$/), page.click('.lang-switch a[data-lang="en"]')]);
    await page.waitForSelector('main[data-route="#/lots"]');
    let c = await chrome(page);
    assert.equal(c.lang, 'en');
    assert.equal(c.dir, 'ltr');
    assert.equal(c.stored, 'en');
    assert.equal(c.current, 'en');
    assert.equal(c.nav.lots, 'Lots');
    assert.equal(await page.textContent('main h1'), 'Lots of material');
    const vs = await verifyState(page);
    assert.equal(vs.state, 'verified');
    assert.match(vs.text, /^\u2713 Verified checkpoint of \d+ entries/);
    assert.doesNotMatch(await page.innerText('body'), BIDI_CONTROLS);
    // Remembered as English.
    page.base = URL_GOOD;
    await open(page, '#/');
    c = await chrome(page);
    assert.equal(c.lang, 'en');
    assert.equal(c.nav.overview, 'Overview');
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
