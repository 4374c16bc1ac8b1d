/**
 * A PNG encoder for images made of long runs of equal bytes (binary masks, label maps), whose cost
 * grows with the number of runs rather than the number of pixels.
 *
 * Why not fast-png: it deflates every scanline byte (fflate `zlibSync`), about 2 ms for one
 * 1280×720 mask, so 18 000 object-frames would take most of a minute. Here each run becomes one
 * literal plus length-258 back-references at distance 1; a zero row costs about 10 bits. The
 * zlib checksum (Adler-32) is computed per run in closed form, so no pixel is touched twice.
 *
 * Every row uses filter 0 (None): the filter byte then is just one more 0 that joins the zero
 * run around it. The deflate stream is one dynamic-Huffman block whose code is fixed once (below),
 * tuned for runs: a 258-byte back-reference costs 2 bits.
 */
import { crc32 } from './crc32.js';

const ADLER_MOD = 65521;

// RFC 1951 §3.2.5: base lengths and extra bits of length codes 257..285.
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const NUM_LITLEN = 286;

/** Huffman code lengths for `weights` (all > 0), limited to `maxBits`; throws if the limit is hit. */
export function huffmanLengths(weights: readonly number[], maxBits: number): number[] {
  interface Node {
    w: number;
    sym: number;
    left?: Node;
    right?: Node;
  }
  const nodes: Node[] = weights.map((w, sym) => ({ w, sym }));
  const lengths = new Array<number>(weights.length).fill(0);
  if (nodes.length === 1) {
    lengths[0] = 1;
    return lengths;
  }
  // n is at most a few hundred, and this runs once per module load: a sorted array is enough.
  const queue = [...nodes].sort((a, b) => a.w - b.w || a.sym - b.sym);
  while (queue.length > 1) {
    const a = queue.shift() as Node;
    const b = queue.shift() as Node;
    const parent: Node = { w: a.w + b.w, sym: -1, left: a, right: b };
    let i = 0;
    while (i < queue.length && (queue[i] as Node).w <= parent.w) i++;
    queue.splice(i, 0, parent);
  }
  const walk = (node: Node, depth: number): void => {
    if (node.left === undefined || node.right === undefined) {
      if (depth > maxBits) throw new Error(`huffman code longer than ${maxBits} bits`);
      lengths[node.sym] = depth;
      return;
    }
    walk(node.left, depth + 1);
    walk(node.right, depth + 1);
  };
  walk(queue[0] as Node, 0);
  return lengths;
}

/** Canonical codes for code lengths (RFC 1951 §3.2.2), bit-reversed for LSB-first output. */
export function canonicalCodes(lengths: readonly number[]): number[] {
  const maxLen = Math.max(...lengths);
  const blCount = new Array<number>(maxLen + 1).fill(0);
  for (const l of lengths) if (l > 0) blCount[l]!++;
  const next = new Array<number>(maxLen + 2).fill(0);
  let code = 0;
  for (let bits = 1; bits <= maxLen; bits++) {
    code = (code + blCount[bits - 1]!) << 1;
    next[bits] = code;
  }
  return lengths.map((len) => {
    if (len === 0) return 0;
    const c = next[len]!++;
    let r = 0;
    for (let i = 0; i < len; i++) r |= ((c >> i) & 1) << (len - 1 - i);
    return r;
  });
}

interface BitCode {
  readonly bits: number;
  readonly n: number;
}

/**
 * The fixed tables: lit/len lengths from guessed frequencies (the 258 back-reference dominates;
 * then the literals 0 and 255 and the other lengths; all other literals are rare but possible,
 * e.g. label indices), two distance codes of 1 bit (only distance 1 is used; a lone code would
 * make the set incomplete, which some inflaters refuse).
 */
function buildTables(): {
  header: { bytes: number[]; tail: number; tailBits: number };
  literal: BitCode[];
  /** Length code + extra bits + distance-1 code, per match length 3..258. */
  match: BitCode[];
  eob: BitCode;
} {
  const weights = new Array<number>(NUM_LITLEN).fill(1);
  weights[285] = 4000;
  weights[0] = 400;
  weights[255] = 300;
  for (let v = 1; v < 32; v++) weights[v] = 8;
  for (let s = 257; s < 285; s++) weights[s] = 24;
  const litLens = huffmanLengths(weights, 15);
  const litCodes = canonicalCodes(litLens);
  const distLens = [1, 1];
  const distCodes = canonicalCodes(distLens);

  // Code-length alphabet: every length is written as itself (no repeat codes).
  const all = [...litLens, ...distLens];
  const clWeights = new Array<number>(19).fill(0);
  for (const l of all) clWeights[l]!++;
  const used = clWeights.map((w, i) => [w, i] as const).filter(([w]) => w > 0);
  const usedLens = huffmanLengths(
    used.map(([w]) => w),
    7,
  );
  const clLens = new Array<number>(19).fill(0);
  used.forEach(([, sym], k) => (clLens[sym] = usedLens[k]!));
  const clCodes = canonicalCodes(clLens);
  let hclen = 19;
  while (hclen > 4 && clLens[CL_ORDER[hclen - 1]!] === 0) hclen--;

  const w = new BitWriter(1024);
  w.write(1, 1); // BFINAL
  w.write(2, 2); // BTYPE = dynamic
  w.write(NUM_LITLEN - 257, 5);
  w.write(distLens.length - 1, 5);
  w.write(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) w.write(clLens[CL_ORDER[i]!]!, 3);
  for (const l of all) w.write(clCodes[l]!, clLens[l]!);
  const header = { bytes: Array.from(w.bytes()), tail: w.buf, tailBits: w.cnt };

  const literal = litCodes.slice(0, 256).map((bits, v) => ({ bits, n: litLens[v]! }));
  const match: BitCode[] = [];
  for (let len = 0; len <= 258; len++) {
    if (len < 3) {
      match.push({ bits: 0, n: 0 });
      continue;
    }
    let k = LENGTH_BASE.length - 1;
    while (LENGTH_BASE[k]! > len) k--;
    const sym = 257 + k;
    const codeLen = litLens[sym]!;
    const extraN = LENGTH_EXTRA[k]!;
    const extra = len - LENGTH_BASE[k]!;
    const bits = litCodes[sym]! | (extra << codeLen) | (distCodes[0]! << (codeLen + extraN));
    match.push({ bits, n: codeLen + extraN + distLens[0]! });
  }
  return { header, literal, match, eob: { bits: litCodes[256]!, n: litLens[256]! } };
}

class BitWriter {
  out: Uint8Array;
  pos = 0;
  buf = 0;
  cnt = 0;

  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }

  /** At most 24 bits at a time (the buffer keeps < 8 pending bits between calls). */
  write(bits: number, n: number): void {
    this.buf |= bits << this.cnt;
    this.cnt += n;
    while (this.cnt >= 8) {
      this.out[this.pos++] = this.buf & 0xff;
      this.buf >>>= 8;
      this.cnt -= 8;
    }
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.pos + extra + 1024));
    grown.set(this.out.subarray(0, this.pos));
    this.out = grown;
  }

  byte(v: number): void {
    this.out[this.pos++] = v;
  }

  bytes(): Uint8Array {
    return this.out.subarray(0, this.pos);
  }
}

const TABLES = buildTables();
const MATCH_258 = TABLES.match[258]!;

/**
 * Writes one PNG image as runs, in raster order: `beginRow()` once per row, then `run(value, n)`
 * calls adding up to the row width (not checked per row; `finish` checks the total).
 */
export class RunPngWriter {
  readonly width: number;
  readonly height: number;
  readonly #w: BitWriter;
  readonly #idatStart: number;
  #value = -1;
  #count = 0;
  #a = 1;
  #b = 0;
  #written = 0;

  constructor(width: number, height: number, options: { palette?: Uint8Array } = {}) {
    this.width = width;
    this.height = height;
    const palette = options.palette;
    this.#w = new BitWriter(4096 + (palette?.length ?? 0));
    const w = this.#w;
    for (const b of [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) w.byte(b);
    const ihdr = new Uint8Array(13);
    const view = new DataView(ihdr.buffer);
    view.setUint32(0, width);
    view.setUint32(4, height);
    ihdr[8] = 8; // bit depth
    ihdr[9] = palette === undefined ? 0 : 3; // grayscale or indexed
    writeChunk(w, 'IHDR', ihdr);
    if (palette !== undefined) writeChunk(w, 'PLTE', palette);
    // IDAT: length and type now, length patched in finish().
    this.#idatStart = w.pos;
    for (let i = 0; i < 8; i++) w.byte(0);
    w.out.set([0x49, 0x44, 0x41, 0x54], this.#idatStart + 4);
    w.byte(0x78); // zlib: deflate, 32 KiB window
    w.byte(0x01);
    for (const b of TABLES.header.bytes) w.byte(b);
    w.buf = TABLES.header.tail;
    w.cnt = TABLES.header.tailBits;
  }

  beginRow(): void {
    this.run(0, 1);
  }

  run(value: number, n: number): void {
    if (n <= 0) return;
    if (value === this.#value) {
      this.#count += n;
      return;
    }
    this.#flush();
    this.#value = value;
    this.#count = n;
  }

  /** A whole row from bytes, split into runs (for label maps). */
  row(data: Uint8Array, start: number, length: number): void {
    this.beginRow();
    const end = start + length;
    let i = start;
    while (i < end) {
      const v = data[i]!;
      let j = i + 1;
      while (j < end && data[j] === v) j++;
      this.run(v, j - i);
      i = j;
    }
  }

  finish(): Uint8Array {
    this.#flush();
    const expected = (this.width + 1) * this.height;
    if (this.#written !== expected) {
      throw new Error(`PNG runs cover ${this.#written} bytes, expected ${expected}`);
    }
    const w = this.#w;
    w.ensure(16);
    w.write(TABLES.eob.bits, TABLES.eob.n);
    if (w.cnt > 0) w.write(0, 8 - w.cnt);
    const adler = ((this.#b << 16) | this.#a) >>> 0;
    w.byte(adler >>> 24);
    w.byte((adler >>> 16) & 0xff);
    w.byte((adler >>> 8) & 0xff);
    w.byte(adler & 0xff);
    const dataLen = w.pos - this.#idatStart - 8;
    new DataView(w.out.buffer, w.out.byteOffset).setUint32(this.#idatStart, dataLen);
    const crc = crc32(w.out.subarray(this.#idatStart + 4, w.pos));
    w.ensure(16);
    pushU32(w, crc);
    writeChunk(w, 'IEND', new Uint8Array(0));
    return w.out.slice(0, w.pos);
  }

  #flush(): void {
    const v = this.#value;
    const n = this.#count;
    if (n === 0) return;
    this.#count = 0;
    this.#written += n;
    // Adler-32 of n bytes of v: a += n·v; b += n·a_before + v·n(n+1)/2 (all mod 65521).
    const nm = n % ADLER_MOD;
    const tri = ((n % (2 * ADLER_MOD)) * ((n + 1) % (2 * ADLER_MOD))) / 2;
    this.#b = (this.#b + nm * this.#a + v * (tri % ADLER_MOD)) % ADLER_MOD;
    this.#a = (this.#a + nm * v) % ADLER_MOD;

    const w = this.#w;
    const rem = n - 1;
    let q = Math.floor(rem / 258);
    let r = rem - q * 258;
    if (q > 0 && r > 0 && r < 3) {
      q--;
      r += 258;
    }
    w.ensure(8 + Math.ceil((q * MATCH_258.n) / 8) + 8);
    const lit = TABLES.literal[v]!;
    w.write(lit.bits, lit.n);
    for (let k = 0; k < q; k++) w.write(MATCH_258.bits, MATCH_258.n);
    if (r > 258) {
      const first = r - 3;
      const m1 = TABLES.match[first]!;
      w.write(m1.bits, m1.n);
      const m2 = TABLES.match[3]!;
      w.write(m2.bits, m2.n);
    } else if (r >= 3) {
      const m = TABLES.match[r]!;
      w.write(m.bits, m.n);
    } else {
      for (let k = 0; k < r; k++) w.write(lit.bits, lit.n);
    }
  }
}

function pushU32(w: BitWriter, v: number): void {
  w.byte(v >>> 24);
  w.byte((v >>> 16) & 0xff);
  w.byte((v >>> 8) & 0xff);
  w.byte(v & 0xff);
}

function writeChunk(w: BitWriter, type: string, data: Uint8Array): void {
  w.ensure(data.length + 12);
  pushU32(w, data.length);
  const start = w.pos;
  for (let i = 0; i < 4; i++) w.byte(type.charCodeAt(i));
  w.out.set(data, w.pos);
  w.pos += data.length;
  pushU32(w, crc32(w.out.subarray(start, w.pos)));
}
