// build.mjs: bundles the dashboard for `oretrail serve`.
//
//   node web/build.mjs --out DIR [--wasm MODULE_DIR]
//
// esbuild bundles web/src/main.js and what it imports (our modules and
// d3-sankey from web/node_modules) into DIR/app.js; the HTML, CSS and icon
// are copied beside it; with --wasm, the replay engine compiled to
// WebAssembly (web/wasm: MODULE_DIR/ot_replay.mjs is bundled, ot_replay.wasm
// copied beside app.js), without it a stub that says it was not built; DIR/licenses.txt gathers the licences of the npm
// packages that went into the bundle; DIR/manifest.txt lists the files, for
// web/assets_gen.c to embed. Nothing is fetched: every asset is served by
// oretrail itself.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

const copied = ['index.html', 'style.css', 'favicon.svg'];
for (const f of copied) await copyFile(path.join(src, f), path.join(out, f));

const files = ['index.html', 'app.js', 'style.css', 'favicon.svg', 'licenses.txt'];
if (wasmDir) {
  await copyFile(path.join(wasmDir, 'ot_replay.wasm'), path.join(out, 'ot_replay.wasm'));
  files.push('ot_replay.wasm');
}
await writeFile(path.join(out, 'manifest.txt'), files.join('\n') + '\n');
let total = 0;
for (const f of files) total += (await readFile(path.join(out, f))).length;
console.log(`web: ${files.length} files, ${(total / 1024).toFixed(0)} KiB, bundling ${[...packages].sort().join(', ')}`);
