// entries.js: a permalink for every log entry (#/entries/<index>) and the
// checkpoint history (#/checkpoints). The entry page shows the event as the
// log holds it: read from the tiles, proven into the signed checkpoint and
// its signature checked in this browser before any field is shown. The
// history checks every published checkpoint's signature and that its root
// is the root of the first N entries of the tree this page verified, so a
// rewritten past shows up here.
import { api, getJSON } from '../api.js';
import { h, add, clear, facts, table } from '../dom.js';
import { entriesPanel } from '../components.js';
import { checkpointCheck } from '../trust.js';
import { dateTime, int, plural, time } from '../format.js';
import { hrefConsignment, hrefContract, hrefLot, siteLink } from '../links.js';
import { b64encode, equal } from '../verify/bytes.js';
import { verifyCheckpoint } from '../verify/note.js';
import { t, tn, tx } from '../i18n.js';
import { replayedEvents, replayedState } from '../replayed.js';

// Replaces el's content.
function fill(el, ...kids) {
  clear(el);
  add(el, ...kids);
}

export const hrefEntry = (index) => `#/entries/${index}`;
export const entryLink = (index, text) => h('a', { href: hrefEntry(index) }, text || `entry ${index}`);

// Fields that name a lot, a consignment or a contract, and where they link.
const LINKS = { lot: hrefLot, consignment: hrefConsignment, contract: hrefContract, as: hrefLot };

// One field's value: ids that name a record link to its page; objects and
// arrays as canonical-looking JSON.
function fieldValue(key, v) {
  if (typeof v === 'string' && LINKS[key]) return h('a', { href: LINKS[key](v) }, v);
  // A site by its name (the id on hover); the claimed time as a person reads it.
  if (typeof v === 'string' && key === 'site') return siteLink(v);
  if (typeof v === 'string' && key === 'time') return time(v, true);
  if (key === 'lots' && Array.isArray(v) && v.every((x) => typeof x === 'string'))
    return v.map((x, i) => [i ? ', ' : '', h('a', { href: hrefLot(x) }, x)]);
  if (v !== null && typeof v === 'object') return h('code', { class: 'json' }, JSON.stringify(v));
  return String(v);
}

// The lots an event makes or moves, for links under the field table.
function lotsNamed(ev) {
  const out = new Set();
  const add = (x) => { if (typeof x === 'string') out.add(x); };
  add(ev.lot);
  for (const k of ['lots', 'inputs', 'outputs']) {
    for (const x of Array.isArray(ev[k]) ? ev[k] : []) {
      if (typeof x === 'string') add(x);
      else if (x && typeof x === 'object') { add(x.lot); add(x.as); }
    }
  }
  return [...out];
}

function loggedFacts(logged) {
  if (!logged) return null;
  const bound = (when, size, basis) => (when ? [dateTime(when), ` (checkpoint of ${plural(size, 'entry', 'entries')}, ${basis === 'witnessed' ? 'witnessed' : 'signed by the operator'})`] : 'not yet bounded');
  return facts([
    [t('Logged after'), bound(logged.after, logged.after_size, logged.after_basis)],
    [t('Logged before'), bound(logged.before, logged.before_size, logged.before_basis)],
    [t('Witnesses'), logged.witnesses ? int(logged.witnesses) : 'none yet'],
  ]);
}

export async function renderEntry(page, arg, ctx) {
  if (!/^\d{1,15}$/.test(arg || '')) {
    ctx.setTitle(t('Not an entry'));
    page.append(h('h1', {}, t('Not an entry')), h('p', {}, `"${arg}" is not a log position: entries are numbered 0, 1, 2, …`));
    return;
  }
  const index = Number(arg);
  ctx.setTitle(`Entry ${index}`);
  const cc = await checkpointCheck();
  const size = cc.ok ? cc.cp.size : null;
  const body = h('div', { class: 'entry-body', 'data-entry': String(index) }, h('p', { class: 'loading' }, t('Reading the entry from the log…')));
  page.append(
    h('h1', {}, t('Log entry {n}', { n: int(index) })),
    h('nav', { class: 'pager', 'aria-label': 'Neighbouring entries' },
      index > 0 ? h('a', { href: hrefEntry(index - 1), rel: 'prev' }, `\u2190 Entry ${index - 1}`) : null,
      size !== null && index + 1 < size ? h('a', { href: hrefEntry(index + 1), rel: 'next' }, `Entry ${index + 1} \u2192`) : null,
      h('a', { href: '#/checkpoints' }, t('Checkpoint history'))),
    body);
  if (size !== null && index >= size) {
    fill(body, h('p', { class: 'status warn' }, `The signed checkpoint covers ${plural(size, 'entry', 'entries')}; entry ${index} is not in it (yet).`));
    return;
  }
  page.append(entriesPanel({
    title: t('Verified in your browser'),
    intro: 'The entry is read from the log\'s tiles, hashed, proven to be included in the signed checkpoint with a proof this page builds from the tiles, and its signature is checked against its signer\'s key as registered in the log. The fields above are shown only once that has passed.',
    indexes: [index],
    onResults: async ([r]) => {
      if (!r || !r.ok) {
        fill(body, h('p', { class: 'status bad' }, `This entry did not verify, so its content is not shown: ${r ? r.reason : 'no result'}.`));
        return;
      }
      const served = await api.entry(index).catch(() => null);
      const ev = r.event;
      const lots = lotsNamed(ev);
      fill(body, 
        h('p', { class: 'lede' }, `${/^[aeiou]/.test(ev.type) ? 'An' : 'A'} ${ev.type} event, id `, h('code', {}, ev.id), `, signed by ${r.signer}, dated ${dateTime(ev.time)} by its signer.`),
        table(t('The fields of entry {n}', { n: index }), [
          { label: t('Field'), cell: (kv) => kv[0] },
          { label: t('Value'), cell: (kv) => fieldValue(kv[0], kv[1]) },
        ], Object.entries(ev), { label: `entry ${index} fields` }),
        lots.length ? h('p', {}, t('Lots named here: '), lots.map((l, i) => [i ? ', ' : '', h('a', { href: hrefLot(l) }, l)])) : null,
        correctionHistory(ev, await replayedState()),
        h('h2', {}, t('When it was logged')),
        h('p', {}, t('The time above is what the signer claims. The log bounds when the entry was really logged by the checkpoints signed before and after it (the server\'s record):')),
        loggedFacts(served && served.logged),
        r.keyChain.length ? [h('h2', {}, t('The signer\'s key')), h('ul', {}, r.keyChain.map((s) => h('li', {}, s)))] : null,
        h('details', {}, h('summary', {}, t('The signed event as logged (JSON)')), h('pre', { class: 'json' }, JSON.stringify(ev, null, 2))));
    },
  }));
}

// An event's corrections: the later `correct` and `void` entries that name
// it, from the replayed log; for a correction, the entry it names. Nothing
// when there is neither.
function correctionHistory(ev, rs) {
  const events = replayedEvents(rs);
  const named = ev.type === 'correct' ? ev.corrects : ev.type === 'void' ? ev.voids : null;
  if (named) {
    const target = events.find((e) => e.event.id === named && e.event.type !== 'correct' && e.event.type !== 'void');
    return h('p', { 'data-corrects': named }, ...tx(ev.type === 'void' ? 'This entry voids {event}: {reason}' : 'This entry corrects {event}: {reason}', {
      event: target ? h('a', { href: hrefEntry(target.index) }, t('entry {n}', { n: int(target.index) })) : h('code', {}, named),
      reason: String(ev.reason || ''),
    }));
  }
  const later = events.filter((e) => (e.event.type === 'correct' && e.event.corrects === ev.id) || (e.event.type === 'void' && e.event.voids === ev.id));
  if (!later.length) return null;
  return [h('h2', {}, t('Corrections of this event')),
    h('p', {}, t('The log keeps the event as it was signed, above. From these later entries on, every view uses the corrected event (the last correction counts):')),
    h('ul', { 'data-corrections': ev.id }, later.map((e) => h('li', {}, ...tx(e.event.type === 'void' ? '{entry}: voided by {who}: {reason}' : '{entry}: corrected by {who}: {reason}', {
      entry: h('a', { href: hrefEntry(e.index), 'data-entry': String(e.index) }, t('entry {n}', { n: int(e.index) })),
      who: e.signer,
      reason: String(e.event.reason || ''),
    }))))];
}

// Every page of /api/checkpoints (bounded).
async function allCheckpoints(maxPages = 50) {
  const out = [];
  let from = 0;
  for (let i = 0; i < maxPages; i++) {
    const doc = await getJSON(`api/checkpoints?from=${from}&limit=1000`);
    out.push(...(doc.checkpoints || []));
    if (doc.next === null || doc.next === undefined) return { items: out, more: false };
    from = doc.next;
  }
  return { items: out, more: true };
}

// Checks one published checkpoint: its signature by the log's key, and its
// root against the first `size` entries of the verified tree.
async function checkOne(cc, item) {
  const res = { sig: false, consistent: null, root: '', reason: '' };
  try {
    const v = await verifyCheckpoint(item.note, cc.key, cc.witnessKeys || []);
    res.sig = v.ok;
    if (!v.ok) { res.reason = v.reason; return res; }
    const cp = v.checkpoint;
    res.root = b64encode(cp.root);
    if (cp.size !== item.size) { res.reason = `the list says ${item.size} entries, the note ${cp.size}`; res.consistent = false; return res; }
    if (cp.size > cc.cp.size) { res.reason = 'newer than the checkpoint this page verified'; return res; }
    const root = cp.size === 0 ? null : await cc.reader.subtreeHash(0, cp.size);
    res.consistent = cp.size === 0 ? true : equal(root, cp.root);
    if (!res.consistent) res.reason = 'its root is not the root of the first entries of today\'s log: the past was rewritten';
  } catch (e) {
    res.reason = e.message;
  }
  return res;
}

export async function renderCheckpoints(page, _arg, ctx) {
  ctx.setTitle(t('Checkpoint history'));
  const cc = await checkpointCheck();
  const { items, more } = await allCheckpoints();
  page.append(h('h1', {}, t('Checkpoint history')),
    h('p', { class: 'lede' }, `Every checkpoint the log has published, oldest first: ${plural(items.length, 'checkpoint', 'checkpoints')}${more ? ' (the first pages only)' : ''}. Each signature is checked in your browser, and each root is recomputed from the tiles of the latest verified tree: a log that rewrote its past could not match them.`));
  if (!cc.ok) {
    page.append(h('p', { class: 'status warn', 'data-check': 'history', 'data-ok': 'false' }, `Nothing here can be checked: ${cc.reason}.`));
    return;
  }
  const checks = [];
  for (const it of items) checks.push(await checkOne(cc, it));
  const bad = checks.filter((c) => !c.sig || c.consistent === false).length;
  page.append(
    h('div', { class: bad ? 'status bad' : 'status ok', 'data-check': 'history', 'data-ok': bad ? 'false' : 'true' },
      h('p', {}, bad
        ? h('strong', {}, `\u2717 ${bad} of ${items.length} checkpoints do not verify or contradict today's log.`)
        : h('strong', {}, `\u2713 All ${items.length} checkpoints are signed by ${cc.key.name} and consistent with the latest (${plural(cc.cp.size, 'entry', 'entries')}).`))),
    table(tn(items.length, '{n} published checkpoint, oldest first', '{n} published checkpoints, oldest first'), [
      { label: t('Entries'), num: true, cell: (i) => int(items[i].size) },
      { label: t('Signed at'), cell: (i) => dateTime(items[i].signed_at) },
      { label: t('Root'), cell: (i) => h('code', {}, (checks[i].root || '').slice(0, 12) + (checks[i].root ? '…' : '')) },
      { label: t('Signature'), cell: (i) => (checks[i].sig ? '\u2713 checked' : `\u2717 ${checks[i].reason}`) },
      { label: t('Consistent with the latest'), cell: (i) => (checks[i].consistent === true ? '\u2713 yes' : checks[i].consistent === false ? `\u2717 ${checks[i].reason}` : checks[i].reason || '\u2014') },
      { label: t('Witness cosignatures'), num: true, cell: (i) => int((items[i].cosignatures || []).length) },
      { label: t('Last entry'), cell: (i) => (items[i].size > 0 ? entryLink(items[i].size - 1, `entry ${items[i].size - 1}`) : '\u2014') },
    ], items.map((_, i) => i)));
}
