// format.js: the ledger's integers in words and units people read.
// Masses are grams, element contents milligrams, assays mg/kg (ppm),
// shares ppm, money minor units with an ISO 4217 code (docs/events.md).
import { h } from './dom.js';
import { bidi, lang, locale, t } from './i18n.js';

// English as before ('en', dates 'en-GB'); Urdu as 'ur-PK' with Western
// digits (i18n.js says why).
const numberLocale = lang === 'en' ? 'en' : locale;
const dateLocale = lang === 'en' ? 'en-GB' : locale;

const formatters = new Map();
// nf(max, min)(x): x with at most `max` and at least `min` decimals.
const nf = (max, min = 0) => {
  const k = `${max}/${min}`;
  if (!formatters.has(k)) formatters.set(k, new Intl.NumberFormat(numberLocale, { maximumFractionDigits: max, minimumFractionDigits: min }));
  const f = formatters.get(k);
  return (x) => f.format(x);
};

// Masses: one unit for every figure that is compared (a column, a table,
// one element's rows), chosen from the largest of them: t from 1 t, kg from
// 1 kg, g below; element content names its element in the unit ("kg Nd",
// "t Cu"). mass(g) alone picks the unit for that one figure.
const GRAMS_PER = { t: 1e6, kg: 1e3, g: 1 };
export function massUnit(grams) {
  let largest = 0;
  for (const g of grams) {
    const a = Math.abs(Number(g));
    if (g !== null && g !== undefined && Number.isFinite(a) && a > largest) largest = a;
  }
  return largest >= 1e6 ? 't' : largest >= 1e3 ? 'kg' : 'g';
}

// mass(grams, { unit, element }): "1,234.5 t", "56.78 kg Nd".
export function mass(g, opts = {}) {
  if (g === null || g === undefined || !Number.isFinite(Number(g))) return '–';
  g = Number(g);
  const unit = GRAMS_PER[opts.unit] ? opts.unit : massUnit([g]);
  const x = g / GRAMS_PER[unit];
  // Three decimals (none in grams), more when a figure that is not zero
  // would be written as 0.
  let digits = unit === 'g' ? 0 : 3;
  while (x !== 0 && digits < 6 && Math.abs(x) < 0.5 * 10 ** -digits) digits++;
  return bidi(`${nf(digits)(x)} ${unit}${opts.element ? ` ${opts.element}` : ''}`);
}
export const massMg = (mg, opts) => mass(mg === null || mg === undefined ? mg : Number(mg) / 1000, opts);

// One unit per group of rows (per element, per material): returns
// key => unit for the rows' masses in grams, grouped by key(row).
export function massUnits(rows, key, grams) {
  const groups = new Map();
  for (const r of rows) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(grams(r));
  }
  const units = new Map([...groups].map(([k, list]) => [k, massUnit(list)]));
  return (k) => units.get(k) || 'g';
}

// A table cell for rows' masses in grams (grams(row)), in one unit per
// column (massUnit), or one per group: by(row) (a material, say) or, given
// element(row), per element with the element named in the unit ("kg Nd").
// grams may be a list of functions: columns that share their units.
export function massCell(rows, grams, { by, element } = {}) {
  const key = by || element || (() => '');
  const all = [grams].flat();
  const unit = massUnits(rows.flatMap((r) => all.map((g) => [key(r), g(r)])), (p) => p[0], (p) => p[1]);
  return (r, g = all[0]) => mass(g(r), { unit: unit(key(r)), element: element ? element(r) : null });
}
// The grams of a row of element content ({ mg } or { grams }).
export const contentGrams = (r) => (r.mg !== undefined && r.mg !== null ? Number(r.mg) / 1000 : r.grams);

export function percent(ppm, digits = 2) {
  if (ppm === null || ppm === undefined) return '–';
  return bidi(`${nf(digits, digits)(Number(ppm) / 1e4)} %`);
}

export function signedPercent(x, digits = 2) {
  const s = nf(digits, digits)(x);
  return bidi((x > 0 ? '+' : '') + s + ' %');
}

// ISO 4217 minor units (as the CLI's cli_fmt_money): not CLDR's, which
// rounds some currencies (PKR among them) to whole units for cash.
const ZERO_DIGITS = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DIGITS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
export function minorDigits(currency) {
  return ZERO_DIGITS.has(currency) ? 0 : THREE_DIGITS.has(currency) ? 3 : 2;
}

export function money(v) {
  if (!v || typeof v !== 'object' || v.commit) return v && v.commit ? t('withheld (committed)') : '–';
  const { amount, currency } = v;
  const d = minorDigits(currency);
  const n = Number(amount);
  if (!Number.isSafeInteger(n)) return `${amount} (minor units of ${currency})`;
  return bidi(`${nf(d, d)(n / 10 ** d)} ${currency}`);
}

let regionNames = null;
export function country(code) {
  if (!code) return '–';
  try {
    regionNames = regionNames || new Intl.DisplayNames([numberLocale], { type: 'region' });
    const name = regionNames.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}
export function countryName(code) {
  try {
    regionNames = regionNames || new Intl.DisplayNames([numberLocale], { type: 'region' });
    return regionNames.of(code) || code;
  } catch {
    return code;
  }
}

const ELEMENTS = {
  Nd: 'neodymium', Pr: 'praseodymium', Dy: 'dysprosium', Tb: 'terbium', La: 'lanthanum',
  Ce: 'cerium', Sm: 'samarium', Gd: 'gadolinium', Y: 'yttrium', Sc: 'scandium', Eu: 'europium',
  Cu: 'copper', Sb: 'antimony', Co: 'cobalt', Li: 'lithium', Ni: 'nickel', Mn: 'manganese',
  Au: 'gold', Ag: 'silver', Zn: 'zinc', Pb: 'lead', W: 'tungsten', Sn: 'tin', Ta: 'tantalum',
  Nb: 'niobium', Ga: 'gallium', Ge: 'germanium', Fe: 'iron', Al: 'aluminium', Cr: 'chromium',
  Mo: 'molybdenum', Pt: 'platinum', Pd: 'palladium', U: 'uranium', Th: 'thorium', Ti: 'titanium',
  V: 'vanadium', Bi: 'bismuth', In: 'indium', Te: 'tellurium', TREO: 'total rare-earth oxides',
};
// The same in Urdu (the names Urdu chemistry texts use; the common metals
// by their everyday words).
const ELEMENTS_UR = {
  Nd: 'نیوڈیمیم', Pr: 'پراسیوڈیمیم', Dy: 'ڈسپروسیم', Tb: 'ٹربیم', La: 'لینتھینم',
  Ce: 'سیریم', Sm: 'سماریم', Gd: 'گیڈولینیم', Y: 'اٹریم', Sc: 'اسکینڈیم', Eu: 'یوروپیم',
  Cu: 'تانبا', Sb: 'اینٹیمنی', Co: 'کوبالٹ', Li: 'لیتھیم', Ni: 'نکل', Mn: 'مینگنیز',
  Au: 'سونا', Ag: 'چاندی', Zn: 'جست', Pb: 'سیسہ', W: 'ٹنگسٹن', Sn: 'قلعی', Ta: 'ٹینٹلم',
  Nb: 'نائوبیم', Ga: 'گیلیم', Ge: 'جرمینیم', Fe: 'لوہا', Al: 'ایلومینیم', Cr: 'کرومیم',
  Mo: 'مولبڈینم', Pt: 'پلاٹینم', Pd: 'پیلیڈیم', U: 'یورینیم', Th: 'تھوریم', Ti: 'ٹائٹینیم',
  V: 'وینیڈیم', Bi: 'بسمتھ', In: 'انڈیم', Te: 'ٹیلوریم', TREO: 'نایاب زمینی آکسائیڈ، کل',
};
export function element(sym) {
  if (lang === 'ur' && ELEMENTS_UR[sym]) return `${ELEMENTS_UR[sym]} (${sym})`;
  const n = ELEMENTS[sym];
  return n ? `${n[0].toUpperCase()}${n.slice(1)} (${sym})` : sym;
}

// HS codes seen in the trade of these minerals (FACTS.md).
const HS = {
  '2846.10': 'cerium compounds', '2846.90': 'rare-earth compounds (other than cerium)',
  '2805.30': 'rare-earth metals, scandium and yttrium', '2603.00': 'copper ores and concentrates',
  '2617.10': 'antimony ores and concentrates', '2825.80': 'antimony oxides',
  '8110.10': 'unwrought antimony; powders', '8505.11': 'permanent magnets of metal',
};
export function hs(code) {
  return HS[code] ? `${code} ${HS[code]}` : code;
}

const dateFmt = new Intl.DateTimeFormat(dateLocale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const timeFmt = new Intl.DateTimeFormat(dateLocale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
export function date(t) {
  if (!t) return '–';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : dateFmt.format(d);
}
export function dateTime(t) {
  if (!t) return '–';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : timeFmt.format(d);
}
// A <time> element, readable and machine-readable.
export function time(t, withTime = false) {
  return t ? h('time', { datetime: t, title: t }, withTime ? dateTime(t) : date(t)) : '–';
}

export function daysBetween(a, b) {
  return Math.floor((new Date(b).getTime() - new Date(a).getTime()) / 86400000);
}

let relative = null;
export function age(when, now = Date.now()) {
  const s = Math.max(0, Math.round((now - new Date(when).getTime()) / 1000));
  if (lang !== 'en') {
    relative = relative || new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
    if (s < 90) return relative.format(-s, 'second');
    if (s < 5400) return relative.format(-Math.round(s / 60), 'minute');
    if (s < 129600) return relative.format(-Math.round(s / 3600), 'hour');
    return relative.format(-Math.round(s / 86400), 'day');
  }
  if (s < 90) return `${s} seconds ago`;
  if (s < 5400) return `${Math.round(s / 60)} minutes ago`;
  if (s < 129600) return `${Math.round(s / 3600)} hours ago`;
  return `${nf(0)(Math.round(s / 86400))} days ago`;
}

export const int = (n) => nf(0)(Number(n));

// The words are translated when i18n.js has them.
export function plural(n, one, many) {
  return `${int(n)} ${t(n === 1 ? one : many || one + 's')}`;
}

export const shortHash = (s, n = 12) => (s && s.length > n ? s.slice(0, n) + '…' : s);
