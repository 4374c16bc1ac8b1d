import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A new random id `<prefix>_<16 base62 chars>` (≈95 bits): unguessable, URL- and path-safe, and
 * within the id charset of `@maskroom/shared`.
 */
export function newId<T extends string>(prefix: string): T {
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps the draw uniform.
  let out = `${prefix}_`;
  while (out.length < prefix.length + 17) {
    for (const byte of randomBytes(24)) {
      if (byte < 248 && out.length < prefix.length + 17) out += ALPHABET[byte % 62];
    }
  }
  return out as T;
}
