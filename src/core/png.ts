/**
 * A PNG from RGBA pixels (8 bits a channel, not premultiplied, as a canvas's getImageData gives them): each row
 * unfiltered, deflated at level 4 on libuv's threads, with an sRGB chunk. Skia's own encoder (the canvas's `encode`)
 * spent ~30 ms a figure trying its row filters; this takes ~9 ms for files ~12% smaller (the 14 figures of a build:
 * 0.43 s of CPU → 0.13 s, 1.41 MB → 1.24 MB). Charts are flat colours: unfiltered rows deflate well.
 */
import { promisify } from "node:util";
import { crc32, deflate } from "node:zlib";

const deflateAsync = promisify(deflate);
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, tail]);
}

/**
 * The buffers of the rows, kept for the next PNG: a fresh one per figure (~5 MB) cost ~10 ms on these machines, most
 * of it the kernel's first touch of each page (a micro-benchmark: 14 fresh 5 MB buffers filled in 200 ms, one reused
 * in 20 ms). At most two are kept.
 */
const spare: Buffer[] = [];
function takeBuffer(size: number): Buffer {
  const i = spare.findIndex((b) => b.length >= size);
  return i >= 0 ? spare.splice(i, 1)[0]! : Buffer.allocUnsafe(size);
}
function giveBack(b: Buffer) {
  if (spare.length < 2) spare.push(b);
}

export async function encodePng(
  width: number,
  height: number,
  rgba: Uint8Array | Uint8ClampedArray,
): Promise<Uint8Array> {
  if (rgba.length !== width * height * 4)
    throw new Error(`${rgba.length} bytes are not ${width}×${height} RGBA pixels`);
  const stride = width * 4;
  // as plain bytes: copying from a Uint8ClampedArray (getImageData's) into a Buffer goes value by value, not as one
  // block (~3 ms per MB of pixels against ~1)
  const bytes = new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const whole = takeBuffer((stride + 1) * height);
  const rows = whole.subarray(0, (stride + 1) * height); // each row: filter type 0 (none), then its pixels
  for (let y = 0; y < height; y++) {
    rows[y * (stride + 1)] = 0;
    rows.set(bytes.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method beyond the standard, not interlaced
  const idat = await deflateAsync(rows, { level: 4 }).finally(() => giveBack(whole));
  return new Uint8Array(
    Buffer.concat([
      SIGNATURE,
      chunk("IHDR", header),
      chunk("sRGB", Uint8Array.of(0)), // perceptual: the colours are sRGB, as in the SVG
      chunk("IDAT", idat),
      chunk("IEND", new Uint8Array(0)),
    ]),
  );
}
