// certificate.js: "check a certificate". A provenance certificate
// (`oretrail prove LOT`, docs/certificate.md) dropped on any page, or chosen
// with the file button here, is checked in the browser against the log key
// the user pastes (or the one this server publishes, with the Verify page's
// warning): the checks of verify/certificate.js, step by step, then the lot
// and its claimed origin shares, and in plain words what was and was not
// verified. The file never leaves the browser.
import { h, clear, facts, table } from '../dom.js';
import { contentGrams, country, element, mass, massCell, massUnit, plural, time } from '../format.js';
import { keyLine, shareBar } from '../components.js';
import { pastedKey, servedLogKey } from '../trust.js';
import { cryptoAvailable } from '../verify/hash.js';
import { parseVerifierKey } from '../verify/note.js';
import { parseCertificate, verifyCertificate } from '../verify/certificate.js';
import { replayEngine } from '../replayed.js';
import { SHIPPED_PROFILES } from '../profiles.js';
import { t } from '../i18n.js';
import { certificateText } from '../verify/gzip.js';

const MAX_BYTES = 32 * 1024 * 1024;

// A file dropped on another page waits here for this page to open.
let pending = null;
let handler = null; // the open page's "check this file", while it is shown

// Lets a certificate be dropped anywhere on the dashboard: the drop opens
// this page, which checks the file. Called once, by main.js.
export function installCertificateDrop() {
  const hasFiles = (ev) => ev.dataTransfer && [...(ev.dataTransfer.types || [])].includes('Files');
  window.addEventListener('dragover', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'copy';
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragleave', (ev) => {
    if (!ev.relatedTarget) document.body.classList.remove('dragging');
  });
  window.addEventListener('drop', (ev) => {
    document.body.classList.remove('dragging');
    const file = ev.dataTransfer && ev.dataTransfer.files && ev.dataTransfer.files[0];
    if (!file) return;
    ev.preventDefault(); // the browser would otherwise open the file
    if (handler && document.querySelector('[data-cert-page]')) handler(file);
    else {
      pending = file;
      location.hash = '#/certificate';
    }
  });
}

const STEP_LABEL = {
  format: 'The file',
  checkpoint: 'The checkpoint\'s signature',
  witnesses: 'Witnesses',
  log: 'The log summary',
  leaves: 'The entries\' hashes',
  proofs: 'The inclusion proofs',
  signatures: 'The event signatures',
  'claim-entries': 'The entries the claim names',
  'claim-origins': 'The claimed origin shares',
};

export async function renderCertificate(page, _arg, ctx) {
  ctx.setTitle(t('Check a certificate'));
  const keyInput = h('input', { type: 'text', id: 'cert-key', name: 'cert-key', value: pastedKey() || '', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'cert-key-help' });
  const fileInput = h('input', { type: 'file', id: 'cert-file', name: 'cert-file', accept: '.json,application/json', 'aria-describedby': 'cert-file-help' });
  const result = h('div', { id: 'cert-result', 'data-cert-result': '', 'aria-live': 'polite' });
  const dropZone = h('div', { class: 'drop-zone', 'data-drop-zone': '' },
    h('p', {}, h('strong', {}, t('Drop a certificate file anywhere on this page')), ', or choose it:'),
    h('label', { for: 'cert-file' }, t('Certificate file (JSON)')),
    fileInput,
    h('p', { id: 'cert-file-help', class: 'note' }, t('The file is read and checked in this browser only; it is not sent anywhere.')));

  page.dataset.certPage = '';
  page.append(
    h('h1', {}, t('Check a provenance certificate')),
    h('p', { class: 'lede' }, t('A provenance certificate is one file that says where the elements in a lot were mined, with the signed log entries behind that answer. Anyone can make one with '), h('code', {}, 'oretrail prove LOT'), '. Your browser checks it here against the log\'s key, with its own cryptography, without asking this server anything about the certificate.'),
    h('h2', {}, t('1. The log\'s key')),
    h('form', { class: 'key-form', 'data-form': 'cert-key', onsubmit: (ev) => ev.preventDefault() },
      h('label', { for: 'cert-key' }, t('The log\'s verifier key')),
      h('p', { id: 'cert-key-help', class: 'note' }, t('Paste the key the ledger\'s authority publishes (for example in an official gazette), of the form name+1a2b3c4d+base64. Leave it empty to use the key this server publishes, which is only as trustworthy as this server. The key applies to the next file you check.')),
      keyInput),
    h('h2', {}, t('2. The certificate')),
    dropZone,
    result);

  let runs = 0;
  const check = async (file) => {
    const run = ++runs;
    clear(result);
    result.append(h('div', { class: 'status pending', 'data-check': 'certificate', 'data-ok': 'pending' }, h('p', {}, `Checking ${file.name}…`)));
    const out = await checkFile(file, keyInput.value.trim());
    if (run !== runs) return;
    clear(result);
    result.append(out);
    const box = result.querySelector('[data-check="certificate"]');
    if (box && box.dataset.ok === 'false' && !document.title.startsWith('\u2717')) document.title = '\u2717 ' + document.title;
    if (box && box.dataset.ok === 'true') document.title = document.title.replace(/^\u2717 /, '');
    result.querySelector('h2')?.focus();
  };
  fileInput.addEventListener('change', () => {
    if (fileInput.files && fileInput.files[0]) check(fileInput.files[0]);
  });
  handler = (file) => { if (ctx.current()) check(file); };
  if (pending) {
    const f = pending;
    pending = null;
    ctx.afterMount = () => check(f);
  }
}

async function checkFile(file, keyText) {
  const frag = h('div', {});
  const failed = (title, ...why) => {
    frag.append(h('div', { class: 'status bad', role: 'alert', 'data-check': 'certificate', 'data-ok': 'false' },
      h('h2', { tabindex: '-1' }, '\u2717 ', title), ...why));
    return frag;
  };
  if (!cryptoAvailable())
    return failed(t('NOT CHECKED'), h('p', {}, t('This browser offers no WebCrypto here (browsers allow it only over HTTPS or on localhost), so the certificate cannot be checked.')));
  if (file.size > MAX_BYTES)
    return failed(t('NOT A CERTIFICATE'), h('p', {}, `${file.name} is ${file.size} bytes, more than any certificate this page reads.`));
  let text;
  let bytes;
  try { bytes = new Uint8Array(await file.arrayBuffer()); } catch (e) {
    return failed(t('NOT CHECKED'), h('p', {}, `${file.name} could not be read: ${e.message}.`));
  }
  // A gzip-compressed certificate (`oretrail prove --gzip`) is inflated here, capped.
  try { text = await certificateText(bytes, MAX_BYTES); } catch (e) {
    return failed(t('NOT A CERTIFICATE'), h('p', {}, `${file.name}: ${e.message}.`));
  }

  // A file that is no certificate (of this version) fails as such, whatever the key.
  const parsed = parseCertificate(text);
  if (!parsed.ok) return report(frag, file, await verifyCertificate(text, null), null);

  // The key: the one pasted, or this server's (saying so).
  let k;
  try {
    if (keyText) k = { key: await parseVerifierKey(keyText), source: 'pasted', where: 'the key you entered above' };
  } catch (e) {
    return failed(t('NOT CHECKED'), h('p', {}, `The key you entered cannot be used: ${e.message}.`));
  }
  if (!k) {
    try { k = await servedLogKey(parsed.cert.checkpoint); } catch { k = null; }
    if (!k)
      return failed(t('NOT CHECKED'), h('p', {}, `There is no key to check the certificate's checkpoint with: this server publishes none for the log ${parsed.log.origin} that the certificate comes from. Paste that log's verifier key above and choose the file again.`));
  }
  const r = await verifyCertificate(text, k.key);
  const replayed = r.ok ? await recompute(text, k.key.text) : null;
  return report(frag, file, r, { key: k.key, keySource: k.source, keyWhere: k.where }, replayed);
}

// The certificate checked again by the ledger's own C code compiled to
// WebAssembly (otw_certificate = `oretrail verify --key`): its entries
// replayed through the rules, the claimed origins and stage rows and every
// determination it carries recomputed, its embedded profiles compared with
// the shipped ones. { ok, report } or { ok: false, code, message }, or
// { unavailable } in a build without the engine.
async function recompute(text, vkeyText) {
  const load = replayEngine();
  if (!load) return { unavailable: true };
  try {
    const engine = await load;
    return { ok: true, report: JSON.parse(engine.certificate(vkeyText, text, SHIPPED_PROFILES)).report };
  } catch (e) {
    return { ok: false, code: e.code || 'replay_failed', message: e.message };
  }
}

// The recomputed stage rows and determinations, from the report.
function recomputedSection(rep) {
  const stages = (rep.trace && Array.isArray(rep.trace.stages)) ? rep.trace.stages : [];
  const comp = Array.isArray(rep.compliance) ? rep.compliance : [];
  return h('section', { 'aria-labelledby': 'cert-recomputed-h', 'data-section': 'cert-recomputed' },
    h('h3', { id: 'cert-recomputed-h' }, t('Recomputed in your browser by the ledger\'s rules')),
    table(t('Origin by stage, recomputed from the certificate\'s entries'), [
      { label: t('Stage'), cell: (x) => x.stage },
      { label: t('Element'), cell: (x) => element(x.element) },
      { label: t('Country'), cell: (x) => country(x.country) },
      { label: t('Site'), cell: (x) => x.site || '\u2014' },
      { label: t('Content'), num: true, cell: massCell(stages, contentGrams, { element: (x) => x.element }) },
      { label: t('Share'), cell: (x) => shareBar(x.share_ppm) },
    ], stages, { attrs: { 'data-table': 'cert-stages' }, empty: 'This certificate carries no stage rows (an older form): its origins were recomputed.' }),
    comp.length ? table(t('Determinations the certificate carries, recomputed'), [
      { label: t('Profile'), cell: (c) => (c.determination && c.determination.profile) || '\u2014' },
      { label: t('As of'), cell: (c) => (c.determination && c.determination.at ? time(c.determination.at) : '\u2014') },
      { label: t('Determination'), cell: (c) => h('span', { class: `badge ${c.determination && c.determination.determination === 'pass' ? 'ok' : 'bad'}` }, (c.determination && c.determination.determination) || '\u2014') },
      { label: t('Profile from'), cell: (c) => c.source },
    ], comp, { attrs: { 'data-table': 'cert-determinations' } }) : null);
}

function report(frag, file, r, cc, replayed = null) {
  const cert = r.cert;
  const refused = r.ok && replayed && replayed.ok === false;
  const recomputed = r.ok && replayed && replayed.ok === true;
  const ok = r.ok && !refused;
  const overall = h('div', { class: ok ? 'status ok' : 'status bad', 'data-check': 'certificate', 'data-ok': String(ok), 'data-recomputed': recomputed ? 'true' : 'false', role: ok ? null : 'alert' });
  if (refused) {
    overall.append(h('h2', { tabindex: '-1' }, t('\u2717 CERTIFICATE FAILED: do not rely on it')),
      h('p', {}, `${file.name}: its entries are in the signed log, but replayed through the ledger's rules in your browser they do not give what it claims. `,
        h('strong', { 'data-failure': replayed.code }, `${replayed.message}`), ` (${replayed.code}).`));
  } else if (r.ok) {
    overall.append(h('h2', { tabindex: '-1' }, `\u2713 Certificate verified: lot ${cert.lot}`),
      h('p', {}, `${file.name}: every check your browser can make passed. The ${plural(r.entries.length, 'entry', 'entries')} in it are in the log ${r.checkpoint.origin} that ${cc.key.name} signed at ${plural(r.checkpoint.size, 'entry', 'entries')}, each signed by its actor's registered key.`),
      recomputed
        ? h('p', {}, h('strong', {}, t('The origin shares, the stage rows and every determination were recomputed in your browser: ')), 'the entries were replayed through the ledger\'s own rules (the C code of ', h('code', {}, 'oretrail verify'), ', compiled to WebAssembly) and give exactly what the certificate claims.')
        : h('p', {}, h('strong', {}, t('The origin shares were NOT recomputed in your browser. ')), 'They are shown as the certificate claims them. Recomputing them means replaying the entries through the ledger\'s rules, which ', h('code', {}, 'oretrail verify'), ' does.'));
  } else if (r.unsupported) {
    overall.className = 'status warn';
    overall.append(h('h2', { tabindex: '-1' }, t('\u2717 NOT CHECKED: a certificate version this page does not read')),
      h('p', {}, `${file.name}: ${r.failures[0].reason}. The file may be valid; check it with a newer oretrail.`));
  } else {
    const first = r.failures[0];
    overall.append(h('h2', { tabindex: '-1' }, t('\u2717 CERTIFICATE FAILED: do not rely on it')),
      h('p', {}, `${file.name}: ${plural(r.failures.length, 'check', 'checks')} failed. First: `, h('strong', { 'data-failure': first.code }, first.reason), '.'),
      h('ul', {}, r.failures.slice(0, 8).map((f) => h('li', { 'data-failure': f.code, 'data-index': f.index === null ? null : String(f.index) },
        `${STEP_LABEL[f.check]}: ${f.reason} (${f.code})`)),
      r.failures.length > 8 ? h('li', {}, `and ${r.failures.length - 8} more`) : null));
  }
  frag.append(overall);
  if (cc) frag.append(keyLine(cc));

  frag.append(h('h2', {}, t('What was checked')),
    h('ol', { class: 'checks', 'data-checks': 'certificate' }, r.steps.map((s) => h('li', {
      class: s.ok === true ? 'ok' : s.ok === false ? 'bad' : 'skip', 'data-step': s.check, 'data-ok': s.ok === null ? 'skipped' : String(s.ok),
    },
    h('strong', {}, `${STEP_LABEL[s.check]}: `), s.ok === false ? 'FAILED \u2014 ' : '',
    s.ok === false
      ? (s.failures.length === 1 ? s.failures[0].reason + '.' : h('ul', {}, s.failures.map((f) => h('li', {}, f.reason + '.'))))
      : s.text))));
  if (!cert) return frag;
  if (recomputed) frag.append(recomputedSection(replayed.report));

  // The lot, as claimed.
  const c = cert.claim || {};
  const verb = ok ? 'claims' : 'claims (the certificate FAILED: treat this as unverified)';
  frag.append(h('h2', {}, `Lot ${cert.lot}, as the certificate ${verb}`),
    facts([
      [t('Material'), c.material],
      [t('Mass now'), c.mass_g !== undefined ? mass(c.mass_g, { unit: massUnit([c.mass_g, c.initial_g]) }) : null],
      [t('Mass when made'), c.initial_g !== undefined ? mass(c.initial_g, { unit: massUnit([c.mass_g, c.initial_g]) }) : null],
      [t('Holder'), c.holder],
      [t('Where'), c.site],
      [t('Status'), c.status],
      [t('Made'), c.created ? [time(c.created.time), ` by ${c.created.type} ${c.created.id} (entry ${c.created.index})`] : null],
      [t('Log'), r.checkpoint ? `${r.checkpoint.origin}, ${plural(r.checkpoint.size, 'entry', 'entries')}` : cert.log && cert.log.origin],
    ]));
  const rows = (list) => (Array.isArray(list) ? list.filter((x) => x && typeof x === 'object') : []);
  const amount = massCell(rows(c.countries), contentGrams, { element: (x) => x.element });
  frag.append(
    h('section', { 'aria-labelledby': 'cert-origin-h', 'data-section': 'cert-origins' },
      h('h3', { id: 'cert-origin-h' }, recomputed ? 'Claimed origin shares (recomputed: they match)' : 'Claimed origin shares (not recomputed here)'),
      table(t('Claimed origin by country, per element'), [
        { label: t('Element'), cell: (x) => element(x.element) },
        { label: t('Country of the mine'), cell: (x) => country(x.country) },
        { label: t('Content'), num: true, cell: amount },
        { label: t('Share'), cell: (x) => shareBar(x.share_ppm) },
      ], rows(c.countries), { attrs: { 'data-table': 'cert-country' }, empty: 'The claim lists no origin by country.' }),
      table(t('Claimed origin by mine, per element'), [
        { label: t('Element'), cell: (x) => element(x.element) },
        { label: t('Mine'), cell: (x) => x.site },
        { label: t('Country'), cell: (x) => country(x.country) },
        { label: t('Content'), num: true, cell: amount },
        { label: t('Share'), cell: (x) => shareBar(x.share_ppm) },
      ], rows(c.origins), { attrs: { 'data-table': 'cert-mine' }, empty: 'The claim lists no origin by mine.' })));

  // Plain words.
  const proven = r.steps.find((s) => s.check === 'proofs').ok === true && r.steps.find((s) => s.check === 'leaves').ok === true;
  frag.append(h('h2', {}, t('What this means')),
    h('ul', {},
      r.ok
        ? [h('li', {}, `Verified: every entry in the file is, byte for byte, in the log that ${cc.key.name} signed, at the index stated; each was signed by its actor with a key registered in the log; the entries the claim names are all there.`),
          h('li', {}, t('Verified: the claimed shares agree with each other (by country is the sum by mine, each element adds up to 100 %), and each claimed mine is registered as a mine in the claimed country.'))]
        : h('li', {}, h('strong', {}, t('Not verified: ')), proven ? 'the entries are in the signed log, but another check failed (listed above).' : 'the file does not match the signed log (see the failures above). It may have been altered, or made for another log or key.'),
      recomputed
        ? h('li', {}, t('Verified: these entries, replayed through the ledger\'s rules, give the claimed origin shares and stage rows, and every determination the certificate carries.'))
        : refused ? h('li', {}, h('strong', {}, t('Refused: ')), `replayed through the ledger's rules, these entries do not give what the certificate claims (${replayed.code}). It was altered after it was made, or made dishonestly.`)
        : h('li', {}, h('strong', {}, t('Not verified here: ')), 'that these entries imply the claimed origin shares. The shares were not recomputed in your browser: that needs the ledger\'s rules replayed over the entries, which ', h('code', {}, 'oretrail verify --key KEY FILE'), ' does offline.'),
      h('li', {}, t('No certificate can prove that it left nothing out: an omitted earlier use or assay of an ancestor could shift the amounts slightly. The full-log audit, monitors and witnesses watch for that.'))));

  if (r.entries.length) {
    frag.append(table(`The ${r.entries.length} log entries in the certificate`, [
      { label: t('Entry'), num: true, cell: (e) => String(e.index) },
      { label: t('Event'), cell: (e) => e.type },
      { label: t('Id'), cell: (e) => h('code', {}, String(e.id)) },
      { label: t('Signed by'), cell: (e) => e.signer },
      { label: t('Time'), cell: (e) => (e.time ? time(e.time) : '–') },
      { label: t('Check'), cell: (e) => {
        const f = r.failures.filter((x) => x.index === e.index);
        if (f.length) return h('span', { class: 'badge bad' }, `\u2717 ${f.map((x) => x.code).join(', ')}`);
        // A version 2 merged proof that fails proves none of the entries.
        return e.proven ? h('span', { class: 'badge ok' }, t('\u2713 verified')) : h('span', { class: 'badge bad' }, t('\u2717 not proven'));
      } },
    ], r.entries, { attrs: { 'data-table': 'cert-entries' } }));
  }
  return frag;
}
