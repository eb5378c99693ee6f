// dom.js: building the page from data without innerHTML, so that nothing
// from the ledger is ever parsed as markup.
//   h('a', { href: '#/lots/x', class: 'y' }, 'text', child, [more])
import { csvName, downloadCsv } from './csv.js';
import { t } from './i18n.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    if (Array.isArray(k)) append(el, k);
    else if (k instanceof Node) el.appendChild(k);
    else el.appendChild(document.createTextNode(String(k)));
  }
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}

export function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}

// A table in a keyboard-scrollable region, with a button that downloads
// it as CSV when it has rows. cols: [{ label, num?, cell(row) }].
export function table(caption, cols, rows, opts = {}) {
  const tbl = h('table', opts.attrs || {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: cols.length }, opts.empty || t('Nothing recorded yet.')))
      : rows.map((r) => h('tr', {}, cols.map((c, i) => {
        const v = c.cell(r);
        return i === 0 && opts.rowHeader !== false
          ? h('th', { scope: 'row', class: c.num ? 'num' : null }, v)
          : h('td', { class: c.num ? 'num' : null }, v);
      })))));
  const name = csvName(caption || opts.label);
  return h('div', { class: 'table-block' },
    h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption || opts.label || t('table'), tabindex: '0' }, tbl),
    rows.length === 0 ? null : h('button', {
      type: 'button', class: 'secondary csv', 'data-csv': name,
      'aria-label': t('Download CSV: {what}', { what: caption || opts.label || t('this table') }),
      onclick: () => downloadCsv(tbl, name),
    }, t('Download CSV')));
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter((p) => p && p[1] !== undefined && p[1] !== null && p[1] !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// Appends kids to el as h() does: null, undefined and false skipped, arrays
// flattened (Element.append would write null out as text).
export function add(el, ...kids) {
  append(el, kids);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}
