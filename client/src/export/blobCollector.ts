/**
 * Gathers the ZIP's pieces into a Blob without keeping them all as JS arrays: every few MiB the
 * pieces so far become one Blob (which the browser may keep outside the JS heap, on disk for large
 * ones), and the arrays are dropped. The finished Blob is made of those Blobs.
 */
export class BlobCollector {
  readonly #blobs: Blob[] = [];
  #parts: Uint8Array<ArrayBuffer>[] = [];
  #partBytes = 0;
  #bytes = 0;

  constructor(private readonly flushBytes = 8 << 20) {}

  /** Bytes collected so far. */
  get size(): number {
    return this.#bytes;
  }

  add(chunk: Uint8Array<ArrayBuffer>): void {
    if (chunk.length === 0) return;
    this.#parts.push(chunk);
    this.#partBytes += chunk.length;
    this.#bytes += chunk.length;
    if (this.#partBytes >= this.flushBytes) this.#flush();
  }

  /** Everything collected, as one Blob of `type`. */
  finish(type: string): Blob {
    this.#flush();
    return new Blob(this.#blobs, { type });
  }

  #flush(): void {
    if (this.#parts.length === 0) return;
    this.#blobs.push(new Blob(this.#parts));
    this.#parts = [];
    this.#partBytes = 0;
  }
}
