/**
 * Secret tokens of login sessions and share links, as in the current design of Lucia's author:
 * `<id>.<secret>`, where the id (120 random bits) is the row's key and only SHA-256 of the secret
 * (256 random bits) is stored; a token is checked by comparing hashes in constant time, so neither a
 * database leak nor response timing gives a usable token away.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

export interface NewToken {
  readonly id: string;
  readonly token: string;
  readonly secretHash: Uint8Array;
}

const ID_PATTERN = /^[a-z2-7]{24}$/;
const SECRET_PATTERN = /^[a-z2-7]{52}$/;

export function newToken(): NewToken {
  const id = encodeBase32LowerCaseNoPadding(randomBytes(15));
  const secret = encodeBase32LowerCaseNoPadding(randomBytes(32));
  return { id, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret of a well-formed token; null for anything else (never throws). */
export function parseToken(token: unknown): { id: string; secret: string } | null {
  if (typeof token !== 'string' || token.length !== 77) return null;
  const dot = token.indexOf('.');
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  return ID_PATTERN.test(id) && SECRET_PATTERN.test(secret) ? { id, secret } : null;
}

export function hashSecret(secret: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(secret).digest());
}

/** Byte equality whose time does not depend on where the inputs differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}

/** Whether `secret` is the one whose hash is stored. */
export function verifyTokenSecret(secret: string, storedHash: Uint8Array): boolean {
  return constantTimeEqual(hashSecret(secret), storedHash);
}
