// consignments.js: every consignment: what it carried, its trade codes,
// declared value and permit, and whether what arrived is what left.
import { api } from '../api.js';
import { differences, listDifferences, replayNotice, replayedState, withReplayed } from '../replayed.js';
import { h, table, facts } from '../dom.js';
import { country, element, hs, mass, massCell, massMg, massUnit, massUnits, money, signedPercent, time } from '../format.js';
import { actorLink, consignmentLink, lotLink, siteLink } from '../links.js';
import { entriesPanel } from '../components.js';
import { listFilter } from '../filters.js';
// `t` is a consignment's totals here: the translation is tr.
import { t as tr } from '../i18n.js';

function totals(c) {
  let shipped = 0;
  let received = 0;
  let anyReceived = false;
  for (const l of c.lots || []) {
    shipped += Number(l.mass_g || 0);
    if (l.received_g !== undefined) { received += Number(l.received_g); anyReceived = true; }
  }
  return { shipped, received: anyReceived ? received : null };
}

function difference(shipped, received, unit) {
  if (received === null || received === undefined || !shipped) return '–';
  const d = received - shipped;
  return `${d === 0 ? tr('none') : mass(d, { unit })} (${signedPercent((d / shipped) * 100, 2)})`;
}

// The minerals a consignment carries ("Cu", "Nd Pr"): its masses share one
// unit with the other consignments of the same minerals.
const minerals = (c) => [...new Set((c.lots || []).flatMap((l) => Object.keys(l.content_mg || {})))].sort().join(' ');
const lotMinerals = (l) => minerals({ lots: [l] });

function statusText(c) {
  if (c.status === 'received') return [tr('received'), ' ', time(c.received_time)];
  if (c.status) return c.status === 'shipped' ? tr('in transit') : c.status;
  return c.received_index !== undefined ? tr('received') : tr('in transit');
}

export async function renderConsignments(page, _arg, ctx) {
  ctx.setTitle(tr('Consignments'));
  const cons = await api.consignments();
  const rs = await replayedState();
  const diffs = rs.ok ? listDifferences(rs.state, 'consignments', cons.items, 'consignment') : [];
  const shown = rs.ok ? cons.items.map((c) => withReplayed(rs.state, 'consignments', c.consignment, c)) : cons.items;
  // Filters by mineral carried, origin or destination country, and period shipped.
  const filter = listFilter(ctx, '#/consignments', [...shown].sort((a, b) => (b.index ?? 0) - (a.index ?? 0)), {
    element: (c) => minerals(c).split(' '),
    country: (c) => [c.from_country, c.to_country],
    period: (c) => c.time,
  });
  const items = filter.rows;
  const massOf = massCell(items, [(c) => totals(c).shipped, (c) => totals(c).received], { by: minerals });
  const unitOf = massUnits(items, minerals, (c) => totals(c).shipped);
  page.append(
    h('h1', {}, tr('Consignments')),
    h('p', { class: 'lede' }, tr('Each shipment recorded in the ledger: who sent what to whom, under which trade codes, declared value and permit, and how much arrived.')),
    replayNotice(rs, diffs, tr('the consignments')),
    filter.controls,
    table(filter.caption(tr('{n} consignments, newest first', { n: items.length })), [
      { label: tr('Consignment'), cell: (c) => consignmentLink(c.consignment) },
      { label: tr('Date'), cell: (c) => time(c.time) },
      { label: tr('From \u2192 to'), cell: (c) => `${c.from} (${c.from_country || '?'}) \u2192 ${c.to} (${c.to_country || '?'})` },
      { label: tr('Consignee'), cell: (c) => actorLink(c.consignee) },
      { label: tr('Trade codes (HS)'), cell: (c) => (c.hs && c.hs.length ? c.hs.join(', ') : '–') },
      { label: tr('Declared value'), num: true, cell: (c) => (c.value ? money(c.value) : '–') },
      { label: tr('Permit'), cell: (c) => c.permit || '–' },
      { label: tr('Status'), cell: (c) => statusText(c) },
      { label: tr('Mass shipped'), num: true, cell: (c) => massOf(c, (x) => totals(x).shipped) },
      { label: tr('Mass received'), num: true, cell: (c) => (totals(c).received === null ? '–' : massOf(c, (x) => totals(x).received)) },
      { label: tr('Difference'), num: true, cell: (c) => { const t = totals(c); return difference(t.shipped, t.received, unitOf(minerals(c))); } },
    ], items),
    cons.more ? h('p', { class: 'note' }, tr('Only the first consignments are listed.')) : '',
  );
}

export async function renderConsignment(page, id, ctx) {
  ctx.setTitle(tr('Consignment {id}', { id }));
  const served = await api.consignment(id);
  const rs = await replayedState();
  const diffs = rs.ok ? differences(rs.state, 'consignments', id, served) : [];
  const c = rs.ok ? withReplayed(rs.state, 'consignments', id, served) : served;
  const t = totals(c);
  const lots = c.lots || [];
  const content = {};
  for (const l of lots) for (const [e, mg] of Object.entries(l.content_mg || {})) content[e] = (content[e] || 0) + Number(mg);
  const unit = massUnit([t.shipped]);
  // The lots' masses: one unit per mineral (copper concentrate in t, NdPr oxide in kg).
  const lotUnits = massUnits(lots.flatMap((l) => [[l, l.mass_g], [l, l.received_g]]), (p) => lotMinerals(p[0]), (p) => p[1]);
  const lotUnit = (l) => lotUnits(lotMinerals(l));
  const contentUnit = massUnits(lots.flatMap((l) => Object.entries(l.content_mg || {})), (p) => p[0], (p) => Number(p[1]) / 1000);
  page.append(
    h('p', { class: 'note' }, h('a', { href: '#/consignments' }, tr('\u2190 All consignments'))),
    h('h1', {}, tr('Consignment {id}', { id: c.consignment })),
    replayNotice(rs, diffs, tr('consignment {id}', { id: c.consignment })),
    facts([
      [tr('From'), [siteLink(c.from), `, ${country(c.from_country)}`]],
      [tr('To'), [siteLink(c.to), `, ${country(c.to_country)}`]],
      [tr('Shipper'), c.shipper ? actorLink(c.shipper) : null],
      [tr('Consignee'), c.consignee ? actorLink(c.consignee) : null],
      [tr('Shipped'), time(c.time, true)],
      [tr('Status'), statusText(c)],
      [tr('Trade codes (HS)'), c.hs && c.hs.length ? h('ul', {}, c.hs.map((code) => h('li', {}, hs(code)))) : tr('none declared')],
      [tr('Declared value'), c.value ? money(c.value) : tr('none declared')],
      [tr('Export permit'), c.permit || tr('none recorded')],
      [tr('Mass shipped'), mass(t.shipped, { unit })],
      [tr('Mass received'), t.received === null ? tr('not yet received') : mass(t.received, { unit })],
      [tr('Difference'), difference(t.shipped, t.received, unit)],
      [tr('Contents by element'), Object.keys(content).length ? Object.entries(content).sort().map(([e, mg], i) => [i ? ', ' : '', `${element(e)} ${massMg(mg, { element: e })}`]) : '–'],
    ]),
    h('h2', {}, tr('Contents')),
    table(tr('Lots in this consignment'), [
      { label: tr('Lot'), cell: (l) => lotLink(l.lot) },
      { label: tr('Trade code'), cell: (l) => (c.hs && lots.length === c.hs.length ? c.hs[lots.indexOf(l)] : '–') },
      { label: tr('Shipped'), num: true, cell: (l) => mass(l.mass_g, { unit: lotUnit(l) }) },
      { label: tr('Received'), num: true, cell: (l) => (l.received_g === undefined ? '–' : mass(l.received_g, { unit: lotUnit(l) })) },
      { label: tr('Difference'), num: true, cell: (l) => difference(Number(l.mass_g), l.received_g === undefined ? null : Number(l.received_g), lotUnit(l)) },
      { label: tr('Element content'), cell: (l) => Object.entries(l.content_mg || {}).map(([e, mg], i) => [i ? ', ' : '', massMg(mg, { unit: contentUnit(e), element: e })]) },
      { label: tr('Mined in'), cell: (l) => Object.entries(l.origin_countries || {}).map(([e, byC], i) => [i ? '; ' : '', `${e}: ${Object.keys(byC).map(country).join(', ')}`]) },
    ], lots),
  );
  const indexes = [c.index, c.received_index].filter((i) => typeof i === 'number');
  const expect = new Map([[c.index, { type: 'ship' }]]);
  if (typeof c.received_index === 'number') expect.set(c.received_index, { type: 'receive' });
  if (indexes.length) {
    page.append(entriesPanel({
      title: tr('Check this consignment in your browser'),
      intro: tr('The shipping and receiving events, read from the log itself rather than from the server\'s summary:'),
      indexes, expect,
    }));
  }
}
