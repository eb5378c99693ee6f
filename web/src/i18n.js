// i18n.js: the dashboard in English and Urdu (issue 17 item 6).
//
// The English text is the key: t('Lots') is "Lots" in English and its
// entry in UR in Urdu, so a page reads as before and a string nobody has
// translated yet stays English rather than empty. Placeholders are
// {name}: t('{n} entries replayed', { n }) ; tn() picks the singular or
// plural English key by the count; tx() returns text and nodes (links,
// codes) for h(), so a sentence keeps its word order in either language.
// tests/web/dashboard_i18n.test.mjs reads every t/tn/tx call with a
// literal key in web/src and fails when UR lacks it or drops a
// placeholder.
//
// The language is chosen once per page load: ?lang=ur (or en) in the
// address, which is also remembered in localStorage, else what was
// remembered, else Urdu when the browser asks for it first, else English.
// The switch in the header links to ?lang=... with the current route, so
// switching reloads the page in the other language.
//
// Numbers and dates go through Intl with 'ur-PK' and Western digits
// (-u-nu-latn), which is CLDR's default for Urdu in Pakistan and what its
// press and government print; the figures then read the same as the ids,
// hashes, the JSON API, the CLI and a downloaded CSV. Ids, codes and
// hashes are isolated left to right inside Urdu text (style.css; bidi()).

const STORE = 'oretrail.lang';

export const LANGUAGES = {
  en: { name: 'English', dir: 'ltr', intl: 'en-GB' },
  ur: { name: 'اردو', dir: 'rtl', intl: 'ur-PK-u-nu-latn' },
};

function storage() {
  try { return window.localStorage; } catch { return null; }
}

function choose() {
  let asked = null;
  try { asked = new URLSearchParams(window.location.search).get('lang'); } catch { /* no window: tests in node */ }
  const s = typeof window === 'undefined' ? null : storage();
  if (asked && LANGUAGES[asked]) {
    if (s) s.setItem(STORE, asked);
    return asked;
  }
  const kept = s ? s.getItem(STORE) : null;
  if (kept && LANGUAGES[kept]) return kept;
  const wants = typeof navigator !== 'undefined' && navigator.languages ? navigator.languages : [];
  return wants.length && /^ur\b/i.test(wants[0]) ? 'ur' : 'en';
}

export const lang = choose();
export const dir = LANGUAGES[lang].dir;
// The locale for Intl (numbers, dates, country names, relative times).
export const locale = LANGUAGES[lang].intl;
export const rtl = dir === 'rtl';

const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const fill = (s, params) => (params
  ? s.replace(/\{(\w+)\}/g, (m, k) => (k in params && params[k] !== null && params[k] !== undefined ? String(params[k]) : m))
  : s);

// The text for an English key in the page's language, placeholders filled.
export function t(key, params) {
  return fill(lang === 'ur' && Object.hasOwn(UR, key) ? UR[key] : key, params);
}

// t() of the singular key when n is 1, else of the plural one; {n} is n
// written as a number of the page's language.
export function tn(n, one, many, params) {
  return t(Number(n) === 1 ? one : many, { n: numbers.format(Number(n)), ...params });
}

// t() whose placeholders may be nodes: an array of strings and nodes, for
// h() or add().
export function tx(key, params) {
  const s = lang === 'ur' && Object.hasOwn(UR, key) ? UR[key] : key;
  const out = [];
  let last = 0;
  for (const m of s.matchAll(/\{(\w+)\}/g)) {
    if (!(m[1] in params)) continue;
    out.push(s.slice(last, m.index), params[m[1]]);
    last = m.index + m[0].length;
  }
  out.push(s.slice(last));
  return out.filter((x) => x !== '' && x !== null && x !== undefined);
}

// Text that must read left to right whatever surrounds it (a quantity with
// its unit, a percentage): wrapped in Unicode isolates in Urdu only
// (csv.js drops them again).
export const bidi = (s) => (rtl ? `\u2066${s}\u2069` : s);

// --- the page's chrome ----------------------------------------------------

// The link to this page in another language, keeping the route.
const hrefIn = (code) => `?lang=${code}${window.location.hash}`;

// Sets <html lang dir>, translates the header, navigation and footer of
// index.html, and adds the language switch. Called once by main.js.
export function installLanguage(make) {
  const root = document.documentElement;
  root.lang = lang;
  root.dir = dir;
  for (const a of document.querySelectorAll('[data-nav], [data-skip]')) a.textContent = t(a.textContent.trim());
  const nav = document.querySelector('nav[aria-label="Main"]');
  if (nav) nav.setAttribute('aria-label', t('Main'));
  const footer = document.querySelector('.site-footer');
  if (footer && lang !== 'en') {
    footer.replaceChildren(
      make('p', {}, ...tx('Every figure on these pages comes from a public, append-only log of signed events. Nothing here needs to be taken on trust: the {verify} page checks the log\'s signature and proofs in your own browser. A provenance certificate file can be dropped on any page to {check}.', {
        verify: make('a', { href: '#/verify' }, t('Verify')),
        check: make('a', { href: '#/certificate' }, t('check it')),
      })),
      make('p', {}, t('Raw data:'), ' ', make('a', { href: 'checkpoint' }, t('signed checkpoint')), ' · ',
        make('a', { href: 'api/' }, t('JSON API')), ' · ', make('a', { href: 'licenses.txt' }, t('software licences'))));
  }
  const header = document.querySelector('.site-header');
  if (!header) return;
  const links = Object.entries(LANGUAGES).map(([code, l]) => make('li', {},
    make('a', {
      href: hrefIn(code), lang: code, hreflang: code, dir: l.dir, 'data-lang': code,
      'aria-current': code === lang ? 'true' : null,
    }, l.name)));
  const sw = make('nav', { class: 'lang-switch', 'aria-label': t('Language') }, make('ul', {}, links));
  const brand = header.querySelector('.brand');
  if (brand) brand.after(sw);
  else header.prepend(sw);
  // The links carry the route, which changes without a reload.
  window.addEventListener('hashchange', () => {
    for (const a of sw.querySelectorAll('a[data-lang]')) a.setAttribute('href', hrefIn(a.dataset.lang));
  });
}

// --- Urdu -------------------------------------------------------------------

// Short and plain; the numbers in keys ({n}) keep their place in the
// Urdu word order. Keys are the English text exactly as the pages write it.
export const UR = {
  "Overview": "جائزہ",
  "Flows": "بہاؤ",
  "Consignments": "کھیپیں",
  "Lots": "لاٹ",
  "Contracts": "معاہدے",
  "Payments": "ادائیگیاں",
  "Findings": "نتائج",
  "Verify": "تصدیق",
  "Check a certificate": "سرٹیفکیٹ جانچیں",
  "Search": "تلاش",
  "Skip to the content": "مواد پر جائیں",
  "Main": "مرکزی",
  "Language": "زبان",
  "check it": "اسے جانچیں",
  "Raw data:": "خام ڈیٹا:",
  "signed checkpoint": "دستخط شدہ چیک پوائنٹ",
  "JSON API": "JSON API",
  "software licences": "سافٹ ویئر لائسنس",
  "Every figure on these pages comes from a public, append-only log of signed events. Nothing here needs to be taken on trust: the {verify} page checks the log's signature and proofs in your own browser. A provenance certificate file can be dropped on any page to {check}.": "ان صفحات کا ہر عدد دستخط شدہ واقعات کے ایک عوامی لاگ سے آتا ہے جس میں صرف اضافہ ہو سکتا ہے۔ یہاں کسی بات پر بھروسا کرنے کی ضرورت نہیں: {verify} کا صفحہ لاگ کے دستخط اور ثبوت آپ کے اپنے براؤزر میں جانچتا ہے۔ ماخذ کے سرٹیفکیٹ کی فائل کسی بھی صفحے پر چھوڑیں تاکہ {check}۔",
  "Loading…": "لوڈ ہو رہا ہے…",
  "FAILED:": "ناکام:",
  "Not found": "نہیں ملا",
  "No such page": "ایسا کوئی صفحہ نہیں",
  "This address is not a page of the dashboard. {link}.": "یہ پتا ڈیش بورڈ کا کوئی صفحہ نہیں۔ {link}۔",
  "Go to the overview": "جائزے پر جائیں",
  "Not in this ledger": "اس لیجر میں نہیں",
  "This page could not be loaded": "یہ صفحہ لوڈ نہیں ہو سکا",
  "The ledger has no such record: {what}.": "لیجر میں ایسا کوئی ریکارڈ نہیں: {what}۔",
  "The server's answer: {what}": "سرور کا جواب: {what}",
  "Back to the overview": "واپس جائزے پر",
  "Nothing recorded yet.": "ابھی کچھ درج نہیں۔",
  "table": "جدول",
  "this table": "یہ جدول",
  "Download CSV": "CSV ڈاؤن لوڈ کریں",
  "Zoom in": "بڑا کر کے دیکھیں",
  "Zoom out": "چھوٹا کر کے دیکھیں",
  "Fit the whole chart": "پورا چارٹ دکھائیں",
  "Fit": "پورا چارٹ",
  "Download CSV: {what}": "CSV ڈاؤن لوڈ کریں: {what}",
  "withheld (committed)": "روکا گیا (کمٹمنٹ درج)",
  "✓ Verified": "✓ تصدیق شدہ",
  "⚠ Verification failed": "⚠ تصدیق ناکام",
  "Verifying…": "تصدیق جاری ہے…",
  "checking the signed checkpoint and replaying the log in this browser": "اس براؤزر میں دستخط شدہ چیک پوائنٹ کی جانچ اور لاگ کو دوبارہ چلایا جا رہا ہے",
  "the signed checkpoint (/checkpoint): {reason}.": "دستخط شدہ چیک پوائنٹ (/checkpoint): {reason}۔",
  "recomputing the tree of checkpoint {size} from its tiles: {reason}.": "چیک پوائنٹ {size} کے درخت کا اس کی ٹائلوں سے دوبارہ حساب: {reason}۔",
  "replaying the log's {size} entries (/tile/entries): {reason}.": "لاگ کے {size} اندراجات (/tile/entries) دوبارہ چلانے میں: {reason}۔",
  "a check on this site did not match; see the red notice above.": "اس سائٹ کی ایک جانچ مطابقت نہیں رکھتی؛ اوپر سرخ اطلاع دیکھیں۔",
  "checkpoint of {size} entries, root {root}…": "{size} اندراجات کا چیک پوائنٹ، روٹ \u2066{root}…\u2069",
  "{n} entries replayed": "{n} اندراجات دوبارہ چلائے گئے",
  "not replayed (no WebAssembly engine in this build)": "دوبارہ نہیں چلایا گیا (اس بلڈ میں WebAssembly انجن نہیں)",
  "{checked} of {total} witness cosignatures checked": "گواہوں کے {total} میں سے {checked} مشترکہ دستخط جانچے گئے",
  "{checkpoint}; {replay}; {cosignatures}.": "{checkpoint}؛ {replay}؛ {cosignatures}۔",
  "⚠ Verification failed: this ledger does not match its signed record": "⚠ تصدیق ناکام: یہ لیجر اپنے دستخط شدہ ریکارڈ سے مطابقت نہیں رکھتا",
  "and {n} more mismatches": "اور {n} مزید عدم مطابقتیں",
  "Do not rely on the figures on this site until this is explained. {link}.": "جب تک اس کی وضاحت نہ ہو، اس سائٹ کے اعداد پر بھروسا نہ کریں۔ {link}۔",
  "See what was checked": "دیکھیں کیا جانچا گیا",
  "the key you entered on the Verify page (kept in this browser)": "وہ کلید جو آپ نے تصدیق کے صفحے پر درج کی (اسی براؤزر میں محفوظ)",
  "the key this server publishes for its log (api/checkpoint)": "وہ کلید جو یہ سرور اپنے لاگ کے لیے شائع کرتا ہے (api/checkpoint)",
  "the key this server lists for {name}, the ledger's authority (api/actors/{name})": "وہ کلید جو یہ سرور لیجر کی اتھارٹی {name} کے لیے دکھاتا ہے (api/actors/{name})",
  "Checked against the key {key}: {where}.": "کلید {key} سے جانچا گیا: {where}۔",
  "A key served by this site is only as trustworthy as the site: compare it with the key the ledger's authority publishes elsewhere, or {link}.": "اس سائٹ کی دی ہوئی کلید اتنی ہی قابلِ اعتماد ہے جتنی خود سائٹ: اسے لیجر کی اتھارٹی کی کہیں اور شائع کردہ کلید سے ملائیں، یا {link}۔",
  "enter that key": "وہ کلید درج کریں",
  "✓ Signature checked in your browser.": "✓ دستخط آپ کے براؤزر میں جانچا گیا۔",
  "The log's latest checkpoint covers {entries} with root hash {root} (as written in the checkpoint), signed by {signer}.": "لاگ کا تازہ ترین چیک پوائنٹ {entries} پر مشتمل ہے، روٹ ہیش {root} (جیسا چیک پوائنٹ میں لکھا ہے)، دستخط کنندہ {signer}۔",
  "{n} entry": "{n} اندراج",
  "{n} entries": "{n} اندراجات",
  "✗ The checkpoint does NOT verify.": "✗ چیک پوائنٹ کی تصدیق نہیں ہوتی۔",
  "The checkpoint could not be checked.": "چیک پوائنٹ جانچا نہیں جا سکا۔",
  "Entry {index}: checking…": "اندراج {index}: جانچ جاری ہے…",
  "Checking in your browser…": "آپ کے براؤزر میں جانچ جاری ہے…",
  "Verified in your browser": "آپ کے براؤزر میں تصدیق شدہ",
  "Entry {index}": "اندراج {index}",
  "— in the signed log (proof of {hashes} built from the tiles), signed by {signer}.": "— دستخط شدہ لاگ میں موجود (ٹائلوں سے بنایا گیا {hashes} کا ثبوت)، دستخط کنندہ {signer}۔",
  "{n} hash": "{n} ہیش",
  "{n} hashes": "{n} ہیش",
  "Entry {index}: MISMATCH — {reason}.": "اندراج {index}: عدم مطابقت — {reason}۔",
  "Not verified.": "تصدیق نہیں ہوئی۔",
  "✗ FAILED: {bad} of {n} entries do not match the signed log.": "✗ ناکام: {n} میں سے {bad} اندراجات دستخط شدہ لاگ سے مطابقت نہیں رکھتے۔",
  "What this page shows may have been altered after it was recorded.": "ممکن ہے یہ صفحہ جو دکھا رہا ہے وہ درج ہونے کے بعد بدلا گیا ہو۔",
  "✓ All {n} entries verified.": "✓ تمام {n} اندراجات کی تصدیق ہو گئی۔",
  "Each was read from the log's tiles, hashed, and proven to be in the checkpoint of {entries} signed by {signer}; each event's signature was checked against its signer's key as registered in the log.": "ہر اندراج لاگ کی ٹائلوں سے پڑھا گیا، اس کا ہیش بنایا گیا اور ثابت کیا گیا کہ وہ {signer} کے دستخط شدہ {entries} والے چیک پوائنٹ میں ہے؛ ہر واقعے کا دستخط اس کے دستخط کنندہ کی لاگ میں درج کلید سے جانچا گیا۔",
  "The check could not run:": "جانچ نہیں چل سکی:",
  "nothing": "کچھ نہیں",
  "this dashboard was built without the replay engine (WebAssembly), so the figures are the server's, not recomputed": "یہ ڈیش بورڈ دوبارہ چلانے والے انجن (WebAssembly) کے بغیر بنایا گیا، اس لیے اعداد سرور کے ہیں، دوبارہ حساب شدہ نہیں",
  "the checkpoint could not be checked: {reason}": "چیک پوائنٹ جانچا نہیں جا سکا: {reason}",
  "The figures for {what} are the server's: they were not recomputed, because {reason}.": "{what} کے اعداد سرور کے ہیں: ان کا دوبارہ حساب نہیں ہوا، کیونکہ {reason}۔",
  "✓ The figures for {what} were recomputed in your browser: all {n} entries of the signed log replayed with the ledger's own rules (WebAssembly); the server's summary agrees.": "✓ {what} کے اعداد کا آپ کے براؤزر میں دوبارہ حساب ہوا: دستخط شدہ لاگ کے تمام {n} اندراجات لیجر کے اپنے قواعد (WebAssembly) سے دوبارہ چلائے گئے؛ سرور کا خلاصہ متفق ہے۔",
  "The server's summary of {what} differs from the replay of the signed log ({fields}).": "{what} کا سرور والا خلاصہ دستخط شدہ لاگ کو دوبارہ چلانے کے نتیجے سے مختلف ہے ({fields})۔",
  "✗ The server's summary of {what} does not match the signed log.": "✗ {what} کا سرور والا خلاصہ دستخط شدہ لاگ سے مطابقت نہیں رکھتا۔",
  "Replaying all {n} entries with the ledger's own rules gives other figures; this page shows the replayed ones.": "تمام {n} اندراجات کو لیجر کے اپنے قواعد سے دوبارہ چلانے پر دوسرے اعداد آتے ہیں؛ یہ صفحہ دوبارہ چلائے گئے اعداد دکھاتا ہے۔",
  ": the server says {served}; the replay gives {replayed}.": ": سرور کہتا ہے {served}؛ دوبارہ چلانے سے {replayed} آتا ہے۔",
  "The public record of critical minerals": "اہم معدنیات کا عوامی ریکارڈ",
  "What was mined, where it went, what was signed and what is still withheld, in the ledger {origin}. Every event is signed by whoever did it and appended to a public log that cannot be rewritten without it showing.": "لیجر {origin} میں: کیا نکالا گیا، کہاں گیا، کس چیز پر دستخط ہوئے اور کیا ابھی تک روکا گیا ہے۔ ہر واقعے پر وہی دستخط کرتا ہے جس نے اسے انجام دیا، اور وہ ایک عوامی لاگ میں شامل کیا جاتا ہے جسے چھپ کر دوبارہ نہیں لکھا جا سکتا۔",
  "The ledger at a glance": "لیجر ایک نظر میں",
  "Entries in the log": "لاگ میں اندراجات",
  "signed events, never edited or removed": "دستخط شدہ واقعات، نہ کبھی بدلے گئے نہ ہٹائے گئے",
  "Latest checkpoint": "تازہ ترین چیک پوائنٹ",
  "{entries}, root {root}": "{entries}، روٹ {root}",
  "cosigned {age}": "مشترکہ دستخط {age}",
  "newest entry dated {date} ({age})": "تازہ ترین اندراج کی تاریخ {date} ({age})",
  "the log is empty": "لاگ خالی ہے",
  "Signed by": "دستخط کنندہ",
  "key {id}": "کلید {id}",
  "Independent witnesses": "آزاد گواہ",
  "{n} witness cosigned": "{n} گواہ نے مشترکہ دستخط کیے",
  "{n} witnesses cosigned": "{n} گواہوں نے مشترکہ دستخط کیے",
  "none yet": "ابھی کوئی نہیں",
  "no witness has cosigned this checkpoint": "کسی گواہ نے اس چیک پوائنٹ پر مشترکہ دستخط نہیں کیے",
  "What the record holds": "ریکارڈ میں کیا ہے",
  "the ledger": "لیجر",
  "Lots of material": "مال کے لاٹ",
  "All lots": "تمام لاٹ",
  "All consignments": "تمام کھیپیں",
  "Contracts and what is withheld": "معاہدے اور جو روکا گیا ہے",
  "Audit findings": "آڈٹ کے نتائج",
  "What needs a closer look": "جن پر غور کی ضرورت ہے",
  "Who signs": "دستخط کون کرتا ہے",
  "Each party signs its own events with its own key, registered in the log by the ledger's authority. The log itself is signed by {signer}.": "ہر فریق اپنے واقعات پر اپنی کلید سے دستخط کرتا ہے، جو لیجر کی اتھارٹی نے لاگ میں درج کی ہے۔ خود لاگ پر {signer} کے دستخط ہیں۔",
  "its key": "اس کی کلید",
  "Registered parties": "درج شدہ فریق",
  "Party": "فریق",
  "Name": "نام",
  "Country": "ملک",
  "Roles": "کردار",
  "Registered at entry": "اندراج نمبر جس پر درج ہوا",
  "The signed checkpoint": "دستخط شدہ چیک پوائنٹ",
  "This is exactly what the log signs (C2SP tlog-checkpoint). Anyone can fetch it at {link} and compare it with what others see.": "لاگ بالکل اسی پر دستخط کرتا ہے (C2SP tlog-checkpoint)۔ کوئی بھی اسے {link} سے حاصل کر کے دوسروں کو نظر آنے والے سے ملا سکتا ہے۔",
  "The signed checkpoint note": "دستخط شدہ چیک پوائنٹ کی تحریر",
  "Origin": "ماخذ",
  "Tree size": "درخت کا حجم",
  "Root hash (hex)": "روٹ ہیش (hex)",
  "Recomputing all {n} entries in your browser…": "آپ کے براؤزر میں تمام {n} اندراجات کا دوبارہ حساب ہو رہا ہے…",
  "✓ All {n} entries recomputed in your browser:": "✓ آپ کے براؤزر میں تمام {n} اندراجات کا دوبارہ حساب ہو گیا:",
  "read from the log, hashed and assembled into exactly the signed root. Nothing in this record has been changed since it was signed.": "لاگ سے پڑھے گئے، ہیش بنائے گئے اور جوڑنے پر ٹھیک دستخط شدہ روٹ بنا۔ دستخط کے بعد سے اس ریکارڈ میں کچھ نہیں بدلا۔",
  "✗ The log served here does NOT match its signature:": "✗ یہاں دیا گیا لاگ اپنے دستخط سے مطابقت نہیں رکھتا:",
  "held": "قبضے میں",
  "used up (processed into other lots)": "استعمال ہو چکا (دوسرے لاٹوں میں ڈھل گیا)",
  "in transit": "راستے میں",
  "A lot is an amount of ore, concentrate, oxide or metal with its own history. Open one to see where its elements were mined and what was done to it.": "لاٹ کچ دھات، کنسنٹریٹ، آکسائیڈ یا دھات کی ایک مقدار ہے جس کی اپنی تاریخ ہے۔ کوئی لاٹ کھولیں تو دیکھیں کہ اس کے عناصر کہاں سے نکالے گئے اور اس پر کیا عمل ہوا۔",
  "the lots": "لاٹ",
  "Material": "مال",
  "All materials": "تمام اقسام",
  "{n} {material} lots, oldest first": "{material} کے {n} لاٹ، پرانے پہلے",
  "{n} lots, oldest first": "{n} لاٹ، پرانے پہلے",
  "Lot": "لاٹ",
  "Made": "بنا",
  "by {who}": "بذریعہ {who}",
  "Mass now": "موجودہ وزن",
  "Mass when made": "بنتے وقت وزن",
  "Holder": "حامل",
  "At": "مقام",
  "Status": "حیثیت",
  "Only the first lots are listed.": "صرف پہلے لاٹ درج ہیں۔",
  "Mined": "کان کنی",
  "Concentrated": "ارتکاز",
  "Processed": "پروسیسنگ",
  "Separated": "علیحدگی",
  "Refined": "صفائی",
  "Alloyed": "بھرت سازی",
  "Made into magnets": "مقناطیس سازی",
  "Pass": "منظور",
  "Fail": "نامنظور",
  "Undetermined: the log cannot show where some of the content came from": "غیر متعین: لاگ یہ نہیں دکھا سکتا کہ کچھ مواد کہاں سے آیا",
  "covered country": "زیرِ پابندی ملک",
  "third-country share above the limit": "تیسرے ملک کا حصہ حد سے زیادہ",
  "content of unknown origin": "نامعلوم ماخذ کا مواد",
  "Not recomputed in your browser: {what} is the server's.": "آپ کے براؤزر میں دوبارہ حساب نہیں ہوا: {what} سرور کا ہے۔",
  "Verified: recomputed in your browser from the signed log": "تصدیق شدہ: دستخط شدہ لاگ سے آپ کے براؤزر میں دوبارہ حساب ہوا",
  "The server's {what} differs from the replay: shown as replayed": "سرور کا {what} دوبارہ چلانے کے نتیجے سے مختلف ہے: دوبارہ چلایا گیا دکھایا گیا ہے",
  "Where each stage was done": "ہر مرحلہ کہاں ہوا",
  "For each element, the sites that mined it and every later stage it went through (concentrated, processed, separated, refined, alloyed, made into magnets), each site's share of that stage, following every transformation back through the lot's ancestry.": "ہر عنصر کے لیے: وہ مقامات جہاں اسے نکالا گیا اور بعد کا ہر مرحلہ جس سے وہ گزرا (ارتکاز، پروسیسنگ، علیحدگی، صفائی، بھرت سازی، مقناطیس سازی)، اور اس مرحلے میں ہر مقام کا حصہ، لاٹ کے شجرے میں ہر تبدیلی کو پیچھے تک دیکھ کر۔",
  "Origin by stage, per element": "ہر عنصر کا ماخذ، مرحلہ وار",
  "Stage": "مرحلہ",
  "Element": "عنصر",
  "Site / facility": "مقام / تنصیب",
  "Content": "مقدار",
  "Share": "حصہ",
  "No tracked element content.": "کسی زیرِ نگرانی عنصر کی مقدار نہیں۔",
  "under profile {profile}, as of {at}": "پروفائل {profile} کے تحت، بتاریخ {at}",
  "Reasons under {profile}": "{profile} کے تحت وجوہات",
  "unknown origin": "نامعلوم ماخذ",
  "Why": "وجہ",
  "Log entries": "لاگ کے اندراجات",
  "None: no covered country and no third-country share above the limit at any stage in effect.": "کوئی نہیں: کسی نافذ مرحلے پر نہ کوئی زیرِ پابندی ملک ہے نہ کسی تیسرے ملک کا حصہ حد سے زیادہ۔",
  "Lot {id}": "لاٹ {id}",
  "← All lots": "→ تمام لاٹ",
  "lot {id}": "لاٹ {id}",
  "Where": "کہاں",
  "by {type} {id} (entry {index})": "بذریعہ {type} {id} (اندراج {index})",
  "Declared assay": "اعلان کردہ تجزیہ",
  "Certified assay": "مصدقہ تجزیہ",
  "none": "کوئی نہیں",
  "by {by} at {lab}, {method} (entry {index})": "بذریعہ {by}، {lab} میں، {method} (اندراج {index})",
  "Where its elements were mined": "اس کے عناصر کہاں سے نکالے گئے",
  "For each element the lot contains, the share that came from each country and each mine, following every transformation back to extraction (mass balance, ISO 22095).": "لاٹ میں موجود ہر عنصر کا وہ حصہ جو ہر ملک اور ہر کان سے آیا، ہر تبدیلی کو کان کنی تک پیچھے دیکھ کر (ماس بیلنس، ISO 22095)۔",
  "Origin by country, per element": "ہر عنصر کا ماخذ، ملک وار",
  "Country of the mine": "کان کا ملک",
  "Origin by mine, per element": "ہر عنصر کا ماخذ، کان وار",
  "Mine": "کان",
  "stage table": "مراحل کا جدول",
  "Compliance determinations": "تعمیل کے فیصلے",
  "Judged as of {at} under the compliance profiles shipped with oretrail: DFARS 252.225-7052 (no covered country at a covered stage) and the EU Critical Raw Materials Act (at most 65 % from one third country at any stage). Each reason names the stage, the element, the country and its share, and the log entries of the extractions and transforms behind it.": "oretrail کے ساتھ آنے والے تعمیل کے پروفائلوں کے تحت بتاریخ {at} فیصلہ: DFARS 252.225-7052 (زیرِ پابندی مرحلے پر کوئی زیرِ پابندی ملک نہیں) اور یورپی یونین کا Critical Raw Materials Act (کسی بھی مرحلے پر ایک تیسرے ملک سے زیادہ سے زیادہ 65 %)۔ ہر وجہ میں مرحلہ، عنصر، ملک اور اس کا حصہ، اور اس کے پیچھے کان کنی اور تبدیلیوں کے لاگ اندراجات درج ہیں۔",
  "Judge as of today.": "آج کی تاریخ سے فیصلہ کریں۔",
  "Judge as of 2027-01-01, when DFARS covers mining, separation and refining too.": "2027-01-01 کی تاریخ سے فیصلہ کریں، جب DFARS کان کنی، علیحدگی اور صفائی پر بھی لاگو ہو گا۔",
  "determination": "فیصلہ",
  "No determination: the server judges by no profile.": "کوئی فیصلہ نہیں: سرور کسی پروفائل سے نہیں پرکھتا۔",
  "Ancestry graph": "شجرے کا خاکہ",
  "Reading the entries from the log…": "لاگ سے اندراجات پڑھے جا رہے ہیں…",
  "Ancestry": "شجرہ",
  "The lots this one was made from, back to the mines, as recorded in the log. Each box is a lot; each arrow a processing step.": "وہ لاٹ جن سے یہ بنا، کانوں تک، جیسا لاگ میں درج ہے۔ ہر خانہ ایک لاٹ ہے؛ ہر تیر پروسیسنگ کا ایک قدم۔",
  "Boxes link to each lot. The entries below tell the same story in words.": "ہر خانہ اپنے لاٹ کا لنک ہے۔ نیچے کے اندراجات یہی کہانی الفاظ میں بتاتے ہیں۔",
  "The {n} log entries behind this lot": "اس لاٹ کے پیچھے لاگ کے {n} اندراجات",
  "Entry": "اندراج",
  "Event": "واقعہ",
  "Id": "شناخت",
  "Custody and assays": "تحویل اور تجزیے",
  "[entry {index}]": "[اندراج {index}]",
  "No shipments or assays recorded for these lots.": "ان لاٹوں کی کوئی ترسیل یا تجزیہ درج نہیں۔",
  "Some of these entries did not verify: the graph shows what the server sent, which does not match the signed log.": "ان میں سے کچھ اندراجات کی تصدیق نہیں ہوئی: خاکہ وہ دکھاتا ہے جو سرور نے بھیجا، جو دستخط شدہ لاگ سے مطابقت نہیں رکھتا۔",
  "Verify this lot in your browser": "اس لاٹ کی اپنے براؤزر میں تصدیق کریں",
  "Every entry above is read from the log's tiles, hashed, and proven to be included in the signed checkpoint, with a proof this page builds itself from the tiles; each event's signature is checked against its signer's key as registered in the log.": "اوپر کا ہر اندراج لاگ کی ٹائلوں سے پڑھا جاتا ہے، اس کا ہیش بنتا ہے اور ثابت کیا جاتا ہے کہ وہ دستخط شدہ چیک پوائنٹ میں شامل ہے، اس ثبوت سے جو یہ صفحہ خود ٹائلوں سے بناتا ہے؛ ہر واقعے کا دستخط اس کے دستخط کنندہ کی لاگ میں درج کلید سے جانچا جاتا ہے۔",
  "The graph could not be drawn:": "خاکہ نہیں بن سکا:",
  "received": "موصول",
  "Each shipment recorded in the ledger: who sent what to whom, under which trade codes, declared value and permit, and how much arrived.": "لیجر میں درج ہر ترسیل: کس نے کیا کس کو بھیجا، کن تجارتی کوڈوں، اعلان کردہ مالیت اور اجازت نامے کے تحت، اور کتنا پہنچا۔",
  "the consignments": "کھیپیں",
  "{n} consignments, newest first": "{n} کھیپیں، نئی پہلے",
  "Consignment": "کھیپ",
  "Date": "تاریخ",
  "From → to": "کہاں سے کہاں",
  "Consignee": "مال وصول کنندہ",
  "Trade codes (HS)": "تجارتی کوڈ (HS)",
  "Declared value": "اعلان کردہ مالیت",
  "Permit": "اجازت نامہ",
  "Mass shipped": "بھیجا گیا وزن",
  "Mass received": "موصولہ وزن",
  "Difference": "فرق",
  "Only the first consignments are listed.": "صرف پہلی کھیپیں درج ہیں۔",
  "Consignment {id}": "کھیپ {id}",
  "← All consignments": "→ تمام کھیپیں",
  "consignment {id}": "کھیپ {id}",
  "From": "کہاں سے",
  "To": "کہاں تک",
  "Shipper": "بھیجنے والا",
  "Shipped": "روانگی",
  "none declared": "کوئی اعلان نہیں",
  "Export permit": "برآمدی اجازت نامہ",
  "none recorded": "کچھ درج نہیں",
  "not yet received": "ابھی موصول نہیں ہوا",
  "Contents by element": "عنصر وار مواد",
  "Contents": "مواد",
  "Lots in this consignment": "اس کھیپ کے لاٹ",
  "Trade code": "تجارتی کوڈ",
  "Received": "موصول",
  "Element content": "عناصر کی مقدار",
  "Mined in": "کان کنی کا ملک",
  "Check this consignment in your browser": "اس کھیپ کی اپنے براؤزر میں جانچ کریں",
  "The shipping and receiving events, read from the log itself rather than from the server's summary:": "روانگی اور وصولی کے واقعات، سرور کے خلاصے کے بجائے خود لاگ سے پڑھے گئے:",
  "full text": "مکمل متن",
  "terms: phases": "شرائط: مراحل",
  "terms: offtake": "شرائط: خریداری",
  "not given": "نہیں دیا گیا",
  "Contracts and memoranda recorded in the ledger. Parts kept confidential are committed to when the contract is recorded: nobody can read them yet, but nobody can change them either. When they are disclosed, anyone can check that the text is the one committed to on the day of signing.": "لیجر میں درج معاہدے اور یادداشتیں۔ خفیہ رکھے گئے حصوں کی کمٹمنٹ معاہدہ درج ہوتے وقت ہو جاتی ہے: انہیں ابھی کوئی پڑھ نہیں سکتا، مگر کوئی بدل بھی نہیں سکتا۔ جب وہ ظاہر کیے جائیں تو کوئی بھی جانچ سکتا ہے کہ متن وہی ہے جس کی کمٹمنٹ دستخط کے دن ہوئی تھی۔",
  "{n} contracts": "{n} معاہدے",
  "Contract": "معاہدہ",
  "Title": "عنوان",
  "Parties": "فریقین",
  "Signed": "دستخط",
  "Value": "مالیت",
  "Disclosed": "ظاہر کردہ",
  "{k} of {n}": "{n} میں سے {k}",
  "Withheld": "روکا گیا",
  "{parts} for {days}": "{parts}، {days} سے",
  "{n} part": "{n} حصہ",
  "{n} parts": "{n} حصے",
  "{n} day": "{n} دن",
  "{n} days": "{n} دن",
  "Contract {id}": "معاہدہ {id}",
  "← All contracts": "→ تمام معاہدے",
  "contract {id}": "معاہدہ {id}",
  "Recorded": "درج ہوا",
  "by {signer} (entry {index})": "بذریعہ {signer} (اندراج {index})",
  "What is public": "کیا عوامی ہے",
  "Public fields": "عوامی خانے",
  "Field": "خانہ",
  "Committed but withheld": "کمٹمنٹ شدہ مگر روکا گیا",
  "Nothing of this contract is withheld.": "اس معاہدے کا کچھ بھی روکا نہیں گیا۔",
  "The {field}": "{field}",
  "Withheld for {days}": "{days} سے روکا گیا",
  "Committed to on {date} (entry {index}) and not disclosed since. The commitment {commit} fixes the text: when it is disclosed, anyone can check it is the one committed to then.": "{date} کو کمٹمنٹ ہوئی (اندراج {index}) اور تب سے ظاہر نہیں کیا گیا۔ کمٹمنٹ {commit} متن کو طے کر دیتی ہے: جب وہ ظاہر ہو گا تو کوئی بھی جانچ سکے گا کہ یہ وہی ہے جس کی کمٹمنٹ تب ہوئی تھی۔",
  "Disclosed text": "ظاہر کردہ متن",
  "Nothing of this contract has been disclosed yet.": "اس معاہدے کا ابھی کچھ ظاہر نہیں کیا گیا۔",
  "Checking in your browser that this is what was committed to…": "آپ کے براؤزر میں جانچا جا رہا ہے کہ یہ وہی ہے جس کی کمٹمنٹ ہوئی تھی…",
  "Reading the disclosure from the log…": "لاگ سے انکشاف پڑھا جا رہا ہے…",
  "Committed to on {date} (entry {index}); disclosed on {disclosed}": "{date} کو کمٹمنٹ ہوئی (اندراج {index})؛ {disclosed} کو ظاہر کیا گیا",
  "(entry {index})": "(اندراج {index})",
  ", {days} later.": "، {days} بعد۔",
  ".": "۔",
  "The disclosed document as published": "ظاہر کردہ دستاویز، جیسی شائع ہوئی",
  "✗ Could not be checked:": "✗ جانچ نہیں ہو سکی:",
  "Payments citing this contract": "اس معاہدے کا حوالہ دینے والی ادائیگیاں",
  "Payer": "ادا کنندہ",
  "Payee": "وصول کنندہ",
  "Kind": "قسم",
  "Amount": "رقم",
  "Period": "مدت",
  "Does NOT match: {why}.": "مطابقت نہیں: {why}۔",
  "Verified: this matches what was committed on {date}, the day of signing.": "تصدیق شدہ: یہ اس سے مطابقت رکھتا ہے جس کی کمٹمنٹ {date} کو، دستخط کے دن، ہوئی تھی۔",
  "Verified: this matches what was committed on {date} (signed {signed}).": "تصدیق شدہ: یہ اس سے مطابقت رکھتا ہے جس کی کمٹمنٹ {date} کو ہوئی تھی (دستخط {signed})۔",
  "Checked in your browser: SHA-256 of the disclosed salt and text gives exactly the commitment {commit} recorded in entry {index} by {signer}; both entries are in the signed log and validly signed.": "آپ کے براؤزر میں جانچا گیا: ظاہر کردہ سالٹ اور متن کا SHA-256 ٹھیک وہی کمٹمنٹ {commit} دیتا ہے جو {signer} نے اندراج {index} میں درج کی؛ دونوں اندراجات دستخط شدہ لاگ میں ہیں اور ان کے دستخط درست ہیں۔",
  "The key in this link is not usable: {why}.": "اس لنک کی کلید قابلِ استعمال نہیں: {why}۔",
  "Verify the record yourself": "ریکارڈ کی خود تصدیق کریں",
  "You do not have to trust this website. Your browser fetches the log's signed checkpoint and its raw data (tiles) and checks them with its own cryptography. If anyone had changed, removed or reordered a past entry, these checks would fail.": "آپ کو اس ویب سائٹ پر بھروسا کرنے کی ضرورت نہیں۔ آپ کا براؤزر لاگ کا دستخط شدہ چیک پوائنٹ اور اس کا خام ڈیٹا (ٹائلیں) حاصل کر کے انہیں اپنی کرپٹوگرافی سے جانچتا ہے۔ اگر کسی نے کوئی پرانا اندراج بدلا، ہٹایا یا اس کی ترتیب بدلی ہوتی تو یہ جانچ ناکام ہو جاتی۔",
  "Every entry has its own page (for example {entry}), and {history} checks every checkpoint the log has published against today's tree.": "ہر اندراج کا اپنا صفحہ ہے (مثلاً {entry})، اور {history} لاگ کے شائع کردہ ہر چیک پوائنٹ کو آج کے درخت سے جانچتی ہے۔",
  "entry 0": "اندراج 0",
  "the checkpoint history": "چیک پوائنٹس کی تاریخ",
  "The log's verifier key": "لاگ کی تصدیقی کلید",
  "Paste the key the ledger's authority publishes (for example in an official gazette or on its own website), of the form name+1a2b3c4d+base64. Leave empty to use the key this server publishes.": "وہ کلید یہاں چسپاں کریں جو لیجر کی اتھارٹی شائع کرتی ہے (مثلاً سرکاری گزٹ میں یا اپنی ویب سائٹ پر)، اس شکل میں: name+1a2b3c4d+base64۔ اس سرور کی شائع کردہ کلید استعمال کرنے کے لیے خالی چھوڑ دیں۔",
  "Check with this key": "اس کلید سے جانچیں",
  "Use the served key instead": "اس کے بجائے سرور کی کلید استعمال کریں",
  "This key cannot be used: {why}.": "یہ کلید استعمال نہیں ہو سکتی: {why}۔",
  "Checking…": "جانچ جاری ہے…",
  "1. Which key": "1۔ کون سی کلید",
  "2. The signed checkpoint": "2۔ دستخط شدہ چیک پوائنٹ",
  "{n} witness cosigned:": "{n} گواہ نے مشترکہ دستخط کیے:",
  "{n} witnesses cosigned:": "{n} گواہوں نے مشترکہ دستخط کیے:",
  "cosignature checked": "مشترکہ دستخط جانچا گیا",
  "cosignature DOES NOT match": "مشترکہ دستخط مطابقت نہیں رکھتا",
  "no key for it here: not checked": "یہاں اس کی کلید نہیں: جانچا نہیں گیا",
  "No independent witness has cosigned this checkpoint yet. A witness would confirm that everyone is shown the same log.": "کسی آزاد گواہ نے ابھی اس چیک پوائنٹ پر مشترکہ دستخط نہیں کیے۔ گواہ اس بات کی تصدیق کرتا کہ سب کو ایک ہی لاگ دکھایا جا رہا ہے۔",
  "3. The whole log, recomputed": "3۔ پورا لاگ، دوبارہ حساب شدہ",
  "The log has {n} entries, too many to recompute in a browser; the lot below is checked with inclusion proofs instead.": "لاگ میں {n} اندراجات ہیں، براؤزر میں دوبارہ حساب کے لیے بہت زیادہ؛ اس کے بجائے نیچے کا لاٹ شمولیت کے ثبوتوں سے جانچا جاتا ہے۔",
  "Reading and hashing all {n} entries…": "تمام {n} اندراجات پڑھے اور ہیش کیے جا رہے ہیں…",
  "Reading and hashing entries: {done} of {total}…": "اندراجات پڑھے اور ہیش کیے جا رہے ہیں: {total} میں سے {done}…",
  "All {n} entries were read from the log's entry bundles and hashed; the log's hash tiles ({tiles} read) agree with them, and together they give exactly the signed root hash {root}…": "تمام {n} اندراجات لاگ کے اندراجی بنڈلوں سے پڑھے اور ہیش کیے گئے؛ لاگ کی ہیش ٹائلیں ({tiles} پڑھی گئیں) ان سے متفق ہیں، اور مل کر ٹھیک دستخط شدہ روٹ ہیش {root}… دیتی ہیں",
  "MISMATCH: {reason}. The data this server serves is not the log that was signed.": "عدم مطابقت: {reason}۔ یہ سرور جو ڈیٹا دیتا ہے وہ دستخط شدہ لاگ نہیں۔",
  "Not possible: {reason}.": "ممکن نہیں: {reason}۔",
  "4. A lot, entry by entry": "4۔ ایک لاٹ، اندراج بہ اندراج",
  "Check this lot": "اس لاٹ کو جانچیں",
  "Lot {id}: {entries}": "لاٹ {id}: {entries}",
  "Each entry that made this lot or its ancestors is read from the tiles, hashed, and proven to be in the signed tree with an inclusion proof (RFC 9162) this page builds from the tiles itself; each event's signature is checked against the key its signer registered in the log.": "ہر اندراج جس سے یہ لاٹ یا اس کے آبا بنے، ٹائلوں سے پڑھا جاتا ہے، اس کا ہیش بنتا ہے، اور شمولیت کے اس ثبوت (RFC 9162) سے جو یہ صفحہ خود ٹائلوں سے بناتا ہے، ثابت کیا جاتا ہے کہ وہ دستخط شدہ درخت میں ہے؛ ہر واقعے کا دستخط اس کلید سے جانچا جاتا ہے جو اس کے دستخط کنندہ نے لاگ میں درج کی۔",
  "The ledger has no lots yet.": "لیجر میں ابھی کوئی لاٹ نہیں۔",
  "5. Disclosed contract texts": "5۔ معاہدوں کے ظاہر کردہ متن",
  "{contract}: the {field}": "{contract}: {field}",
  "Could not be checked: {why}": "جانچ نہیں ہو سکی: {why}",
  "No contract text has been disclosed yet.": "ابھی کسی معاہدے کا متن ظاہر نہیں کیا گیا۔",
  "✓ Everything checked matches the signed log": "✓ جانچی گئی ہر چیز دستخط شدہ لاگ سے مطابقت رکھتی ہے",
  "Checked in your browser against the key {key}. The data this server shows comes from the log that {signer} signed.": "آپ کے براؤزر میں کلید {key} سے جانچا گیا۔ یہ سرور جو ڈیٹا دکھاتا ہے وہ اسی لاگ سے ہے جس پر {signer} نے دستخط کیے۔",
  "✗ VERIFICATION FAILED": "✗ تصدیق ناکام",
  "Some of the data this server serves does not match the log that was signed. See the red items below.": "اس سرور کا کچھ ڈیٹا دستخط شدہ لاگ سے مطابقت نہیں رکھتا۔ نیچے سرخ نکات دیکھیں۔",
  "The checkpoint could not be verified: {reason}.": "چیک پوائنٹ کی تصدیق نہیں ہو سکی: {reason}۔",
  // The deal, the timeline and the forward trace (wstory).
  "pass": "منظور",
  "fail": "نامنظور",
  "undetermined": "غیر طے شدہ",
  " and ": " اور ",
  "Contracts: who agreed what, and what is still withheld": "معاہدے: کس نے کیا طے کیا، اور کیا ابھی تک روکا گیا ہے",
  "No contract is past a date by which it was to be disclosed.": "کوئی معاہدہ اپنی ظاہر کرنے کی تاریخ سے آگے نہیں گیا۔",
  "A withheld part is committed to in the log (its hash) when the contract is signed, so what is disclosed later can be checked against it; the days count from when the log proves the commitment existed.": "روکا گیا حصہ معاہدے پر دستخط کے وقت لاگ میں (اپنے ہیش کے ذریعے) پابند کیا جاتا ہے، تاکہ بعد میں ظاہر ہونے والی بات اس سے جانچی جا سکے؛ دن اس وقت سے گنے جاتے ہیں جب سے لاگ اس وعدے کا وجود ثابت کرتا ہے۔",
  "For": "مدت",
  " (by its claimed date)": " (دعویٰ کردہ تاریخ سے)",
  ", past the {n}-day limit": "، {n} دن کی حد سے آگے",
  "Disclose by": "ظاہر کرنے کی آخری تاریخ",
  "{date}: overdue": "{date}: تاخیر",
  "no date": "کوئی تاریخ نہیں",
  "No contract recorded.": "کوئی معاہدہ درج نہیں۔",
  "What was mined, and where": "کیا نکالا گیا، اور کہاں",
  "Mined (and recycled feed taken in), per mineral and country": "نکالا گیا (اور ری سائیکل شدہ خام مال)، فی معدن اور ملک",
  "Site": "مقام",
  "Minerals": "معدنیات",
  "Ore extracted (dry mass)": "نکالی گئی کچ دھات (خشک کمیت)",
  "No mine registered.": "کوئی کان درج نہیں۔",
  "Where it was processed": "اس کی پروسیسنگ کہاں ہوئی",
  "Each processing stage's output per mineral and country, counted once: concentrated, processed (cracking, leaching), separated, refined, alloyed, made into magnets.": "ہر پروسیسنگ مرحلے کی پیداوار فی معدن اور ملک، ایک بار گنی گئی: مرتکز، پروسیس (کریکنگ، لیچنگ)، علیحدہ، صاف، بھرت، مقناطیس بنائے گئے۔",
  "{flows} draw the same story site by site.": "{flows} یہی کہانی مقام بہ مقام دکھاتے ہیں۔",
  "The flows": "بہاؤ",
  "Processed, per mineral, stage and country": "پروسیس شدہ، فی معدن، مرحلہ اور ملک",
  "Shipped to whom": "کس کو بھیجا گیا",
  "Consignments by destination, exports first; the element content shipped, each mineral in its own unit. A lot shipped twice (to a port, then abroad) is in both rows: each row is what reached that destination.": "منزل کے لحاظ سے کھیپیں، پہلے برآمدات؛ بھیجے گئے عنصر کی مقدار، ہر معدن اپنی اکائی میں۔ دو بار بھیجا گیا لاٹ (پہلے بندرگاہ، پھر بیرون ملک) دونوں قطاروں میں ہے: ہر قطار وہ ہے جو اس منزل تک پہنچا۔",
  "Consignments by destination": "منزل کے لحاظ سے کھیپیں",
  "Destination": "منزل",
  "Received by": "وصول کنندہ",
  "export": "برآمد",
  "domestic": "ملکی",
  "Nothing shipped yet.": "ابھی کچھ نہیں بھیجا گیا۔",
  "Paid to whom": "کس کو ادائیگی ہوئی",
  "Payments to governments, by payee and currency, added up from the payment entries of the replayed log.": "حکومتوں کو ادائیگیاں، وصول کنندہ اور کرنسی کے لحاظ سے، دوبارہ چلائے گئے لاگ کے ادائیگی اندراجات سے جمع کی گئیں۔",
  "{payments} has them by payer, revenue stream, contract and period, and reconciled with the payees' receipts.": "{payments} میں یہ ادا کنندہ، آمدنی کی مد، معاہدے اور مدت کے لحاظ سے ہیں، اور وصول کنندگان کی رسیدوں سے ملائی گئی ہیں۔",
  "Payments by payee": "وصول کنندہ کے لحاظ سے ادائیگیاں",
  "No payment recorded.": "کوئی ادائیگی درج نہیں۔",
  "Where the final products were made, and whether they comply": "حتمی مصنوعات کہاں بنیں، اور کیا وہ ضوابط پر پوری اترتی ہیں",
  "Each lot still held that a processing step made: the countries of each stage it went through, and its determinations as of {date} under DFARS 252.225-7052 and the EU Critical Raw Materials Act, recomputed in your browser by the ledger's own code from the replayed log. Each lot's page gives the reasons.": "ہر وہ لاٹ جو ابھی رکھا ہوا ہے اور کسی پروسیسنگ مرحلے نے بنایا: ہر مرحلے کے ممالک جن سے وہ گزرا، اور {date} تک DFARS 252.225-7052 اور یورپی یونین کے اہم خام مال کے قانون کے تحت اس کے فیصلے، لیجر کے اپنے کوڈ سے دوبارہ چلائے گئے لاگ سے آپ کے براؤزر میں دوبارہ حساب کیے گئے۔ ہر لاٹ کا صفحہ وجوہات بتاتا ہے۔",
  "Held by": "کس کے پاس",
  "Stage origins": "مراحل کے ماخذ",
  "No processed lot is held yet.": "ابھی کوئی پروسیس شدہ لاٹ کسی کے پاس نہیں۔",
  "The story of the deal is told from the replayed log, which this page could not replay: {reason}. The log's own figures follow.": "سودے کی کہانی دوبارہ چلائے گئے لاگ سے بتائی جاتی ہے، جسے یہ صفحہ دوبارہ نہیں چلا سکا: {reason}۔ لاگ کے اپنے اعداد آگے ہیں۔",
  "The figures per mineral could not be computed from the replayed log ({code}): {message}.": "فی معدن اعداد دوبارہ چلائے گئے لاگ سے نہیں نکالے جا سکے ({code}): {message}۔",
  "{n} contract past the date by which it was to be disclosed.": "{n} معاہدہ اپنی ظاہر کرنے کی تاریخ سے آگے۔",
  "{n} contracts past the date by which they were to be disclosed.": "{n} معاہدے اپنی ظاہر کرنے کی تاریخ سے آگے۔",
  "{n} part of contracts withheld.": "معاہدوں کا {n} حصہ روکا گیا۔",
  "{n} parts of contracts withheld.": "معاہدوں کے {n} حصے روکے گئے۔",
  "{n} contract, overdue disclosures first": "{n} معاہدہ، تاخیر والے پہلے",
  "{n} contracts, overdue disclosures first": "{n} معاہدے، تاخیر والے پہلے",
  "{n} mine and recyclers": "{n} کان اور ری سائیکلر",
  "{n} mines and recyclers": "{n} کانیں اور ری سائیکلر",
  "{n} final lot, newest first": "{n} حتمی لاٹ، نیا پہلے",
  "{n} final lots, newest first": "{n} حتمی لاٹ، نئے پہلے",
  "Undetermined": "غیر طے شدہ",
  ": the log cannot show where some of the content came from": ": لاگ یہ نہیں دکھا سکتا کہ کچھ مواد کہاں سے آیا",
  "Backward trace: {link}.": "پیچھے کی طرف سراغ: {link}۔",
  "the lots and mines it was made from (its ancestry, below)": "وہ لاٹ اور کانیں جن سے یہ بنا (اس کا شجرہ، نیچے)",
  "Recycled content (feed taken in at a recycler, not mined): {content}, from {recyclers}; the stage table below has it per recycler.": "ری سائیکل شدہ مواد (ری سائیکلر پر لیا گیا خام مال، کان سے نہیں): {content}، {recyclers} سے؛ نیچے مراحل کی جدول میں یہ فی ری سائیکلر ہے۔",
  "The deal: what was agreed, mined, processed, shipped and paid": "سودا: کیا طے ہوا، نکالا گیا، پروسیس ہوا، بھیجا گیا اور ادا کیا گیا",
  "The public record of critical minerals in the ledger {origin}: who signed contracts with whom and what of them is still withheld, what was mined where, where it was processed, to whom it was shipped and who was paid. Every event is signed by whoever did it and appended to a public log that cannot be rewritten without it showing; every figure here is recomputed in your browser from that log.": "لیجر {origin} میں اہم معدنیات کا عوامی ریکارڈ: کس نے کس سے معاہدے کیے اور ان کا کیا حصہ ابھی روکا گیا ہے، کہاں کیا نکالا گیا، کہاں پروسیس ہوا، کس کو بھیجا گیا اور کس کو ادائیگی ہوئی۔ ہر واقعے پر اسے کرنے والے کے دستخط ہیں اور وہ ایک عوامی لاگ میں شامل کیا جاتا ہے جسے ظاہر ہوئے بغیر دوبارہ نہیں لکھا جا سکتا؛ یہاں کا ہر عدد اسی لاگ سے آپ کے براؤزر میں دوبارہ حساب کیا جاتا ہے۔",
  "The log behind these figures": "ان اعداد کے پیچھے لاگ",
  "Timeline": "ٹائم لائن",
  "DFARS 252.225-7052": "DFARS 252.225-7052 کا فیصلہ",
  "EU CRMA": "یورپی یونین CRMA کا فیصلہ",
  "Everything the log records, in the order the signers say it happened: extractions, processing, shipments and receipts, contracts, disclosures, payments. Each links to its entry, which shows when the log itself bounds its logging.": "لاگ میں درج ہر چیز، اس ترتیب میں جس میں دستخط کنندگان کے مطابق وہ ہوئی: کان کنی، پروسیسنگ، ترسیل اور وصولی، معاہدے، انکشافات، ادائیگیاں۔ ہر ایک اپنے اندراج سے جڑا ہے، جو بتاتا ہے کہ لاگ خود اس کے اندراج کا وقت کن حدوں میں رکھتا ہے۔",
  "✓ All {n} entries of the signed log, read and replayed in your browser; each listed once.": "✓ دستخط شدہ لاگ کے تمام {n} اندراجات آپ کے براؤزر میں پڑھے اور دوبارہ چلائے گئے؛ ہر ایک ایک بار درج ہے۔",
  "The timeline is drawn from the replayed log, which this page could not replay: {reason}.": "ٹائم لائن دوبارہ چلائے گئے لاگ سے بنتی ہے، جسے یہ صفحہ دوبارہ نہیں چلا سکا: {reason}۔",
  "Event type": "واقعے کی قسم",
  "All events": "تمام واقعات",
  "All time": "تمام وقت",
  " of type {type}": " قسم {type} کے",
  " in {period}": " {period} میں",
  ", by claimed time": "، دعویٰ کردہ وقت کے لحاظ سے",
  "When (claimed)": "کب (دعویٰ)",
  "What": "کیا",
  "refused by the rules: {code}": "قواعد نے مسترد کیا: {code}",
  "No entry matches.": "کوئی اندراج مطابقت نہیں رکھتا۔",
  "Recycled feed taken in": "ری سائیکل شدہ خام مال لیا گیا",
  "External input": "بیرونی مال",
  "Mineral": "معدن",
  "Output, counted once": "پیداوار، ایک بار گنی گئی",
  "Share of the stage": "مرحلے میں حصہ",
  "Element content (the mass of the element itself, not of the ore or oxide carrying it), each mineral in its own unit and never added to another. Each stage's output is counted once: a lot that passes through a plant counts for that plant's stage with what it had not passed before, never again as the next plant's input. Computed in your browser from the replayed log by the ledger's own code (the same as `oretrail report crma`).": "عنصر کی مقدار (خود عنصر کی کمیت، اسے لیے ہوئے کچ دھات یا آکسائیڈ کی نہیں)، ہر معدن اپنی اکائی میں اور کبھی دوسرے میں جمع نہیں۔ ہر مرحلے کی پیداوار ایک بار گنی جاتی ہے: پلانٹ سے گزرنے والا لاٹ اس پلانٹ کے مرحلے میں صرف اس حصے کے ساتھ گنا جاتا ہے جو پہلے نہیں گزرا تھا، اگلے پلانٹ کے خام مال کے طور پر دوبارہ کبھی نہیں۔ لیجر کے اپنے کوڈ سے دوبارہ چلائے گئے لاگ سے آپ کے براؤزر میں حساب کیا گیا (`oretrail report crma` جیسا)۔",
  "Where its output went": "اس کی پیداوار کہاں گئی",
  "The forward trace is drawn from the replayed log, which this page could not replay: {reason}.": "آگے کا سراغ دوبارہ چلائے گئے لاگ سے بنتا ہے، جسے یہ صفحہ دوبارہ نہیں چلا سکا: {reason}۔",
  "Forward trace of {what}: every lot made from it, step by step, and every consignment that carried one of them, from the proven transform and ship entries and the replayed state.": "{what} کا آگے کا سراغ: اس سے بننے والا ہر لاٹ، قدم بہ قدم، اور ہر کھیپ جس میں ان میں سے کوئی گیا، ثابت شدہ تبدیلی اور ترسیل کے اندراجات اور دوبارہ چلائی گئی حالت سے۔",
  "{lots} made from {what}": "{what} سے بنے {lots}",
  "Made from": "کس سے بنا",
  "How": "کیسے",
  "entry {n}": "اندراج {n}",
  "Now": "اب",
  "No lot was made from it yet.": "ابھی اس سے کوئی لاٹ نہیں بنا۔",
  "{consignments} that carried it": "{consignments} جن میں یہ گیا",
  "Lots (dry mass shipped)": "لاٹ (بھیجی گئی خشک کمیت)",
  "Nothing of it was shipped yet.": "ابھی اس میں سے کچھ نہیں بھیجا گیا۔",
  "Where it went, by destination": "یہ کہاں گیا، منزل کے لحاظ سے",
  "{n} lot": "{n} لاٹ",
  "{n} lots": "{n} لاٹ",
  "{n} consignment": "{n} کھیپ",
  "{n} consignments": "{n} کھیپیں",
  // The list filters (filters.js).
  "{n} contract": "{n} معاہدہ",
  "All minerals": "تمام معدنیات",
  "All countries": "تمام ممالک",
  "Filters": "فلٹر",
  "Clear filters": "فلٹر ہٹائیں",
  "{list}, filtered by {filters}: {shown} of {total}": "{list}، فلٹر {filters}: {total} میں سے {shown}",
};
