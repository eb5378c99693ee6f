// overview.js: the deal first (story.js, from the replayed log): contracts
// and what of them is withheld, overdue first; what was mined where, per
// mineral in its own unit; where it was processed (each stage counted
// once); shipped to whom; paid to whom; the final lots' stage origins and
// their DFARS and CRMA determinations. Then the log behind it: its size,
// the latest checkpoint and its age, who signs, witnesses, the counts.
import { api } from '../api.js';
import { replayNotice, replayedState } from '../replayed.js';
import { h, add, table, facts } from '../dom.js';
import { dealSections } from './deal.js';
import { age, country, date, int } from '../format.js';
import { checkpointCheck } from '../trust.js';
import { checkpointStatus, count } from '../components.js';
import { hex } from '../verify/bytes.js';
import { checkWholeLog } from '../verify/tlog.js';
import { raiseAlarm } from '../trust.js';
import { t, tn, tx } from '../i18n.js';

const GLANCE_MAX = 20000; // entries recomputed on the overview; the Verify page does more

export async function renderOverview(page, _arg, ctx) {
  ctx.setTitle(t('Overview'));
  const [cpDoc, cc, actors, lots, consignments, contracts, findings] = await Promise.all([
    api.checkpoint(),
    checkpointCheck(),
    api.actors().catch(() => ({ items: [], more: false })),
    api.lots().catch(() => ({ items: [], more: false })),
    api.consignments().catch(() => ({ items: [], more: false })),
    api.contracts().catch(() => ({ items: [], more: false })),
    api.findings().catch(() => null),
  ]);
  // The counts shown are the replay's; a full list that counts otherwise
  // is a difference.
  const rs = await replayedState();
  const counted = { lots, consignments, contracts, actors };
  const diffs = [];
  for (const [kind, list] of Object.entries(counted)) {
    if (!rs.ok) continue;
    const n = Object.keys(rs.state[kind] || {}).length;
    if (!list.more && list.items.length !== n) diffs.push({ field: `number of ${kind}`, served: list.items.length, replayed: n });
    list.shown = { n, more: false };
  }
  for (const list of Object.values(counted)) if (!list.shown) list.shown = { n: list.items.length, more: list.more };
  const size = cpDoc.size;
  const last = size > 0 ? await api.entry(size - 1).catch(() => null) : null;
  const lastTime = last && last.entry && last.entry.event ? last.entry.event.time : null;
  const witnesses = cc.result ? cc.result.witnesses : [];
  const newestCosig = witnesses.filter((w) => w.time).map((w) => w.time).sort((a, b) => b - a)[0];

  page.append(
    h('h1', {}, t('The deal: what was agreed, mined, processed, shipped and paid')),
    h('p', { class: 'lede' }, ...tx('The public record of critical minerals in the ledger {origin}: who signed contracts with whom and what of them is still withheld, what was mined where, where it was processed, to whom it was shipped and who was paid. Every event is signed by whoever did it and appended to a public log that cannot be rewritten without it showing; every figure here is recomputed in your browser from that log.', {
      origin: h('code', {}, cpDoc.origin),
    })),
  );
  add(page, ...(await dealSections(rs)));
  add(page,
    h('h2', { 'data-section': 'log' }, t('The log behind these figures')),
    h('ul', { class: 'cards', 'aria-label': t('The ledger at a glance') },
      h('li', { class: 'card', 'data-card': 'size' }, h('p', { class: 'label' }, t('Entries in the log')), h('p', { class: 'value' }, int(size)),
        h('p', { class: 'note' }, t('signed events, never edited or removed'))),
      h('li', { class: 'card', 'data-card': 'checkpoint' }, h('p', { class: 'label' }, t('Latest checkpoint')),
        h('p', { class: 'value small' }, ...tx('{entries}, root {root}', { entries: tn(size, '{n} entry', '{n} entries'), root: h('code', {}, cpDoc.root.slice(0, 12) + '…') })),
        h('p', { class: 'note' }, newestCosig
          ? t('cosigned {age}', { age: age(newestCosig * 1000) })
          : lastTime ? tx('newest entry dated {date} ({age})', { date: h('time', { datetime: lastTime }, date(lastTime)), age: age(lastTime) }) : t('the log is empty'))),
      h('li', { class: 'card', 'data-card': 'signer' }, h('p', { class: 'label' }, t('Signed by')),
        h('p', { class: 'value small' }, cc.key ? cc.key.name : (cc.result && cc.result.note ? cc.result.note.sigs[0].name : '–')),
        h('p', { class: 'note' }, cc.key ? tx('key {id}', { id: h('code', {}, cc.key.keyIdHex) }) : '')),
      h('li', { class: 'card', 'data-card': 'witnesses' }, h('p', { class: 'label' }, t('Independent witnesses')),
        h('p', { class: 'value small' }, witnesses.length ? tn(witnesses.length, '{n} witness cosigned', '{n} witnesses cosigned') : t('none yet')),
        h('p', { class: 'note' }, witnesses.length ? witnesses.map((w) => w.name).join(', ') : t('no witness has cosigned this checkpoint'))),
    ),
    checkpointStatus(cc),
    wholeLogStatus(cc),
    h('h2', {}, t('What the record holds')),
    replayNotice(rs, diffs, t('the ledger')),
    h('ul', { class: 'cards' },
      h('li', { class: 'card' }, h('p', { class: 'label' }, t('Lots of material')), h('p', { class: 'value' }, count(lots.shown.n, lots.shown.more)), h('p', {}, h('a', { href: '#/lots' }, t('All lots')))),
      h('li', { class: 'card' }, h('p', { class: 'label' }, t('Consignments')), h('p', { class: 'value' }, count(consignments.shown.n, consignments.shown.more)), h('p', {}, h('a', { href: '#/consignments' }, t('All consignments')))),
      h('li', { class: 'card' }, h('p', { class: 'label' }, t('Contracts')), h('p', { class: 'value' }, count(contracts.shown.n, contracts.shown.more)), h('p', {}, h('a', { href: '#/contracts' }, t('Contracts and what is withheld')))),
      h('li', { class: 'card' }, h('p', { class: 'label' }, t('Audit findings')), h('p', { class: 'value' }, findings ? int(findings.findings.length) : '–'), h('p', {}, h('a', { href: '#/findings' }, t('What needs a closer look')))),
    ),
    h('h2', {}, t('Who signs')),
    h('p', {}, ...tx('Each party signs its own events with its own key, registered in the log by the ledger\'s authority. The log itself is signed by {signer}.', {
      signer: h('strong', {}, cc.key ? cc.key.name : t('its key')),
    })),
    table(t('Registered parties'), [
      { label: t('Party'), cell: (a) => h('code', {}, a.actor) },
      { label: t('Name'), cell: (a) => a.name || '–' },
      { label: t('Country'), cell: (a) => country(a.country) },
      { label: t('Roles'), cell: (a) => (a.roles || []).join(', ') },
      { label: t('Registered at entry'), num: true, cell: (a) => (a.index !== undefined ? int(a.index) : '–') },
    ], actors.items),
    h('h2', {}, t('The signed checkpoint')),
    h('p', {}, ...tx('This is exactly what the log signs (C2SP tlog-checkpoint). Anyone can fetch it at {link} and compare it with what others see.', { link: h('a', { href: 'checkpoint' }, '/checkpoint') })),
    h('pre', { class: 'document', dir: 'ltr', 'aria-label': t('The signed checkpoint note') }, cc.noteText || cpDoc.note || ''),
    facts([
      [t('Origin'), h('code', {}, cpDoc.origin)],
      [t('Tree size'), int(size)],
      [t('Root hash (hex)'), h('code', {}, cc.cp ? hex(cc.cp.root) : cpDoc.root)],
    ]),
  );
}

// For a log small enough, recompute it all here too: every entry hashed
// and the tree rebuilt up to the signed root.
function wholeLogStatus(cc) {
  if (!cc.ok || cc.cp.size === 0 || cc.cp.size > GLANCE_MAX) return null;
  const box = h('div', { class: 'status pending', 'data-check': 'wholelog', 'data-ok': 'pending' }, h('p', {}, t('Recomputing all {n} entries in your browser…', { n: int(cc.cp.size) })));
  checkWholeLog(cc.reader, cc.cp).then((res) => {
    box.textContent = '';
    if (res.ok) {
      box.className = 'status ok';
      box.dataset.ok = 'true';
      box.append(h('p', {}, h('strong', {}, t('\u2713 All {n} entries recomputed in your browser:', { n: int(res.entries) }), ' '),
        t('read from the log, hashed and assembled into exactly the signed root. Nothing in this record has been changed since it was signed.')));
    } else {
      box.className = 'status bad';
      box.dataset.ok = 'false';
      box.append(h('p', {}, h('strong', {}, t('\u2717 The log served here does NOT match its signature:'), ' '), res.reason + '.'));
      raiseAlarm(`Recomputing the log: ${res.reason}.`);
    }
  });
  return box;
}
