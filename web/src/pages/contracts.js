// contracts.js: contracts and memoranda: who signed, when, for how much;
// what is public; what was committed to but is still withheld, and for how
// long; and what has been disclosed, checked in the browser against the
// commitment made on the day of signing.
import { api } from '../api.js';
import { differences, replayNotice, replayedState, withReplayed } from '../replayed.js';
import { h, table, facts, clear } from '../dom.js';
import { date, daysBetween, element, int, money, plural, shortHash, time } from '../format.js';
import { actorLink, contractLink, hrefContract, lotLink } from '../links.js';
import { raiseAlarm, verifyEntries } from '../trust.js';
import { checkOpening, fieldAt } from '../verify/events.js';
import { canonicalize } from '../verify/jcs.js';
import { t, tn, tx } from '../i18n.js';
import { listFilter } from '../filters.js';

const isCommit = (v) => v && typeof v === 'object' && !Array.isArray(v) && typeof v.commit === 'string' && Object.keys(v).length === 1;

// Public fields as [path, value], commitments left out.
function publicFields(fields, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(fields || {})) {
    const path = prefix + k;
    if (isCommit(v)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && !('amount' in v && 'currency' in v)) out.push(...publicFields(v, path + '.'));
    else out.push([path, v]);
  }
  return out;
}

function commitmentsOf(rec) {
  const c = rec.commitments || {};
  return Array.isArray(c) ? c : Object.entries(c).map(([field, v]) => ({ field, commit: v.commit, disclosed: !!v.disclosed, ...(v.disclosed || {}) }));
}

const FIELD_NAMES = { text: () => t('full text'), 'terms.phases': () => t('terms: phases'), 'terms.offtake': () => t('terms: offtake') };
const fieldName = (f) => (FIELD_NAMES[f] ? FIELD_NAMES[f]() : f.replace(/\./g, ': ').replace(/_/g, ' '));

// The parties by name, each linked, its id on hover.
function partyNames(parties) {
  return (parties || []).map((p, i) => [i ? '; ' : '', actorLink(p)]);
}

function showValue(path, v) {
  if (path === 'value') return money(v);
  if (path === 'minerals' && Array.isArray(v)) return v.map(element).join(', ');
  if (path === 'signed') return date(v);
  if (Array.isArray(v)) return v.join(', ');
  if (v && typeof v === 'object') return termsTable(v);
  return v === null || v === undefined ? t('not given') : String(v);
}

export async function renderContracts(page, _arg, ctx) {
  ctx.setTitle(t('Contracts'));
  const [list, actors] = await Promise.all([api.contracts(), api.actors()]);
  const now = Date.now();
  // Filters by mineral, a party's country and the period signed.
  const countryOf = new Map(actors.items.map((a) => [a.actor, a.country]));
  const filter = listFilter(ctx, '#/contracts', list.items, {
    element: (c) => (c.fields && c.fields.minerals) || [],
    country: (c) => ((c.fields && c.fields.parties) || []).map((p) => countryOf.get(p)),
    period: (c) => (c.fields && typeof c.fields.signed === 'string' ? c.fields.signed : c.time),
  });
  page.append(
    h('h1', {}, t('Contracts')),
    h('p', { class: 'lede' }, t('Contracts and memoranda recorded in the ledger. Parts kept confidential are committed to when the contract is recorded: nobody can read them yet, but nobody can change them either. When they are disclosed, anyone can check that the text is the one committed to on the day of signing.')),
    filter.controls,
    table(filter.caption(tn(filter.rows.length, '{n} contract', '{n} contracts')), [
      // The title is the next column: the id links here.
      { label: t('Contract'), cell: (c) => h('a', { href: hrefContract(c.contract) }, c.contract) },
      { label: t('Title'), cell: (c) => (c.fields && c.fields.title) || '–' },
      { label: t('Parties'), cell: (c) => partyNames(c.fields && c.fields.parties) },
      { label: t('Signed'), cell: (c) => (c.fields && c.fields.signed ? date(c.fields.signed) : time(c.time)) },
      { label: t('Value'), num: true, cell: (c) => (c.fields && c.fields.value ? money(c.fields.value) : '–') },
      { label: t('Disclosed'), num: true, cell: (c) => { const cs = commitmentsOf(c); return t('{k} of {n}', { k: cs.filter((x) => x.disclosed).length, n: cs.length }); } },
      { label: t('Withheld'), cell: (c) => {
        const w = commitmentsOf(c).filter((x) => !x.disclosed);
        return w.length ? t('{parts} for {days}', { parts: tn(w.length, '{n} part', '{n} parts'), days: tn(daysBetween(c.time, now), '{n} day', '{n} days') }) : t('nothing');
      } },
    ], filter.rows),
  );
}

export async function renderContract(page, id, ctx) {
  ctx.setTitle(t('Contract {id}', { id }));
  const [served, rs] = await Promise.all([api.contract(id), replayedState()]);
  const diffs = rs.ok ? differences(rs.state, 'contracts', id, served) : [];
  const c = rs.ok ? withReplayed(rs.state, 'contracts', id, served) : served;
  const f = c.fields || {};
  const commitments = commitmentsOf(c);
  const withheld = commitments.filter((x) => !x.disclosed);
  const disclosed = commitments.filter((x) => x.disclosed);
  const signedDay = f.signed || (c.time || '').slice(0, 10);
  const committedDay = (c.time || '').slice(0, 10);
  const now = new Date();

  page.append(
    h('p', { class: 'note' }, h('a', { href: '#/contracts' }, t('\u2190 All contracts'))),
    h('h1', {}, f.title || t('Contract {id}', { id: c.contract })),
    replayNotice(rs, diffs, t('contract {id}', { id: c.contract })),
    facts([
      [t('Contract'), h('code', {}, c.contract)],
      [t('Parties'), partyNames(f.parties)],
      [t('Signed'), f.signed ? date(f.signed) : '–'],
      [t('Value'), f.value ? money(f.value) : '–'],
      [t('Recorded'), [time(c.time, true), ' ', t('by {signer} (entry {index})', { signer: c.signer, index: c.index })]],
    ]),
    h('h2', {}, t('What is public')),
    table(t('Public fields'), [
      { label: t('Field'), cell: (p) => p[0] },
      { label: t('Value'), cell: (p) => showValue(p[0], p[1]) },
    ], publicFields(f), { attrs: { 'data-table': 'public' } }),
  );

  const wSection = h('section', { 'aria-labelledby': 'withheld-h', 'data-section': 'withheld' },
    h('h2', { id: 'withheld-h' }, t('Committed but withheld')));
  if (!withheld.length) wSection.append(h('p', {}, t('Nothing of this contract is withheld.')));
  for (const w of withheld) {
    const days = typeof w.withheld_days === 'number' ? w.withheld_days : daysBetween(c.time, now);
    wSection.append(h('article', { class: 'commitment withheld', 'data-field': w.field },
      h('h3', {}, t('The {field}', { field: fieldName(w.field) })),
      h('p', { class: 'withheld-days', 'data-withheld-days': String(days) }, t('Withheld for {days}', { days: tn(days, '{n} day', '{n} days') })),
      h('p', {}, ...tx('Committed to on {date} (entry {index}) and not disclosed since. The commitment {commit} fixes the text: when it is disclosed, anyone can check it is the one committed to then.', {
        date: time(c.time), index: c.index, commit: h('code', { title: w.commit }, shortHash(w.commit, 24)),
      }))));
  }
  page.append(wSection);

  const dSection = h('section', { 'aria-labelledby': 'disclosed-h', 'data-section': 'disclosed' },
    h('h2', { id: 'disclosed-h' }, t('Disclosed')));
  if (!disclosed.length) dSection.append(h('p', {}, t('Nothing of this contract has been disclosed yet.')));
  page.append(dSection);

  for (const d of disclosed) {
    const check = h('div', { class: 'status pending', 'data-check': 'disclosure', 'data-ok': 'pending' }, h('p', {}, t('Checking in your browser that this is what was committed to…')));
    const body = h('div', {}, d.value !== undefined ? valueView(d.value) : h('p', {}, t('Reading the disclosure from the log…')));
    const after = d.disclosed_time ? daysBetween(c.time, d.disclosed_time) : null;
    dSection.append(h('article', { class: 'commitment disclosed', 'data-field': d.field },
      h('h3', {}, t('The {field}', { field: fieldName(d.field) })),
      h('p', {}, ...tx('Committed to on {date} (entry {index}); disclosed on {disclosed}', { date: time(c.time), index: c.index, disclosed: time(d.disclosed_time) }),
        d.disclosed_index !== undefined ? [' ', t('(entry {index})', { index: d.disclosed_index })] : '', after !== null ? t(', {days} later.', { days: tn(after, '{n} day', '{n} days') }) : t('.')),
      check, body,
      h('p', { class: 'note' }, h('a', { href: `api/blobs/${encodeURIComponent(c.contract)}/${encodeURIComponent(d.field)}` }, t('The disclosed document as published')))));
    verifyDisclosure(c, d, signedDay, committedDay, check, body).catch((e) => {
      clear(check);
      check.className = 'status bad';
      check.dataset.ok = 'false';
      check.append(h('p', {}, h('strong', {}, t('\u2717 Could not be checked:'), ' '), e.message));
    });
  }

  if ((c.payments || []).length) {
    page.append(h('h2', {}, t('Payments citing this contract')),
      table(t('Payments'), [
        { label: t('Entry'), num: true, cell: (p) => int(p.index) },
        { label: t('Date'), cell: (p) => time(p.time) },
        { label: t('Payer'), cell: (p) => p.payer },
        { label: t('Payee'), cell: (p) => p.payee },
        { label: t('Kind'), cell: (p) => p.kind },
        { label: t('Amount'), num: true, cell: (p) => money(p.amount) },
        { label: t('Period'), cell: (p) => p.period || '–' },
        { label: t('Lots'), cell: (p) => (p.lots || []).map((l, i) => [i ? ', ' : '', lotLink(l)]) },
      ], c.payments));
  }
}

export function disclosuresOf(c) {
  return commitmentsOf(c).filter((x) => x.disclosed);
}
export const fieldLabel = (f) => fieldName(f);

function valueView(v) {
  if (typeof v === 'string') return h('pre', { class: 'document', tabindex: '0', 'aria-label': t('Disclosed text') }, v);
  return termsTable(v);
}

// Disclosed terms as a key/value table: nested objects as nested tables,
// money and dates in words, never raw JSON.
function termsTable(v) {
  if (v === null || v === undefined) return t('not given');
  if (typeof v !== 'object') return String(v);
  if ('amount' in v && 'currency' in v) return money(v);
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x !== 'object') ? v.map((x) => (x === null ? t('not given') : String(x))).join(', ') : v.map((x) => h('div', {}, termsTable(x)));
  return h('dl', { class: 'facts terms' }, Object.entries(v).map(([k, x]) => [h('dt', {}, fieldName(k)), h('dd', {}, /date|signed|time|_by$/.test(k) && typeof x === 'string' ? date(x) : termsTable(x))]));
}

// Reads the contract and the disclosure from the log (proven into the signed
// checkpoint, signatures checked), then checks that SHA-256(salt ||
// canonical(value)) is the commitment the contract entry holds.
export async function verifyDisclosure(c, d, signedDay, committedDay, check, body) {
  const fail = (why) => {
    clear(check);
    check.className = 'status bad';
    check.dataset.ok = 'false';
    check.append(h('p', { class: 'not-verified' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, '\u2717'),
      t('Does NOT match: {why}.', { why })));
    raiseAlarm(`Contract ${c.contract}, ${fieldName(d.field)}: ${why}.`);
  };
  if (typeof d.disclosed_index !== 'number') return fail('the server does not say which entry disclosed it');
  const [rc, rd] = await verifyEntries([c.index, d.disclosed_index], new Map([[c.index, { type: 'contract' }], [d.disclosed_index, { type: 'disclose' }]]));
  if (!rc.ok) return fail(`the contract entry ${c.index} does not verify: ${rc.reason}`);
  if (!rd.ok) return fail(`the disclosure entry ${d.disclosed_index} does not verify: ${rd.reason}`);
  if (rc.event.contract !== c.contract) return fail(`entry ${c.index} records contract ${rc.event.contract}, not ${c.contract}`);
  if (rd.event.contract !== c.contract || rd.event.field !== d.field) return fail(`entry ${d.disclosed_index} discloses ${rd.event.field} of ${rd.event.contract}`);
  const committed = fieldAt(rc.event, d.field);
  if (!isCommit(committed)) return fail(`the contract entry holds no commitment at ${d.field}`);
  const opening = await checkOpening(committed.commit, rd.event.salt, rd.event.value);
  if (!opening.ok) return fail(opening.reason);
  // What the page shows must be what the log holds.
  if (d.value !== undefined && canonicalize(d.value) !== canonicalize(rd.event.value)) return fail('the server shows a different text from the one in the log');
  clear(body);
  body.append(valueView(rd.event.value));
  clear(check);
  check.className = 'status ok';
  check.dataset.ok = 'true';
  const sameDay = signedDay === committedDay;
  check.append(
    h('p', { class: 'verified' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, '\u2713'),
      sameDay ? t('Verified: this matches what was committed on {date}, the day of signing.', { date: date(committedDay) })
        : t('Verified: this matches what was committed on {date} (signed {signed}).', { date: date(committedDay), signed: date(signedDay) })),
    h('p', {}, ...tx('Checked in your browser: SHA-256 of the disclosed salt and text gives exactly the commitment {commit} recorded in entry {index} by {signer}; both entries are in the signed log and validly signed.', {
      commit: h('code', {}, shortHash(committed.commit, 24)), index: c.index, signer: rc.signer,
    })));
}
