// components.js: pieces several pages share: the checkpoint's status, a
// panel that proves a set of entries in the browser, origin-share bars.
import { h, clear } from './dom.js';
import { checkpointCheck, verifyEntries } from './trust.js';
import { int, percent } from './format.js';
import { b64encode } from './verify/bytes.js';
import { t, tn, tx } from './i18n.js';

export function keyLine(cc) {
  if (!cc.key) return null;
  return h('p', {}, ...tx('Checked against the key {key}: {where}.', { key: h('span', { class: 'key' }, cc.key.text), where: cc.keyWhere }),
    cc.keySource === 'served'
      ? [' ', ...tx('A key served by this site is only as trustworthy as the site: compare it with the key the ledger\'s authority publishes elsewhere, or {link}.', { link: h('a', { href: '#/verify' }, t('enter that key')) })]
      : null);
}

// The checkpoint's state in a sentence, as a status box.
export function checkpointStatus(cc) {
  if (cc.ok) {
    return h('div', { class: 'status ok', 'data-check': 'checkpoint', 'data-ok': 'true' },
      h('p', {}, h('strong', {}, t('\u2713 Signature checked in your browser.'), ' '),
        ...tx('The log\'s latest checkpoint covers {entries} with root hash {root} (as written in the checkpoint), signed by {signer}.', {
          entries: tn(cc.cp.size, '{n} entry', '{n} entries'), root: h('code', {}, b64encode(cc.cp.root).slice(0, 12) + '…'), signer: cc.key.name,
        })),
      keyLine(cc));
  }
  return h('div', { class: cc.noteText && cc.key ? 'status bad' : 'status warn', 'data-check': 'checkpoint', 'data-ok': 'false' },
    h('p', {}, h('strong', {}, cc.noteText && cc.key ? t('\u2717 The checkpoint does NOT verify.') : t('The checkpoint could not be checked.'), ' '), cc.reason + '.'),
    keyLine(cc));
}

// A section that proves `indexes` (log entries) in the browser once shown:
// each entry read from the tiles, hashed, its inclusion proof built from
// the tiles and checked against the signed root, and its signature checked.
export function entriesPanel({ title, intro, indexes, expect, describe, onResults }) {
  const list = h('ul', { class: 'checks' }, indexes.map((i) => h('li', { class: 'pending', 'data-index': String(i) }, t('Entry {index}: checking…', { index: i }))));
  const summary = h('div', { class: 'status pending', 'data-check': 'entries', 'data-ok': 'pending' }, h('p', {}, t('Checking in your browser…')));
  const section = h('section', { class: 'verify-panel', 'aria-labelledby': 'vp-title' },
    h('h2', { id: 'vp-title' }, title || t('Verified in your browser')),
    intro ? h('p', {}, intro) : null, summary, list);
  (async () => {
    const cc = await checkpointCheck();
    const results = await verifyEntries(indexes, expect || new Map());
    const bad = results.filter((r) => !r.ok);
    // The caller's content first: the summary says "done" (data-ok) only
    // once what depends on the results is on the page.
    if (onResults) await onResults(results);
    for (const r of results) {
      const li = list.querySelector(`[data-index="${r.index}"]`);
      if (!li) continue;
      clear(li);
      li.className = r.ok ? 'ok' : 'bad';
      if (r.ok) {
        li.append(h('a', { href: `#/entries/${r.index}` }, t('Entry {index}', { index: r.index })), ': ', describe && r.event ? describe(r.event) : `${r.event.type} ${r.event.id}`,
          ' ', t('\u2014 in the signed log (proof of {hashes} built from the tiles), signed by {signer}.', { hashes: tn(r.proofLength, '{n} hash', '{n} hashes'), signer: r.signer }));
      } else {
        li.append(t('Entry {index}: MISMATCH \u2014 {reason}.', { index: r.index, reason: r.reason }));
      }
    }
    clear(summary);
    if (!cc.ok) {
      summary.className = 'status ' + (cc.key && cc.noteText ? 'bad' : 'warn');
      summary.dataset.ok = 'false';
      summary.append(h('p', {}, h('strong', {}, t('Not verified.'), ' '), cc.reason + '.'), keyLine(cc));
    } else if (bad.length) {
      summary.className = 'status bad';
      summary.dataset.ok = 'false';
      summary.append(h('p', {}, h('strong', {}, t('\u2717 FAILED: {bad} of {n} entries do not match the signed log.', { bad: bad.length, n: results.length })),
        ' ', t('What this page shows may have been altered after it was recorded.')), keyLine(cc));
    } else {
      summary.className = 'status ok';
      summary.dataset.ok = 'true';
      summary.append(h('p', {}, h('strong', {}, t('\u2713 All {n} entries verified.', { n: results.length }), ' '),
        t('Each was read from the log\'s tiles, hashed, and proven to be in the checkpoint of {entries} signed by {signer}; each event\'s signature was checked against its signer\'s key as registered in the log.', { entries: tn(cc.cp.size, '{n} entry', '{n} entries'), signer: cc.key.name })),
        keyLine(cc));
    }
  })().catch((e) => {
    clear(summary);
    summary.className = 'status bad';
    summary.dataset.ok = 'false';
    summary.append(h('p', {}, h('strong', {}, t('The check could not run:'), ' '), e.message));
  });
  return section;
}

// A share in ppm as a labelled bar.
export function shareBar(ppm) {
  const pct = Math.max(0, Math.min(100, Number(ppm) / 1e4));
  const fill = h('span', {});
  fill.style.width = `${pct.toFixed(2)}%`; // CSSOM, not a style attribute: fine under a strict CSP
  return h('span', { class: 'share' },
    h('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
    h('span', {}, percent(ppm)));
}

export const count = (n, more) => (more ? `${int(n)}+` : int(n));
