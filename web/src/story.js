// story.js: the deal's story told from the replayed log: each mineral in
// its own unit, each stage's output counted once (the ledger's own CRMA
// report, computed from the replayed state by the C code in WebAssembly:
// replayedCrma), and where a mine's or a lot's output went (the forward
// trace, from the proven transform and ship events). The overview, the
// flows page, the site and lot pages share these.
import { add, h, table } from './dom.js';
import { country, element, int, mass, massMg, massUnit, percent, time } from './format.js';
import { t, tn } from './i18n.js';
import { consignmentLink, lotLink } from './links.js';
import { lotGraph } from './charts/ancestry.js';

// The stages in their order (docs/events.md, "Stages"), in words.
// Functions, so that each reads in the page's language (i18n.js).
export const STAGE_WORDS = {
  mined: () => t('Mined'), recycled: () => t('Recycled feed taken in'), external: () => t('External input'), concentrated: () => t('Concentrated'),
  processed: () => t('Processed'), separated: () => t('Separated'), refined: () => t('Refined'), alloyed: () => t('Alloyed'), magnet: () => t('Made into magnets'),
};
export const stageWord = (s) => (STAGE_WORDS[s] ? STAGE_WORDS[s]() : s);

// --- one unit per mineral ---------------------------------------------------

// The units are format.js's (massUnit, mass): one way to write a mass on
// every page. Figures here are in mg, as the CRMA report gives them.

// The unit a mineral's figures are all shown in, chosen for its largest
// figure (in mg): t when that is a tonne or more, else kg, else g; so
// copper reads in t of Cu and neodymium in kg of Nd, never added up.
export function unitFor(maxMg) {
  return massUnit([Math.abs(Number(maxMg) || 0) / 1000]);
}

// mg of element `el` in `unit` (unitFor): "1,186.000 t Cu".
export function inUnit(mg, unit, el) {
  return massMg(mg, { unit, element: el });
}

// A figure for the tests and the CSV: the text, with the exact mg kept in
// data-mg (and what it is in data-mineral, data-stage, data-country).
export function figure(mg, unit, el, data = {}) {
  const attrs = { 'data-mg': String(mg), 'data-mineral': el };
  for (const [k, v] of Object.entries(data)) attrs[`data-${k}`] = v;
  return h('span', attrs, inUnit(mg, unit, el));
}

// The CRMA report's minerals with their unit: [{ element, unit, stages,
// exported, returned }], each stage { stage, mg, countries: [{country, mg,
// share_ppm}] } in stage order, counted once.
export function mineralsOf(crma) {
  return (crma ? crma.minerals : []).map((m) => {
    const max = Math.max(0, ...m.stages.map((s) => s.mg), ...m.exported.map((x) => x.mg), ...m.returned.map((x) => x.mg));
    return { ...m, unit: unitFor(max) };
  });
}

// The report's stage rows of the minerals, one per mineral, stage and
// country, for a table: { el, unit, stage, country, mg, share_ppm, total }.
export function stageRows(minerals, keep = () => true) {
  const rows = [];
  for (const m of minerals) {
    for (const s of m.stages) {
      if (!keep(s.stage)) continue;
      for (const c of s.countries) rows.push({ el: m.element, unit: m.unit, stage: s.stage, country: c.country, mg: c.mg, share_ppm: c.share_ppm, total: s.mg });
    }
  }
  return rows;
}

// The table of stage rows: mineral, stage, country, output (own unit), share.
export function stageTable(caption, rows, attrs) {
  return table(caption, [
    { label: t('Mineral'), cell: (r) => element(r.el) },
    { label: t('Stage'), cell: (r) => stageWord(r.stage) },
    { label: t('Country'), cell: (r) => country(r.country) },
    { label: t('Output, counted once'), num: true, cell: (r) => figure(r.mg, r.unit, r.el, { stage: r.stage, country: r.country }) },
    { label: t('Share of the stage'), num: true, cell: (r) => percent(r.share_ppm, 1) },
  ], rows, { rowHeader: false, attrs });
}

// The sentence every per-mineral figure carries.
export const COUNTED_ONCE = () => t('Element content (the mass of the element itself, not of the ore or oxide carrying it), each mineral in its own unit and never added to another. Each stage\'s output is counted once: a lot that passes through a plant counts for that plant\'s stage with what it had not passed before, never again as the next plant\'s input. Computed in your browser from the replayed log by the ledger\'s own code (the same as `oretrail report crma`).');

// --- the forward trace --------------------------------------------------------

// Where the output of `start` (lot ids) went: every lot made from them (and
// from those, on to the last), and every consignment that carried one of
// them or of those, from the replayed state and the proven events.
// Returns { lots: [{ lot, record, from, process, site, index }],
// consignments: [{ consignment, record, lots: [the consignment's lot
// rows in the trace] }] }, both in log order.
export function forwardTrace(state, events, start) {
  const graph = lotGraph(events);
  const next = new Map();
  for (const e of graph.edges) {
    if (!next.has(e.from)) next.set(e.from, []);
    next.get(e.from).push(e);
  }
  // A start lot made from another (a mine's concentrate from its ore) is
  // listed too, reached from that one.
  const reached = new Map(); // lot -> the edge that first reached it
  const queue = [...start];
  const seen = new Set(start);
  while (queue.length) {
    const id = queue.shift();
    for (const e of next.get(id) || []) {
      if (!reached.has(e.to) && !(seen.has(e.to) && !start.includes(e.to))) reached.set(e.to, e);
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      queue.push(e.to);
    }
  }
  const lots = [...reached.entries()].map(([lot, e]) => ({ lot, record: state.lots[lot] || {}, from: e.from, process: e.process, site: e.site, index: e.index }))
    .sort((a, b) => a.index - b.index);
  const consignments = Object.values(state.consignments || {})
    .map((c) => ({ consignment: c.consignment, record: c, lots: (c.lots || []).filter((l) => seen.has(l.lot)) }))
    .filter((c) => c.lots.length)
    .sort((a, b) => (a.record.index ?? 0) - (b.record.index ?? 0));
  return { lots, consignments };
}

// The element content of lot rows ({content_mg}), summed per element.
function contentOf(lotRows) {
  const out = {};
  for (const l of lotRows) for (const [el, mg] of Object.entries(l.content_mg || {})) out[el] = (out[el] || 0) + Number(mg);
  return out;
}

// Element contents {el: mg} as text, each element in its own unit.
export function contents(byEl) {
  const els = Object.keys(byEl).sort();
  if (!els.length) return '\u2014';
  return els.map((el, i) => [i ? ', ' : '', figure(byEl[el], unitFor(byEl[el]), el)]);
}

// The forward trace as a section: the lots made from `start`, the
// consignments that carried them, and where they went. `what` names the
// start ("pk-kp-loe-shilman's ore"); `backward` is the link to the backward
// trace, shown beside it.
export function forwardSection(rs, events, start, what, backward) {
  const section = h('section', { 'aria-labelledby': 'forward-h', 'data-section': 'forward' },
    h('h2', { id: 'forward-h' }, t('Where its output went')),
    backward);
  if (!rs.ok) {
    section.append(h('p', { class: 'note', 'data-forward': 'unavailable' }, t('The forward trace is drawn from the replayed log, which this page could not replay: {reason}.', { reason: rs.reason })));
    return section;
  }
  const state = rs.state;
  const trace = forwardTrace(state, events, start);
  const dest = new Map();
  for (const c of trace.consignments) {
    const r = c.record;
    const k = `${r.to}|${r.consignee}`;
    const d = dest.get(k) || { to: r.to, to_country: r.to_country, consignee: r.consignee, n: 0, content: {}, exported: r.from_country !== r.to_country };
    d.n += 1;
    for (const [el, mg] of Object.entries(contentOf(c.lots))) d.content[el] = (d.content[el] || 0) + mg;
    dest.set(k, d);
  }
  add(section,
    h('p', {}, t('Forward trace of {what}: every lot made from it, step by step, and every consignment that carried one of them, from the proven transform and ship entries and the replayed state.', { what })),
    table(t('{lots} made from {what}', { lots: tn(trace.lots.length, '{n} lot', '{n} lots'), what }), [
      { label: t('Lot'), cell: (l) => lotLink(l.lot) },
      { label: t('Material'), cell: (l) => l.record.material || '\u2014' },
      { label: t('Made from'), cell: (l) => lotLink(l.from) },
      { label: t('How'), cell: (l) => [`${l.process} at ${l.site}, `, h('a', { href: `#/entries/${l.index}` }, t('entry {n}', { n: int(l.index) }))] },
      { label: t('Mass when made'), num: true, cell: (l) => mass(l.record.initial_g) },
      { label: t('Mass now'), num: true, cell: (l) => mass(l.record.mass_g) },
      { label: t('Now'), cell: (l) => [l.record.status || '\u2014', l.record.site ? ` at ${l.record.site}` : ''] },
    ], trace.lots, { attrs: { 'data-table': 'forward-lots' }, empty: t('No lot was made from it yet.') }),
    table(t('{consignments} that carried it', { consignments: tn(trace.consignments.length, '{n} consignment', '{n} consignments') }), [
      { label: t('Consignment'), cell: (c) => consignmentLink(c.consignment) },
      { label: t('Shipped'), cell: (c) => time(c.record.time) },
      { label: t('From'), cell: (c) => `${c.record.from} (${c.record.from_country})` },
      { label: t('To'), cell: (c) => `${c.record.to} (${c.record.to_country})` },
      { label: t('Consignee'), cell: (c) => c.record.consignee },
      { label: t('Lots (dry mass shipped)'), cell: (c) => c.lots.map((l, i) => [i ? ', ' : '', lotLink(l.lot),
        ` (${mass(l.mass_g)}${state.lots[l.lot] && state.lots[l.lot].material ? ` of ${state.lots[l.lot].material}` : ''})`]) },
      { label: t('Element content'), cell: (c) => contents(contentOf(c.lots)) },
      { label: t('Status'), cell: (c) => c.record.status || '\u2014' },
    ], trace.consignments, { attrs: { 'data-table': 'forward-consignments' }, empty: t('Nothing of it was shipped yet.') }),
    dest.size ? table(t('Where it went, by destination'), [
      { label: t('Destination'), cell: (d) => d.to },
      { label: t('Country'), cell: (d) => country(d.to_country) },
      { label: t('Received by'), cell: (d) => d.consignee },
      { label: t('Kind'), cell: (d) => (d.exported ? t('export') : t('domestic')) },
      { label: t('Consignments'), num: true, cell: (d) => int(d.n) },
      { label: t('Element content'), cell: (d) => contents(d.content) },
    ], [...dest.values()], { attrs: { 'data-table': 'forward-destinations' } }) : null,
  );
  return section;
}
