// places.js: a page per site (#/sites/<id>) and per actor (#/actors/<id>):
// who and where, on an offline map, with the lots made, held or received
// there and the log entries that registered them, proven in the browser.
import { api } from '../api.js';
import { h, add, facts, table } from '../dom.js';
import { countryName, date, element, int, mass, massCell } from '../format.js';
import { actorLink, consignmentLink, contractLink, hrefActor, hrefSite, lotLink, siteLink } from '../links.js';
import { entriesPanel } from '../components.js';
import { countryMap } from '../charts/map.js';
import { replayedEvents, replayedState } from '../replayed.js';
import { forwardSection } from '../story.js';
import { t, tn } from '../i18n.js';

// Links to sites and actors, by name with the id on hover (links.js).
export { hrefActor, hrefSite, siteLink, actorLink };

const KIND = { mine: 'mine', plant: 'processing plant', lab: 'laboratory', port: 'port', warehouse: 'warehouse', recycler: 'recycler' };
const createdAt = (l) => (l.created && l.created.site) || null;

// The point of a site (lat_ud / lon_ud are micro-degrees), or null.
function pointOf(s) {
  if (!Number.isInteger(s.lat_ud) || !Number.isInteger(s.lon_ud)) return null;
  return { lat: s.lat_ud / 1e6, lon: s.lon_ud / 1e6, label: `${s.site}: ${(s.lat_ud / 1e6).toFixed(4)}, ${(s.lon_ud / 1e6).toFixed(4)}` };
}

function mapFigure(code, points, caption) {
  const map = countryMap(code, points, caption);
  if (!map) return null;
  return h('figure', { class: 'map-figure' }, map, h('figcaption', {}, caption,
    '. Country outlines: Natural Earth 1:110m (public domain), drawn in your browser; no map service is contacted.'));
}

const lotCols = (lots) => [
  { label: t('Lot'), cell: (l) => lotLink(l.lot) },
  { label: t('Material'), cell: (l) => l.material || '\u2014' },
  { label: t('Status'), cell: (l) => l.status || '\u2014' },
  { label: t('Mass'), num: true, cell: massCell(lots, (l) => l.mass_g, { by: (l) => l.material }) },
];

export async function renderSite(page, id, ctx) {
  const s = await api.site(id);
  ctx.setTitle(`Site ${id}`);
  const lots = (await api.lots()).items;
  const made = lots.filter((l) => createdAt(l) === id);
  const here = lots.filter((l) => l.site === id && createdAt(l) !== id);
  const p = pointOf(s);
  const resources = Object.entries(s.resources || {});
  add(page,
    h('h1', {}, `${s.operator || id}`),
    h('p', { class: 'lede' }, `A ${KIND[s.kind] || s.kind} in ${countryName(s.country)}, registered in the ledger as `, h('code', {}, id), '.'),
    facts([
      [t('Kind'), KIND[s.kind] || s.kind],
      [t('Country'), s.country ? `${countryName(s.country)} (${s.country})` : null],
      [t('Held by'), actorLink(s.holder)],
      [t('Operator'), s.operator],
      [t('Licence'), s.licence],
      [t('Licence valid'), s.valid_from || s.valid_until ? `${s.valid_from ? date(s.valid_from) : '\u2026'} to ${s.valid_until ? date(s.valid_until) : '\u2026'}` : null],
      [t('Minerals'), (s.minerals || []).map((m, i) => [i ? ', ' : '', element(m)])],
      [t('Facility identifiers'), s.facility_ids ? Object.entries(s.facility_ids).map(([k, v], i) => [i ? ', ' : '', `${k.toUpperCase()} ${v}`]) : null],
      [t('Location'), p ? `${p.lat.toFixed(4)}\u00b0, ${p.lon.toFixed(4)}\u00b0` : 'not declared'],
      [t('Extracted so far'), s.extracted_g ? mass(s.extracted_g) : null],
      [t('Process loss recorded'), s.process_loss_g ? mass(s.process_loss_g) : null],
    ]),
    mapFigure(s.country, p ? [p] : [], p ? `${id} in ${countryName(s.country)}` : `${countryName(s.country)} (the site declared no coordinates)`),
    resources.length ? table(t('Declared resources at {site}', { site: id }), [
      { label: t('Category'), cell: ([k]) => k },
      { label: t('Ore'), num: true, cell: ([, r]) => (r.ore_t !== undefined ? `${int(r.ore_t)} t` : '\u2014') },
      { label: t('Grade'), cell: ([, r]) => Object.entries(r.grade || {}).map(([e, ppm], i) => [i ? ', ' : '', `${e} ${(ppm / 1e4).toFixed(2)} %`]) },
      { label: t('Standard'), cell: ([, r]) => r.standard || '\u2014' },
      { label: t('Declared'), cell: ([, r]) => (Number.isInteger(r.index) ? h('a', { href: `#/entries/${r.index}` }, `entry ${r.index}`) : '\u2014') },
    ], resources) : null,
    table(tn(made.length, '{n} lot made at {site}', '{n} lots made at {site}', { site: id }), lotCols(made), made, { empty: t('No lot was made here.') }),
    here.length ? table(tn(here.length, '{n} lot now at {site}, made elsewhere', '{n} lots now at {site}, made elsewhere', { site: id }), lotCols(here), here) : null,
    await siteForward(id),
    entriesPanel({ title: t('Registered in the log'), indexes: Number.isInteger(s.index) ? [s.index] : [] }));
}

// The forward trace of what the site made (its lots in the replayed state),
// with the backward trace one link away on each lot's page.
async function siteForward(id) {
  const rs = await replayedState();
  const start = rs.ok ? Object.values(rs.state.lots).filter((l) => createdAt(l) === id).map((l) => l.lot) : [];
  return forwardSection(rs, replayedEvents(rs), start, `what was made at ${id}`,
    h('p', { class: 'note' }, t('Backward trace: each lot\'s own page (linked below) follows it back through every step to the mines, as its ancestry.')));
}

export async function renderActor(page, id, ctx) {
  const a = await api.actor(id);
  ctx.setTitle(a.name || id);
  const [lots, sites, contracts, consignments] = await Promise.all([api.lots(), api.sites(), api.contracts(), api.consignments()]);
  const held = lots.items.filter((l) => l.holder === id);
  const theirSites = sites.items.filter((s) => s.holder === id);
  const theirContracts = contracts.items.filter((c) => c.signer === id || (c.fields && Array.isArray(c.fields.parties) && c.fields.parties.includes(id)));
  const theirConsignments = consignments.items.filter((c) => c.shipper === id || c.consignee === id);
  const points = theirSites.map(pointOf).filter(Boolean);
  const keys = a.keys || [];
  add(page,
    h('h1', {}, a.name || id),
    h('p', { class: 'lede' }, `Registered in the ledger as `, h('code', {}, id), a.country ? `, in ${countryName(a.country)}` : '', '.'),
    facts([
      [t('Roles'), (a.roles || []).join(', ')],
      [t('Country'), a.country ? `${countryName(a.country)} (${a.country})` : null],
      [t('Signing keys'), keys.map((k, i) => [i ? '; ' : '', h('span', { class: 'key' }, k.vkey), ` (from entry ${k.added}${k.revoked !== undefined ? `, revoked at ${k.revoked}` : ''})`])],
    ]),
    mapFigure(a.country, points, points.length ? `The sites ${id} holds` : `${countryName(a.country)}`),
    table(tn(theirSites.length, '{n} site held by {actor}', '{n} sites held by {actor}', { actor: id }), [
      { label: t('Site'), cell: (s) => siteLink(s.site) },
      { label: t('Kind'), cell: (s) => KIND[s.kind] || s.kind },
      { label: t('Country'), cell: (s) => countryName(s.country) },
    ], theirSites, { empty: 'No site.' }),
    table(tn(held.length, '{n} lot held by {actor}', '{n} lots held by {actor}', { actor: id }), lotCols(held), held, { empty: t('No lot.') }),
    theirConsignments.length ? table(tn(theirConsignments.length, '{n} consignment shipped or received by {actor}', '{n} consignments shipped or received by {actor}', { actor: id }), [
      { label: t('Consignment'), cell: (c) => consignmentLink(c.consignment) },
      { label: t('Shipper'), cell: (c) => actorLink(c.shipper) },
      { label: t('Consignee'), cell: (c) => actorLink(c.consignee) },
      { label: t('Status'), cell: (c) => c.status || '\u2014' },
    ], theirConsignments) : null,
    theirContracts.length ? table(tn(theirContracts.length, '{n} contract {actor} is party to', '{n} contracts {actor} is party to', { actor: id }), [
      { label: t('Contract'), cell: (c) => contractLink(c.contract) },
      { label: t('Title'), cell: (c) => (c.fields && c.fields.title) || '\u2014' },
    ], theirContracts) : null,
    entriesPanel({ title: t('Registered in the log'), indexes: [...new Set([a.index, ...keys.map((k) => k.added)].filter(Number.isInteger))] }));
}
