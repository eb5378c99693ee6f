// flows.js: where the minerals went: a flow diagram from mines through
// plants and ports to their destinations, per mineral, and the volumes per
// mineral, country and period.
import { api, byKey } from '../api.js';
import { h, table } from '../dom.js';
import { country, countryName, element, int, mass, massCell, massUnits, percent } from '../format.js';
import { consignmentLink, hrefFlows, siteLink } from '../links.js';
import { acyclic, sankeyChart, ELEMENT_COLOURS, KIND_COLOURS } from '../charts/sankey.js';

const GOODS = 'goods';
const ALL = 'all';

function quarter(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return 'unknown';
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

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

export async function renderFlows(page, _arg, ctx) {
  ctx.setTitle('Flows');
  const [cons, sitesList, report] = await Promise.all([
    api.consignments(), api.sites().catch(() => ({ items: [] })), api.report().catch(() => null),
  ]);
  const sites = byKey(sitesList.items, 'site');
  const elements = new Set();
  for (const c of cons.items) for (const l of c.lots || []) for (const e of Object.keys(l.content_mg || {})) elements.add(e);
  if (report) for (const m of report.minerals || []) elements.add(m.element);
  const elementList = [...elements].sort();
  let chosen = ctx.params.get('element');
  if (!chosen || (chosen !== GOODS && !elements.has(chosen))) chosen = ALL;
  const colour = new Map(elementList.map((e, i) => [e, ELEMENT_COLOURS[i % ELEMENT_COLOURS.length]]));

  // Links between sites, in shipping order, for the chosen mineral.
  const sorted = [...cons.items].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const linkMap = new Map();
  const add = (c, el, v) => {
    if (v <= 0) return;
    const key = `${c.from}>${c.to}>${el}`;
    if (!linkMap.has(key)) linkMap.set(key, { source: c.from, target: c.to, el, value: 0, consignments: [], colour: el && chosen === ALL ? colour.get(el) : null });
    const link = linkMap.get(key);
    link.value += v;
    if (!link.consignments.includes(c.consignment)) link.consignments.push(c.consignment);
  };
  for (const c of sorted) {
    const content = {};
    let goods = 0;
    for (const l of c.lots || []) {
      goods += Number(l.mass_g || 0);
      for (const [e, mg] of Object.entries(l.content_mg || {})) content[e] = (content[e] || 0) + Number(mg);
    }
    if (chosen === GOODS) add(c, null, goods);
    else if (chosen === ALL) for (const e of Object.keys(content).sort()) add(c, e, content[e]);
    else add(c, chosen, content[chosen] || 0);
  }
  // One unit per mineral over all its flows ("t Cu", "kg Nd"); gross mass
  // in one unit for all goods.
  const grams = (v) => (chosen === GOODS ? v : v / 1000);
  const unitOf = massUnits([...linkMap.values()], (l) => l.el || '', (l) => grams(l.value));
  const fmt = (v, el = null) => mass(grams(v), { unit: el ? unitOf(el) : null, element: el });
  const { kept, dropped } = acyclic([...linkMap.values()]);
  const nodeIds = new Set();
  for (const l of kept) { nodeIds.add(l.source); nodeIds.add(l.target); }
  const nodes = [...nodeIds].map((id) => siteNode(id, sites));
  for (const l of kept) {
    l.title = `${l.source} \u2192 ${l.target}: ${fmt(l.value, l.el)} in ${l.consignments.join(', ')}`;
  }
  const what = chosen === GOODS ? 'goods (gross mass)' : chosen === ALL ? 'all minerals (element content)' : `${element(chosen)} content`;

  page.append(
    h('h1', {}, 'Where the minerals went'),
    h('p', { class: 'lede' }, 'Every consignment recorded in the ledger, from the mines through processing plants and ports to where it was received. The width of each band is the amount that travelled.'),
    h('nav', { 'aria-label': 'Mineral' }, h('ul', { class: 'toggles' },
      [ALL, ...elementList, GOODS].map((e) => h('li', {}, h('a', { href: hrefFlows(e === ALL ? null : e), 'aria-current': e === chosen ? 'true' : null },
        e === GOODS ? 'All goods (gross mass)' : e === ALL ? 'All minerals' : element(e)))))),
  );

  if (kept.length === 0) {
    page.append(h('p', {}, `No consignment carrying ${what} has been recorded yet.`));
  } else {
    const label = `Flow diagram of ${what}: ` + kept.map((l) => `${l.source} to ${l.target}, ${fmt(l.value, l.el)}`).join('; ') + '.';
    page.append(
      h('figure', { class: 'chart', 'data-chart': 'sankey' },
        h('div', { class: 'chart-scroll', tabindex: '0', role: 'region', 'aria-label': 'Flow diagram (scrolls sideways on small screens)' },
          sankeyChart({ nodes, links: kept, label, formatValue: fmt })),
        h('figcaption', {}, `Flows of ${what} between sites, summed over all consignments. `,
          chosen === ALL ? ['Bands by mineral: ', elementList.map((e, i) => [i ? ', ' : '', swatch(colour.get(e)), ` ${element(e)}`]), '. '] : '',
          'Site boxes by kind: ', Object.entries(KIND_COLOURS).filter(([k]) => nodes.some((n) => n.kind === k)).map(([k, c], i) => [i ? ', ' : '', swatch(c), ` ${k}`]),
          '. The table below lists the same flows.')),
      table(`Flows of ${what}`, [
        { label: 'From', cell: (l) => siteLink(l.source) },
        { label: 'To', cell: (l) => siteLink(l.target) },
        { label: 'What', cell: (l) => (l.el ? element(l.el) : 'goods') },
        { label: chosen === GOODS ? 'Mass' : 'Content', num: true, cell: (l) => fmt(l.value, l.el) },
        { label: 'Consignments', cell: (l) => l.consignments.map((c, i) => [i ? ', ' : '', consignmentLink(c)]) },
      ], [...kept, ...dropped]),
    );
    if (dropped.length) page.append(h('p', { class: 'note' }, `${dropped.length} flow(s) that go back to an earlier site are listed in the table but not drawn.`));
  }

  // Volumes per mineral and country (the ledger's flows report).
  page.append(h('h2', {}, 'Volumes per mineral and country'));
  if (!report) {
    page.append(h('p', {}, 'The flows report is not available from this server.'));
  } else {
    const stageName = { extracted: 'Mined', processed: 'Processed (plant output)', refined: 'Refined', exported: 'Exported', exported_origin: 'Exported, by country of the mine' };
    const rows = [];
    for (const m of report.minerals || []) {
      for (const stage of ['extracted', 'processed', 'refined', 'exported', 'exported_origin']) {
        for (const r of m[stage] || []) {
          rows.push({ el: m.element, stage, where: r.from ? `${countryName(r.from)} \u2192 ${countryName(r.to)}` : country(r.country), grams: r.grams });
        }
      }
    }
    page.append(
      h('p', {}, 'Element content in grams of the element itself (not of the ore or concentrate carrying it).'),
      table('Volumes per mineral, stage and country', [
        { label: 'Mineral', cell: (r) => element(r.el) },
        { label: 'Stage', cell: (r) => stageName[r.stage] || r.stage },
        { label: 'Country', cell: (r) => r.where },
        { label: 'Element content', num: true, cell: massCell(rows, (r) => r.grams, { element: (r) => r.el }) },
      ], rows, { rowHeader: false }),
      table('Concentration: how much of each stage one country holds', [
        { label: 'Mineral', cell: (r) => element(r.el) },
        { label: 'Stage', cell: (r) => stageName[r.stage] || r.stage },
        { label: 'Largest country', cell: (r) => country(r.top_country) },
        { label: 'Its share', num: true, cell: (r) => percent(r.top_share_ppm, 1) },
        { label: 'HHI (0\u201310,000)', num: true, cell: (r) => int(r.hhi) },
      ], (report.minerals || []).flatMap((m) => (m.concentration || []).map((c) => ({ el: m.element, ...c }))), { rowHeader: false }),
    );
  }

  // Volumes per period: consignments by quarter of shipping.
  const per = new Map();
  for (const c of cons.items) {
    const q = quarter(c.time);
    const content = {};
    for (const l of c.lots || []) for (const [e, mg] of Object.entries(l.content_mg || {})) content[e] = (content[e] || 0) + Number(mg);
    for (const [e, mg] of Object.entries(content)) {
      const key = `${q}|${e}|${c.from_country}|${c.to_country}`;
      if (!per.has(key)) per.set(key, { q, e, from: c.from_country, to: c.to_country, mg: 0, n: 0 });
      const p = per.get(key);
      p.mg += mg;
      p.n += 1;
    }
  }
  const periods = [...per.values()].sort((a, b) => (a.q + a.e).localeCompare(b.q + b.e));
  page.append(
    h('h2', {}, 'Volumes per period'),
    table('Element content shipped, by quarter', [
      { label: 'Quarter', cell: (r) => r.q },
      { label: 'Mineral', cell: (r) => element(r.e) },
      { label: 'From', cell: (r) => country(r.from) },
      { label: 'To', cell: (r) => country(r.to) },
      { label: 'Kind', cell: (r) => (r.from && r.to && r.from !== r.to ? 'export' : 'domestic') },
      { label: 'Consignments', num: true, cell: (r) => int(r.n) },
      { label: 'Element content', num: true, cell: massCell(periods, (r) => r.mg / 1000, { element: (r) => r.e }) },
    ], periods, { rowHeader: false }),
  );
}
