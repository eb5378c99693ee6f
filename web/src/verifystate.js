// verifystate.js: the one verification state every route shows (issue 17
// item 3), in the banner #verify-state: "verifying", "verified" (which
// checkpoint: size and root hash prefix; how many entries were replayed;
// how many witness cosignatures were checked) or "failed" (what, where).
// It reads the session's checks (trust.js, replayed.js) and the alarm, so
// a failure found later by a page also turns the state to failed.
import { h, clear } from './dom.js';
import { alarmRaised, checkpointCheck, raiseAlarm } from './trust.js';
import { checkWholeLog } from './verify/tlog.js';
import { replayedState } from './replayed.js';
import { t } from './i18n.js';

// The whole tree recomputed from the entries, once per session: every
// hash tile the server serves must agree with the entries it serves.
let whole = null;
function wholeLog(cc) {
  if (!whole) {
    whole = checkWholeLog(cc.reader, cc.cp).then((r) => {
      if (!r.ok) raiseAlarm(`The log's tiles: ${r.reason}.`);
      return r;
    });
  }
  return whole;
}

function hexPrefix(bytes, n = 8) {
  return [...bytes.slice(0, n / 2)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function show(el, state, text) {
  el.dataset.state = state;
  clear(el);
  el.append(h('strong', {}, state === 'verified' ? t('\u2713 Verified') : state === 'failed' ? t('\u26a0 Verification failed') : t('Verifying\u2026')),
    text ? ' ' + text : '');
}

// Renders the state of the current session into #verify-state; `current`
// tells whether the route that asked is still the one shown.
export async function renderVerifyState(current = () => true) {
  const el = document.getElementById('verify-state');
  if (!el) return;
  show(el, 'verifying', t('checking the signed checkpoint and replaying the log in this browser'));
  const cc = await checkpointCheck();
  if (!current()) return;
  if (!cc.ok) {
    show(el, 'failed', t('the signed checkpoint (/checkpoint): {reason}.', { reason: cc.reason }));
    return;
  }
  const wl = await wholeLog(cc);
  if (!current()) return;
  if (!wl.ok) {
    show(el, 'failed', t('recomputing the tree of checkpoint {size} from its tiles: {reason}.', { size: cc.cp.size, reason: wl.reason }));
    return;
  }
  const rs = await replayedState();
  if (!current()) return;
  if (!rs.ok && !rs.unavailable) {
    show(el, 'failed', t('replaying the log\'s {size} entries (/tile/entries): {reason}.', { size: cc.cp.size, reason: rs.reason }));
    return;
  }
  if (alarmRaised()) {
    show(el, 'failed', t('a check on this site did not match; see the red notice above.'));
    return;
  }
  const wit = cc.result.witnesses;
  const checked = wit.filter((w) => w.verified === true).length;
  const cp = t('checkpoint of {size} entries, root {root}\u2026', { size: cc.cp.size, root: hexPrefix(cc.cp.root) });
  const replay = rs.ok ? t('{n} entries replayed', { n: rs.entries }) : t('not replayed (no WebAssembly engine in this build)');
  const cos = t('{checked} of {total} witness cosignatures checked', { checked, total: wit.length });
  el.dataset.entries = String(rs.ok ? rs.entries : 0);
  el.dataset.size = String(cc.cp.size);
  el.dataset.witnesses = String(checked);
  show(el, 'verified', t('{checkpoint}; {replay}; {cosignatures}.', { checkpoint: cp, replay, cosignatures: cos }));
}

// A failure found after the state was shown (a page's own check) turns it.
window.addEventListener('ot-alarm', () => {
  const el = document.getElementById('verify-state');
  if (el) show(el, 'failed', t('a check on this site did not match; see the red notice above.'));
});
