// main.js: the dashboard's router. Routes are URL fragments (#/lots/<id>),
// so every lot, consignment and contract has a link that works wherever the
// server is, and the server only serves "/".
import { h, clear } from './dom.js';
import { api } from './api.js';
import { renderOverview } from './pages/overview.js';
import { renderFlows } from './pages/flows.js';
import { renderConsignments, renderConsignment } from './pages/consignments.js';
import { renderLots, renderLot } from './pages/lots.js';
import { renderContracts, renderContract } from './pages/contracts.js';
import { renderFindings } from './pages/findings.js';
import { renderVerify } from './pages/verify.js';
import { renderCheckpoints, renderEntry } from './pages/entries.js';
import { renderSearch } from './pages/search.js';
import { renderActor, renderSite } from './pages/places.js';
import { renderPayments } from './pages/payments.js';
import { renderTimeline } from './pages/timeline.js';
import { installCertificateDrop, renderCertificate } from './pages/certificate.js';
import { renderVerifyState } from './verifystate.js';
import { installLanguage, t, tx } from './i18n.js';

const ROUTES = [
  [/^\/?$/, 'overview', () => renderOverview],
  [/^\/flows$/, 'flows', () => renderFlows],
  [/^\/consignments$/, 'consignments', () => renderConsignments],
  [/^\/consignments\/(.+)$/, 'consignments', () => renderConsignment],
  [/^\/lots$/, 'lots', () => renderLots],
  [/^\/lots\/(.+)$/, 'lots', () => renderLot],
  [/^\/contracts$/, 'contracts', () => renderContracts],
  [/^\/contracts\/(.+)$/, 'contracts', () => renderContract],
  [/^\/findings$/, 'findings', () => renderFindings],
  [/^\/verify$/, 'verify', () => renderVerify],
  [/^\/entries\/(.+)$/, 'verify', () => renderEntry],
  [/^\/checkpoints$/, 'verify', () => renderCheckpoints],
  [/^\/search$/, 'search', () => renderSearch],
  [/^\/payments$/, 'payments', () => renderPayments],
  [/^\/timeline$/, 'timeline', () => renderTimeline],
  [/^\/sites\/(.+)$/, 'search', () => renderSite],
  [/^\/actors\/(.+)$/, 'search', () => renderActor],
  [/^\/certificate$/, 'certificate', () => renderCertificate],
];

let generation = 0;
const SITE_TITLE = 'oretrail';

function parseHash() {
  const raw = location.hash.startsWith('#') ? location.hash.slice(1) : '';
  const [path, query] = raw.split('?');
  return { path: path || '/', params: new URLSearchParams(query || '') };
}

async function route() {
  const raw = location.hash;
  // In-page anchors (the skip link, #main) are not routes.
  if (raw && !raw.startsWith('#/')) return;
  const { path, params } = parseHash();
  const main = document.getElementById('main');
  const gen = ++generation;
  let nav = null;
  let render = null;
  let arg = null;
  for (const [re, name, fn] of ROUTES) {
    const m = re.exec(path);
    if (m) {
      nav = name;
      render = fn();
      arg = m[1] !== undefined ? decodeURIComponent(m[1]) : null;
      break;
    }
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  clear(main);
  main.setAttribute('aria-busy', 'true');
  delete main.dataset.route;
  main.append(h('p', { class: 'loading' }, t('Loading…')));
  // Each page renders into a fresh container; a newer navigation wins.
  const page = h('div', { class: 'page' });
  const ctx = {
    params,
    setTitle: (title) => { document.title = (document.title.startsWith('\u26a0') ? `\u26a0 ${t('FAILED:')} ` : '') + `${title} \u2013 ${SITE_TITLE}`; },
    current: () => gen === generation,
  };
  try {
    if (!render) {
      ctx.setTitle(t('Not found'));
      page.append(h('h1', {}, t('No such page')), h('p', {}, ...tx('This address is not a page of the dashboard. {link}.', { link: h('a', { href: '#/' }, t('Go to the overview')) })));
    } else {
      await render(page, arg, ctx);
    }
  } catch (e) {
    page.append(errorBox(e));
  }
  if (gen !== generation) return;
  clear(main);
  main.append(page);
  main.removeAttribute('aria-busy');
  main.dataset.route = raw || '#/'; // for tests: this route has rendered
  if (ctx.afterMount) ctx.afterMount();
  renderVerifyState(ctx.current);
  // Move focus to the new content for keyboard and screen-reader users,
  // but not on the first load.
  if (route.loaded) main.focus({ preventScroll: false });
  route.loaded = true;
  window.scrollTo(0, 0);
}

export function errorBox(e) {
  const notFound = e && e.status === 404;
  return h('section', { class: 'error-page' },
    h('h1', {}, notFound ? t('Not in this ledger') : t('This page could not be loaded')),
    h('p', {}, notFound ? t('The ledger has no such record: {what}.', { what: e.message }) : t('The server\'s answer: {what}', { what: e && e.message ? e.message : e })),
    h('p', {}, h('a', { href: '#/' }, t('Back to the overview'))));
}

function start() {
  installLanguage(h);
  const skip = document.querySelector('[data-skip]');
  if (skip) {
    skip.addEventListener('click', (ev) => {
      ev.preventDefault();
      document.getElementById('main').focus();
    });
  }
  api.checkpoint().then((cp) => {
    const o = document.getElementById('origin');
    if (o && cp && cp.origin) o.textContent = cp.origin;
  }).catch(() => {});
  installCertificateDrop();
  window.addEventListener('hashchange', route);
  route();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
