/**
 * `bytea` coding for PGlite through Node's native hex codec.
 *
 * PGlite 0.5 moves `bytea` as hex text and codes it one byte at a time in JavaScript. For the
 * megabytes a mask session moves that dominated both appending (≈9 ms of ≈14 ms per frame of
 * 20 masks) and loading (≈400 ms per 4.9 MB chunk, against ≈6 ms here), measured by
 * `bench/collab`. The wire format is unchanged: `\x` followed by lowercase hex.
 */
/** PostgreSQL's type OID of `bytea` (fixed in the catalog; PGlite's `types.BYTEA`). */
export const BYTEA_OID = 17;

export function parseBytea(value: string): Uint8Array {
  const b = Buffer.from(value.startsWith('\\x') ? value.slice(2) : value, 'hex');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function serializeBytea(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError('bytea: expected a Uint8Array');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}
