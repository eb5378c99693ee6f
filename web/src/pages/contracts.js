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

const FIELD_NAMES = { text: 'full text', 'terms.phases': 'terms: phases', 'terms.offtake': 'terms: offtake' };
const fieldName = (f) => FIELD_NAMES[f] || f.replace(/\./g, ': ').replace(/_/g, ' ');

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
  return v === null || v === undefined ? 'not given' : String(v);
}

export async function renderContracts(page, _arg, ctx) {
  ctx.setTitle('Contracts');
  const list = await api.contracts();
  const now = Date.now();
  page.append(
    h('h1', {}, 'Contracts'),
    h('p', { class: 'lede' }, 'Contracts and memoranda recorded in the ledger. Parts kept confidential are committed to when the contract is recorded: nobody can read them yet, but nobody can change them either. When they are disclosed, anyone can check that the text is the one committed to on the day of signing.'),
    table(`${list.items.length} contracts`, [
      // The title is the next column: the id links here.
      { label: 'Contract', cell: (c) => h('a', { href: hrefContract(c.contract) }, c.contract) },
      { label: 'Title', cell: (c) => (c.fields && c.fields.title) || '–' },
      { label: 'Parties', cell: (c) => partyNames(c.fields && c.fields.parties) },
      { label: 'Signed', cell: (c) => (c.fields && c.fields.signed ? date(c.fields.signed) : time(c.time)) },
      { label: 'Value', num: true, cell: (c) => (c.fields && c.fields.value ? money(c.fields.value) : '–') },
      { label: 'Disclosed', num: true, cell: (c) => { const cs = commitmentsOf(c); return `${cs.filter((x) => x.disclosed).length} of ${cs.length}`; } },
      { label: 'Withheld', cell: (c) => {
        const w = commitmentsOf(c).filter((x) => !x.disclosed);
        return w.length ? `${plural(w.length, 'part')} for ${plural(daysBetween(c.time, now), 'day')}` : 'nothing';
      } },
    ], list.items),
  );
}

export async function renderContract(page, id, ctx) {
  ctx.setTitle(`Contract ${id}`);
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
    h('p', { class: 'note' }, h('a', { href: '#/contracts' }, '\u2190 All contracts')),
    h('h1', {}, f.title || `Contract ${c.contract}`),
    replayNotice(rs, diffs, `contract ${c.contract}`),
    facts([
      ['Contract', h('code', {}, c.contract)],
      ['Parties', partyNames(f.parties)],
      ['Signed', f.signed ? date(f.signed) : '–'],
      ['Value', f.value ? money(f.value) : '–'],
      ['Recorded', [time(c.time, true), ` by ${c.signer} (entry ${c.index})`]],
    ]),
    h('h2', {}, 'What is public'),
    table('Public fields', [
      { label: 'Field', cell: (p) => p[0] },
      { label: 'Value', cell: (p) => showValue(p[0], p[1]) },
    ], publicFields(f), { attrs: { 'data-table': 'public' } }),
  );

  const wSection = h('section', { 'aria-labelledby': 'withheld-h', 'data-section': 'withheld' },
    h('h2', { id: 'withheld-h' }, 'Committed but withheld'));
  if (!withheld.length) wSection.append(h('p', {}, 'Nothing of this contract is withheld.'));
  for (const w of withheld) {
    const days = typeof w.withheld_days === 'number' ? w.withheld_days : daysBetween(c.time, now);
    wSection.append(h('article', { class: 'commitment withheld', 'data-field': w.field },
      h('h3', {}, `The ${fieldName(w.field)}`),
      h('p', { class: 'withheld-days', 'data-withheld-days': String(days) }, `Withheld for ${plural(days, 'day')}`),
      h('p', {}, `Committed to on `, time(c.time), ` (entry ${c.index}) and not disclosed since. The commitment `,
        h('code', { title: w.commit }, shortHash(w.commit, 24)),
        ' fixes the text: when it is disclosed, anyone can check it is the one committed to then.')));
  }
  page.append(wSection);

  const dSection = h('section', { 'aria-labelledby': 'disclosed-h', 'data-section': 'disclosed' },
    h('h2', { id: 'disclosed-h' }, 'Disclosed'));
  if (!disclosed.length) dSection.append(h('p', {}, 'Nothing of this contract has been disclosed yet.'));
  page.append(dSection);

  for (const d of disclosed) {
    const check = h('div', { class: 'status pending', 'data-check': 'disclosure', 'data-ok': 'pending' }, h('p', {}, 'Checking in your browser that this is what was committed to…'));
    const body = h('div', {}, d.value !== undefined ? valueView(d.value) : h('p', {}, 'Reading the disclosure from the log…'));
    const after = d.disclosed_time ? daysBetween(c.time, d.disclosed_time) : null;
    dSection.append(h('article', { class: 'commitment disclosed', 'data-field': d.field },
      h('h3', {}, `The ${fieldName(d.field)}`),
      h('p', {}, 'Committed to on ', time(c.time), ` (entry ${c.index}); disclosed on `, time(d.disclosed_time),
        d.disclosed_index !== undefined ? ` (entry ${d.disclosed_index})` : '', after !== null ? `, ${plural(after, 'day')} later.` : '.'),
      check, body,
      h('p', { class: 'note' }, h('a', { href: `api/blobs/${encodeURIComponent(c.contract)}/${encodeURIComponent(d.field)}` }, 'The disclosed document as published'))));
    verifyDisclosure(c, d, signedDay, committedDay, check, body).catch((e) => {
      clear(check);
      check.className = 'status bad';
      check.dataset.ok = 'false';
      check.append(h('p', {}, h('strong', {}, '\u2717 Could not be checked: '), e.message));
    });
  }

  if ((c.payments || []).length) {
    page.append(h('h2', {}, 'Payments citing this contract'),
      table('Payments', [
        { label: 'Entry', num: true, cell: (p) => int(p.index) },
        { label: 'Date', cell: (p) => time(p.time) },
        { label: 'Payer', cell: (p) => p.payer },
        { label: 'Payee', cell: (p) => p.payee },
        { label: 'Kind', cell: (p) => p.kind },
        { label: 'Amount', num: true, cell: (p) => money(p.amount) },
        { label: 'Period', cell: (p) => p.period || '–' },
        { label: 'Lots', cell: (p) => (p.lots || []).map((l, i) => [i ? ', ' : '', lotLink(l)]) },
      ], c.payments));
  }
}

export function disclosuresOf(c) {
  return commitmentsOf(c).filter((x) => x.disclosed);
}
export const fieldLabel = (f) => fieldName(f);

function valueView(v) {
  if (typeof v === 'string') return h('pre', { class: 'document', tabindex: '0', 'aria-label': 'Disclosed text' }, v);
  return termsTable(v);
}

// Disclosed terms as a key/value table: nested objects as nested tables,
// money and dates in words, never raw JSON.
function termsTable(v) {
  if (v === null || v === undefined) return 'not given';
  if (typeof v !== 'object') return String(v);
  if ('amount' in v && 'currency' in v) return money(v);
  if (Array.isArray(v)) return v.every((x) => x === null || typeof x !== 'object') ? v.map((x) => (x === null ? 'not given' : String(x))).join(', ') : v.map((x) => h('div', {}, termsTable(x)));
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
      `Does NOT match: ${why}.`));
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
      sameDay ? `Verified: this matches what was committed on ${date(committedDay)}, the day of signing.`
        : `Verified: this matches what was committed on ${date(committedDay)} (signed ${date(signedDay)}).`),
    h('p', {}, `Checked in your browser: SHA-256 of the disclosed salt and text gives exactly the commitment `,
      h('code', {}, shortHash(committed.commit, 24)), ` recorded in entry ${c.index} by ${rc.signer}; both entries are in the signed log and validly signed.`));
}
