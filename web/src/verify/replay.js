// replay.js: the ledger's replay engine in the browser: the C rules
// (src/ledger, src/log), compiled to WebAssembly by web/wasm/build.sh, run
// over the entries the page fetched and proved. What it returns is the
// replayed state (docs/events.md, "The replayed state"), byte for byte what
// the C replay derives from the same entries; the page shows those figures
// and compares the server's summaries with them.
//
// The module (web/wasm/replay_wasm.c) exports otw_replay(vkey, checkpoint,
// packed, len, now, withheld_days), which first checks that the entries are
// the ones the signed checkpoint commits to (size and tree hash), and
// returns the state or {"error":{"code","message"}}; and otw_lot(lot, at,
// profiles, len), which gives one lot's stage rows and determinations from
// the state of that last replay (ot_replay_lot, the code behind the
// server's GET /api/lots/<lot>); otw_report_crma(profile, len, year), the
// CRMA report (`oretrail report crma`) of that state; and otw_certificate(vkey, cert, len,
// profiles, len), `oretrail verify`'s check of a provenance certificate.
import { utf8 } from './bytes.js';

export class ReplayError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// The engine, from the emscripten module factory (the default export of
// ot_replay.mjs). options go to the factory: in the browser where to find
// ot_replay.wasm (locateFile), in node the bytes (wasmBinary) and a random
// source (getRandomValue; libsodium's init asks for one, the replay draws
// nothing from it).
export async function loadReplay(factory, options = {}) {
  const m = await factory(options);
  return {
    // entries: Uint8Array[] in log order from index 0; checkpoint: the
    // signed note they must match ('' when the caller proved them itself);
    // now: seconds since 1970 for the time-based findings. Returns the
    // state document's text; throws ReplayError with the module's code.
    replay(vkey, checkpoint, entries, now, withheldDays = 180) {
      const packed = packEntries(entries);
      return call(m, (put) => m._otw_replay(put(utf8(vkey), true), put(utf8(checkpoint || ''), true),
        put(packed, false), packed.length, now, withheldDays));
    },
    // The lot's {lot, stages, at, compliance} as of at (YYYY-MM-DD) under
    // the profiles (their JSON texts), from the last replay's state, as
    // text; throws ReplayError (lot_not_found, bad_profile, no_replay...).
    lot(lot, at, profiles) {
      const packed = packEntries(profiles.map((p) => utf8(p)));
      return call(m, (put) => m._otw_lot(put(utf8(lot), true), put(utf8(at), true),
        put(packed, false), packed.length));
    },
    // `oretrail report crma --json` (its text) from the last replay's
    // state under the profile (its JSON text), for year (YYYY) or all time
    // (''): each stage's output counted once, per element and country.
    reportCrma(profile, year = '') {
      const bytes = utf8(profile);
      return call(m, (put) => m._otw_report_crma(put(bytes, true), bytes.length, put(utf8(year), true)));
    },
    // A provenance certificate (its text) verified as `oretrail verify
    // --key` does, by the same C code (ot_certificate_verify): its entries
    // replayed through the rules, the claim and each determination
    // recomputed. Returns the report's text ({"report":{...}}); throws
    // ReplayError with the OT_CERT_* code of the first problem.
    certificate(vkey, text, profiles) {
      const packed = packEntries(profiles.map((p) => utf8(p)));
      const bytes = utf8(text);
      return call(m, (put) => m._otw_certificate(put(utf8(vkey), true), put(bytes, true), bytes.length,
        put(packed, false), packed.length));
    },
  };
}

// Each entry as a 4-byte big-endian length and its bytes.
export function packEntries(entries) {
  let total = 0;
  for (const e of entries) total += 4 + e.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const e of entries) {
    view.setUint32(off, e.length);
    out.set(e, off + 4);
    off += 4 + e.length;
  }
  return out;
}

// Calls fn(put) with put(bytes, nul) copying an argument into the module's
// memory; returns the text of the document fn's call returned, throws
// ReplayError for an error document. The arguments are freed after.
function call(m, fn) {
  const args = [];
  const put = (bytes, nul) => {
    const p = m._otw_malloc(bytes.length + (nul ? 1 : 0));
    if (!p) throw new ReplayError('out_of_memory', 'the replay module is out of memory');
    args.push(p);
    m.HEAPU8.set(bytes, p);
    if (nul) m.HEAPU8[p + bytes.length] = 0;
    return p;
  };
  let text;
  try {
    const res = fn(put);
    if (!res) throw new ReplayError('out_of_memory', 'the replay module is out of memory');
    text = m.UTF8ToString(res);
    m._otw_free(res);
  } finally {
    for (const p of args) m._otw_free(p);
  }
  if (text.startsWith('{"error":')) {
    const { code, message } = JSON.parse(text).error;
    throw new ReplayError(code, message);
  }
  return text;
}
