// zoom.js: an SVG chart that fits its box at first and can then be zoomed
// and panned: the mouse wheel and a two-finger pinch zoom about the pointer,
// dragging pans, and +, − and "Fit" buttons (reached with Tab) do the same
// for keyboard users. The chart's content goes in one <g> whose transform
// is translate(x y) scale(k) in the viewBox's units; the viewBox is the
// content's own size, so at scale 1 the whole chart shows, however narrow
// the screen: nothing is clipped.
import { h, svg } from '../dom.js';
import { t } from '../i18n.js';

const MIN = 1;
const MAX = 8;
const STEP = 1.25;

// width, height: the content's size; content: the SVG children; attrs: the
// <svg> element's own. Returns { element, svg, viewport, zoomBy, reset }.
export function zoomableSvg(width, height, attrs, content) {
  const viewport = svg('g', { class: 'viewport', transform: 'translate(0 0) scale(1)' }, content);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'xMidYMid meet', ...attrs }, viewport);
  const view = { x: 0, y: 0, k: 1 };
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const apply = () => {
    // Keep some of the chart in view: at most the zoomed size less the box.
    view.x = clamp(view.x, width - width * view.k, 0);
    view.y = clamp(view.y, height - height * view.k, 0);
    viewport.setAttribute('transform', `translate(${+view.x.toFixed(2)} ${+view.y.toFixed(2)}) scale(${+view.k.toFixed(4)})`);
    root.dataset.scale = String(+view.k.toFixed(4));
  };
  // Zoom by `factor` about (cx, cy) in viewBox units.
  const zoomBy = (factor, cx = width / 2, cy = height / 2) => {
    const k = clamp(view.k * factor, MIN, MAX);
    view.x = cx - ((cx - view.x) * k) / view.k;
    view.y = cy - ((cy - view.y) * k) / view.k;
    view.k = k;
    apply();
  };
  const reset = () => { view.x = 0; view.y = 0; view.k = 1; apply(); };
  // A client point in viewBox units.
  const local = (clientX, clientY) => {
    const m = root.getScreenCTM();
    if (!m) return { x: width / 2, y: height / 2 };
    const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };

  root.addEventListener('wheel', (e) => {
    e.preventDefault();
    const p = local(e.clientX, e.clientY);
    zoomBy(e.deltaY < 0 ? STEP : 1 / STEP, p.x, p.y);
  }, { passive: false });

  // Pointers down: one drags, two pinch.
  const down = new Map();
  let last = null;
  const spread = () => {
    const [a, b] = [...down.values()];
    return { d: Math.hypot(a.x - b.x, a.y - b.y), cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2 };
  };
  root.addEventListener('pointerdown', (e) => {
    if (e.button !== undefined && e.button !== 0) return;
    down.set(e.pointerId, { x: e.clientX, y: e.clientY });
    last = down.size === 2 ? spread() : { x: e.clientX, y: e.clientY };
    root.classList.add('dragging');
  });
  root.addEventListener('pointermove', (e) => {
    if (!down.has(e.pointerId)) return;
    // Captured once it moves: a click on a box still follows its link, and
    // the click that ends a drag goes to the chart (Pointer Events 3,
    // "implicit release"), not to the box it ends on.
    if (!root.hasPointerCapture(e.pointerId)) root.setPointerCapture(e.pointerId);
    down.set(e.pointerId, { x: e.clientX, y: e.clientY });
    const m = root.getScreenCTM();
    const unit = m ? 1 / m.a : 1;
    if (down.size === 2 && last && last.d) {
      const now = spread();
      const p = local(now.cx, now.cy);
      view.x += (now.cx - last.cx) * unit;
      view.y += (now.cy - last.cy) * unit;
      zoomBy(now.d / last.d, p.x, p.y);
      last = now;
    } else if (down.size === 1 && last) {
      view.x += (e.clientX - last.x) * unit;
      view.y += (e.clientY - last.y) * unit;
      last = { x: e.clientX, y: e.clientY };
      apply();
    }
  });
  const up = (e) => {
    down.delete(e.pointerId);
    last = down.size === 1 ? { ...[...down.values()][0] } : null;
    if (!down.size) root.classList.remove('dragging');
  };
  root.addEventListener('pointerup', up);
  root.addEventListener('pointercancel', up);

  const button = (label, text, onclick, what) => h('button', { type: 'button', class: 'secondary', 'aria-label': label, 'data-zoom': what, onclick }, text);
  const controls = h('div', { class: 'zoom-controls', role: 'group', 'aria-label': 'Zoom the chart' },
    button(t('Zoom in'), '+', () => zoomBy(STEP), 'in'),
    button(t('Zoom out'), '\u2212', () => zoomBy(1 / STEP), 'out'),
    button(t('Fit the whole chart'), t('Fit'), reset, 'reset'));
  apply();
  return { element: h('div', { class: 'zoomable' }, controls, root), svg: root, viewport, zoomBy, reset };
}
