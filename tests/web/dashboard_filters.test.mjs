// dashboard_filters.test.mjs: the filters by mineral, country and period of
// the consignments, contracts and lots lists (web/src/filters.js), in
// headless Chromium against `oretrail serve` on the demo ledger (run.sh).
// Each expected count is computed here from the server's JSON lists, apart
// from the page's code: the list narrows to it, the URL carries the filter,
// the caption says "n of m", the CSV download holds the rows shown, and an
// Urdu list is labelled in Urdu.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newPageIn, open, useBrowser } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const browser = useBrowser();
const get = async (p) => (await fetch(new URL(p, URL_GOOD))).json();
const quarter = (s) => `${s.slice(0, 4)}-Q${Math.floor((Number(s.slice(5, 7)) - 1) / 3) + 1}`;
const inPeriod = (s, p) => typeof s === 'string' && (s.slice(0, 4) === p || quarter(s) === p);

// The value of a dimension that narrows the list most without emptying it.
function narrowing(rows, valuesOf) {
  const counts = new Map();
  for (const r of rows) for (const v of new Set(valuesOf(r))) counts.set(v, (counts.get(v) || 0) + 1);
  const useful = [...counts].filter(([, n]) => n < rows.length).sort((a, b) => a[1] - b[1] || String(a[0]).localeCompare(String(b[0])));
  return useful.length ? useful[0] : [...counts][0];
}

// The rows of the list's table (the last table of the page), the caption,
// and each filter's chosen value.
async function listed(page) {
  return page.evaluate(() => {
    const t = [...document.querySelectorAll('main table')].at(-1);
    const selects = Object.fromEntries([...document.querySelectorAll('main select[data-filter]')].map((s) => [s.dataset.filter, s.value]));
    return {
      caption: t.caption ? t.caption.textContent : '',
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => tr.children[0].textContent.trim()),
      selects,
    };
  });
}

async function csvOf(page) {
  const block = page.locator('main .table-block').last();
  const [download] = await Promise.all([page.waitForEvent('download'), block.locator('button.csv').click()]);
  return readFileSync(await download.path(), 'utf8').split('\r\n').filter((l) => l !== '');
}

const periodOfConsignment = (c) => [c.time.slice(0, 4), quarter(c.time)];
const elementsOfConsignment = (c) => [...new Set((c.lots || []).flatMap((l) => Object.keys(l.content_mg || {})))];

describe('list filters', () => {
  test('consignments by mineral, country and period: the count the API\'s list gives, in the URL, the caption and the CSV', async () => {
    const all = (await get('api/consignments?limit=1000')).consignments;
    assert.ok(all.length > 2, 'the demo ships several consignments');
    const [el] = narrowing(all, elementsOfConsignment);
    const [country] = narrowing(all, (c) => [c.from_country, c.to_country]);
    const [period] = narrowing(all, periodOfConsignment);
    const page = await newPageIn(browser(), URL_GOOD, { acceptDownloads: true });
    for (const [q, keep] of [
      [`element=${el}`, (c) => elementsOfConsignment(c).includes(el)],
      [`country=${country}`, (c) => c.from_country === country || c.to_country === country],
      [`period=${period}`, (c) => inPeriod(c.time, period)],
      [`element=${el}&country=${country}`, (c) => elementsOfConsignment(c).includes(el) && (c.from_country === country || c.to_country === country)],
    ]) {
      const want = all.filter(keep);
      await open(page, `#/consignments?${q}`);
      await page.waitForSelector('main table caption');
      const got = await listed(page);
      assert.equal(got.rows.length, want.length || 1, `${q}: ${got.caption}`);
      if (want.length) {
        assert.deepEqual([...got.rows].sort(), want.map((c) => c.consignment).sort(), q);
        assert.match(got.caption, new RegExp(`filtered by .*: ${want.length} of ${all.length}$`), q);
        const csv = await csvOf(page);
        assert.equal(csv.length, want.length + 1, `${q}: the CSV has the filtered rows and a header`);
      }
      for (const part of q.split('&')) {
        const [k, v] = part.split('=');
        assert.equal(got.selects[k], v, `${q}: the ${k} select shows the filter`);
      }
    }
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('choosing a filter puts it in the URL; clearing it lists everything again', async () => {
    const all = (await get('api/consignments?limit=1000')).consignments;
    const [country] = narrowing(all, (c) => [c.from_country, c.to_country]);
    const page = await newPageIn(browser(), URL_GOOD);
    await open(page, '#/consignments');
    await page.waitForSelector('main select[data-filter="country"]');
    assert.equal((await listed(page)).rows.length, all.length);
    await page.selectOption('main select[data-filter="country"]', country);
    await page.waitForSelector(`main[data-route="#/consignments?country=${country}"]`);
    const got = await listed(page);
    assert.equal(got.rows.length, all.filter((c) => c.from_country === country || c.to_country === country).length);
    await page.click('main [data-filter-clear]');
    await page.waitForSelector('main[data-route="#/consignments"]');
    assert.equal((await listed(page)).rows.length, all.length);
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('contracts by mineral and by a party\'s country; lots by mineral, the country of their site and the period made', async () => {
    const contracts = (await get('api/contracts?limit=1000')).contracts;
    const actors = new Map((await get('api/actors?limit=1000')).actors.map((a) => [a.actor, a.country]));
    const lots = (await get('api/lots?limit=1000')).lots;
    const sites = new Map((await get('api/sites?limit=1000')).sites.map((s) => [s.site, s.country]));
    const el = contracts[0].fields.minerals[0];
    const partyCountry = actors.get(contracts[0].fields.parties[0]);
    const [lotEl] = narrowing(lots, (l) => Object.keys(l.assay || {}));
    const [lotCountry] = narrowing(lots, (l) => [sites.get(l.site)]);
    const [lotPeriod] = narrowing(lots, (l) => (l.created ? [l.created.time.slice(0, 4), quarter(l.created.time)] : []));
    const page = await newPageIn(browser(), URL_GOOD);
    for (const [hash, want] of [
      [`#/contracts?element=${el}`, contracts.filter((c) => (c.fields.minerals || []).includes(el)).length],
      [`#/contracts?country=${partyCountry}`, contracts.filter((c) => (c.fields.parties || []).some((p) => actors.get(p) === partyCountry)).length],
      [`#/lots?element=${lotEl}`, lots.filter((l) => lotEl in (l.assay || {})).length],
      [`#/lots?country=${lotCountry}`, lots.filter((l) => sites.get(l.site) === lotCountry).length],
      [`#/lots?period=${lotPeriod}`, lots.filter((l) => l.created && inPeriod(l.created.time, lotPeriod)).length],
      [`#/lots?material=oxide&country=${lotCountry}`, lots.filter((l) => l.material === 'oxide' && sites.get(l.site) === lotCountry).length],
    ]) {
      await open(page, hash);
      await page.waitForSelector('main table caption');
      const got = await listed(page);
      assert.equal(got.rows.length, want || 1, `${hash}: ${got.caption}`);
      assert.match(got.caption, new RegExp(`: ${want} of \\d+$`), hash);
    }
    // A well-formed value no row has: an empty list that says so; a
    // malformed one is ignored.
    await open(page, '#/lots?country=ZZ');
    await page.waitForSelector('main table caption');
    let got = await listed(page);
    assert.match(got.caption, new RegExp(`: 0 of ${lots.length}$`));
    assert.equal(got.selects.country, 'ZZ');
    await open(page, '#/lots?country=pakistan');
    await page.waitForSelector('main table caption');
    got = await listed(page);
    assert.equal(got.rows.length, lots.length);
    assert.equal(got.selects.country, '');
    // The material links keep the other filters.
    await open(page, `#/lots?country=${lotCountry}`);
    const hrefs = await page.$$eval('[data-filter="material"] a', (a) => a.map((x) => x.getAttribute('href')));
    assert.ok(hrefs.slice(1).every((h) => h.includes(`country=${lotCountry}`)), hrefs.join(' '));
    assert.deepEqual(page.errors, []);
    await page.done();
  });

  test('a filtered list in Urdu is labelled in Urdu', async () => {
    const all = (await get('api/consignments?limit=1000')).consignments;
    const [el] = narrowing(all, elementsOfConsignment);
    const page = await newPageIn(browser(), `${URL_GOOD}?lang=ur`);
    await open(page, `#/consignments?element=${el}`);
    await page.waitForSelector('main table caption');
    const got = await page.evaluate(() => ({
      labels: [...document.querySelectorAll('main form.filters label')].map((l) => l.firstChild.textContent.trim()),
      caption: [...document.querySelectorAll('main table')].at(-1).caption.textContent,
      clear: document.querySelector('main [data-filter-clear]')?.textContent,
    }));
    assert.ok(got.labels.length >= 2);
    for (const l of [...got.labels, got.clear]) assert.match(l, /[\u0600-\u06FF]/, `not Urdu: ${l}`);
    assert.match(got.caption, /فلٹر/);
    assert.deepEqual(page.errors, []);
    await page.done();
  });
});
