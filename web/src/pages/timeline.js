// timeline.js: every entry of the log in time order (#/timeline[?type=T]
// [&period=P]): what happened when (extract, transform, ship, receive,
// contract, payment, disclose, recycle ...), each linked to its permalink
// #/entries/N, filtered by type and period. The entries are the ones the
// page replayed (read from the entry bundles and checked against the signed
// checkpoint), each listed once.
import { h, add, table } from '../dom.js';
import { int, mass, money, time } from '../format.js';
import { t, tn } from '../i18n.js';
import { replayedEvents, replayedState } from '../replayed.js';
import { hrefEntry } from './entries.js';
import { PERIOD, inPeriod, quarter, year } from '../filters.js';


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
  ctx.setTitle(t('Timeline'));
  const rs = await replayedState();
  const events = replayedEvents(rs);
  const types = [...new Set(events.map((e) => e.event.type))].sort();
  const periods = [...new Set(events.flatMap((e) => [year(e.event.time), quarter(e.event.time)]).filter(Boolean))].sort();
  const type = types.includes(ctx.params.get('type')) ? ctx.params.get('type') : null;
  const period = PERIOD.test(ctx.params.get('period') || '') && periods.includes(ctx.params.get('period')) ? ctx.params.get('period') : null;
  const href = (ty, p) => {
    const q = [ty ? `type=${encodeURIComponent(ty)}` : null, p ? `period=${p}` : null].filter(Boolean).join('&');
    return `#/timeline${q ? `?${q}` : ''}`;
  };
  const rejected = new Map(rs.ok ? (rs.state.rejections || []).map((r) => [r.index, r.code]) : []);
  // By claimed time, then in log order.
  const rows = events.filter((e) => (!type || e.event.type === type) && inPeriod(e.event.time, period))
    .sort((a, b) => String(a.event.time).localeCompare(String(b.event.time)) || a.index - b.index);
  add(page,
    h('h1', {}, t('Timeline')),
    h('p', { class: 'lede' }, t('Everything the log records, in the order the signers say it happened: extractions, processing, shipments and receipts, contracts, disclosures, payments. Each links to its entry, which shows when the log itself bounds its logging.')),
    rs.ok ? h('p', { class: 'status ok', 'data-check': 'timeline', 'data-ok': 'true' },
      t('\u2713 All {n} entries of the signed log, read and replayed in your browser; each listed once.', { n: int(rs.entries) }))
      : h('p', { class: 'status warn', 'data-check': 'timeline', 'data-ok': 'false' }, t('The timeline is drawn from the replayed log, which this page could not replay: {reason}.', { reason: rs.reason })),
    h('nav', { 'aria-label': t('Event type') }, h('ul', { class: 'toggles', 'data-filter': 'type' },
      [null, ...types].map((ty) => h('li', {}, h('a', { href: href(ty, period), 'aria-current': ty === type ? 'true' : null }, ty || t('All events')))))),
    h('nav', { 'aria-label': t('Period') }, h('ul', { class: 'toggles', 'data-filter': 'period' },
      [null, ...periods].map((p) => h('li', {}, h('a', { href: href(type, p), 'aria-current': p === period ? 'true' : null }, p || t('All time')))))),
    table(`${tn(rows.length, '{n} entry', '{n} entries')}${type ? t(' of type {type}', { type }) : ''}${period ? t(' in {period}', { period }) : ''}${t(', by claimed time')}`, [
      { label: t('When (claimed)'), cell: (e) => time(e.event.time, true) },
      { label: t('Event'), cell: (e) => e.event.type },
      { label: t('What'), cell: (e) => (rejected.has(e.index) ? [summary(e.event), ' \u2014 ', h('strong', {}, t('refused by the rules: {code}', { code: rejected.get(e.index) }))] : summary(e.event)) },
      { label: t('Signed by'), cell: (e) => e.signer },
      { label: t('Entry'), num: true, cell: (e) => h('a', { href: hrefEntry(e.index), 'data-entry': String(e.index) }, int(e.index)) },
    ], rows, { attrs: { 'data-table': 'timeline' }, rowHeader: false, empty: t('No entry matches.') }));
}
