// passport.js: a lot's passport to print (#/lots/<id>?print): the facts
// `oretrail passport` puts in its UNTP Digital Product Passport
// (docs/passport.md) — the product (lot, material), its masses, holder,
// site and status, the log that issues it and the checkpoint it rests on,
// the materials' provenance (element, country of the mine, content, share),
// the stage origins and the compliance determinations, the log entries of
// its ancestry — on one sheet, with a QR code of the lot's permalink (this
// page's address without "?print") printed with the address under it. The
// figures are the replayed ones, as on the lot's page (lots.js).
import qrcode from 'qrcode-generator';
import { h, svg, facts, table } from '../dom.js';
import { checkpointCheck } from '../trust.js';
import { int, mass, massUnit, plural, time } from '../format.js';
import { actorLink, hrefLot, siteLink } from '../links.js';
import { hrefEntry } from './entries.js';
import { replayNotice } from '../replayed.js';
import { askedDate, determinationBlock, lotRecord, originByCountry, stagesSection, verifiedMark } from './lots.js';
import { b64encode } from '../verify/bytes.js';

// The lot's permalink: this dashboard's address with the lot's route.
export function permalink(id) {
  return new URL(hrefLot(id), new URL(location.pathname, location.origin)).href;
}

// A QR code of `text` as SVG (one square per dark module, on a white quiet
// zone of 4 modules, ISO/IEC 18004), error correction level M.
export function qrSvg(text, label) {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4;
  const size = n + 2 * quiet;
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  }
  return svg('svg', {
    viewBox: `0 0 ${size} ${size}`, class: 'qr', role: 'img', 'aria-label': label,
    'data-modules': String(n), 'data-text': text, 'shape-rendering': 'crispEdges',
  }, svg('rect', { width: String(size), height: String(size), fill: '#fff' }), svg('path', { d, fill: '#000' }));
}

export async function renderPassport(page, id, ctx) {
  ctx.setTitle(`Passport of lot ${id}`);
  const [{ at, rs, diffs, t, source, differs }, cc] = await Promise.all([lotRecord(id, askedDate(ctx)), checkpointCheck()]);
  const link = permalink(id);
  const unit = massUnit([t.mass_g, t.initial_g]);
  const ancestry = t.ancestry || [];
  const compliance = source.compliance || [];
  page.classList.add('passport');
  page.append(
    h('div', { class: 'no-print passport-tools' },
      h('a', { href: hrefLot(id) }, '\u2190 Lot ', id),
      h('button', { type: 'button', onclick: () => window.print() }, 'Print this passport')),
    h('header', { class: 'passport-head' },
      h('div', {},
        h('p', { class: 'label' }, 'Lot passport'),
        h('h1', {}, `Lot ${t.lot}`),
        h('p', {}, `${t.material || 'material not stated'}, recorded in the public log ${cc.ok ? cc.cp.origin : ''}`.trim())),
      h('figure', { class: 'passport-qr', 'data-permalink': link },
        qrSvg(link, `QR code of this lot's address: ${link}`),
        h('figcaption', {}, h('code', {}, link)))),
    replayNotice(rs, diffs, `lot ${t.lot}`),
    facts([
      ['Material', t.material],
      ['Mass now', mass(t.mass_g, { unit })],
      ['Mass when made', mass(t.initial_g, { unit })],
      ['Holder', t.holder ? actorLink(t.holder) : null],
      ['Where', t.site ? siteLink(t.site) : null],
      ['Status', t.status],
      ['Made', t.created ? [time(t.created.time, true), ` by ${t.created.type} ${t.created.id} (entry ${t.created.index})`] : null],
      ['Issued by the log', cc.ok ? cc.cp.origin : null],
      ['Checkpoint', cc.ok ? `${plural(cc.cp.size, 'entry', 'entries')}, root ${b64encode(cc.cp.root).slice(0, 12)}\u2026` : cc.reason],
      ['Determinations as of', time(source.at || at)],
    ]),
    h('section', { 'aria-labelledby': 'pp-origin-h', 'data-section': 'origins' },
      h('h2', { id: 'pp-origin-h' }, 'Materials\u2019 provenance'),
      originByCountry(t)),
    stagesSection(source.stages, verifiedMark(rs, !differs('stages'), 'stage table')),
    h('section', { 'aria-labelledby': 'comply-h', 'data-section': 'compliance' },
      h('h2', { id: 'comply-h' }, 'Compliance determinations'),
      compliance.length
        ? compliance.map((c) => determinationBlock(c, verifiedMark(rs, !differs('at') && !differs(`compliance.${c.profile}`), 'determination')))
        : h('p', {}, 'No determination: the server judges by no profile.')),
    table(`The ${int(ancestry.length)} log entries behind this lot`, [
      { label: 'Entry', num: true, cell: (a) => h('a', { href: hrefEntry(a.index) }, int(a.index)) },
      { label: 'Event', cell: (a) => a.type },
      { label: 'Id', cell: (a) => h('code', {}, a.id) },
    ], ancestry, { attrs: { 'data-table': 'passport-entries' } }),
    // In print, the same entries on one line (the table above is for the screen).
    h('p', { class: 'print-only', 'data-print': 'passport-entries' },
      h('strong', {}, `The ${int(ancestry.length)} log entries behind this lot: `),
      ancestry.map((a, i) => [i ? ', ' : '', `${int(a.index)} ${a.type}`])),
    h('p', { class: 'note' }, 'The same facts as `oretrail passport` writes (UNTP Digital Product Passport). Scan the code, or open the address under it, to check them against the signed log in your own browser.'),
  );
}
