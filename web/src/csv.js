// csv.js: a table's text as CSV (RFC 4180), the same text the page shows,
// so a download's rows are the table's rows. Used by dom.js's table() for
// every table on the dashboard.

// A cell a spreadsheet would read as a formula gets a leading apostrophe:
// names and ids come from signers, and "=HYPERLINK(...)" in an actor's name
// must stay text (OWASP, "CSV Injection"). Cells starting with =, @, a tab
// or a carriage return always; cells starting with + or - unless they are a
// signed quantity as the page writes them ("-50 g (-0.01 %)"): a number,
// then only units, spaces, parentheses and percent signs, with no function
// call (a letter before "(") and none of = @ | ! " '.
const QUANTITY = /^[+-]\d[\d,.]*(\s[\w\s.,%()+\-\u2212/]*)?$/;
export function neutralise(t) {
  if (/^[=@\t\r]/.test(t)) return `'${t}`;
  if (/^[+-]/.test(t) && t !== '-' && !(QUANTITY.test(t) && !/[A-Za-z_]\(/.test(t))) return `'${t}`;
  return t;
}

// One field: neutralised, then quoted when it holds a quote, a comma or a
// line break.
export function csvField(s) {
  const t = neutralise(String(s));
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

// Rows of fields as CSV text, CRLF line ends.
export function toCsv(rows) {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

// The header and body rows of a rendered <table>, each cell's text with
// runs of white space made one space.
export function tableRows(tableEl) {
  // Less the invisible bidirectional marks and isolates the Urdu page puts
  // around quantities (i18n.js bidi).
  const text = (c) => c.textContent.replace(/[\u200e\u200f\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  return [...tableEl.querySelectorAll('thead tr, tbody tr')].map((tr) => [...tr.children].map(text));
}

// A file name from a caption: "3 lots, oldest first" -> "3-lots-oldest-first.csv".
// A caption in another script (Urdu) keeps its letters.
export function csvName(caption) {
  const slugOf = (re) => String(caption || '').toLowerCase().replace(re, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  const slug = slugOf(/[^a-z0-9]+/g) || slugOf(/[^\p{L}\p{N}]+/gu);
  return `${slug || 'table'}.csv`;
}

// Starts the download of a table as CSV.
export function downloadCsv(tableEl, name) {
  const blob = new Blob([toCsv(tableRows(tableEl))], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
