// ancestry.js: a lot's ancestry as a graph, built from the log entries that
// made it (extract, recycle and transform events), drawn as layered SVG: mined lots
// on the left, each transformation one column further right. Each box links
// to its lot's page. It fits its box at first and zooms and pans
// (zoom.js).
import { svg } from '../dom.js';
import { mass, massUnits } from '../format.js';
import { zoomableSvg } from './zoom.js';
import { hrefLot } from '../links.js';
import { rtl } from '../i18n.js';

// events: [{ index, event }] in log order. Returns { lots (Map by id),
// edges (input lot -> output lot, per transform), custody (lot -> steps) }
// of every lot the events make.
export function lotGraph(events) {
  const lots = new Map();
  const edges = [];
  const custody = new Map();
  const step = (lot, s) => { if (!custody.has(lot)) custody.set(lot, []); custody.get(lot).push(s); };
  for (const { index, event: ev } of events) {
    if (!ev) continue;
    if (ev.type === 'extract') {
      lots.set(ev.lot, { id: ev.lot, material: ev.material, mass_g: ev.mass_g, site: ev.site, index, how: `mined at ${ev.site}` });
    } else if (ev.type === 'recycle') {
      lots.set(ev.lot, { id: ev.lot, material: ev.material, mass_g: ev.mass_g, site: ev.site, index, how: `recycled feed (${String(ev.scrap).replace('_', '-')} scrap) at ${ev.site}` });
    } else if (ev.type === 'transform') {
      for (const out of ev.outputs || []) {
        lots.set(out.lot, { id: out.lot, material: out.material, mass_g: out.mass_g, site: ev.site, index, how: `${ev.process} at ${ev.site}` });
        for (const inp of ev.inputs || []) edges.push({ from: inp.lot, to: out.lot, process: ev.process, site: ev.site, used_g: inp.mass_g, index });
      }
    } else if (ev.type === 'ship') {
      for (const lot of ev.lots || []) step(lot, { index, time: ev.time, text: `shipped in consignment ${ev.consignment} from ${ev.from} to ${ev.to}`, consignment: ev.consignment });
    } else if (ev.type === 'receive') {
      for (const l of ev.lots || []) step(l.lot, { index, time: ev.time, text: `received at ${ev.site} (${mass(l.mass_g)})`, consignment: ev.consignment });
    } else if (ev.type === 'assay') {
      step(ev.lot, { index, time: ev.time, text: `assay certified by ${ev.lab} (${ev.method || 'method not stated'})` });
    }
  }
  return { lots, edges, custody };
}

// lotGraph restricted to `target` and its ancestors: { lots (a list),
// edges, custody }.
export function ancestryGraph(target, events) {
  const { lots, edges, custody } = lotGraph(events);
  const keep = new Set([target]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of edges) if (keep.has(e.to) && !keep.has(e.from)) { keep.add(e.from); grew = true; }
  }
  for (const id of keep) if (!lots.has(id)) lots.set(id, { id, material: '?', mass_g: null, site: '?', index: Infinity, how: 'not in the entries read' });
  return {
    lots: [...lots.values()].filter((l) => keep.has(l.id)),
    edges: edges.filter((e) => keep.has(e.to) && keep.has(e.from)),
    custody,
  };
}

const W = 210;
const H = 66;
const COL = 300;
const ROW = 90;

function clip(s, n) {
  s = String(s);
  return s.length > n ? s.slice(0, n - 1) + '\u2026' : s;
}

export function ancestryChart(target, graph) {
  const depth = new Map();
  const preds = new Map();
  for (const e of graph.edges) {
    if (!preds.has(e.to)) preds.set(e.to, []);
    preds.get(e.to).push(e.from);
  }
  const d = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0;
    seen.add(id);
    const ps = preds.get(id) || [];
    const v = ps.length ? 1 + Math.max(...ps.map((p) => d(p, seen))) : 0;
    depth.set(id, v);
    return v;
  };
  for (const l of graph.lots) d(l.id);
  const cols = [];
  for (const l of [...graph.lots].sort((a, b) => a.index - b.index)) {
    const c = depth.get(l.id);
    (cols[c] = cols[c] || []).push(l);
  }
  const rows = Math.max(1, ...cols.map((c) => (c ? c.length : 0)));
  const width = Math.max(1, cols.length) * COL - (COL - W) + 20;
  const height = rows * ROW + 20;
  const pos = new Map();
  cols.forEach((c, ci) => (c || []).forEach((l, ri) => {
    const offset = ((rows - c.length) * ROW) / 2;
    // Right to left in Urdu: the mines at the right, positions mirrored
    // (the text is not).
    const x = 10 + ci * COL;
    pos.set(l.id, { x: rtl ? width - x - W : x, y: 10 + offset + ri * ROW, col: ci });
  }));
  const label = `Ancestry of ${target}: ` + graph.edges.map((e) => `${e.from} became ${e.to} by ${e.process} at ${e.site}`).join('; ') + '.';
  const unit = massUnits(graph.lots, (l) => l.material, (l) => l.mass_g);
  const lotMass = (l) => mass(l.mass_g, { unit: unit(l.material) });
  return zoomableSvg(width, height, { role: 'group', 'aria-label': label, class: 'ancestry', direction: 'ltr' }, [
    svg('title', {}, label),
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#4a5560' }))),
    graph.edges.map((e) => {
      const a = pos.get(e.from);
      const b = pos.get(e.to);
      if (!a || !b) return null;
      // From the ancestor's side facing its product to the product's near side.
      const x1 = rtl ? a.x : a.x + W, y1 = a.y + H / 2, x2 = rtl ? b.x + W + 2 : b.x - 2, y2 = b.y + H / 2;
      const mx = (x1 + x2) / 2;
      return svg('g', { 'aria-hidden': 'true' },
        svg('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, fill: 'none', stroke: '#4a5560', 'stroke-width': '1.6', 'marker-end': 'url(#arrow)' }),
        svg('text', { x: String(mx), y: String((y1 + y2) / 2 - 6), 'text-anchor': 'middle', class: 'edge-label' }, e.process));
    }),
    graph.lots.map((l) => {
      const p = pos.get(l.id);
      const isTarget = l.id === target;
      return svg('a', { href: hrefLot(l.id) }, // named by its visible text; the whole on hover
        svg('title', {}, `${l.id}: ${l.material}, ${lotMass(l)}, ${l.how}`),
        svg('rect', { x: String(p.x), y: String(p.y), width: String(W), height: String(H), rx: '6', fill: isTarget ? '#fdf3dc' : '#f4f6f8', stroke: isTarget ? '#a06d00' : '#1f3b57', 'stroke-width': isTarget ? '3' : '1.5' }),
        svg('text', { x: String(p.x + 10), y: String(p.y + 20), class: 'node-label', 'font-weight': '600' }, clip(l.id, 28)),
        svg('text', { x: String(p.x + 10), y: String(p.y + 38), class: 'node-sub' }, `${l.material} \u00b7 ${lotMass(l)}`),
        svg('text', { x: String(p.x + 10), y: String(p.y + 55), class: 'node-sub' }, clip(l.how, 32)));
    })]).element;
}
