// build.mjs: bundles the dashboard for `oretrail serve`.
//
//   node web/build.mjs --out DIR [--wasm MODULE_DIR]
//
// esbuild bundles web/src/main.js and what it imports (our modules and
// d3-sankey from web/node_modules) into DIR/app.js; the HTML, CSS and icon
// are copied beside it; with --wasm, the replay engine compiled to
// WebAssembly (web/wasm: MODULE_DIR/ot_replay.mjs is bundled, ot_replay.wasm
// copied beside app.js), without it a stub that says it was not built; DIR/licenses.txt gathers the licences of the npm
// packages that went into the bundle. Nothing is fetched: every asset is
// served by oretrail itself.
//
// Caching (src/server/static.c): every file but index.html and
// licenses.txt is also named after its content, app.<12 hex digits of its
// SHA-256>.js, and index.html (and app.js, for the WebAssembly module)
// refer to those names, which the server lets browsers keep for a year;
// each file's ETag is 16 hex digits of its SHA-256; each is compressed
// with gzip and brotli (node's zlib) into FILE.gz and FILE.br when that
// makes it smaller. DIR/manifest.txt lists "FILE HASHED ETAG CODINGS" a
// line, for web/assets_gen.c to embed.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
if (outIdx < 0 || !args[outIdx + 1]) {
  console.error('usage: node web/build.mjs --out DIR');
  process.exit(2);
}
const out = path.resolve(args[outIdx + 1]);
const src = path.join(here, 'src');
const wasmIdx = args.indexOf('--wasm');
const wasmDir = wasmIdx >= 0 && args[wasmIdx + 1] ? path.resolve(args[wasmIdx + 1]) : null;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
// The name a file is also served under: its content's hash before the extension.
const hashedName = (name, bytes) => name.replace(/(\.[a-z0-9]+)$/, `.${sha256(bytes).slice(0, 12)}$1`);
const wasmName = wasmDir ? hashedName('ot_replay.wasm', await readFile(path.join(wasmDir, 'ot_replay.wasm'))) : 'ot_replay.wasm';

const result = await build({
  entryPoints: [path.join(src, 'main.js')],
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: !args.includes('--dev'),
  legalComments: 'none', // collected into licenses.txt instead
  metafile: true,
  outfile: path.join(out, 'app.js'),
  logLevel: 'warning',
  // The emscripten module's factory, or null (verify/replay_none.js).
  // The content-named module, which replayed.js asks for (locateFile).
  define: { OT_WASM_FILE: JSON.stringify(wasmName) },
  alias: { 'ot-replay-module': wasmDir ? path.join(wasmDir, 'ot_replay.mjs') : path.join(src, 'verify', 'replay_none.js') },
});

// The npm packages in the bundle, and their licences.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
let licences = 'The oretrail dashboard bundles these npm packages (web/package-lock.json):\n';
for (const name of [...packages].sort()) {
  const dir = path.join(here, 'node_modules', name);
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  licences += `\n==== ${name} ${pkg.version} (${pkg.license || 'see below'})\n`;
  const file = (await readdir(dir)).find((f) => /^licen[cs]e/i.test(f));
  licences += file ? (await readFile(path.join(dir, file), 'utf8')).trim() + '\n' : '(no licence file in the package)\n';
}
await writeFile(path.join(out, 'licenses.txt'), licences);

const copied = ['style.css', 'favicon.svg'];
for (const f of copied) await copyFile(path.join(src, f), path.join(out, f));

const files = ['index.html', 'app.js', 'style.css', 'favicon.svg', 'licenses.txt'];
if (wasmDir) {
  await copyFile(path.join(wasmDir, 'ot_replay.wasm'), path.join(out, 'ot_replay.wasm'));
  files.push('ot_replay.wasm');
}
// Content names for all but the page itself and the licences (linked by
// their plain names); index.html refers to them.
const hashed = new Map();
for (const f of files) {
  if (f === 'index.html' || f === 'licenses.txt') continue;
  hashed.set(f, hashedName(f, await readFile(path.join(out, f))));
}
let html = await readFile(path.join(src, 'index.html'), 'utf8');
for (const [f, name] of hashed) {
  const attr = new RegExp(`((?:src|href)=")${f.replace(/\./g, '\\.')}"`, 'g');
  html = html.replace(attr, `$1${name}"`);
}
await writeFile(path.join(out, 'index.html'), html);

const manifest = [];
for (const f of files) {
  const bytes = await readFile(path.join(out, f));
  const codings = [];
  const gz = gzipSync(bytes, { level: 9 });
  if (gz.length < bytes.length) {
    await writeFile(path.join(out, `${f}.gz`), gz);
    codings.push('gzip');
  }
  const br = brotliCompressSync(bytes, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  if (br.length < bytes.length) {
    await writeFile(path.join(out, `${f}.br`), br);
    codings.push('br');
  }
  manifest.push(`${f} ${hashed.get(f) || '-'} ${sha256(bytes).slice(0, 16)} ${codings.join(',') || '-'}`);
}
await writeFile(path.join(out, 'manifest.txt'), manifest.join('\n') + '\n');
let total = 0;
for (const f of files) total += (await readFile(path.join(out, f))).length;
console.log(`web: ${files.length} files, ${(total / 1024).toFixed(0)} KiB, bundling ${[...packages].sort().join(', ')}`);
