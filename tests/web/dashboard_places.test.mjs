// dashboard_places.test.mjs: the site and actor pages (#/sites/<id>,
// #/actors/<id>) with their offline maps, in headless Chromium against
// `oretrail serve` on the demo ledger (run.sh). What each table should hold
// is computed here from the API's lists.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, withPage } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();
const get = async (p) => (await fetch(new URL(p, URL_GOOD))).json();
const list = async (name) => (await get(`api/${name}?limit=1000`))[name];

// The first-column texts of the table whose caption matches `re`.
const rowsOf = (page, re) => page.$$eval('main table', (tables, src) => {
  const t = tables.find((x) => new RegExp(src).test(x.caption ? x.caption.textContent : ''));
  // A linked id shows a name; its id is in data-id.
  return t ? [...t.querySelectorAll('tbody tr')].map((tr) => { const a = tr.children[0].querySelector('[data-id]'); return a ? a.dataset.id : tr.children[0].textContent; }) : null;
}, re.source);

describe('site and actor pages', () => {
  test('a mine: its facts, a map of its country with the mine on it, the lots made there, its registration proven', async () => {
    const sites = await list('sites');
    const mine = sites.find((s) => s.kind === 'mine' && Number.isInteger(s.lat_ud));
    assert.ok(mine, 'the demo has a mine with coordinates');
    const lots = await list('lots');
    const made = lots.filter((l) => l.created && l.created.site === mine.site).map((l) => l.lot).sort();
    const got = await withPage(browser(), URL_GOOD, `#/sites/${mine.site}`, '.verify-panel [data-check="entries"][data-ok="true"]', async (page) => ({
      facts: await page.textContent('main dl.facts'),
      here: await page.$$eval('svg.map path.land.here', (p) => p.length),
      land: await page.$$eval('svg.map path.land', (p) => p.length),
      points: await page.$$eval('svg.map .point circle', (c) => c.map((x) => [Number(x.getAttribute('cx')), Number(x.getAttribute('cy'))])),
      label: await page.getAttribute('svg.map', 'aria-label'),
      made: await rowsOf(page, /made at/),
      holder: await page.$$eval('main dl.facts a', (a) => a.map((x) => x.getAttribute('href'))),
    }));
    assert.match(got.facts, new RegExp(mine.licence));
    assert.equal(got.here, 1, 'the country is highlighted');
    assert.ok(got.land > 100, `the world's outlines are drawn (${got.land})`);
    assert.deepEqual(got.points, [[Number((mine.lon_ud / 1e6).toFixed(3)), Number((-mine.lat_ud / 1e6).toFixed(3))]]);
    assert.match(got.label, new RegExp(mine.site));
    assert.deepEqual([...got.made].sort(), made);
    assert.ok(got.holder.includes(`#/actors/${mine.holder}`));
  });

  test('an actor: the sites and lots it holds, its keys\' registrations proven', async () => {
    const actor = (await get('api/actors/fwo'));
    const sites = (await list('sites')).filter((s) => s.holder === 'fwo').map((s) => s.site).sort();
    const held = (await list('lots')).filter((l) => l.holder === 'fwo').map((l) => l.lot).sort();
    const got = await withPage(browser(), URL_GOOD, '#/actors/fwo', '.verify-panel [data-check="entries"][data-ok="true"]', async (page) => ({
      h1: await page.textContent('main h1'),
      sites: await rowsOf(page, /sites? held by/),
      lots: await rowsOf(page, /lots? held by/),
      proven: await page.$$eval('.verify-panel li.ok', (li) => li.length),
      points: await page.$$eval('svg.map .point circle', (c) => c.length),
    }));
    assert.equal(got.h1, actor.name);
    assert.deepEqual([...got.sites].sort(), sites);
    assert.deepEqual([...got.lots].sort(), held.length ? held : ['No lot.']);
    assert.equal(got.proven, new Set([actor.index, ...actor.keys.map((k) => k.added)]).size);
    assert.ok(got.points >= 1, 'its sites with coordinates are on the map');
  });

  test('an unknown site or actor is said to be not in the ledger', async () => {
    for (const hash of ['#/sites/no-such-site', '#/actors/no-such-actor']) {
      const h1 = await withPage(browser(), URL_GOOD, hash, 'main h1', (page) => page.textContent('main h1'));
      assert.equal(h1, 'Not in this ledger', hash);
    }
  });
});
