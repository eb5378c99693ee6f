// search.js: one box over lots, consignments, contracts, sites and actors
// (#/search?q=...). Matches ids, names, countries, materials and the like,
// case- and accent-insensitively, every word of the query somewhere in the
// record. The lists come from the server's API; every result links to a
// page that checks what it shows against the log.
import { api } from '../api.js';
import { h, table } from '../dom.js';
import { countryName, int, massCell, plural } from '../format.js';
import { consignmentLink, contractLink, lotLink } from '../links.js';
import { entryLink } from './entries.js';
import { actorLink, siteLink } from './places.js';
import { t } from '../i18n.js';

const fold = (s) => String(s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

// The searchable text of a record: the values of the named fields, and the
// country's name beside its code.
function haystack(rec, fields) {
  const parts = [];
  for (const f of fields) {
    const v = rec[f];
    if (Array.isArray(v)) parts.push(...v.map((x) => (typeof x === 'object' && x ? x.lot || '' : x)));
    else if (v !== undefined && v !== null && typeof v !== 'object') parts.push(v);
  }
  for (const c of ['country', 'from_country', 'to_country']) if (typeof rec[c] === 'string') parts.push(countryName(rec[c]));
  return fold(parts.join(' \u0001 '));
}

const KINDS = [
  {
    key: 'lots', title: t('Lots'), list: () => api.lots(), fields: ['lot', 'material', 'holder', 'owner', 'site', 'hs_code', 'status'],
    cols: (hits) => [
      { label: t('Lot'), cell: (l) => lotLink(l.lot) },
      { label: t('Material'), cell: (l) => l.material || '\u2014' },
      { label: t('Held by'), cell: (l) => actorLink(l.holder) },
      { label: t('Mass'), num: true, cell: massCell(hits, (l) => l.mass_g, { by: (l) => l.material }) },
    ],
  },
  {
    key: 'consignments', title: t('Consignments'), list: () => api.consignments(), fields: ['consignment', 'consignee', 'from', 'to', 'from_country', 'to_country', 'lots', 'hs', 'status'],
    cols: [
      { label: t('Consignment'), cell: (c) => consignmentLink(c.consignment) },
      { label: t('From'), cell: (c) => [c.from || '\u2014', c.from_country ? ` (${c.from_country})` : ''] },
      { label: t('To'), cell: (c) => actorLink(c.consignee) },
      { label: t('Lots'), num: true, cell: (c) => int((c.lots || []).length) },
    ],
  },
  {
    // A contract's public fields (title, parties, place, ...) sit under `fields`.
    key: 'contracts', title: t('Contracts'),
    list: async () => ({ items: (await api.contracts()).items.map((c) => ({ ...(c.fields || {}), ...c })) }),
    fields: ['contract', 'title', 'parties', 'purpose', 'place', 'minerals', 'signer'],
    cols: [
      { label: t('Contract'), cell: (c) => contractLink(c.contract) },
      { label: t('Title'), cell: (c) => c.title || '\u2014' },
      { label: t('Parties'), cell: (c) => (Array.isArray(c.parties) ? c.parties.join(', ') : '\u2014') },
    ],
  },
  {
    key: 'sites', title: t('Sites'), list: () => api.sites(), fields: ['site', 'kind', 'holder', 'operator', 'licence', 'minerals'],
    cols: [
      { label: t('Site'), cell: (s) => siteLink(s.site) },
      { label: t('Kind'), cell: (s) => s.kind || '\u2014' },
      { label: t('Operator'), cell: (s) => s.operator || s.holder || '\u2014' },
      { label: t('Country'), cell: (s) => (s.country ? countryName(s.country) : '\u2014') },
      { label: t('Registered'), cell: (s) => (Number.isInteger(s.index) ? entryLink(s.index) : '\u2014') },
    ],
  },
  {
    key: 'actors', title: t('Actors'), list: () => api.actors(), fields: ['actor', 'name', 'roles'],
    cols: [
      { label: t('Actor'), cell: (a) => actorLink(a.actor) },
      { label: t('Name'), cell: (a) => a.name || '\u2014' },
      { label: t('Roles'), cell: (a) => (a.roles || []).join(', ') },
      { label: t('Country'), cell: (a) => (a.country ? countryName(a.country) : '\u2014') },
      { label: t('Registered'), cell: (a) => (Number.isInteger(a.index) ? entryLink(a.index) : '\u2014') },
    ],
  },
];

// The records of every kind that match every word of `query`.
export async function search(query) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const out = [];
  for (const k of KINDS) {
    const { items } = await k.list();
    const hits = words.length ? items.filter((r) => { const hay = haystack(r, k.fields); return words.every((w) => hay.includes(w)); }) : [];
    out.push({ kind: k, hits });
  }
  return out;
}

export async function renderSearch(page, _arg, ctx) {
  const q = (ctx.params.get('q') || '').slice(0, 200);
  ctx.setTitle(q ? `Search: ${q}` : 'Search');
  const input = h('input', { type: 'search', id: 'q', name: 'q', value: q, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'q-help' });
  const form = h('form', { class: 'search-form', role: 'search' },
    h('label', { for: 'q' }, t('Search the ledger')),
    h('p', { id: 'q-help', class: 'note' }, t('Lots, consignments, contracts, sites and actors: an id, a name, a material, a country (code or name). Every word must match.')),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, t('Search'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/search?q=${encodeURIComponent(input.value.trim())}`;
  });
  page.append(h('h1', {}, t('Search')), form);
  if (!q.trim()) return;
  const results = await search(q);
  const total = results.reduce((n, r) => n + r.hits.length, 0);
  page.append(h('p', { class: 'lede', 'data-results': String(total) }, total
    ? `${plural(total, 'record matches', 'records match')} \u201c${q}\u201d. Each link opens a page that checks what it shows against the signed log.`
    : `Nothing in the ledger matches \u201c${q}\u201d.`));
  for (const { kind, hits } of results) {
    if (!hits.length) continue;
    page.append(h('section', { 'data-kind': kind.key }, h('h2', {}, `${kind.title} (${int(hits.length)})`),
      table(`${plural(hits.length, kind.title.toLowerCase().replace(/s$/, ''), kind.title.toLowerCase())} matching \u201c${q}\u201d`, typeof kind.cols === 'function' ? kind.cols(hits) : kind.cols, hits)));
  }
}
