// filters.js: the filters of a list by mineral, country and period, in the
// URL (#/consignments?element=Nd&country=PK&period=2025-Q3) so that a
// filtered list is a link. The values offered are those of the rows; a
// well-formed value no row has gives an empty list; a malformed one is
// ignored (the list shows everything).
// The table below shows the rows kept, so its CSV download holds them too.
import { h } from './dom.js';
import { countryName, element } from './format.js';
import { t } from './i18n.js';

// Periods: a year (2025) or a quarter (2025-Q3) of an ISO 8601 time.
export const PERIOD = /^\d{4}(-Q[1-4])?$/;
export const year = (s) => (typeof s === 'string' && /^\d{4}-/.test(s) ? s.slice(0, 4) : null);
export const quarter = (s) => {
  const y = year(s);
  return y ? `${y}-Q${Math.floor((Number(s.slice(5, 7)) - 1) / 3) + 1}` : null;
};
export const inPeriod = (s, p) => !p || year(s) === p || quarter(s) === p;
const periodsOf = (times) => times.flatMap((s) => [year(s), quarter(s)]);

const KINDS = {
  element: { form: /^([A-Z][a-z]?|TREO)$/, label: () => t('Mineral'), all: () => t('All minerals'), name: element },
  country: { form: /^[A-Z]{2}$/, label: () => t('Country'), all: () => t('All countries'), name: (c) => `${countryName(c)} (${c})` },
  period: { form: PERIOD, label: () => t('Period'), all: () => t('All time'), name: (p) => p },
};

const list = (v) => (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string' && x !== '');

// rows: the list's rows. of: for each filter kept (element, country,
// period) a function of a row: its element symbols, its country codes, its
// times (a value or an array). route: the list's route ('#/lots'). Other
// parameters of the URL (such as #/lots?material=ore) are kept in every
// link. Returns { rows, controls, caption(text), href(changes) }:
// rows those that pass every filter chosen, controls the form to put above
// the table, caption(text) the table's caption with what is filtered and
// how many of how many.
export function listFilter(ctx, route, rows, of) {
  const kinds = Object.keys(of).filter((k) => KINDS[k]);
  const valuesOf = (k, r) => {
    const v = list(of[k](r));
    return k === 'period' ? periodsOf(v).filter(Boolean) : v;
  };
  const offered = {};
  const chosen = {};
  for (const k of kinds) {
    offered[k] = [...new Set(rows.flatMap((r) => valuesOf(k, r)))].sort();
    // A well-formed value no row has is kept: the list is then empty ("0
    // of n"), which is the answer; a malformed one is ignored.
    const asked = ctx.params.get(k);
    chosen[k] = asked && KINDS[k].form.test(asked) ? asked : null;
    if (chosen[k] && !offered[k].includes(chosen[k])) offered[k] = [...offered[k], chosen[k]].sort();
  }
  const kept = rows.filter((r) => kinds.every((k) => !chosen[k] || valuesOf(k, r).includes(chosen[k])));
  const href = (changes) => {
    const q = new URLSearchParams(ctx.params);
    for (const k of kinds) q.delete(k);
    for (const k of kinds) {
      const v = k in changes ? changes[k] : chosen[k];
      if (v) q.set(k, v);
    }
    const s = q.toString();
    return `${route}${s ? `?${s}` : ''}`;
  };
  const active = kinds.filter((k) => chosen[k]);
  const select = (k) => h('label', { class: 'filter' }, KINDS[k].label(), ' ',
    h('select', {
      'data-filter': k,
      onchange: (e) => { window.location.hash = href({ [k]: e.target.value || null }); },
    },
    h('option', { value: '', selected: !chosen[k] }, KINDS[k].all()),
    offered[k].map((v) => h('option', { value: v, selected: chosen[k] === v }, KINDS[k].name(v)))));
  const controls = h('form', { class: 'filters', 'aria-label': t('Filters'), onsubmit: (e) => e.preventDefault() },
    kinds.filter((k) => offered[k].length > 1 || chosen[k]).map(select),
    active.length ? h('a', { href: href(Object.fromEntries(kinds.map((k) => [k, null]))), 'data-filter-clear': '' }, t('Clear filters')) : null);
  const caption = (text) => (active.length
    ? t('{list}, filtered by {filters}: {shown} of {total}', {
      list: text,
      filters: active.map((k) => KINDS[k].name(chosen[k])).join(', '),
      shown: kept.length,
      total: rows.length,
    })
    : text);
  return { rows: kept, controls, caption, href, chosen };
}
