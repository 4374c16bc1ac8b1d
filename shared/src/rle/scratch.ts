/**
 * Reusable typed-array scratch space for the hot paths (counts parsing, the encoder's column
 * buckets), so that coding one 1920×1080 mask after another does not allocate and zero megabytes
 * each time.
 *
 * The codec is synchronous and never re-enters itself, so one buffer per purpose is enough; a
 * caller must be done with a scratch view before calling into the codec again. Buffers up to
 * {@link RETAIN_LIMIT} elements are kept between calls; larger requests get a fresh array that is
 * left to the garbage collector, so one odd mask does not pin tens of megabytes forever.
 */

/** Largest scratch buffer (in elements) kept alive between calls: 1 Mi elements = 4 MiB. */
export const RETAIN_LIMIT = 1 << 20;

export class U32Scratch {
  private buf: Uint32Array;

  constructor(initial = 1024) {
    this.buf = new Uint32Array(initial);
  }

  /** A buffer of at least `n` elements; its contents are unspecified. */
  get(n: number): Uint32Array {
    if (this.buf.length >= n) return this.buf;
    if (n > RETAIN_LIMIT) return new Uint32Array(n);
    this.buf = new Uint32Array(Math.min(RETAIN_LIMIT, Math.max(n, this.buf.length * 2)));
    return this.buf;
  }
}
