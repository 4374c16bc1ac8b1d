import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { types } from '@electric-sql/pglite';
import { BYTEA_OID, parseBytea, serializeBytea } from './pglite-bytea.js';

describe('PGlite bytea codec', () => {
  it('uses the catalog OID of bytea', () => expect(BYTEA_OID).toBe(types.BYTEA));

  it('writes and reads exactly what PGlite’s own codec does', () => {
    const stockSerialize = types.serializers[BYTEA_OID] as (v: unknown) => string;
    const stockParse = types.parsers[BYTEA_OID] as (v: string) => Uint8Array;
    for (const n of [0, 1, 255, 4096]) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(serializeBytea(bytes)).toBe(stockSerialize(bytes));
      expect(parseBytea(stockSerialize(bytes))).toEqual(stockParse(stockSerialize(bytes)));
      expect(Array.from(parseBytea(serializeBytea(bytes)))).toEqual(Array.from(bytes));
    }
    const view = new Uint8Array(randomBytes(64)).subarray(8, 40);
    expect(Array.from(parseBytea(serializeBytea(view)))).toEqual(Array.from(view));
    expect(() => serializeBytea('nope')).toThrow(TypeError);
  });
});
