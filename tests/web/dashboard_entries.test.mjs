// dashboard_entries.test.mjs: the permalink of every log entry
// (#/entries/<index>) and the checkpoint history (#/checkpoints), in
// headless Chromium against `oretrail serve` on the demo ledger and on its
// copy with one bit flipped in the level-0 hash tile at entry 31 (run.sh).
// Counts come from the server's checkpoint, not from the demo's length.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, withPage } from './browser.mjs';

const URL_GOOD = process.env.OT_WEB_URL;
const URL_TAMPERED = process.env.OT_WEB_TAMPERED_URL || '';

const json = async (base, p) => (await fetch(new URL(p, base))).json();

const browser = useBrowser();

const onPage = (base, hash, ready, fn) => withPage(browser(), base, hash, ready, fn);

const fieldsOf = (page) => page.$$eval('.entry-body table tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.children[0].textContent, r.children[1].textContent])));

describe('a permalink for every entry', () => {
  test('each entry of the demo ledger shows the event the log holds, verified, with its fields', async () => {
    const size = (await json(URL_GOOD, 'api/checkpoint')).size;
    assert.ok(size > 40, `the demo has entries (${size})`);
    // The first, one in the middle, the NdPr oxide's creation and the last.
    const lots = (await json(URL_GOOD, 'api/lots/lot-ndpr-oxide-001'));
    const made = lots.trace && lots.trace.created ? lots.trace.created.index : (lots.created && lots.created.index);
    const picks = [0, Math.floor(size / 2), size - 1];
    if (Number.isInteger(made)) picks.push(made);
    for (const i of picks) {
      const served = await json(URL_GOOD, `api/entries/${i}`);
      const ev = served.entry.event;
      const got = await onPage(URL_GOOD, `#/entries/${i}`, '.verify-panel [data-check="entries"][data-ok="true"]', async (page) => {
        await page.waitForSelector('.entry-body table');
        return {
          fields: await fieldsOf(page),
          lede: await page.textContent('.entry-body .lede'),
          item: await page.textContent(`.verify-panel li[data-index="${i}"]`),
          next: await page.$$eval('nav.pager a[rel="next"]', (a) => a.map((x) => x.getAttribute('href'))),
          logged: await page.textContent('.entry-body dl.facts'),
        };
      });
      assert.equal(got.fields.id, ev.id, `entry ${i}: id`);
      assert.equal(got.fields.type, ev.type, `entry ${i}: type`);
      assert.equal(Object.keys(got.fields).length, Object.keys(ev).length, `entry ${i}: every field`);
      assert.match(got.lede, new RegExp(`An? ${ev.type} event, id ${ev.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, signed by ${served.entry.signer}`));
      assert.match(got.item, new RegExp(`^Entry ${i}: .*in the signed log .*signed by ${served.entry.signer}`));
      assert.deepEqual(got.next, i + 1 < size ? [`#/entries/${i + 1}`] : []);
      assert.match(got.logged, /Logged after.*Logged before/s);
    }
  });

  test('an entry past the checkpoint and a non-number are said to be so', async () => {
    const size = (await json(URL_GOOD, 'api/checkpoint')).size;
    const past = await onPage(URL_GOOD, `#/entries/${size}`, '.entry-body .status', (p) => p.textContent('.entry-body .status'));
    assert.match(past, new RegExp(`covers ${size} entries; entry ${size} is not in it`));
    const nan = await onPage(URL_GOOD, '#/entries/x1', 'main h1', (p) => p.textContent('main h1'));
    assert.equal(nan, 'Not an entry');
  });

  test('the lot page\'s verified entries link to their permalinks', async () => {
    const hrefs = await onPage(URL_GOOD, '#/lots/lot-ndpr-oxide-001', '.verify-panel [data-check="entries"][data-ok="true"]',
      (p) => p.$$eval('.verify-panel li.ok a', (a) => a.map((x) => x.getAttribute('href'))));
    assert.ok(hrefs.length > 5, `links: ${hrefs.length}`);
    for (const href of hrefs) assert.match(href, /^#\/entries\/\d+$/);
  });

  test('a tampered hash tile: the entry it covers is not shown, and the alarm is raised', { skip: !URL_TAMPERED && 'no tampered server' }, async () => {
    const got = await onPage(URL_TAMPERED, '#/entries/31', '.verify-panel [data-check="entries"][data-ok="false"]', async (page) => ({
      body: await page.textContent('.entry-body'),
      tables: await page.$$eval('.entry-body table', (t) => t.length),
      alarm: await page.$eval('#alarm', (e) => !e.hidden),
    }));
    assert.match(got.body, /did not verify, so its content is not shown/);
    assert.equal(got.tables, 0);
    assert.equal(got.alarm, true);
  });
});

describe('the checkpoint history', () => {
  test('every published checkpoint is signed by the log and consistent with the latest', async () => {
    const list = await json(URL_GOOD, 'api/checkpoints?limit=1000');
    const got = await onPage(URL_GOOD, '#/checkpoints', '[data-check="history"]', async (page) => ({
      ok: await page.getAttribute('[data-check="history"]', 'data-ok'),
      text: await page.textContent('[data-check="history"]'),
      rows: await page.$$eval('main table tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent))),
    }));
    assert.equal(got.ok, 'true', got.text);
    assert.equal(got.rows.length, list.checkpoints.length);
    assert.ok(got.rows.length >= 2, 'the demo published several checkpoints');
    got.rows.forEach((r, i) => {
      assert.equal(r[0].replace(/,/g, ''), String(list.checkpoints[i].size));
      assert.equal(r[3], '\u2713 checked');
      assert.equal(r[4], '\u2713 yes');
    });
  });

  test('a tampered hash tile: older checkpoints that cover it contradict the tiles', { skip: !URL_TAMPERED && 'no tampered server' }, async () => {
    const list = await json(URL_TAMPERED, 'api/checkpoints?limit=1000');
    const got = await onPage(URL_TAMPERED, '#/checkpoints', '[data-check="history"], .status', async (page) => ({
      ok: await page.getAttribute('[data-check="history"]', 'data-ok'),
      rows: await page.$$eval('main table tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent))),
    }));
    assert.equal(got.ok, 'false');
    // A checkpoint whose tree includes entry 31 cannot match the flipped tile.
    const covering = list.checkpoints.filter((c) => c.size > 31 && c.size < 256).length;
    assert.ok(covering > 0);
    const contradicted = got.rows.filter((r) => /the past was rewritten/.test(r[4])).length;
    assert.equal(contradicted, covering);
  });
});
