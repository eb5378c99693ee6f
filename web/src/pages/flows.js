// flows.js: where the minerals went: one flow diagram per mineral, in the
// mineral's own unit (element content; never tonnes of copper added to
// kilograms of neodymium), or per material in dry mass, from mines through
// plants and ports to their destinations; each stage's output per mineral
// and country counted once (the ledger's CRMA report, computed from the
// replayed log by the C code in WebAssembly); the volumes per period.
import { api, byKey } from '../api.js';
import { h, add, table } from '../dom.js';
import { country, countryName, element, int, mass, massCell, massUnit } from '../format.js';
import { consignmentLink, hrefFlows, siteLink } from '../links.js';
import { acyclic, sankeyChart, KIND_COLOURS } from '../charts/sankey.js';
import { replayedCrma, replayedState } from '../replayed.js';
import { COUNTED_ONCE, figure, inUnit, mineralsOf, stageRows, stageTable, stageWord, unitFor } from '../story.js';
import { t } from '../i18n.js';
import { quarter } from '../filters.js';

const GOODS = 'goods';
const ALL = 'all';

// The quarter of a time (filters.js), 'unknown' for none.
const quarterOf = (s) => quarter(s) || 'unknown';

function swatch(colour) {
  const s = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.background = colour;
  return s;
}

function siteNode(id, sites) {
  const s = sites.get(id) || {};
  const kind = s.kind || 'other';
  return { id, label: id, sub: `${kind}, ${s.country ? countryName(s.country) : 'unknown country'}`, kind };
}

// The consignments' flows between sites of one quantity: for each
// consignment in shipping order, amountOf(lot row, lot id) per lot summed
// into one link from its site to its destination.
function linksOf(cons, amountOf) {
  const linkMap = new Map();
  for (const c of cons) {
    let v = 0;
    for (const l of c.lots || []) v += amountOf(l);
    if (v <= 0) continue;
    const key = `${c.from}>${c.to}`;
    if (!linkMap.has(key)) linkMap.set(key, { source: c.from, target: c.to, value: 0, consignments: [] });
    const link = linkMap.get(key);
    link.value += v;
    if (!link.consignments.includes(c.consignment)) link.consignments.push(c.consignment);
  }
  return [...linkMap.values()];
}

// One flow diagram and its table, for one mineral or material.
function flowFigure(what, key, links, fmt, sites) {
  const { kept, dropped } = acyclic(links);
  const nodeIds = new Set();
  for (const l of kept) { nodeIds.add(l.source); nodeIds.add(l.target); }
  const nodes = [...nodeIds].map((id) => siteNode(id, sites));
  for (const l of kept) l.title = `${l.source} \u2192 ${l.target}: ${fmt(l.value)} in ${l.consignments.join(', ')}`;
  const label = `Flow diagram of ${what}: ` + kept.map((l) => `${l.source} to ${l.target}, ${fmt(l.value)}`).join('; ') + '.';
  return h('section', { class: 'flow', 'data-flow': key, 'aria-label': `Flows of ${what}` },
    h('h2', {}, `Flows of ${what}`),
    h('figure', { class: 'chart', 'data-chart': 'sankey' },
      h('div', { class: 'chart-scroll', tabindex: '0', role: 'region', 'aria-label': `Flow diagram of ${what} (scrolls sideways on small screens)` },
        sankeyChart({ nodes, links: kept, label, formatValue: fmt })),
      h('figcaption', {}, `Flows of ${what} between sites, summed over all consignments. Site boxes by kind: `,
        Object.entries(KIND_COLOURS).filter(([k]) => nodes.some((n) => n.kind === k)).map(([k, c], i) => [i ? ', ' : '', swatch(c), ` ${k}`]),
        '. The table below lists the same flows.')),
    table(`Flows of ${what}`, [
      { label: t('From'), cell: (l) => siteLink(l.source) },
      { label: t('To'), cell: (l) => siteLink(l.target) },
      { label: t('Mass'), num: true, cell: (l) => fmt(l.value) },
      { label: t('Consignments'), cell: (l) => l.consignments.map((c, i) => [i ? ', ' : '', consignmentLink(c)]) },
    ], [...kept, ...dropped]),
    dropped.length ? h('p', { class: 'note' }, `${dropped.length} flow(s) that go back to an earlier site are listed in the table but not drawn.`) : null);
}

// Concentration of each stage from the report's country shares: the largest
// country, its share, and the Herfindahl-Hirschman index (sum of the
// squared percentage shares, 0 to 10,000).
function concentration(minerals) {
  return minerals.flatMap((m) => m.stages.map((s) => {
    const top = s.countries[0];
    const hhi = s.countries.reduce((a, c) => a + (c.share_ppm / 1e4) ** 2, 0);
    return { el: m.element, stage: s.stage, top: top && top.country, share: top ? top.share_ppm : 0, hhi: Math.round(hhi) };
  }));
}

export async function renderFlows(page, _arg, ctx) {
  ctx.setTitle(t('Flows'));
  const [served, sitesList] = await Promise.all([api.consignments(), api.sites().catch(() => ({ items: [] }))]);
  const rs = await replayedState();
  // The replayed consignments and lots where the page has them.
  const cons = (rs.ok ? Object.values(rs.state.consignments) : served.items).sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const lotMaterial = rs.ok ? (id) => (rs.state.lots[id] || {}).material : () => null;
  const sites = rs.ok ? new Map(Object.entries(rs.state.sites)) : byKey(sitesList.items, 'site');
  const elements = new Set();
  for (const c of cons) for (const l of c.lots || []) for (const e of Object.keys(l.content_mg || {})) elements.add(e);
  const elementList = [...elements].sort();
  let chosen = ctx.params.get('element');
  if (!chosen || (chosen !== GOODS && !elements.has(chosen))) chosen = ALL;

  add(page,
    h('h1', {}, t('Where the minerals went')),
    h('p', { class: 'lede' }, t('Every consignment recorded in the ledger, from the mines through processing plants and ports to where it was received: one diagram per mineral, each in its own unit. The width of each band is the amount that travelled.')),
    h('nav', { 'aria-label': 'Mineral' }, h('ul', { class: 'toggles' },
      [ALL, ...elementList, GOODS].map((e) => h('li', {}, h('a', { href: hrefFlows(e === ALL ? null : e), 'aria-current': e === chosen ? 'true' : null },
        e === GOODS ? 'Goods (dry mass per material)' : e === ALL ? 'Every mineral' : element(e)))))),
  );

  // The report first: its units are the minerals' units on this page.
  let crma = null;
  let crmaError = null;
  try {
    crma = replayedCrma(rs);
  } catch (e) {
    crmaError = h('p', { class: 'status bad' }, `The report could not be computed from the replayed log (${e.code}): ${e.message}.`);
  }
  const allMinerals = mineralsOf(crma);

  if (chosen === GOODS) {
    const materials = [...new Set(cons.flatMap((c) => (c.lots || []).map((l) => lotMaterial(l.lot) || 'unknown material')))].sort();
    page.append(h('p', {}, t('Dry mass of the goods shipped (ore, concentrate, oxide, metal), one diagram per material: a tonne of ore and a tonne of oxide are not added up.')));
    for (const mat of materials) {
      const links = linksOf(cons, (l) => ((lotMaterial(l.lot) || 'unknown material') === mat ? Number(l.mass_g || 0) : 0));
      // One unit per diagram (format.js), as per mineral.
      const unit = massUnit(links.map((l) => l.value));
      page.append(flowFigure(`${mat} (dry mass)`, `material-${mat}`, links, (g) => mass(g, { unit }), sites));
    }
  } else {
    const shown = chosen === ALL ? elementList : [chosen];
    page.append(h('p', {}, t('Element content shipped: the mass of the element itself, not of the ore or oxide carrying it. Each mineral in its own unit.')));
    if (!shown.length) page.append(h('p', {}, t('No consignment carrying an element has been recorded yet.')));
    for (const el of shown) {
      const links = linksOf(cons, (l) => Number((l.content_mg || {})[el] || 0));
      // One unit per diagram, from its own largest flow (format.js).
      const unit = unitFor(Math.max(0, ...links.map((l) => l.value)));
      page.append(flowFigure(`${element(el)} content`, el, links, (mg) => inUnit(mg, unit, el), sites));
    }
  }

  // Each stage's output per mineral and country, counted once.
  page.append(h('h2', {}, t('Output per mineral, stage and country')));
  if (crmaError) page.append(crmaError);
  if (!crma) {
    if (!rs.ok) page.append(h('p', { class: 'status warn' }, `Not shown: the figures per stage are computed from the replayed log, which this page could not replay (${rs.reason}).`));
    return;
  }
  const minerals = allMinerals.filter((m) => chosen === ALL || chosen === GOODS || m.element === chosen);
  const exports = minerals.flatMap((m) => [...m.exported.map((x) => ({ ...x, kind: 'exported' })), ...m.returned.map((x) => ({ ...x, kind: 'returned' }))]
    .map((x) => ({ el: m.element, unit: m.unit, ...x })));
  add(page,
    h('p', {}, COUNTED_ONCE()),
    h('ul', { class: 'cards', 'data-figures': 'minerals' }, minerals.map((m) => h('li', { class: 'card', 'data-mineral': m.element },
      h('p', { class: 'label' }, element(m.element)),
      h('ul', { class: 'stage-totals' }, m.stages.map((s) => h('li', {}, `${stageWord(s.stage)}: `,
        figure(s.mg, m.unit, m.element, { stage: s.stage, total: 'true' }))))))),
    stageTable(t('Output per mineral, stage and country, counted once'), stageRows(minerals), { 'data-table': 'stage-output' }),
    table(t('Shipped across borders, per mineral'), [
      { label: t('Mineral'), cell: (r) => element(r.el) },
      { label: t('From \u2192 to'), cell: (r) => `${countryName(r.from)} \u2192 ${countryName(r.to)}` },
      { label: t('Kind'), cell: (r) => (r.kind === 'returned' ? 'returned to a country that held it' : 'export') },
      { label: t('Element content'), num: true, cell: (r) => figure(r.mg, r.unit, r.el, { stage: r.kind, from: r.from, to: r.to }) },
    ], exports, { rowHeader: false, empty: 'Nothing crossed a border.' }),
    table(t('Concentration: how much of each stage one country holds'), [
      { label: t('Mineral'), cell: (r) => element(r.el) },
      { label: t('Stage'), cell: (r) => stageWord(r.stage) },
      { label: t('Largest country'), cell: (r) => country(r.top) },
      { label: t('Its share'), num: true, cell: (r) => `${(r.share / 1e4).toFixed(1)} %` },
      { label: t('HHI (0\u201310,000)'), num: true, cell: (r) => int(r.hhi) },
    ], concentration(minerals), { rowHeader: false }),
    h('p', { class: 'note' }, t('The server\'s flows report (/api/report, `oretrail report`) counts a chain of processing steps at each step, so its "processed" can exceed what was mined; these figures do not.')),
  );

  // Volumes per period: consignments by quarter of shipping.
  const per = new Map();
  for (const c of cons) {
    const content = {};
    for (const l of c.lots || []) for (const [e, mg] of Object.entries(l.content_mg || {})) content[e] = (content[e] || 0) + Number(mg);
    for (const [e, mg] of Object.entries(content)) {
      if (chosen !== ALL && chosen !== GOODS && e !== chosen) continue;
      const q = quarterOf(c.time);
      const key = `${q}|${e}|${c.from_country}|${c.to_country}`;
      if (!per.has(key)) per.set(key, { q, e, from: c.from_country, to: c.to_country, mg: 0, n: 0 });
      const p = per.get(key);
      p.mg += mg;
      p.n += 1;
    }
  }
  const periods = [...per.values()].sort((a, b) => (a.q + a.e).localeCompare(b.q + b.e));
  page.append(
    h('h2', {}, t('Volumes per period')),
    table(t('Element content shipped, by quarter'), [
      { label: t('Quarter'), cell: (r) => r.q },
      { label: t('Mineral'), cell: (r) => element(r.e) },
      { label: t('From'), cell: (r) => country(r.from) },
      { label: t('To'), cell: (r) => country(r.to) },
      { label: t('Kind'), cell: (r) => (r.from && r.to && r.from !== r.to ? 'export' : 'domestic') },
      { label: t('Consignments'), num: true, cell: (r) => int(r.n) },
      { label: t('Element content'), num: true, cell: massCell(periods, (r) => r.mg / 1000, { element: (r) => r.e }) },
    ], periods, { rowHeader: false }),
  );
}
