// sankey.js: a flow diagram of material between sites, laid out by
// d3-sankey (bundled from npm) and drawn as plain SVG. The diagram is an
// image with a text summary; the page puts the same flows in a table.
import { sankey, sankeyJustify, sankeyLinkHorizontal } from 'd3-sankey';
import { svg } from '../dom.js';
import { rtl } from '../i18n.js';

export const KIND_COLOURS = {
  mine: '#8a5a2b', plant: '#1b7a78', port: '#2b5c9e', warehouse: '#6b5b95', lab: '#7a7a7a', other: '#4a5560',
};

// Colours for minerals, told apart also by the table beside the chart.
export const ELEMENT_COLOURS = ['#1b6ca8', '#c2571a', '#2e8540', '#8e44ad', '#b8860b', '#c0392b', '#16a085', '#7f8c8d'];

// nodes: [{ id, label, sub, kind }];
// links: [{ source: id, target: id, value, title, colour? }]
// Links that would close a cycle must already be removed.
export function sankeyChart({ nodes, links, label, formatValue, width = 960 }) {
  const height = Math.max(260, nodes.length * 46);
  const layout = sankey()
    .nodeId((d) => d.id)
    .nodeAlign(sankeyJustify)
    .nodeWidth(16)
    .nodePadding(26)
    .extent([[1, 8], [width - 1, height - 8]]);
  const graph = layout({ nodes: nodes.map((d) => ({ ...d })), links: links.map((d) => ({ ...d })) });
  // Right to left in Urdu: the flow runs from the right, each node's
  // position mirrored (the text is not), each band from its source's left
  // edge to its target's right edge.
  if (rtl) for (const n of graph.nodes) [n.x0, n.x1] = [width - n.x1, width - n.x0];
  const path = rtl ? sankeyLinkHorizontal().source((l) => [l.source.x0, l.y0]).target((l) => [l.target.x1, l.y1]) : sankeyLinkHorizontal();
  const el = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'sankey', direction: 'ltr' },
    svg('title', {}, label),
    svg('g', { fill: 'none' }, graph.links.map((l) => svg('path', {
      d: path(l),
      stroke: l.colour || KIND_COLOURS[l.source.kind] || KIND_COLOURS.other,
      'stroke-opacity': l.colour ? '0.6' : '0.42',
      'stroke-width': String(Math.max(1.5, l.width)),
      'data-link': `${l.source.id}>${l.target.id}`,
    }, svg('title', {}, l.title || `${l.source.label} \u2192 ${l.target.label}: ${formatValue(l.value)}`)))),
    svg('g', {}, graph.nodes.map((n) => svg('rect', {
      x: String(n.x0), y: String(n.y0), width: String(n.x1 - n.x0), height: String(Math.max(2, n.y1 - n.y0)),
      fill: KIND_COLOURS[n.kind] || KIND_COLOURS.other, 'data-node': n.id,
    }, svg('title', {}, `${n.label}: ${formatValue(n.value)}`)))),
    svg('g', {}, graph.nodes.map((n) => {
      const right = n.x0 < width / 2;
      const x = right ? n.x1 + 6 : n.x0 - 6;
      const y = (n.y0 + n.y1) / 2;
      return svg('text', { x: String(x), y: String(y), 'text-anchor': right ? 'start' : 'end', class: 'node-label' },
        svg('tspan', { x: String(x), dy: '-0.2em' }, n.label),
        svg('tspan', { x: String(x), dy: '1.2em', class: 'node-sub' }, `${n.sub} \u00b7 ${formatValue(n.value)}`));
    })));
  return el;
}

// Drops the links that would close a cycle (d3-sankey needs a DAG); keeps
// the earlier ones. Returns { kept, dropped }.
export function acyclic(links) {
  const out = new Map();
  const kept = [];
  const dropped = [];
  const reaches = (from, to) => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      const n = stack.pop();
      if (n === to) return true;
      for (const m of out.get(n) || []) if (!seen.has(m)) { seen.add(m); stack.push(m); }
    }
    return false;
  };
  for (const l of links) {
    if (l.source === l.target || (!(out.get(l.source) || new Set()).has(l.target) && reaches(l.target, l.source))) { dropped.push(l); continue; }
    if (!out.has(l.source)) out.set(l.source, new Set());
    out.get(l.source).add(l.target);
    kept.push(l);
  }
  return { kept, dropped };
}
