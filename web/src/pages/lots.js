// lots.js: the lots of material: a list, and for one lot its holder and
// status, where its elements were mined (by country and by mine), where
// each stage was done, its DFARS and CRMA determinations, and its ancestry
// as a graph, all checked against the log in the browser.
import { api } from '../api.js';
import { h, table, facts, clear } from '../dom.js';
import { contentGrams, country, element, int, mass, massCell, massUnit, percent, time } from '../format.js';
import { actorLink, consignmentLink, hrefLot, lotLink, siteLink } from '../links.js';
import { entriesPanel, shareBar } from '../components.js';
import { ancestryChart, ancestryGraph } from '../charts/ancestry.js';
import { hrefEntry } from './entries.js';
import { renderPassport } from './passport.js';
import {
  differences, listDifferences, lotViewDifferences, replayNotice, replayedEvents, replayedLot, replayedState, withReplayed,
} from '../replayed.js';
// renderLot's record is `t`: the translation is tr here.
import { bidi, t as tr, tx } from '../i18n.js';
import { contents, forwardSection, stageWord } from '../story.js';
import { listFilter } from '../filters.js';

const STATUS = {
  held: () => tr('held'), consumed: () => tr('used up (processed into other lots)'), shipped: () => tr('in transit'), in_transit: () => tr('in transit'),
};
const statusText = (s) => (STATUS[s] ? STATUS[s]() : s || '–');

function assayText(a) {
  if (!a) return '–';
  return Object.entries(a).map(([e, ppm], i) => [i ? ', ' : '', bidi(`${e} ${percent(ppm, 3)}`)]);
}

export async function renderLots(page, _arg, ctx) {
  ctx.setTitle(tr('Lots'));
  const lots = await api.lots();
  const rs = await replayedState();
  const diffs = rs.ok ? listDifferences(rs.state, 'lots', lots.items, 'lot') : [];
  const shown = rs.ok ? lots.items.map((l) => withReplayed(rs.state, 'lots', l.lot, l)) : lots.items;
  const all = [...shown].sort((a, b) => ((a.created && a.created.index) ?? 0) - ((b.created && b.created.index) ?? 0));
  // A filter by material (#/lots?material=ore): links, one per material listed.
  const materials = [...new Set(all.map((l) => l.material).filter(Boolean))].sort();
  const chosen = materials.includes(ctx.params.get('material')) ? ctx.params.get('material') : null;
  // And by mineral (the lot's assayed elements), the country of the site
  // it is at, and the period it was made in.
  const sites = await api.sites();
  const siteCountry = new Map(sites.items.map((s) => [s.site, s.country]));
  const filter = listFilter(ctx, '#/lots', chosen ? all.filter((l) => l.material === chosen) : all, {
    element: (l) => Object.keys(l.assay || {}),
    country: (l) => siteCountry.get(l.site),
    period: (l) => l.created && l.created.time,
  });
  const items = filter.rows;
  // One unit per material: its lots' figures compare down the column.
  const lotMass = massCell(items, [(l) => l.mass_g, (l) => l.initial_g], { by: (l) => l.material });
  const hrefMaterial = (m) => {
    const q = new URLSearchParams(ctx.params);
    if (m) q.set('material', m);
    else q.delete('material');
    return `#/lots${q.toString() ? `?${q}` : ''}`;
  };
  page.append(
    h('h1', {}, tr('Lots of material')),
    h('p', { class: 'lede' }, tr('A lot is an amount of ore, concentrate, oxide or metal with its own history. Open one to see where its elements were mined and what was done to it.')),
    replayNotice(rs, diffs, tr('the lots')),
    h('nav', { 'aria-label': tr('Material') }, h('ul', { class: 'toggles', 'data-filter': 'material' },
      [null, ...materials].map((m) => h('li', {}, h('a', { href: hrefMaterial(m), 'aria-current': m === chosen ? 'true' : null },
        m || tr('All materials')))))),
    filter.controls,
    table(filter.caption(chosen ? tr('{n} {material} lots, oldest first', { n: items.length, material: chosen }) : tr('{n} lots, oldest first', { n: items.length })), [
      { label: tr('Lot'), cell: (l) => lotLink(l.lot) },
      { label: tr('Material'), cell: (l) => l.material || '–' },
      { label: tr('Made'), cell: (l) => (l.created ? [time(l.created.time), ' ', tr('by {who}', { who: l.created.type })] : '–') },
      { label: tr('Mass now'), num: true, cell: (l) => lotMass(l) },
      { label: tr('Mass when made'), num: true, cell: (l) => lotMass(l, (x) => x.initial_g) },
      { label: tr('Holder'), cell: (l) => actorLink(l.holder) },
      { label: tr('At'), cell: (l) => siteLink(l.site) },
      { label: tr('Status'), cell: (l) => statusText(l.status) },
    ], items),
    lots.more ? h('p', { class: 'note' }, tr('Only the first lots are listed.')) : '',
  );
}

function groupBy(rows, key) {
  const m = new Map();
  for (const r of rows) {
    if (!m.has(r[key])) m.set(r[key], []);
    m.get(r[key]).push(r);
  }
  return m;
}

// A lot's origin rows from its replayed record ({element: {site: mg}}), by
// mine and by country, each share its mass over the element's total.
function replayedOrigins(state, id) {
  const origins = [];
  const countries = new Map();
  for (const [el, sites] of Object.entries(state.lots[id].origins || {})) {
    const total = Object.values(sites).reduce((a, b) => a + b, 0);
    for (const [site, mg] of Object.entries(sites)) {
      const c = (state.sites[site] && state.sites[site].country) || '';
      const share = total ? Math.round((mg * 1e6) / total) : 0;
      origins.push({ element: el, site, country: c, mg, share_ppm: share });
      const k = `${el} ${c}`;
      const row = countries.get(k) || { element: el, country: c, mg: 0, share_ppm: 0 };
      row.mg += mg;
      row.share_ppm = total ? Math.round((row.mg * 1e6) / total) : 0;
      countries.set(k, row);
    }
  }
  return { origins, countries: [...countries.values()] };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// The stage words are story.js's (stageWord), in the page's language.
const DETERMINATION = {
  pass: () => ['ok', tr('Pass')], fail: () => ['bad', tr('Fail')], undetermined: () => ['warn', tr('Undetermined'), tr(': the log cannot show where some of the content came from')],
};
const REASON_KIND = {
  covered_country: () => tr('covered country'), third_country_share: () => tr('third-country share above the limit'), unattributed: () => tr('content of unknown origin'),
};

// The site of a stage row, with its facility's operator and identifiers.
function siteText(r) {
  const f = r.facility;
  if (!f) return r.site;
  const ids = Object.entries(f.ids || {}).map(([k, v]) => `${k} ${v}`);
  const more = [f.operator, ...ids].filter(Boolean);
  return more.length ? [r.site, h('br', {}), h('small', {}, more.join(', '))] : r.site;
}

// Links to the entries' own pages, which prove each one in the browser.
const entryLinks = (indexes) => (indexes && indexes.length
  ? indexes.map((i, k) => [k ? ', ' : '', h('a', { href: hrefEntry(i) }, int(i))])
  : '–');

// Whether a figure was recomputed in this browser and agrees, as a mark.
export function verifiedMark(rs, ok, what) {
  if (!rs.ok) return h('p', { class: 'note', 'data-verified': 'false' }, tr('Not recomputed in your browser: {what} is the server\'s.', { what }));
  return ok
    ? h('p', { class: 'verified', 'data-verified': 'true' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, '\u2713'), tr('Verified: recomputed in your browser from the signed log'))
    : h('p', { class: 'not-verified', 'data-verified': 'false' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, '\u2717'), tr('The server\'s {what} differs from the replay: shown as replayed', { what }));
}

// The lot's origin by country, per element (t: its replayed record).
export function originByCountry(t) {
  const rows = [...groupBy(t.countries || [], 'element').values()].flat();
  return table(tr('Origin by country, per element'), [
    { label: tr('Element'), cell: (r) => element(r.element) },
    { label: tr('Country of the mine'), cell: (r) => country(r.country) },
    { label: tr('Content'), num: true, cell: massCell(rows, contentGrams, { element: (r) => r.element }) },
    { label: tr('Share'), cell: (r) => shareBar(r.share_ppm) },
  ], rows, { attrs: { 'data-table': 'origin-country' }, empty: tr('No tracked element content.') });
}

export function stagesSection(rows, mark) {
  return h('section', { 'aria-labelledby': 'stages-h', 'data-section': 'stages' },
    h('h2', { id: 'stages-h' }, tr('Where each stage was done')),
    h('p', {}, tr('For each element, the sites that mined it and every later stage it went through (concentrated, processed, separated, refined, alloyed, made into magnets), each site\'s share of that stage, following every transformation back through the lot\'s ancestry.')),
    mark,
    table(tr('Origin by stage, per element'), [
      { label: tr('Stage'), cell: (r) => stageWord(r.stage) },
      { label: tr('Element'), cell: (r) => element(r.element) },
      { label: tr('Country'), cell: (r) => country(r.country) },
      { label: tr('Site / facility'), cell: siteText },
      { label: tr('Content'), num: true, cell: massCell(rows || [], contentGrams, { element: (r) => r.element }) },
      { label: tr('Share'), cell: (r) => shareBar(r.share_ppm) },
    ], rows || [], { attrs: { 'data-table': 'stages' }, empty: tr('No tracked element content.') }));
}

export function determinationBlock(c, mark) {
  const [cls, word, why] = DETERMINATION[c.determination] ? DETERMINATION[c.determination]() : ['warn', String(c.determination)];
  const id = `comply-${c.profile}`;
  return h('article', { class: 'determination', 'aria-labelledby': id, 'data-profile': c.profile, 'data-determination': c.determination },
    h('h3', { id }, c.title || c.profile),
    h('p', {}, h('span', { class: `badge ${cls}`, 'data-badge': 'determination' }, word), why || '', ' ', ...tx('under profile {profile}, as of {at}', { profile: c.profile, at: time(c.at) })),
    mark,
    table(tr('Reasons under {profile}', { profile: c.profile }), [
      { label: tr('Stage'), cell: (r) => stageWord(r.stage) },
      { label: tr('Element'), cell: (r) => element(r.element) },
      { label: tr('Country'), cell: (r) => (r.country ? country(r.country) : tr('unknown origin')) },
      { label: tr('Share'), cell: (r) => shareBar(r.share_ppm) },
      { label: tr('Why'), cell: (r) => (REASON_KIND[r.kind] ? REASON_KIND[r.kind]() : r.kind) },
      { label: tr('Log entries'), cell: (r) => entryLinks(r.entries) },
    ], c.reasons || [], { attrs: { 'data-table': `reasons-${c.profile}` }, empty: tr('None: no covered country and no third-country share above the limit at any stage in effect.') }));
}

// A lot as the pages show it: the server's record compared with the replay
// (diffs), the replayed figures (t), the stage rows and determinations
// recomputed in the browser where it could (source), judged as of `asked`
// (YYYY-MM-DD) or today. differs(field) says whether a field differed.
export async function lotRecord(id, asked) {
  const at = asked || new Date().toISOString().slice(0, 10);
  const served = await api.lot(id, asked);
  const rs = await replayedState();
  const diffs = rs.ok ? differences(rs.state, 'lots', id, served) : [];
  // The stage rows and determinations, recomputed from the same replay by
  // the same C code as the server's (ot_replay_lot).
  let view = null;
  if (rs.ok) {
    try {
      view = replayedLot(rs, id, at);
      diffs.push(...lotViewDifferences(view, served));
    } catch (e) {
      diffs.push({ field: 'stages', served: served.stages, replayed: `an error (${e.code}: ${e.message})` });
    }
  }
  // The figures shown are the replayed ones; the origin shares too, when
  // the server's differ.
  const t = rs.ok ? withReplayed(rs.state, 'lots', id, served) : served;
  if (diffs.some((d) => d.field === 'origins')) Object.assign(t, replayedOrigins(rs.state, id));
  const source = view || served;
  const differs = (prefix) => diffs.some((d) => d.field === prefix || d.field.startsWith(`${prefix}.`) || d.field.startsWith(`${prefix}[`));
  return { at, rs, diffs, t, source, differs };
}

// The date the determinations are judged as of: #/lots/<id>?at=YYYY-MM-DD,
// else today (UTC), which the server takes when none is asked.
export const askedDate = (ctx) => (DATE.test(ctx.params.get('at') || '') ? ctx.params.get('at') : null);

export async function renderLot(page, id, ctx) {
  if (ctx.params.has('print')) return renderPassport(page, id, ctx);
  ctx.setTitle(tr('Lot {id}', { id }));
  const asked = askedDate(ctx);
  const { at, rs, diffs, t, source, differs } = await lotRecord(id, asked);
  const byCountry = groupBy(t.countries || [], 'element');
  const byMine = groupBy(t.origins || [], 'element');
  const ancestry = t.ancestry || [];

  page.append(
    h('p', { class: 'note' }, h('a', { href: '#/lots' }, tr('\u2190 All lots'))),
    h('h1', {}, tr('Lot {id}', { id: t.lot })),
    h('p', {}, h('a', { href: `${hrefLot(t.lot)}?print`, 'data-passport': '' }, 'Printable passport, with a QR code of this page')),
    replayNotice(rs, diffs, tr('lot {id}', { id: t.lot })),
    facts([
      [tr('Material'), t.material],
      [tr('Mass now'), mass(t.mass_g, { unit: massUnit([t.mass_g, t.initial_g]) })],
      [tr('Mass when made'), mass(t.initial_g, { unit: massUnit([t.mass_g, t.initial_g]) })],
      [tr('Holder'), t.holder ? actorLink(t.holder) : null],
      [tr('Where'), t.site ? siteLink(t.site) : null],
      [tr('Status'), statusText(t.status)],
      [tr('Made'), t.created ? [time(t.created.time), ' ', tr('by {type} {id} (entry {index})', { type: t.created.type, id: t.created.id, index: t.created.index })] : null],
      [tr('Declared assay'), t.assay ? [assayText(t.assay), t.uncertainty_ppm ? ` (\u00b1${percent(t.uncertainty_ppm, 2)})` : ''] : null],
      [tr('Certified assay'), t.certified ? [assayText(t.certified.assay), ' ', tr('by {by} at {lab}, {method} (entry {index})', { by: t.certified.by, lab: t.certified.lab, method: t.certified.method || '', index: t.certified.index })] : tr('none')],
    ]),
  );

  // Origin shares.
  const originSection = h('section', { 'aria-labelledby': 'origin-h', 'data-section': 'origins' },
    h('h2', { id: 'origin-h' }, tr('Where its elements were mined')),
    h('p', {}, tr('For each element the lot contains, the share that came from each country and each mine, following every transformation back to extraction (mass balance, ISO 22095).')));
  const contentCell = massCell(t.countries || [], contentGrams, { element: (r) => r.element });
  if (!byCountry.size) {
    originSection.append(h('p', {}, tr('No tracked element content.')));
  } else {
    originSection.append(
      originByCountry(t),
      table(tr('Origin by mine, per element'), [
        { label: tr('Element'), cell: (r) => element(r.element) },
        { label: tr('Mine'), cell: (r) => r.site },
        { label: tr('Country'), cell: (r) => country(r.country) },
        { label: tr('Content'), num: true, cell: contentCell },
        { label: tr('Share'), cell: (r) => shareBar(r.share_ppm) },
      ], [...byMine.values()].flat(), { attrs: { 'data-table': 'origin-mine' } }),
    );
  }
  // Recycled feed in it is no mine's: its stage rows name the recyclers.
  const recycled = (source.stages || []).filter((r) => r.stage === 'recycled');
  if (recycled.length) {
    const byEl = {};
    for (const r of recycled) byEl[r.element] = (byEl[r.element] || 0) + Number(r.mg ?? r.grams * 1000);
    originSection.append(h('p', { 'data-recycled': 'true' }, ...tx('Recycled content (feed taken in at a recycler, not mined): {content}, from {recyclers}; the stage table below has it per recycler.', {
      content: h('span', {}, contents(byEl)), recyclers: [...new Set(recycled.map((r) => `${r.site} (${r.country})`))].join(', '),
    })));
  }
  page.append(originSection);

  page.append(stagesSection(source.stages, verifiedMark(rs, !differs('stages'), tr('stage table'))));
  const compliance = source.compliance || [];
  page.append(h('section', { 'aria-labelledby': 'comply-h', 'data-section': 'compliance' },
    h('h2', { id: 'comply-h' }, tr('Compliance determinations')),
    h('p', {}, ...tx('Judged as of {at} under the compliance profiles shipped with oretrail: DFARS 252.225-7052 (no covered country at a covered stage) and the EU Critical Raw Materials Act (at most 65 % from one third country at any stage). Each reason names the stage, the element, the country and its share, and the log entries of the extractions and transforms behind it.', { at: time(source.at || at) }), ' ',
      asked ? h('a', { href: `#/lots/${encodeURIComponent(id)}` }, tr('Judge as of today.')) : h('a', { href: `#/lots/${encodeURIComponent(id)}?at=2027-01-01` }, tr('Judge as of 2027-01-01, when DFARS covers mining, separation and refining too.'))),
    compliance.length ? compliance.map((c) => determinationBlock(c, verifiedMark(rs, !differs('at') && !differs(`compliance.${c.profile}`), tr('determination'))))
      : h('p', {}, tr('No determination: the server judges by no profile.'))));

  // Forward trace: where this lot's material went; the backward trace is
  // the ancestry below.
  // Corrections and voids of the lot's events (docs/events.md "correct and
  // void"): the log keeps what was signed; these say what replaced it.
  const corrections = t.corrections || [];
  if (corrections.length) {
    page.append(h('section', { 'aria-labelledby': 'corr-h', 'data-section': 'corrections' },
      h('h2', { id: 'corr-h' }, tr('Corrections')),
      h('p', {}, tr('The log keeps every event as it was signed. These later entries corrected or voided events of this lot; the figures above are the corrected ones.')),
      table(tr('Corrections of this lot\'s events'), [
        { label: tr('Entry'), num: true, cell: (c) => h('a', { href: hrefEntry(c.entry), 'data-entry': String(c.entry) }, int(c.entry)) },
        { label: tr('What'), cell: (c) => tx(c.kind === 'void' ? 'voided {event}' : 'corrected {event}', { event: h('a', { href: hrefEntry(c.event_index) }, c.event) }) },
        { label: tr('By'), cell: (c) => actorLink(c.by) },
        { label: tr('Reason'), cell: (c) => c.reason },
      ], corrections, { attrs: { 'data-table': 'corrections' } })));
  }

  page.append(forwardSection(rs, replayedEvents(rs), [id], tr('lot {id}', { id }),
    h('p', { class: 'note' }, ...tx('Backward trace: {link}.', { link: h('a', {
      href: '#anc-h', 'data-link': 'backward',
      onclick: (ev) => { ev.preventDefault(); document.getElementById('anc-h').scrollIntoView(); },
    }, tr('the lots and mines it was made from (its ancestry, below)')) }))));

  // Ancestry: drawn from the log entries themselves, once they are read.
  const graphBox = h('div', { class: 'chart-scroll', tabindex: '0', role: 'region', 'aria-label': tr('Ancestry graph') }, h('p', { class: 'loading' }, tr('Reading the entries from the log…')));
  const custodyBox = h('div', {});
  page.append(
    h('section', { 'aria-labelledby': 'anc-h', 'data-section': 'ancestry' },
      h('h2', { id: 'anc-h' }, tr('Ancestry')),
      h('p', {}, tr('The lots this one was made from, back to the mines, as recorded in the log. Each box is a lot; each arrow a processing step.')),
      h('figure', { class: 'chart', 'data-chart': 'ancestry' }, graphBox,
        h('figcaption', {}, tr('Boxes link to each lot. The entries below tell the same story in words.'))),
      custodyBox),
    table(tr('The {n} log entries behind this lot', { n: ancestry.length }), [
      { label: tr('Entry'), num: true, cell: (a) => int(a.index) },
      { label: tr('Event'), cell: (a) => a.type },
      { label: tr('Id'), cell: (a) => h('code', {}, a.id) },
    ], ancestry),
  );

  const showGraph = async (results) => {
    const events = [];
    for (const r of results) {
      let ev = r.event;
      if (!ev) {
        // Not verified: take the server's copy so the story can still be
        // told, and say so.
        const doc = await api.entry(r.index).catch(() => null);
        ev = doc && doc.entry ? doc.entry.event : null;
      }
      events.push({ index: r.index, event: ev });
    }
    const graph = ancestryGraph(t.lot, events);
    clear(graphBox);
    graphBox.append(ancestryChart(t.lot, graph));
    clear(custodyBox);
    const steps = [];
    for (const l of graph.lots) for (const s of graph.custody.get(l.id) || []) steps.push({ lot: l.id, ...s });
    steps.sort((a, b) => a.index - b.index);
    custodyBox.append(
      h('h3', {}, tr('Custody and assays')),
      steps.length
        ? h('ol', {}, steps.map((s) => h('li', {}, time(s.time), ` \u2014 `, lotLink(s.lot), `: ${s.text}`,
          s.consignment ? [' (', consignmentLink(s.consignment), ')'] : '', ' ', tr('[entry {index}]', { index: s.index }))))
        : h('p', {}, tr('No shipments or assays recorded for these lots.')));
    if (results.some((r) => !r.ok)) custodyBox.append(h('p', { class: 'status bad' }, tr('Some of these entries did not verify: the graph shows what the server sent, which does not match the signed log.')));
  };

  const expect = new Map(ancestry.map((a) => [a.index, { id: a.id, type: a.type }]));
  page.append(entriesPanel({
    title: tr('Verify this lot in your browser'),
    intro: tr('Every entry above is read from the log\'s tiles, hashed, and proven to be included in the signed checkpoint, with a proof this page builds itself from the tiles; each event\'s signature is checked against its signer\'s key as registered in the log.'),
    indexes: ancestry.map((a) => a.index),
    expect,
    onResults: (results) => { showGraph(results).catch((e) => { clear(graphBox); graphBox.append(h('p', {}, tr('The graph could not be drawn:'), ' ', e.message)); }); },
  }));
}
