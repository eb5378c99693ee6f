// gzip.js: reading a gzip-compressed certificate (RFC 1952, as `oretrail
// prove --gzip` writes it) with the browser's own DecompressionStream,
// capped like the C reader (src/cli/gzip.c): a small file must not be able
// to claim gigabytes.

// Whether bytes start with the gzip magic (1f 8b).
export const isGzip = (bytes) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

// The text of bytes: inflated when they are gzip, at most max bytes;
// throws an Error saying why (damaged or cut stream, too large).
export async function certificateText(bytes, max) {
  if (!isGzip(bytes)) return new TextDecoder().decode(bytes);
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const parts = [];
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > max) {
        await reader.cancel();
        throw new RangeError(`the gzip stream inflates to more than ${max} bytes, the most this page reads`);
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof RangeError) throw new Error(e.message);
    throw new Error(`not a valid gzip stream (damaged, cut short or followed by other bytes): ${e.message}`);
  }
  const all = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new TextDecoder().decode(all);
}
