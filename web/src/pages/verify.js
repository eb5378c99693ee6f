// verify.js: "check it yourself". The page fetches the signed checkpoint
// and the log's tiles and checks, with the browser's own cryptography
// (WebCrypto SHA-256 and Ed25519), that the record was not rewritten:
// the checkpoint's signature against the log's key, the whole tree
// recomputed from the entries (for logs small enough), and a lot's entries
// proven into the tree with proofs built here from the tiles.
import { api } from '../api.js';
import { h, clear } from '../dom.js';
import { int } from '../format.js';
import { checkpointCheck, clearPastedKey, pastedKey, raiseAlarm, reset, setPastedKey } from '../trust.js';
import { checkpointStatus, entriesPanel, keyLine } from '../components.js';
import { parseVerifierKey } from '../verify/note.js';
import { checkWholeLog } from '../verify/tlog.js';
import { b64encode } from '../verify/bytes.js';
import { disclosuresOf, fieldLabel, verifyDisclosure } from './contracts.js';
import { contractLink } from '../links.js';
import { t, tn, tx } from '../i18n.js';

const WHOLE_LOG_MAX = 100000;

export async function renderVerify(page, _arg, ctx) {
  ctx.setTitle(t('Verify'));
  const keyParam = ctx.params.get('key');
  if (keyParam && keyParam !== pastedKey()) {
    try {
      await parseVerifierKey(keyParam);
      setPastedKey(keyParam);
    } catch (e) {
      page.append(h('div', { class: 'status bad' }, h('p', {}, t('The key in this link is not usable: {why}.', { why: e.message }))));
    }
  }
  reset(); // always fetch the checkpoint afresh here
  const cc = await checkpointCheck();
  const lots = await api.lots().catch(() => ({ items: [] }));
  const lotParam = ctx.params.get('lot');
  const lotIds = lots.items.map((l) => l.lot);
  const chosenLot = lotParam || (lotIds.includes('lot-ndpr-oxide-001') ? 'lot-ndpr-oxide-001' : lotIds[lotIds.length - 1]);

  page.append(
    h('h1', {}, t('Verify the record yourself')),
    h('p', { class: 'lede' }, t('You do not have to trust this website. Your browser fetches the log\'s signed checkpoint and its raw data (tiles) and checks them with its own cryptography. If anyone had changed, removed or reordered a past entry, these checks would fail.')),
    h('p', {}, ...tx('Every entry has its own page (for example {entry}), and {history} checks every checkpoint the log has published against today\'s tree.', {
      entry: h('a', { href: '#/entries/0' }, t('entry 0')), history: h('a', { href: '#/checkpoints' }, t('the checkpoint history')),
    })),
  );

  // 1. The key.
  const keyInput = h('input', { type: 'text', id: 'vkey', name: 'vkey', value: pastedKey() || '', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'vkey-help' });
  const keyForm = h('form', { class: 'key-form' },
    h('label', { for: 'vkey' }, t('The log\'s verifier key')),
    h('p', { id: 'vkey-help', class: 'note' }, t('Paste the key the ledger\'s authority publishes (for example in an official gazette or on its own website), of the form name+1a2b3c4d+base64. Leave empty to use the key this server publishes.')),
    keyInput,
    h('div', { class: 'row' }, h('button', { type: 'submit' }, t('Check with this key')),
      pastedKey() ? h('button', { type: 'button', class: 'secondary', onclick: () => { clearPastedKey(); window.dispatchEvent(new HashChangeEvent('hashchange')); } }, t('Use the served key instead')) : null));
  keyForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = keyInput.value.trim();
    if (!v) clearPastedKey();
    else {
      try { await parseVerifierKey(v); } catch (e) {
        keyForm.querySelector('.key-error')?.remove();
        keyForm.append(h('p', { class: 'status bad key-error', role: 'alert' }, t('This key cannot be used: {why}.', { why: e.message })));
        return;
      }
      setPastedKey(v);
    }
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });

  const steps = h('ol', { class: 'checks', 'data-checks': 'verify' });
  const overall = h('div', { class: 'status pending', 'data-check': 'overall', 'data-ok': 'pending' }, h('p', {}, t('Checking…')));
  page.append(overall, h('h2', {}, t('1. Which key')), cc.key ? keyLine(cc) : h('p', {}, cc.reason), keyForm,
    h('h2', {}, t('2. The signed checkpoint')), checkpointStatus(cc),
    cc.result && cc.result.witnesses.length
      ? h('p', {}, tn(cc.result.witnesses.length, '{n} witness cosigned:', '{n} witnesses cosigned:'), ' ', cc.result.witnesses.map((w, i) => [i ? ', ' : '', `${w.name} (${w.verified === true ? t('cosignature checked') : w.verified === false ? t('cosignature DOES NOT match') : t('no key for it here: not checked')})`]))
      : h('p', {}, t('No independent witness has cosigned this checkpoint yet. A witness would confirm that everyone is shown the same log.')),
    h('h2', {}, t('3. The whole log, recomputed')), steps);

  const stepItem = (cls, text) => {
    const li = h('li', { class: cls }, text);
    steps.append(li);
    return li;
  };
  let allOk = cc.ok;
  if (cc.ok) {
    if (cc.cp.size > WHOLE_LOG_MAX) {
      stepItem('skip', t('The log has {n} entries, too many to recompute in a browser; the lot below is checked with inclusion proofs instead.', { n: int(cc.cp.size) }));
    } else {
      const li = stepItem('pending', t('Reading and hashing all {n} entries…', { n: int(cc.cp.size) }));
      const res = await checkWholeLog(cc.reader, cc.cp, (done, total) => { li.textContent = t('Reading and hashing entries: {done} of {total}…', { done: int(done), total: int(total) }); });
      if (res.ok) {
        li.className = 'ok';
        li.textContent = t('All {n} entries were read from the log\'s entry bundles and hashed; the log\'s hash tiles ({tiles} read) agree with them, and together they give exactly the signed root hash {root}…', { n: int(res.entries), tiles: int(res.tiles), root: b64encode(cc.cp.root).slice(0, 12) });
        li.dataset.ok = 'true';
      } else {
        allOk = false;
        li.className = 'bad';
        li.dataset.ok = 'false';
        li.textContent = t('MISMATCH: {reason}. The data this server serves is not the log that was signed.', { reason: res.reason });
        raiseAlarm(`Recomputing the log: ${res.reason}.`);
      }
    }
  } else {
    stepItem('bad', t('Not possible: {reason}.', { reason: cc.reason }));
  }

  // 4. A lot.
  page.append(h('h2', {}, t('4. A lot, entry by entry')));
  if (chosenLot) {
    const form = h('form', { class: 'row' },
      h('label', { for: 'lot-choice' }, t('Lot')),
      h('select', { id: 'lot-choice', name: 'lot' }, lotIds.map((id) => h('option', { value: id, selected: id === chosenLot ? true : null }, id))),
      h('button', { type: 'submit' }, t('Check this lot')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      location.hash = `#/verify?lot=${encodeURIComponent(form.querySelector('select').value)}`;
    });
    page.append(form);
    const trace = await api.lot(chosenLot).catch(() => null);
    if (trace) {
      const panelDone = new Promise((resolve) => {
        page.append(entriesPanel({
          title: t('Lot {id}: {entries}', { id: chosenLot, entries: tn((trace.ancestry || []).length, '{n} entry', '{n} entries') }),
          intro: t('Each entry that made this lot or its ancestors is read from the tiles, hashed, and proven to be in the signed tree with an inclusion proof (RFC 9162) this page builds from the tiles itself; each event\'s signature is checked against the key its signer registered in the log.'),
          indexes: (trace.ancestry || []).map((a) => a.index),
          expect: new Map((trace.ancestry || []).map((a) => [a.index, { id: a.id, type: a.type }])),
          onResults: resolve,
        }));
      });
      const results = await panelDone;
      if (results.some((r) => !r.ok)) allOk = false;
    }
  } else {
    page.append(h('p', {}, t('The ledger has no lots yet.')));
  }

  // 5. Disclosed contract texts against their commitments.
  page.append(h('h2', {}, t('5. Disclosed contract texts')));
  const contracts = await api.contracts().catch(() => ({ items: [] }));
  let disclosures = 0;
  for (const rec of contracts.items) {
    if (!disclosuresOf(rec).length) continue;
    const c = await api.contract(rec.contract).catch(() => null);
    if (!c) continue;
    const signedDay = (c.fields && c.fields.signed) || (c.time || '').slice(0, 10);
    for (const d of disclosuresOf(c)) {
      disclosures++;
      const box = h('div', { class: 'status pending', 'data-check': 'disclosure', 'data-ok': 'pending' }, h('p', {}, t('Checking…')));
      page.append(h('h3', {}, ...tx('{contract}: the {field}', { contract: contractLink(c.contract), field: fieldLabel(d.field) })), box);
      try {
        await verifyDisclosure(c, d, signedDay, (c.time || '').slice(0, 10), box, h('div', {}));
      } catch (e) {
        clear(box);
        box.className = 'status bad';
        box.dataset.ok = 'false';
        box.append(h('p', {}, t('Could not be checked: {why}', { why: e.message })));
      }
      if (box.dataset.ok !== 'true') allOk = false;
    }
  }
  if (!disclosures) page.append(h('p', {}, t('No contract text has been disclosed yet.')));

  clear(overall);
  if (allOk) {
    overall.className = 'status ok';
    overall.dataset.ok = 'true';
    overall.append(h('h2', {}, t('\u2713 Everything checked matches the signed log')),
      h('p', {}, t('Checked in your browser against the key {key}. The data this server shows comes from the log that {signer} signed.', { key: cc.key.text, signer: cc.key.name })));
  } else {
    overall.className = 'status bad';
    overall.dataset.ok = 'false';
    overall.append(h('h2', {}, t('\u2717 VERIFICATION FAILED')),
      h('p', {}, cc.ok ? t('Some of the data this server serves does not match the log that was signed. See the red items below.') : t('The checkpoint could not be verified: {reason}.', { reason: cc.reason })));
  }
}
