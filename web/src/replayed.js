// replayed.js: the figures the dashboard shows come from the log, not from
// the server's summaries. Once the checkpoint's signature is checked
// (trust.js), the page reads every entry from the entry bundles, hands them
// with the signed checkpoint to the ledger's own replay engine compiled to
// WebAssembly (verify/replay.js, web/wasm), which refuses them unless they
// are exactly the entries the checkpoint commits to (its size, its root),
// and replays them with the same rules as the C code. The server's /api
// summaries are then only a cache: where one differs from the replayed
// record, the page shows the replayed figure and a red notice naming the
// difference.
import factory from 'ot-replay-module';
import { h } from './dom.js';
import { mass, massUnit } from './format.js';
import { SHIPPED_PROFILES } from './profiles.js';
import { checkpointCheck, raiseAlarm } from './trust.js';
import { loadReplay } from './verify/replay.js';
import { canonicalize } from './verify/jcs.js';
import { parseEntry } from './verify/events.js';
import { TILE_WIDTH } from './verify/tlog.js';
import { t } from './i18n.js';

// The withholding limit the server's findings use (docs/events.md).
const WITHHELD_DAYS = 180;

let session = null;
let engineLoad = null;
// The module's file, named after its content by web/build.mjs (which
// defines OT_WASM_FILE) so that the server lets browsers keep it.
const WASM_FILE = typeof OT_WASM_FILE === 'string' ? OT_WASM_FILE : 'ot_replay.wasm'; // eslint-disable-line no-undef

// The replay module, compiled once per page (the log's replay and the
// certificate check share it); null in a build without it.
export function replayEngine() {
  if (!factory) return null;
  if (!engineLoad) engineLoad = loadReplay(factory, { locateFile: (p) => new URL(p.endsWith('.wasm') ? WASM_FILE : p, document.baseURI).href });
  return engineLoad;
}

// Resolves to { ok, state, entries, reason, unavailable, engine }: state is
// the replayed state document (docs/events.md, "The replayed state")
// parsed; engine (verify/replay.js) still holds that state, for replayedLot.
export function replayedState() {
  if (!session) session = runReplay();
  return session;
}

async function runReplay() {
  const out = { ok: false, state: null, entries: 0, reason: '', unavailable: false, engine: null };
  if (!factory) {
    out.unavailable = true;
    out.reason = t('this dashboard was built without the replay engine (WebAssembly), so the figures are the server\'s, not recomputed');
    return out;
  }
  const cc = await checkpointCheck();
  if (!cc.ok) {
    out.reason = t('the checkpoint could not be checked: {reason}', { reason: cc.reason });
    return out;
  }
  try {
    const entries = [];
    for (let t = 0; t * TILE_WIDTH < cc.cp.size; t++) entries.push(...(await cc.reader.tile('entries', t)));
    const engine = await replayEngine();
    const text = engine.replay(cc.key.text, cc.noteText, entries, Math.floor(Date.now() / 1000), WITHHELD_DAYS);
    out.state = JSON.parse(text);
    out.entries = entries.length;
    out.raw = entries; // the proven entries' bytes, for replayedEvents
    out.engine = engine;
    out.ok = true;
  } catch (e) {
    out.reason = e.code ? `the log's entries (${e.code}): ${e.message}` : `the replay failed: ${e.message}`;
    if (e.code) raiseAlarm(`Replaying the log: ${out.reason}.`);
  }
  return out;
}

// The replayed entries' events in log order: [{ index, event, signer }]
// (parsed once per visit from the bytes the replay checked against the
// signed checkpoint); [] when nothing was replayed.
export function replayedEvents(rs) {
  if (!rs.ok) return [];
  if (!rs.events) {
    rs.events = rs.raw.map((bytes, index) => {
      const e = parseEntry(bytes);
      return { index, event: e.event, signer: e.signer };
    });
  }
  return rs.events;
}

// `oretrail report crma --json` computed from the replayed state by the
// ledger's own C code (otw_report_crma) under the shipped crma profile,
// parsed: per element, each stage's output counted once, by country, and
// the exports. null when nothing was replayed. Throws ReplayError.
export function replayedCrma(rs) {
  if (!rs.ok) return null;
  if (!rs.crma) {
    const profile = SHIPPED_PROFILES.find((p) => JSON.parse(p).profile === 'crma');
    rs.crma = JSON.parse(rs.engine.reportCrma(profile));
  }
  return rs.crma;
}

// --- comparing a server summary with the replayed record ----------------

const same = (a, b) => canonicalize(a) === canonicalize(b);

// Where a summary may word a field differently from the state record, the
// form both are compared in.
const originForm = (v) => (Array.isArray(v)
  ? v.map((o) => `${o.element} ${o.site} ${o.mg}`) // a trace: [{element, site, mg, ...}]
  : Object.entries(v || {}).flatMap(([el, sites]) => Object.entries(sites).map(([site, mg]) => `${el} ${site} ${mg}`))).sort();
const commitmentForm = (v) => (Array.isArray(v)
  ? v.map((c) => `${c.field} ${c.commit} ${!!c.disclosed}`) // contract show: [{field, commit, disclosed, ...}]
  : Object.entries(v || {}).map(([f, c]) => `${f} ${c.commit} ${!!c.disclosed}`)).sort();
// A lot record's stage vectors ({stage: {element: {site: mg}}}) or a
// trace's stage rows ([{stage, element, site, mg, ...}], whose mined rows
// are the origins, compared as such).
const stageForm = (v) => (Array.isArray(v)
  ? v.filter((r) => r.stage !== 'mined').map((r) => `${r.stage} ${r.element} ${r.site} ${r.mg}`)
  : Object.entries(v || {}).flatMap(([stage, els]) => Object.entries(els)
    .flatMap(([el, sites]) => Object.entries(sites).map(([site, mg]) => `${stage} ${el} ${site} ${mg}`)))).sort();
const SHAPES = {
  lots: {
    origins: originForm,
    stages: stageForm,
    // a trace adds when it was logged
    created: (v) => v && { id: v.id, index: v.index, type: v.type, time: v.time },
  },
  contracts: { commitments: commitmentForm },
};
const form = (kind, field) => (SHAPES[kind] && SHAPES[kind][field]) || ((v) => v);

// The fields of `served` (a /api/<kind>/<id> answer) that the replayed
// record of the same id contradicts: [{ field, served, replayed }]. A field
// only one of them has is the summary's own view (a trace's ancestry), not
// compared. A record the replay does not have at all is one difference.
export function differences(state, kind, id, served) {
  const rec = state[kind] && state[kind][id];
  if (!rec) return [{ field: '(the record)', served: id, replayed: undefined }];
  const out = [];
  for (const field of Object.keys(rec)) {
    if (!(field in served)) continue;
    const f = form(kind, field);
    if (!same(f(rec[field]), f(served[field])))
      out.push({ field, served: served[field], replayed: rec[field] });
  }
  return out;
}

// differences() for every record of a list (/api/<kind>), each field named
// "<id>: <field>".
export function listDifferences(state, kind, items, idField) {
  return items.flatMap((it) => differences(state, kind, it[idField], it)
    .map((d) => ({ ...d, field: `${it[idField]}: ${d.field}` })));
}

// The summary with the replayed record's fields in place of its own,
// where both have them in the same form: what a page shows.
export function withReplayed(state, kind, id, served) {
  const rec = state[kind] && state[kind][id];
  if (!rec) return served;
  const out = { ...served };
  for (const field of Object.keys(rec)) {
    if (field in served && Array.isArray(served[field]) === Array.isArray(rec[field]) &&
        typeof served[field] === typeof rec[field]) out[field] = rec[field];
  }
  return out;
}

// --- a lot's stages and determinations, recomputed --------------------

// The lot's {lot, stages, at, compliance} as the ledger's own code derives
// it from the replayed state (ot_replay_lot in WebAssembly), judged as of
// at (YYYY-MM-DD) under the profiles this page was built with; null when
// nothing was replayed. Throws ReplayError when the module refuses.
export function replayedLot(rs, id, at) {
  if (!rs.ok) return null;
  return JSON.parse(rs.engine.lot(id, at, SHIPPED_PROFILES));
}

// The first place where two JSON values differ: [path, a's value, b's
// value] (path "" for the values themselves), or null when they are equal.
function firstDifference(path, a, b) {
  if (same(a, b)) return null;
  const container = (v) => v !== null && typeof v === 'object';
  if (!container(a) || !container(b) || Array.isArray(a) !== Array.isArray(b)) return [path, a, b];
  const keys = Array.isArray(a)
    ? [...Array(Math.max(a.length, b.length)).keys()]
    : [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const sub = Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`;
    if (!(k in a) || !(k in b)) return [sub, a[k], b[k]];
    const d = firstDifference(sub, a[k], b[k]);
    if (d) return d;
  }
  return [path, a, b];
}

// Where the server's stages and determinations (its /api/lots/<id>
// answer) differ from the replayed ones (replayedLot): one difference for
// the date judged, for the stage rows, and per profile, each naming the
// first field that differs ("stages[3].country",
// "compliance.dfars-7052.determination"). A determination only one side has
// is one difference ("compliance.crma").
export function lotViewDifferences(replayed, served) {
  const out = [];
  const add = (field, s, r) => {
    const d = firstDifference(field, s, r);
    if (d) out.push({ field: d[0], served: d[1], replayed: d[2] });
  };
  add('at', served.at, replayed.at);
  add('stages', served.stages, replayed.stages);
  const byName = (list) => new Map((Array.isArray(list) ? list : []).map((c) => [c && c.profile, c]));
  const s = byName(served.compliance);
  const r = byName(replayed.compliance);
  for (const name of new Set([...r.keys(), ...s.keys()])) add(`compliance.${name}`, s.get(name), r.get(name));
  return out;
}

// A value in words: masses in one unit with the figure they are compared
// with (`other`), records as their JSON.
const show = (field, v, other) => {
  if (v === undefined) return t('nothing');
  if (typeof v === 'number' && /_g$/.test(field)) return mass(v, { unit: massUnit([v, other]) });
  return typeof v === 'object' ? canonicalize(v) : String(v);
};

// The page's statement about its figures: green when the summary agrees
// with the replay, a red notice naming each difference when not, amber
// when nothing could be replayed. data-check="replay" for the tests.
export function replayNotice(rs, diffs, what) {
  if (!rs.ok) {
    return h('div', { class: rs.unavailable ? 'status warn' : 'status bad', 'data-check': 'replay', 'data-ok': 'false' },
      h('p', {}, t('The figures for {what} are the server\'s: they were not recomputed, because {reason}.', { what, reason: rs.reason })));
  }
  if (!diffs.length) {
    return h('div', { class: 'status ok', 'data-check': 'replay', 'data-ok': 'true' },
      h('p', {}, t('\u2713 The figures for {what} were recomputed in your browser: all {n} entries of the signed log replayed with the ledger\'s own rules (WebAssembly); the server\'s summary agrees.', { what, n: rs.entries })));
  }
  raiseAlarm(t('The server\'s summary of {what} differs from the replay of the signed log ({fields}).', { what, fields: diffs.map((d) => d.field).join(', ') }));
  return h('div', { class: 'status bad', 'data-check': 'replay', 'data-ok': 'false', role: 'alert' },
    h('p', {}, h('strong', {}, t('\u2717 The server\'s summary of {what} does not match the signed log.', { what })),
      ' ', t('Replaying all {n} entries with the ledger\'s own rules gives other figures; this page shows the replayed ones.', { n: rs.entries })),
    h('ul', {}, diffs.map((d) => h('li', { 'data-field': d.field },
      h('code', {}, d.field), t(': the server says {served}; the replay gives {replayed}.', { served: show(d.field, d.served, d.replayed), replayed: show(d.field, d.replayed, d.served) })))));
}
