// links.js: the dashboard's linkable URLs (hash routes, so that the server
// only has to serve "/": #/lots/<id>, #/consignments/<id>, #/contracts/<id>),
// and the links that show what they name by its name: an actor's `name`, a
// site's `name` (else its operator or supplier), a contract's title, taken
// from the replayed state (the API's lists where the replay could not run),
// with the id on hover (`title`). Lots and consignments have no names: their
// links show the id.
import { h } from './dom.js';
import { api } from './api.js';
import { replayedState } from './replayed.js';

const enc = encodeURIComponent;
export const hrefLot = (id) => `#/lots/${enc(id)}`;
export const hrefConsignment = (id) => `#/consignments/${enc(id)}`;
export const hrefContract = (id) => `#/contracts/${enc(id)}`;
export const hrefSite = (id) => `#/sites/${enc(id)}`;
export const hrefActor = (id) => `#/actors/${enc(id)}`;
export const hrefFlows = (el) => `#/flows${el ? `?element=${enc(el)}` : ''}`;

const NAME_OF = {
  actor: (r) => r.name,
  site: (r) => r.name || r.operator || r.supplier,
  contract: (r) => r.fields && r.fields.title,
};
const KEY = { actor: 'actor', site: 'site', contract: 'contract' };

async function loadNames() {
  const rs = await replayedState();
  const out = {};
  if (rs.ok) {
    for (const [kind, plural] of [['actor', 'actors'], ['site', 'sites'], ['contract', 'contracts']]) {
      out[kind] = new Map(Object.entries(rs.state[plural] || {}).map(([id, r]) => [id, NAME_OF[kind](r)]));
    }
    return out;
  }
  const lists = await Promise.all([api.actors(), api.sites(), api.contracts()].map((p) => p.catch(() => ({ items: [] }))));
  ['actor', 'site', 'contract'].forEach((kind, i) => {
    out[kind] = new Map(lists[i].items.map((r) => [r[KEY[kind]], NAME_OF[kind](r)]));
  });
  return out;
}

let names = null;
// Resolves to { actor, site, contract }: Map id => name (or undefined).
export function registryNames() {
  if (!names) names = loadNames().catch(() => ({}));
  return names;
}

// The name of `id` (kind: actor, site, contract), or the id itself.
export async function nameOf(kind, id) {
  const n = await registryNames();
  return (n[kind] && n[kind].get(id)) || id;
}

// A link to `href` reading the name of `id` once the names are known (the
// id until then, and where there is no name), the id in its title.
function namedLink(kind, id, href) {
  const a = h('a', { href, title: id, 'data-id': id, 'data-kind': kind, dir: 'auto' }, id);
  nameOf(kind, id).then((name) => { if (name !== id) a.textContent = name; });
  return a;
}

// dir="ltr": an id reads left to right inside Urdu text, isolated from it;
// a name takes its own direction (dir="auto").
const idLink = (kind, id, href) => h('a', { href, title: id, 'data-id': id, 'data-kind': kind, dir: 'ltr' }, id);
const orDash = (f) => (id) => (id ? f(id) : '\u2014');

export const lotLink = orDash((id) => idLink('lot', id, hrefLot(id)));
export const consignmentLink = orDash((id) => idLink('consignment', id, hrefConsignment(id)));
export const contractLink = orDash((id) => namedLink('contract', id, hrefContract(id)));
export const siteLink = orDash((id) => namedLink('site', id, hrefSite(id)));
export const actorLink = orDash((id) => namedLink('actor', id, hrefActor(id)));
