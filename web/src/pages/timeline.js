// timeline.js: every entry of the log in time order (#/timeline[?type=T]
// [&period=P]): what happened when (extract, transform, ship, receive,
// contract, payment, disclose, recycle ...), each linked to its permalink
// #/entries/N, filtered by type and period. The entries are the ones the
// page replayed (read from the entry bundles and checked against the signed
// checkpoint), each listed once.
import { h, add, table } from '../dom.js';
import { int, mass, money, plural, time } from '../format.js';
import { replayedEvents, replayedState } from '../replayed.js';
import { hrefEntry } from './entries.js';

const PERIOD = /^\d{4}(-Q[1-4])?$/;
const year = (t) => (typeof t === 'string' && /^\d{4}-/.test(t) ? t.slice(0, 4) : null);
const quarter = (t) => {
  const y = year(t);
  return y ? `${y}-Q${Math.floor((Number(t.slice(5, 7)) - 1) / 3) + 1}` : null;
};
const inPeriod = (t, p) => !p || year(t) === p || quarter(t) === p;

// What an event is about, in a few words: the ids it names and its amounts.
function summary(ev) {
  const ids = (l) => (l || []).map((x) => (typeof x === 'string' ? x : x.lot)).join(', ');
  switch (ev.type) {
    case 'extract': return `${ev.lot}: ${mass(ev.mass_g)} of ${ev.material} mined at ${ev.site}`;
    case 'recycle': return `${ev.lot}: ${mass(ev.mass_g)} of ${ev.material} (${String(ev.scrap).replace('_', '-')} scrap) taken in at ${ev.site}`;
    case 'transform': return `${ev.process} at ${ev.site}: ${ids(ev.inputs)} \u2192 ${ids(ev.outputs)}`;
    case 'ship': return `consignment ${ev.consignment}: ${ids(ev.lots)} from ${ev.from} to ${ev.to}`;
    case 'receive': return `consignment ${ev.consignment} received at ${ev.site}`;
    case 'transfer': return `${ids(ev.lots)} to ${ev.to}`;
    case 'contract': return `contract ${ev.contract}${ev.fields && typeof ev.fields.title === 'string' ? `: ${ev.fields.title}` : ''}`;
    case 'disclose': return `contract ${ev.contract}: ${ev.field} disclosed`;
    case 'payment': return `${ev.payer} paid ${ev.payee} ${money(ev.amount)}${ev.kind ? ` (${ev.kind})` : ''}`;
    case 'receipt': return `${ev.payee} acknowledged ${money(ev.amount)} from ${ev.payer}`;
    case 'assay': return `assay of ${ev.lot} by ${ev.lab || ev.by || 'a lab'}`;
    case 'actor': return `${ev.actor}${ev.name ? ` (${ev.name})` : ''} registered`;
    case 'site': return `site ${ev.site} (${ev.kind}) registered`;
    case 'resource': return `resources declared at ${ev.site}`;
    case 'declare': return `${ev.direction || 'customs'} declaration for consignment ${ev.consignment}`;
    default: return [ev.lot, ev.consignment, ev.contract, ev.site].filter((x) => typeof x === 'string').join(', ');
  }
}

export async function renderTimeline(page, _arg, ctx) {
  ctx.setTitle('Timeline');
  const rs = await replayedState();
  const events = replayedEvents(rs);
  const types = [...new Set(events.map((e) => e.event.type))].sort();
  const periods = [...new Set(events.flatMap((e) => [year(e.event.time), quarter(e.event.time)]).filter(Boolean))].sort();
  const type = types.includes(ctx.params.get('type')) ? ctx.params.get('type') : null;
  const period = PERIOD.test(ctx.params.get('period') || '') && periods.includes(ctx.params.get('period')) ? ctx.params.get('period') : null;
  const href = (t, p) => {
    const q = [t ? `type=${encodeURIComponent(t)}` : null, p ? `period=${p}` : null].filter(Boolean).join('&');
    return `#/timeline${q ? `?${q}` : ''}`;
  };
  const rejected = new Map(rs.ok ? (rs.state.rejections || []).map((r) => [r.index, r.code]) : []);
  // By claimed time, then in log order.
  const rows = events.filter((e) => (!type || e.event.type === type) && inPeriod(e.event.time, period))
    .sort((a, b) => String(a.event.time).localeCompare(String(b.event.time)) || a.index - b.index);
  add(page,
    h('h1', {}, 'Timeline'),
    h('p', { class: 'lede' }, 'Everything the log records, in the order the signers say it happened: extractions, processing, shipments and receipts, contracts, disclosures, payments. Each links to its entry, which shows when the log itself bounds its logging.'),
    rs.ok ? h('p', { class: 'status ok', 'data-check': 'timeline', 'data-ok': 'true' },
      `\u2713 All ${int(rs.entries)} entries of the signed log, read and replayed in your browser; each listed once.`)
      : h('p', { class: 'status warn', 'data-check': 'timeline', 'data-ok': 'false' }, `The timeline is drawn from the replayed log, which this page could not replay: ${rs.reason}.`),
    h('nav', { 'aria-label': 'Event type' }, h('ul', { class: 'toggles', 'data-filter': 'type' },
      [null, ...types].map((t) => h('li', {}, h('a', { href: href(t, period), 'aria-current': t === type ? 'true' : null }, t || 'All events'))))),
    h('nav', { 'aria-label': 'Period' }, h('ul', { class: 'toggles', 'data-filter': 'period' },
      [null, ...periods].map((p) => h('li', {}, h('a', { href: href(type, p), 'aria-current': p === period ? 'true' : null }, p || 'All time'))))),
    table(`${plural(rows.length, 'entry', 'entries')}${type ? ` of type ${type}` : ''}${period ? ` in ${period}` : ''}, by claimed time`, [
      { label: 'When (claimed)', cell: (e) => time(e.event.time, true) },
      { label: 'Event', cell: (e) => e.event.type },
      { label: 'What', cell: (e) => (rejected.has(e.index) ? [summary(e.event), ' \u2014 ', h('strong', {}, `refused by the rules: ${rejected.get(e.index)}`)] : summary(e.event)) },
      { label: 'Signed by', cell: (e) => e.signer },
      { label: 'Entry', num: true, cell: (e) => h('a', { href: hrefEntry(e.index), 'data-entry': String(e.index) }, int(e.index)) },
    ], rows, { attrs: { 'data-table': 'timeline' }, rowHeader: false, empty: 'No entry matches.' }));
}
