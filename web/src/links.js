// links.js: the dashboard's linkable URLs (hash routes, so that the server
// only has to serve "/": #/lots/<id>, #/consignments/<id>, #/contracts/<id>).
import { h } from './dom.js';

const enc = encodeURIComponent;
export const hrefLot = (id) => `#/lots/${enc(id)}`;
export const hrefConsignment = (id) => `#/consignments/${enc(id)}`;
export const hrefContract = (id) => `#/contracts/${enc(id)}`;
export const hrefFlows = (el) => `#/flows${el ? `?element=${enc(el)}` : ''}`;

// dir="ltr": an id reads left to right inside Urdu text, isolated from it.
export const lotLink = (id) => h('a', { href: hrefLot(id), dir: 'ltr' }, id);
export const consignmentLink = (id) => h('a', { href: hrefConsignment(id), dir: 'ltr' }, id);
export const contractLink = (id) => h('a', { href: hrefContract(id), dir: 'ltr' }, id);
