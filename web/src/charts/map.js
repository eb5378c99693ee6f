// map.js: an offline map of a country with points on it, drawn as SVG from
// Natural Earth's 1:110m country outlines (npm world-atlas, public domain
// data) without any tile server. Equirectangular: x = longitude, y = minus
// latitude, in degrees; the view is the country's bounding box with a
// margin, so its neighbours show around it.
import { feature } from 'topojson-client';
import countries110m from 'world-atlas/countries-110m.json';
import isoCountries from 'i18n-iso-countries';
import { svg } from '../dom.js';

let shapes = null;
function countryShapes() {
  if (!shapes) shapes = feature(countries110m, countries110m.objects.countries).features;
  return shapes;
}

// The polygons of a GeoJSON geometry as lists of rings.
const polygonsOf = (g) => (g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : []);

function pathOf(geometry) {
  let d = '';
  for (const poly of polygonsOf(geometry)) {
    for (const ring of poly) {
      ring.forEach(([lon, lat], i) => { d += `${i ? 'L' : 'M'}${lon.toFixed(2)},${(-lat).toFixed(2)}`; });
      d += 'Z';
    }
  }
  return d;
}

// The outline of the country with ISO 3166-1 alpha-2 code `code`, or null.
export function countryShape(code) {
  const numeric = code ? isoCountries.alpha2ToNumeric(code) : null;
  return numeric ? countryShapes().find((f) => f.id === numeric) || null : null;
}

// [minLon, minLat, maxLon, maxLat] of a geometry's outer rings.
function bounds(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of polygonsOf(geometry)) {
    for (const [lon, lat] of poly[0]) {
      b[0] = Math.min(b[0], lon); b[1] = Math.min(b[1], lat);
      b[2] = Math.max(b[2], lon); b[3] = Math.max(b[3], lat);
    }
  }
  return b;
}

// A map of country `code` with `points` [{ lon, lat, label }] on it.
// Returns an <svg> (role img, labelled), or null when the country has no
// outline in the data and there is no point to show.
export function countryMap(code, points = [], label = '') {
  const shape = countryShape(code);
  let b = shape ? bounds(shape.geometry) : null;
  for (const p of points) {
    if (!b) b = [p.lon, p.lat, p.lon, p.lat];
    b = [Math.min(b[0], p.lon), Math.min(b[1], p.lat), Math.max(b[2], p.lon), Math.max(b[3], p.lat)];
  }
  if (!b) return null;
  // A country across the antimeridian (its box wider than half the world)
  // is shown on the whole map.
  if (b[2] - b[0] > 180) b = [-180, -60, 180, 85];
  const span = Math.max(b[2] - b[0], b[3] - b[1], 8);
  const pad = span * 0.35;
  const cx = (b[0] + b[2]) / 2;
  const cy = (b[1] + b[3]) / 2;
  const w = span + 2 * pad;
  const hgt = w * 0.75;
  const vb = [cx - w / 2, -cy - hgt / 2, w, hgt];
  const stroke = (w / 400).toFixed(3);
  const r = (w / 90).toFixed(3);
  return svg('svg', { class: 'map', viewBox: vb.map((v) => v.toFixed(2)).join(' '), role: 'img', 'aria-label': label || 'Map', preserveAspectRatio: 'xMidYMid meet' },
    svg('rect', { x: vb[0], y: vb[1], width: vb[2], height: vb[3], class: 'sea' }),
    countryShapes().map((f) => svg('path', { d: pathOf(f.geometry), class: shape && f.id === shape.id ? 'land here' : 'land', 'stroke-width': stroke })),
    points.map((p) => svg('g', { class: 'point' },
      svg('circle', { cx: p.lon.toFixed(3), cy: (-p.lat).toFixed(3), r }),
      svg('title', {}, p.label || ''))));
}
