import { describe, expect, it } from 'vitest';
import { BlobCollector } from './blobCollector.js';

const bytes = (n: number, seed: number): Uint8Array<ArrayBuffer> =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('BlobCollector', () => {
  it('gives back every piece in order, across flushes, with the type asked for', async () => {
    const collector = new BlobCollector(10);
    const pieces = [bytes(4, 1), bytes(0, 2), bytes(9, 3), bytes(25, 4), bytes(1, 5)];
    for (const p of pieces) collector.add(p);
    expect(collector.size).toBe(39);
    const blob = collector.finish('application/zip');
    expect(blob.type).toBe('application/zip');
    const got = new Uint8Array(await blob.arrayBuffer());
    const want = new Uint8Array(39);
    let at = 0;
    for (const p of pieces) {
      want.set(p, at);
      at += p.length;
    }
    expect(got).toEqual(want);
  });

  it('is empty when nothing was added', async () => {
    const blob = new BlobCollector().finish('application/zip');
    expect(blob.size).toBe(0);
  });
});
