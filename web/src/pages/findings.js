// findings.js: what the ledger's checks flagged for a person to look at,
// in plain words. Findings are suspicious but possible facts: the events
// were accepted, and someone should ask why.
import { api } from '../api.js';
import { h } from '../dom.js';
import { int, mass, percent, plural, time } from '../format.js';
import { actorLink, consignmentLink, contractLink, lotLink, siteLink } from '../links.js';
import { t } from '../i18n.js';

const KINDS = {
  transit_loss: {
    title: t('Material lost in transit'),
    why: 'Less arrived than was shipped, by more than the tolerance for weighing and moisture. It can be honest (drying, spillage) or a sign of diversion or smuggling.',
  },
  transit_gain: {
    title: t('More arrived than was shipped'),
    why: 'The receiver weighed more than the shipper declared, beyond tolerance: material may have been added, or a declaration was wrong.',
  },
  short_shipment: {
    title: t('Consignment arrived short'),
    why: 'Once all of a consignment was received, less had arrived than was shipped, beyond the weighing uncertainty the receipts declared.',
  },
  assay_dispute: {
    title: t('Seller and buyer assays disagree'),
    why: 'The seller\'s and the buyer\'s laboratories found contents that differ by more than the splitting limit, and no umpire laboratory has decided yet. Payment and the recorded contents rest on which one is right.',
  },
  terms_withheld: {
    title: t('Contract terms withheld'),
    why: 'Part of a contract was committed to but has not been disclosed for a long time. Its content is fixed, but the public cannot read it.',
  },
  extraction_beyond_resource: {
    title: t('Mining beyond the declared resource'),
    why: 'More was extracted from a site than its declared resources allow: the declaration may be out of date, or material from elsewhere may be passed off as from this mine.',
  },
  export_without_assay: {
    title: t('Exported without a certified assay'),
    why: 'A lot left the country before a laboratory certified what it contains, so its declared content rests on the exporter\'s word alone.',
  },
  overdue_disclosure: {
    title: t('Disclosure overdue'),
    why: 'A contract named a date by which its withheld parts would be made public; the date has passed and they are still withheld.',
  },
  backdated: {
    title: t('Dated before it was logged'),
    why: 'The signer claims a time well before the log could have seen the event (the witnessed or operator-signed checkpoints bound when it was logged). Old paperwork entered late is honest; a date chosen to look earlier is not.',
  },
  future_dated: {
    title: t('Dated after it was logged'),
    why: 'The signer claims a time later than the log had already recorded the event: the claimed date cannot be true.',
  },
  out_of_order: {
    title: t('Events out of order'),
    why: 'A receipt is dated before its shipment, or a processing step before its inputs arrived. The claimed times contradict each other.',
  },
  signed_after_revocation: {
    title: t('Signed by a key after its revocation date'),
    why: 'The entry was logged before the key was revoked but claims a time after the key stopped being valid: the key may have been in other hands.',
  },
};

// The subject, linked by name where it has one (links.js).
const LOT_KINDS = new Set(['transit_loss', 'transit_gain', 'export_without_assay', 'assay_dispute', 'moisture_mismatch', 'hs_code_mismatch']);
function subjectLink(f) {
  const s = f.subject || '';
  const dot = s.indexOf('.');
  const head = dot > 0 ? s.slice(0, dot) : s;
  if (f.kind === 'overdue_disclosure') return contractLink(s);
  if (f.kind === 'terms_withheld') return [contractLink(head), dot > 0 ? `: ${s.slice(dot + 1)}` : ''];
  if (f.kind === 'extraction_beyond_resource') return siteLink(s);
  if (f.kind === 'signed_after_revocation') return actorLink(s);
  if (f.kind === 'short_shipment') return consignmentLink(s);
  if (f.kind === 'declaration_mismatch') return [consignmentLink(head), dot > 0 ? `: ${s.slice(dot + 1)}` : ''];
  if (LOT_KINDS.has(f.kind)) return lotLink(s);
  return h('code', {}, s);
}

// The finding's sentence with its figures in words: each of its structured
// `values` (docs/events.md, Findings), written in the detail as "N g" (a
// mass) or as the time string, shown as a mass in its unit or a date a
// person reads (the ISO form on hover).
export function findingText(f) {
  const detail = String(f.detail || '');
  const swaps = [];
  for (const [k, v] of Object.entries(f.values || {})) {
    if (/_g$/.test(k) && Number.isSafeInteger(v)) swaps.push([`${v} g`, mass(v)]);
    else if (typeof v === 'string' && v) swaps.push([v, time(v, /T/.test(v))]);
  }
  // Grades and moisture, which the detail writes in mg/kg (= ppm), as a
  // person reads them: 279000 mg/kg is 27.90 %; an assay dispute's
  // splitting limit is in the same unit.
  const pct = (ppm) => percent(ppm, ppm >= 10000 ? 2 : 3);
  for (const m of detail.matchAll(/(\d+) mg\/kg/g)) swaps.push([m[0], pct(Number(m[1]))]);
  if (f.kind === 'assay_dispute') for (const m of detail.matchAll(/\(limit (\d+)\)/g)) swaps.push([m[0], `(limit ${pct(Number(m[1]))})`]);
  const out = [];
  let rest = detail;
  while (rest) {
    let best = null;
    for (const [needle, node] of swaps) {
      const at = rest.indexOf(needle);
      if (at >= 0 && (!best || at < best.at)) best = { at, needle, node };
    }
    if (!best) { out.push(rest); break; }
    out.push(rest.slice(0, best.at), typeof best.node === 'string' ? best.node : best.node.cloneNode(true));
    rest = rest.slice(best.at + best.needle.length);
  }
  return out;
}

export async function renderFindings(page, _arg, ctx) {
  ctx.setTitle(t('Findings'));
  const doc = await api.findings();
  const findings = doc.findings || [];
  const groups = new Map();
  for (const f of findings) {
    if (!groups.has(f.kind)) groups.set(f.kind, []);
    groups.get(f.kind).push(f);
  }
  page.append(
    h('h1', {}, t('Findings of the audit')),
    h('p', { class: 'lede' }, t('The ledger refuses events that break its rules (a lot used twice, metal created from nothing, a signature that does not match). Facts that are possible but suspicious are accepted and listed here for someone to look into.')),
    h('p', {}, findings.length ? `${plural(findings.length, 'finding')} in ${plural(doc.entries, 'entry', 'entries')}.` : `No findings in ${plural(doc.entries, 'entry', 'entries')}.`),
  );
  for (const [kind, list] of groups) {
    const k = KINDS[kind] || { title: kind.replace(/_/g, ' '), why: '' };
    page.append(h('section', { 'data-kind': kind, 'aria-labelledby': `k-${kind}` },
      h('h2', { id: `k-${kind}` }, `${k.title} (${int(list.length)})`),
      k.why ? h('p', {}, k.why) : null,
      h('ul', {}, list.map((f) => h('li', { 'data-finding': kind },
        h('strong', {}, subjectLink(f)), ': ', findingText(f), f.index !== undefined ? ` (log entry ${f.index})` : '')))));
  }
  if (groups.has('terms_withheld')) {
    const contracts = new Set(groups.get('terms_withheld').map((f) => (f.subject || '').split('.')[0]));
    page.append(h('p', {}, t('See what is public and what is withheld: '), [...contracts].map((c, i) => [i ? ', ' : '', contractLink(c)]), '.'));
  }
}
