// payments.js: what was paid to whom (#/payments[?period=P]), as EITI
// portals show it: totals by payer, by government agency (payee), by
// revenue stream, by contract and by period, the government's receipts
// reconciled against the payments, every payment with its log entry.
// The report is the server's (/api/report/eiti, the same as
// `oretrail report eiti --json`); the page proves every payment and receipt
// entry in the browser, checks that each is the event the report lists, and
// adds up the totals by payer and by payee itself from the proven events:
// a total that differs gets a red notice.
import { getJSON } from '../api.js';
import { h, add, table } from '../dom.js';
import { money, plural, time } from '../format.js';
import { contractLink } from '../links.js';
import { entriesPanel } from '../components.js';
import { raiseAlarm } from '../trust.js';
import { actorLink } from './places.js';
import { entryLink } from './entries.js';
import { t, tn } from '../i18n.js';

const PERIOD = /^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/;
const byCols = (key, label, link) => [
  { label, cell: (r) => (link ? link(r[key]) : r[key] || '\u2014') },
  { label: t('Amount'), num: true, cell: (r) => money({ amount: r.amount, currency: r.currency }) },
  { label: t('Payments'), num: true, cell: (r) => String(r.count) },
];

// Sums by `key` and currency over proven payment events, as
// "key|currency" -> { amount, count }.
export function sums(events, key) {
  const m = new Map();
  for (const ev of events) {
    const k = `${ev[key]}|${ev.amount && ev.amount.currency}`;
    const s = m.get(k) || { amount: 0, count: 0 };
    s.amount += Number(ev.amount && ev.amount.amount);
    s.count += 1;
    m.set(k, s);
  }
  return m;
}

// The report's rows that the proven events do not add up to, as sentences.
function totalsDiffer(rows, key, proven) {
  const out = [];
  const seen = new Set();
  for (const r of rows) {
    const k = `${r[key]}|${r.currency}`;
    seen.add(k);
    const p = proven.get(k);
    if (!p || p.amount !== Number(r.amount) || p.count !== r.count)
      out.push(`${key} ${r[key]}: the server says ${money({ amount: r.amount, currency: r.currency })} in ${plural(r.count, 'payment', 'payments')}; the log's payments add up to ${p ? money({ amount: p.amount, currency: r.currency }) : 'nothing'}`);
  }
  for (const [k, p] of proven) {
    if (!seen.has(k)) { const [who, cur] = k.split('|'); out.push(`${key} ${who}: the log holds ${money({ amount: p.amount, currency: cur })} the server's report leaves out`); }
  }
  return out;
}

export async function renderPayments(page, _arg, ctx) {
  const period = PERIOD.test(ctx.params.get('period') || '') ? ctx.params.get('period') : null;
  ctx.setTitle(period ? `Payments, ${period}` : 'Payments');
  const r = await getJSON(`api/report/eiti${period ? `?period=${period}` : ''}`);
  const periods = [...new Set(r.by_period.map((p) => p.period))].sort();
  const notice = h('div', { class: 'status pending', 'data-check': 'payments', 'data-ok': 'pending' }, h('p', {}, t('Adding up the payments proven in your browser…')));
  const disc = r.reconciliation.discrepancies || [];
  add(page,
    h('h1', {}, period ? t('Payments in {period}', { period }) : t('Payments to governments')),
    h('p', { class: 'lede' }, `What companies paid to which agencies, by revenue stream, contract and period (EITI Requirement 4), and whether each payment was acknowledged by its payee. ${plural(r.payments.length, 'payment', 'payments')}, ${plural(r.receipts.length, 'receipt', 'receipts')}.`),
    h('nav', { 'aria-label': 'Period' }, h('ul', { class: 'toggles', 'data-filter': 'period' },
      [null, ...periods].map((p) => h('li', {}, h('a', { href: p ? `#/payments?period=${p}` : '#/payments', 'aria-current': p === period ? 'true' : null }, p || t('All periods')))))),
    notice,
    table(t('Totals'), [
      { label: t('Currency'), cell: (x) => x.currency },
      { label: t('Amount'), num: true, cell: (x) => money(x) },
      { label: t('Payments'), num: true, cell: (x) => String(x.count) },
    ], r.totals, { empty: 'No payment recorded.' }),
    table(t('By payer'), byCols('payer', t('Payer'), actorLink), r.by_payer),
    table(t('By payee (government agency)'), byCols('payee', t('Payee'), actorLink), r.by_payee),
    table(t('By revenue stream'), byCols('stream', t('Stream')), r.by_stream),
    table(t('By contract'), byCols('contract', t('Contract'), (c) => (c ? contractLink(c) : 'none')), r.by_contract),
    table(t('By period'), byCols('period', t('Period')), r.by_period),
    h('h2', {}, t('Reconciliation')),
    h('p', { class: disc.length ? 'status warn' : 'status ok', 'data-discrepancies': String(disc.length) },
      disc.length ? `${plural(disc.length, 'discrepancy', 'discrepancies')} between what was paid and what the payees acknowledged.`
        : `Every payment was acknowledged by its payee for the amount paid (${r.reconciliation.acknowledged} of ${r.reconciliation.payments}).`),
    disc.length ? table(t('Discrepancies'), [
      { label: t('Kind'), cell: (d) => d.kind.replace(/_/g, ' ') },
      { label: t('Payment'), cell: (d) => (Number.isInteger(d.payment_index) ? entryLink(d.payment_index, d.payment) : d.payment || '\u2014') },
      { label: t('Receipt'), cell: (d) => (Number.isInteger(d.receipt_index) ? entryLink(d.receipt_index, d.receipt) : d.receipt || '\u2014') },
      { label: t('Payer'), cell: (d) => actorLink(d.payer) },
      { label: t('Payee'), cell: (d) => actorLink(d.payee) },
      { label: t('Paid'), num: true, cell: (d) => (d.paid ? money(d.paid) : '\u2014') },
      { label: t('Received'), num: true, cell: (d) => (d.received ? money(d.received) : '\u2014') },
    ], disc) : null,
    table(tn(r.payments.length, '{n} payment', '{n} payments'), [
      { label: t('Payment'), cell: (p) => entryLink(p.index, p.id) },
      { label: t('Date'), cell: (p) => time(p.time) },
      { label: t('Payer'), cell: (p) => actorLink(p.payer) },
      { label: t('Payee'), cell: (p) => actorLink(p.payee) },
      { label: t('Stream'), cell: (p) => p.stream },
      { label: t('Amount'), num: true, cell: (p) => money(p.amount) },
      { label: t('Contract'), cell: (p) => (p.contract ? contractLink(p.contract) : '\u2014') },
    ], r.payments, { empty: 'No payment recorded.' }));
  const expect = new Map([...r.payments.map((p) => [p.index, { id: p.id, type: 'payment' }]), ...r.receipts.map((x) => [x.index, { id: x.id, type: 'receipt' }])]);
  page.append(entriesPanel({
    title: t('Verified in your browser'),
    intro: 'Every payment and receipt above is read from the log\'s tiles, proven into the signed checkpoint and its signature checked; the totals by payer and by payee are then added up here from the proven events.',
    indexes: [...expect.keys()].sort((a, b) => a - b),
    expect,
    onResults: (results) => {
      const events = results.filter((x) => x.ok && x.event.type === 'payment').map((x) => x.event);
      const proven = results.filter((x) => x.ok).length;
      const diffs = proven === results.length ? [...totalsDiffer(r.by_payer, 'payer', sums(events, 'payer')), ...totalsDiffer(r.by_payee, 'payee', sums(events, 'payee'))] : [];
      notice.replaceChildren();
      if (proven !== results.length) {
        notice.className = 'status bad';
        notice.dataset.ok = 'false';
        notice.append(h('p', {}, h('strong', {}, t('\u2717 Not verified: ')), `${results.length - proven} of ${results.length} entries do not match the signed log.`));
      } else if (diffs.length) {
        notice.className = 'status bad';
        notice.dataset.ok = 'false';
        notice.append(h('p', {}, h('strong', {}, t('\u2717 The server\'s totals differ from the log\'s payments: '))), h('ul', {}, diffs.map((d) => h('li', {}, d))));
        for (const d of diffs) raiseAlarm(`Payments: ${d}.`);
      } else {
        notice.className = 'status ok';
        notice.dataset.ok = 'true';
        notice.append(h('p', {}, h('strong', {}, t('\u2713 Totals recomputed. ')), `The totals by payer and by payee are the sums of the ${plural(events.length, 'payment', 'payments')} proven in your browser.`));
      }
    },
  }));
}
