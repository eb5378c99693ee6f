// deal.js: the overview's story of the deal, every figure from the replayed
// log (replayed.js): the contracts, who with whom, their value when public,
// what is withheld and for how many days, overdue disclosures first; what
// was mined where and processed where, per mineral in its own unit with
// each stage counted once (the ledger's CRMA report computed in
// WebAssembly); what was shipped to whom; what was paid to whom (the
// replayed payment events); and each final lot's stage origins with its
// DFARS and CRMA determinations (otw_lot, as the lot page has them).
import { api } from '../api.js';
import { h, table } from '../dom.js';
import { country, countryName, daysBetween, element, int, mass, money } from '../format.js';
import { contractLink, lotLink } from '../links.js';
import { replayedCrma, replayedEvents, replayedLot } from '../replayed.js';
import { contents, mineralsOf, stageRows, stageTable, stageWord, COUNTED_ONCE, STAGE_WORDS } from '../story.js';
import { t, tn, tx } from '../i18n.js';
import { actorLink, siteLink } from './places.js';
import { sums } from './payments.js';

// The withholding limit of the findings (docs/events.md, terms_withheld).
const WITHHELD_DAYS = 180;
const DETERMINATION = { pass: () => ['ok', t('pass')], fail: () => ['bad', t('fail')], undetermined: () => ['warn', t('undetermined')] };
const PROFILES = [['dfars-7052', () => t('DFARS 252.225-7052')], ['crma', () => t('EU CRMA')]];

// The actors by name (links.js), each id in its link's title.
const names = (_state, ids) => (ids || []).map((id, i) => [i ? t(' and ') : '', actorLink(id)]);

// The contracts, overdue first: [{ c, withheld, days, overdue, limit }].
// A contract is overdue when its disclose_by date has passed with a part
// still withheld (as `contract list` has it); the days withheld count from
// when the log proves the commitment existed (its logged date, which the
// server keeps beside the log: `withheld_days` of /api/contracts/<id>), else
// from the claimed signing time.
function contractRows(state, served, now) {
  const today = now.toISOString().slice(0, 10);
  return Object.values(state.contracts || {}).map((c) => {
    const withheld = Object.entries(c.commitments || {}).filter(([, x]) => !x.disclosed).map(([f]) => f);
    const s = served.get(c.contract);
    const logged = s ? (s.commitments || []).filter((x) => !x.disclosed && Number.isInteger(x.withheld_days)).map((x) => x.withheld_days) : [];
    const days = withheld.length ? (logged.length ? Math.max(...logged) : daysBetween(c.time, now)) : 0;
    const by = c.fields && typeof c.fields.disclose_by === 'string' ? c.fields.disclose_by : null;
    const overdue = !!(withheld.length && by && /^\d{4}-\d{2}-\d{2}/.test(by) && by.slice(0, 10) < today);
    return { c, withheld, days, overdue, by, since: logged.length ? 'logged' : 'claimed', limit: withheld.length > 0 && days > WITHHELD_DAYS };
  }).sort((a, b) => Number(b.overdue) - Number(a.overdue) || Number(b.limit) - Number(a.limit) || b.days - a.days || a.c.contract.localeCompare(b.c.contract));
}

function contractsSection(state, served, now) {
  const rows = contractRows(state, served, now);
  const overdue = rows.filter((r) => r.overdue).length;
  const parts = rows.reduce((a, r) => a + r.withheld.length, 0);
  return [
    h('h2', { 'data-section': 'contracts' }, t('Contracts: who agreed what, and what is still withheld')),
    h('p', {}, h('strong', { 'data-overdue': String(overdue) }, overdue
      ? tn(overdue, '{n} contract past the date by which it was to be disclosed.', '{n} contracts past the date by which they were to be disclosed.') + ' '
      : t('No contract is past a date by which it was to be disclosed.') + ' '),
    tn(parts, '{n} part of contracts withheld.', '{n} parts of contracts withheld.'), ' ',
    t('A withheld part is committed to in the log (its hash) when the contract is signed, so what is disclosed later can be checked against it; the days count from when the log proves the commitment existed.')),
    table(tn(rows.length, '{n} contract, overdue disclosures first', '{n} contracts, overdue disclosures first'), [
      // Read by its title (links.js), the id in the link.
      { label: t('Contract'), cell: (r) => contractLink(r.c.contract) },
      { label: t('Parties'), cell: (r) => names(state, r.c.fields && Array.isArray(r.c.fields.parties) ? r.c.fields.parties : [r.c.signer]) },
      { label: t('Signed'), cell: (r) => (r.c.fields && typeof r.c.fields.signed === 'string' ? r.c.fields.signed : r.c.time.slice(0, 10)) },
      { label: t('Value'), num: true, cell: (r) => money(r.c.fields && r.c.fields.value) },
      { label: t('Withheld'), cell: (r) => (r.withheld.length ? r.withheld.join(', ') : t('nothing')) },
      { label: t('For'), num: true, cell: (r) => (r.withheld.length ? h('span', { 'data-withheld-days': String(r.days) }, `${tn(r.days, '{n} day', '{n} days')}${r.since === 'claimed' ? t(' (by its claimed date)') : ''}${r.limit ? t(', past the {n}-day limit', { n: WITHHELD_DAYS }) : ''}`) : '\u2014') },
      { label: t('Disclose by'), cell: (r) => (r.overdue ? h('span', { class: 'badge bad', 'data-contract-overdue': 'true' }, t('{date}: overdue', { date: r.by })) : r.by || t('no date')) },
    ], rows, { attrs: { 'data-table': 'deal-contracts' }, empty: t('No contract recorded.') }),
  ];
}

function minedSection(state, minerals) {
  const mines = Object.values(state.sites || {}).filter((s) => s.kind === 'mine' || s.kind === 'recycler')
    .sort((a, b) => (b.extracted_g || 0) - (a.extracted_g || 0) || a.site.localeCompare(b.site));
  const lotsAt = (id) => Object.values(state.lots).filter((l) => l.created && l.created.site === id && (l.created.type === 'extract' || l.created.type === 'recycle')).length;
  return [
    h('h2', { 'data-section': 'mined' }, t('What was mined, and where')),
    h('p', {}, COUNTED_ONCE()),
    stageTable(t('Mined (and recycled feed taken in), per mineral and country'), stageRows(minerals, (st) => st === 'mined' || st === 'recycled'), { 'data-table': 'deal-mined' }),
    table(tn(mines.length, '{n} mine and recyclers', '{n} mines and recyclers'), [
      { label: t('Site'), cell: (s) => siteLink(s.site) },
      { label: t('Kind'), cell: (s) => t(s.kind) },
      { label: t('Country'), cell: (s) => country(s.country) },
      { label: t('Minerals'), cell: (s) => (s.minerals || []).map((m, i) => [i ? ', ' : '', element(m)]) },
      { label: t('Ore extracted (dry mass)'), num: true, cell: (s) => (s.kind === 'mine' ? mass(s.extracted_g || 0) : '\u2014') },
      { label: t('Lots'), num: true, cell: (s) => int(lotsAt(s.site)) },
    ], mines, { empty: t('No mine registered.') }),
  ];
}

function processedSection(minerals) {
  return [
    h('h2', { 'data-section': 'processed' }, t('Where it was processed')),
    h('p', {}, t('Each processing stage\'s output per mineral and country, counted once: concentrated, processed (cracking, leaching), separated, refined, alloyed, made into magnets.'), ' ',
      ...tx('{flows} draw the same story site by site.', { flows: h('a', { href: '#/flows' }, t('The flows')) })),
    stageTable(t('Processed, per mineral, stage and country'), stageRows(minerals, (st) => st !== 'mined' && st !== 'recycled'), { 'data-table': 'deal-processed' }),
  ];
}

function shippedSection(state) {
  const dest = new Map();
  for (const c of Object.values(state.consignments || {})) {
    const k = `${c.to}|${c.consignee}`;
    const d = dest.get(k) || { to: c.to, to_country: c.to_country, consignee: c.consignee, n: 0, content: {}, export: false, ids: [] };
    d.n += 1;
    d.export = d.export || c.from_country !== c.to_country;
    d.ids.push(c.consignment);
    for (const l of c.lots || []) for (const [el, mg] of Object.entries(l.content_mg || {})) d.content[el] = (d.content[el] || 0) + Number(mg);
    dest.set(k, d);
  }
  const rows = [...dest.values()].sort((a, b) => Number(b.export) - Number(a.export) || b.n - a.n || a.to.localeCompare(b.to));
  return [
    h('h2', { 'data-section': 'shipped' }, t('Shipped to whom')),
    h('p', {}, t('Consignments by destination, exports first; the element content shipped, each mineral in its own unit. A lot shipped twice (to a port, then abroad) is in both rows: each row is what reached that destination.')),
    table(t('Consignments by destination'), [
      { label: t('Destination'), cell: (d) => siteLink(d.to) },
      { label: t('Country'), cell: (d) => countryName(d.to_country) },
      { label: t('Received by'), cell: (d) => names(state, [d.consignee]) },
      { label: t('Kind'), cell: (d) => (d.export ? t('export') : t('domestic')) },
      { label: t('Consignments'), num: true, cell: (d) => int(d.n) },
      { label: t('Element content'), cell: (d) => contents(d.content) },
    ], rows, { attrs: { 'data-table': 'deal-shipped' }, empty: t('Nothing shipped yet.') }),
  ];
}

// Payments by payee, from the replayed payment events the rules accepted.
function paidSection(state, events) {
  const rejected = new Set((state.rejections || []).map((r) => r.index));
  const paid = events.filter((e) => e.event.type === 'payment' && !rejected.has(e.index)).map((e) => e.event);
  const rows = [...sums(paid, 'payee').entries()].map(([k, v]) => {
    const [payee, currency] = k.split('|');
    return { payee, currency, ...v };
  }).sort((a, b) => a.payee.localeCompare(b.payee) || a.currency.localeCompare(b.currency));
  return [
    h('h2', { 'data-section': 'paid' }, t('Paid to whom')),
    h('p', {}, t('Payments to governments, by payee and currency, added up from the payment entries of the replayed log.'), ' ',
      ...tx('{payments} has them by payer, revenue stream, contract and period, and reconciled with the payees\' receipts.', { payments: h('a', { href: '#/payments' }, t('Payments')) })),
    table(t('Payments by payee'), [
      { label: t('Payee'), cell: (r) => names(state, [r.payee]) },
      { label: t('Amount'), num: true, cell: (r) => money({ amount: r.amount, currency: r.currency }) },
      { label: t('Payments'), num: true, cell: (r) => int(r.count) },
    ], rows, { attrs: { 'data-table': 'deal-paid' }, empty: t('No payment recorded.') }),
  ];
}

// A lot's stage rows condensed: per stage, its countries and largest share.
function stageSummary(stages) {
  const by = new Map();
  for (const r of stages || []) {
    if (!by.has(r.stage)) by.set(r.stage, new Map());
    const m = by.get(r.stage);
    m.set(r.country, Math.max(m.get(r.country) || 0, r.share_ppm));
  }
  const order = Object.keys(STAGE_WORDS);
  return [...by.entries()].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])).map(([stage, m], i) => [i ? [';', h('br', {})] : null,
    `${stageWord(stage)}: `, [...m.entries()].map(([c, ppm], k) => `${k ? ', ' : ''}${c ? countryName(c) : t('unknown origin')} ${(ppm / 1e4).toFixed(0)} %`).join('')]);
}

function finalLotsSection(rs) {
  const today = new Date().toISOString().slice(0, 10);
  const finals = Object.values(rs.state.lots).filter((l) => l.status !== 'consumed' && Number(l.mass_g) > 0 && l.created && l.created.type === 'transform')
    .sort((a, b) => b.created.index - a.created.index);
  const rows = finals.map((l) => {
    try {
      return { l, view: replayedLot(rs, l.lot, today) };
    } catch (e) {
      return { l, error: `${e.code}: ${e.message}` };
    }
  });
  const verdict = (r, profile) => {
    if (r.error) return r.error;
    const c = (r.view.compliance || []).find((x) => x.profile === profile);
    if (!c) return '\u2014';
    const [cls, word] = DETERMINATION[c.determination] ? DETERMINATION[c.determination]() : ['warn', String(c.determination)];
    return h('span', { class: `badge ${cls}`, 'data-profile': profile, 'data-determination': c.determination }, word);
  };
  return [
    h('h2', { 'data-section': 'determinations' }, t('Where the final products were made, and whether they comply')),
    h('p', {}, t('Each lot still held that a processing step made: the countries of each stage it went through, and its determinations as of {date} under DFARS 252.225-7052 and the EU Critical Raw Materials Act, recomputed in your browser by the ledger\'s own code from the replayed log. Each lot\'s page gives the reasons.', { date: today })),
    table(tn(rows.length, '{n} final lot, newest first', '{n} final lots, newest first'), [
      { label: t('Lot'), cell: (r) => lotLink(r.l.lot) },
      { label: t('Material'), cell: (r) => r.l.material || '\u2014' },
      { label: t('Mass now'), num: true, cell: (r) => mass(r.l.mass_g) },
      { label: t('Held by'), cell: (r) => actorLink(r.l.holder) },
      { label: t('Stage origins'), cell: (r) => (r.view ? stageSummary(r.view.stages) : '\u2014') },
      ...PROFILES.map(([p, label]) => ({ label: label(), cell: (r) => verdict(r, p) })),
    ], rows, { attrs: { 'data-table': 'deal-determinations' }, empty: t('No processed lot is held yet.') }),
  ];
}

// The overview's story sections, in order; when nothing could be replayed,
// one line saying why (the figures are never the server's here).
export async function dealSections(rs) {
  if (!rs.ok) {
    return [h('p', { class: 'status warn', 'data-deal': 'unavailable' }, t('The story of the deal is told from the replayed log, which this page could not replay: {reason}. The log\'s own figures follow.', { reason: rs.reason }))];
  }
  let minerals = [];
  let crmaError = null;
  try {
    minerals = mineralsOf(replayedCrma(rs));
  } catch (e) {
    crmaError = h('p', { class: 'status bad' }, t('The figures per mineral could not be computed from the replayed log ({code}): {message}.', { code: e.code, message: e.message }));
  }
  const now = new Date();
  const served = new Map((await Promise.all(Object.keys(rs.state.contracts || {})
    .map((id) => api.contract(id).catch(() => null)))).filter(Boolean).map((c) => [c.contract, c]));
  return [
    ...contractsSection(rs.state, served, now),
    crmaError,
    ...minedSection(rs.state, minerals),
    ...processedSection(minerals),
    ...shippedSection(rs.state),
    ...paidSection(rs.state, replayedEvents(rs)),
    ...finalLotsSection(rs),
  ];
}
