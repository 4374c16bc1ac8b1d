/**
 * PGlite's bytea codec, and the Buffer-based one the bench proposes (`--fast-bytea`).
 *
 * PGlite 0.5 moves `bytea` as hex text and codes it one byte at a time in JavaScript
 * (serialize: `Array.from(bytes).map(b => b.toString(16).padStart(2, '0')).join('')`; parse:
 * `Uint8Array.from({length}, (_, i) => parseInt(hex.substring(2i, 2i + 2), 16))`). For the
 * megabytes a mask session moves, that is most of the cost of appending and of loading. The
 * replacement uses Node's native hex coding. The bench installs it on the PGlite instance behind
 * `Database` (the parsers and serializers PGlite consults for every query); the server does not.
 */
import { types } from '@electric-sql/pglite';
import type { Database } from '../../server/src/db/index.js';

type Parser = (value: string, typeId?: number) => unknown;
type Serializer = (value: unknown) => string;

interface PgliteCodecs {
  parsers: Record<number, Parser>;
  serializers: Record<number, Serializer>;
}

const BYTEA = types.BYTEA;

export const stockBytea = {
  parse: types.parsers[BYTEA] as Parser,
  serialize: types.serializers[BYTEA] as Serializer,
};

export const fastBytea = {
  parse: ((value: string) => {
    const b = Buffer.from(value.slice(2), 'hex');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }) as Parser,
  serialize: ((value: unknown) => {
    if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  }) as Serializer,
};

function codecsOf(database: Database): PgliteCodecs | null {
  if (database.driver !== 'pglite') return null;
  return (database.db as unknown as { $client: PgliteCodecs }).$client;
}

/** Installs `codec` for bytea on a PGlite database (no-op on PostgreSQL); returns the undo. */
export function useBytea(database: Database, codec: typeof fastBytea): () => void {
  const c = codecsOf(database);
  if (!c) return () => {};
  const before = { parse: c.parsers[BYTEA], serialize: c.serializers[BYTEA] };
  c.parsers[BYTEA] = codec.parse;
  c.serializers[BYTEA] = codec.serialize;
  return () => {
    if (before.parse) c.parsers[BYTEA] = before.parse;
    if (before.serialize) c.serializers[BYTEA] = before.serialize;
  };
}
