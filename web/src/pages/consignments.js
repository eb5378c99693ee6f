// consignments.js: every consignment: what it carried, its trade codes,
// declared value and permit, and whether what arrived is what left.
import { api } from '../api.js';
import { differences, listDifferences, replayNotice, replayedState, withReplayed } from '../replayed.js';
import { h, table, facts } from '../dom.js';
import { country, element, hs, mass, massCell, massMg, massUnit, massUnits, money, signedPercent, time } from '../format.js';
import { actorLink, consignmentLink, lotLink, siteLink } from '../links.js';
import { entriesPanel } from '../components.js';

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
  return `${d === 0 ? 'none' : mass(d, { unit })} (${signedPercent((d / shipped) * 100, 2)})`;
}

// The minerals a consignment carries ("Cu", "Nd Pr"): its masses share one
// unit with the other consignments of the same minerals.
const minerals = (c) => [...new Set((c.lots || []).flatMap((l) => Object.keys(l.content_mg || {})))].sort().join(' ');
const lotMinerals = (l) => minerals({ lots: [l] });

function statusText(c) {
  if (c.status === 'received') return ['received ', time(c.received_time)];
  if (c.status) return c.status === 'shipped' ? 'in transit' : c.status;
  return c.received_index !== undefined ? 'received' : 'in transit';
}

export async function renderConsignments(page, _arg, ctx) {
  ctx.setTitle('Consignments');
  const cons = await api.consignments();
  const rs = await replayedState();
  const diffs = rs.ok ? listDifferences(rs.state, 'consignments', cons.items, 'consignment') : [];
  const shown = rs.ok ? cons.items.map((c) => withReplayed(rs.state, 'consignments', c.consignment, c)) : cons.items;
  const items = [...shown].sort((a, b) => (b.index ?? 0) - (a.index ?? 0));
  const massOf = massCell(items, [(c) => totals(c).shipped, (c) => totals(c).received], { by: minerals });
  const unitOf = massUnits(items, minerals, (c) => totals(c).shipped);
  page.append(
    h('h1', {}, 'Consignments'),
    h('p', { class: 'lede' }, 'Each shipment recorded in the ledger: who sent what to whom, under which trade codes, declared value and permit, and how much arrived.'),
    replayNotice(rs, diffs, 'the consignments'),
    table(`${items.length} consignments, newest first`, [
      { label: 'Consignment', cell: (c) => consignmentLink(c.consignment) },
      { label: 'Date', cell: (c) => time(c.time) },
      { label: 'From \u2192 to', cell: (c) => `${c.from} (${c.from_country || '?'}) \u2192 ${c.to} (${c.to_country || '?'})` },
      { label: 'Consignee', cell: (c) => actorLink(c.consignee) },
      { label: 'Trade codes (HS)', cell: (c) => (c.hs && c.hs.length ? c.hs.join(', ') : '–') },
      { label: 'Declared value', num: true, cell: (c) => (c.value ? money(c.value) : '–') },
      { label: 'Permit', cell: (c) => c.permit || '–' },
      { label: 'Status', cell: (c) => statusText(c) },
      { label: 'Mass shipped', num: true, cell: (c) => massOf(c, (x) => totals(x).shipped) },
      { label: 'Mass received', num: true, cell: (c) => (totals(c).received === null ? '–' : massOf(c, (x) => totals(x).received)) },
      { label: 'Difference', num: true, cell: (c) => { const t = totals(c); return difference(t.shipped, t.received, unitOf(minerals(c))); } },
    ], items),
    cons.more ? h('p', { class: 'note' }, 'Only the first consignments are listed.') : '',
  );
}

export async function renderConsignment(page, id, ctx) {
  ctx.setTitle(`Consignment ${id}`);
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
    h('p', { class: 'note' }, h('a', { href: '#/consignments' }, '\u2190 All consignments')),
    h('h1', {}, `Consignment ${c.consignment}`),
    replayNotice(rs, diffs, `consignment ${c.consignment}`),
    facts([
      ['From', [siteLink(c.from), `, ${country(c.from_country)}`]],
      ['To', [siteLink(c.to), `, ${country(c.to_country)}`]],
      ['Shipper', c.shipper ? actorLink(c.shipper) : null],
      ['Consignee', c.consignee ? actorLink(c.consignee) : null],
      ['Shipped', time(c.time, true)],
      ['Status', statusText(c)],
      ['Trade codes (HS)', c.hs && c.hs.length ? h('ul', {}, c.hs.map((code) => h('li', {}, hs(code)))) : 'none declared'],
      ['Declared value', c.value ? money(c.value) : 'none declared'],
      ['Export permit', c.permit || 'none recorded'],
      ['Mass shipped', mass(t.shipped, { unit })],
      ['Mass received', t.received === null ? 'not yet received' : mass(t.received, { unit })],
      ['Difference', difference(t.shipped, t.received, unit)],
      ['Contents by element', Object.keys(content).length ? Object.entries(content).sort().map(([e, mg], i) => [i ? ', ' : '', `${element(e)} ${massMg(mg, { element: e })}`]) : '–'],
    ]),
    h('h2', {}, 'Contents'),
    table('Lots in this consignment', [
      { label: 'Lot', cell: (l) => lotLink(l.lot) },
      { label: 'Trade code', cell: (l) => (c.hs && lots.length === c.hs.length ? c.hs[lots.indexOf(l)] : '–') },
      { label: 'Shipped', num: true, cell: (l) => mass(l.mass_g, { unit: lotUnit(l) }) },
      { label: 'Received', num: true, cell: (l) => (l.received_g === undefined ? '–' : mass(l.received_g, { unit: lotUnit(l) })) },
      { label: 'Difference', num: true, cell: (l) => difference(Number(l.mass_g), l.received_g === undefined ? null : Number(l.received_g), lotUnit(l)) },
      { label: 'Element content', cell: (l) => Object.entries(l.content_mg || {}).map(([e, mg], i) => [i ? ', ' : '', massMg(mg, { unit: contentUnit(e), element: e })]) },
      { label: 'Mined in', cell: (l) => Object.entries(l.origin_countries || {}).map(([e, byC], i) => [i ? '; ' : '', `${e}: ${Object.keys(byC).map(country).join(', ')}`]) },
    ], lots),
  );
  const indexes = [c.index, c.received_index].filter((i) => typeof i === 'number');
  const expect = new Map([[c.index, { type: 'ship' }]]);
  if (typeof c.received_index === 'number') expect.set(c.received_index, { type: 'receive' });
  if (indexes.length) {
    page.append(entriesPanel({
      title: 'Check this consignment in your browser',
      intro: 'The shipping and receiving events, read from the log itself rather than from the server\'s summary:',
      indexes, expect,
    }));
  }
}
