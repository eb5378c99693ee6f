// dashboard_search.test.mjs: the search page (#/search?q=), in headless
// Chromium against `oretrail serve` on the demo ledger (run.sh). The
// expected hits are computed here from the API's lists, independently of
// the page's code, so the test does not depend on the demo's length.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, withPage } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();

async function list(name) {
  const doc = await (await fetch(new URL(`api/${name}?limit=1000`, URL_GOOD))).json();
  return doc[name];
}

// Opens #/search?q=Q and returns the hits per kind as the page lists them.
function hitsOf(q) {
  const hash = `#/search?q=${encodeURIComponent(q)}`;
  return withPage(browser(), URL_GOOD, hash, 'main [data-results]', async (page) => ({
    total: Number(await page.getAttribute('main [data-results]', 'data-results')),
    kinds: await page.$$eval('main section[data-kind]', (secs) => Object.fromEntries(secs.map((s) => [s.dataset.kind,
      [...s.querySelectorAll('tbody tr')].map((tr) => { const a = tr.children[0].querySelector('[data-id]'); return a ? a.dataset.id : tr.children[0].textContent; })]))),
    links: await page.$$eval('main section[data-kind] tbody tr > :first-child a', (a) => a.map((x) => x.getAttribute('href'))),
  }));
}

describe('search', () => {
  test('an id finds its record, linked to its page', async () => {
    const lots = await list('lots');
    const id = lots.find((l) => l.lot === 'lot-ndpr-oxide-001') ? 'lot-ndpr-oxide-001' : lots[0].lot;
    const got = await hitsOf(id);
    assert.ok(got.kinds.lots.includes(id), JSON.stringify(got));
    assert.ok(got.links.includes(`#/lots/${id}`));
  });

  test('a country name finds the sites and actors of that country, every one', async () => {
    const sites = (await list('sites')).filter((s) => s.country === 'PK').map((s) => s.site).sort();
    const actors = (await list('actors')).filter((a) => a.country === 'PK').map((a) => a.actor).sort();
    assert.ok(sites.length > 0 && actors.length > 0, 'the demo has Pakistani sites and actors');
    const got = await hitsOf('pakistan');
    assert.deepEqual([...got.kinds.sites].sort(), sites);
    assert.deepEqual([...got.kinds.actors].sort(), actors);
  });

  test('every word must match; nothing matches nonsense; accents and case do not matter', async () => {
    const lots = await list('lots');
    const oxides = lots.filter((l) => /oxide/.test(l.material || '') && /ndpr/.test(l.lot)).map((l) => l.lot).sort();
    const got = await hitsOf('NDPR Oxide');
    assert.deepEqual([...(got.kinds.lots || [])].sort(), oxides);
    const none = await hitsOf('zzqx-no-such-thing');
    assert.equal(none.total, 0);
    assert.deepEqual(none.kinds, {});
    const accented = await hitsOf('Pàkistán');
    assert.ok(accented.total > 0);
  });

  test('the search box navigates to the results', async () => {
    const url = await withPage(browser(), URL_GOOD, '#/search', 'main form[role="search"]', async (page) => {
      await page.fill('#q', 'ussm');
      await page.click('main form[role="search"] button[type="submit"]');
      await page.waitForSelector('main [data-results]');
      return page.url();
    });
    assert.match(url, /#\/search\?q=ussm$/);
  });
});
