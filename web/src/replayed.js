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
import { mass } from './format.js';
import { checkpointCheck, raiseAlarm } from './trust.js';
import { loadReplay } from './verify/replay.js';
import { canonicalize } from './verify/jcs.js';
import { TILE_WIDTH } from './verify/tlog.js';

// The withholding limit the server's findings use (docs/events.md).
const WITHHELD_DAYS = 180;

let session = null;

// Resolves to { ok, state, entries, reason, unavailable }: state is the
// replayed state document (docs/events.md, "The replayed state") parsed.
export function replayedState() {
  if (!session) session = runReplay();
  return session;
}

async function runReplay() {
  const out = { ok: false, state: null, entries: 0, reason: '', unavailable: false };
  if (!factory) {
    out.unavailable = true;
    out.reason = 'this dashboard was built without the replay engine (WebAssembly), so the figures are the server\'s, not recomputed';
    return out;
  }
  const cc = await checkpointCheck();
  if (!cc.ok) {
    out.reason = 'the checkpoint could not be checked: ' + cc.reason;
    return out;
  }
  try {
    const entries = [];
    for (let t = 0; t * TILE_WIDTH < cc.cp.size; t++) entries.push(...(await cc.reader.tile('entries', t)));
    const engine = await loadReplay(factory, { locateFile: (p) => new URL(p, document.baseURI).href });
    const text = engine.replay(cc.key.text, cc.noteText, entries, Math.floor(Date.now() / 1000), WITHHELD_DAYS);
    out.state = JSON.parse(text);
    out.entries = entries.length;
    out.ok = true;
  } catch (e) {
    out.reason = e.code ? `the log's entries (${e.code}): ${e.message}` : `the replay failed: ${e.message}`;
    if (e.code) raiseAlarm(`Replaying the log: ${out.reason}.`);
  }
  return out;
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
const SHAPES = {
  lots: {
    origins: originForm,
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

// A value in words: masses in their unit, records as their JSON.
const show = (field, v) => {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && /_g$/.test(field)) return mass(v);
  return typeof v === 'object' ? canonicalize(v) : String(v);
};

// The page's statement about its figures: green when the summary agrees
// with the replay, a red notice naming each difference when not, amber
// when nothing could be replayed. data-check="replay" for the tests.
export function replayNotice(rs, diffs, what) {
  if (!rs.ok) {
    return h('div', { class: rs.unavailable ? 'status warn' : 'status bad', 'data-check': 'replay', 'data-ok': 'false' },
      h('p', {}, `The figures for ${what} are the server's: they were not recomputed, because ${rs.reason}.`));
  }
  if (!diffs.length) {
    return h('div', { class: 'status ok', 'data-check': 'replay', 'data-ok': 'true' },
      h('p', {}, `\u2713 The figures for ${what} were recomputed in your browser: all ${rs.entries} entries of the signed log replayed with the ledger's own rules (WebAssembly); the server's summary agrees.`));
  }
  raiseAlarm(`The server's summary of ${what} differs from the replay of the signed log (${diffs.map((d) => d.field).join(', ')}).`);
  return h('div', { class: 'status bad', 'data-check': 'replay', 'data-ok': 'false', role: 'alert' },
    h('p', {}, h('strong', {}, `\u2717 The server's summary of ${what} does not match the signed log.`),
      ` Replaying all ${rs.entries} entries with the ledger's own rules gives other figures; this page shows the replayed ones.`),
    h('ul', {}, diffs.map((d) => h('li', { 'data-field': d.field },
      h('code', {}, d.field), `: the server says ${show(d.field, d.served)}; the replay gives ${show(d.field, d.replayed)}.`))));
}
