/**
 * Token secrets are compared in constant time: the helpers answer correctly, and checking a login
 * cookie or a share link over HTTP goes through `crypto.timingSafeEqual` on the two SHA-256 hashes
 * (observed with a spy on `node:crypto`, whose every other export stays real).
 */
import { createHash } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { constantTimeEqual, verifyTokenSecret } from '../auth/tokens.js';
import { call, createLink, signUp, uploadAs } from '../test/accounts.js';
import { startAccountsServer, type AccountsServer } from './fixtures.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof nodeCrypto>();
  return { ...actual, default: actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});
const timingSafeEqual = vi.mocked(nodeCrypto.timingSafeEqual);

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const sha256 = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest());

beforeEach(() => {
  timingSafeEqual.mockClear();
});

describe('constantTimeEqual', () => {
  it('is true for equal bytes and false for any difference, of content or of length', () => {
    const a = sha256('secret');
    expect(constantTimeEqual(a, Uint8Array.from(a))).toBe(true);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    for (const i of [0, 15, 31]) {
      const b = Uint8Array.from(a);
      b[i] = b[i]! ^ 1;
      expect(constantTimeEqual(a, b), `byte ${i}`).toBe(false);
    }
    expect(constantTimeEqual(a, a.subarray(0, 31))).toBe(false);
    expect(constantTimeEqual(a.subarray(0, 31), a)).toBe(false);
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2, 3, 0))).toBe(false);
    expect(constantTimeEqual(bytes(), bytes(0))).toBe(false);
  });

  it('compares through crypto.timingSafeEqual', () => {
    constantTimeEqual(sha256('a'), sha256('b'));
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});

describe('verifyTokenSecret', () => {
  it('accepts the secret whose SHA-256 is stored and nothing else', () => {
    const stored = sha256('the-secret-part');
    expect(verifyTokenSecret('the-secret-part', stored)).toBe(true);
    expect(verifyTokenSecret('the-secret-parT', stored)).toBe(false);
    expect(verifyTokenSecret('the-secret-par', stored)).toBe(false);
    expect(verifyTokenSecret('', stored)).toBe(false);
    expect(verifyTokenSecret('the-secret-part', stored.subarray(0, 16))).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalled();
  });
});

describe('the verification paths', () => {
  let env: AccountsServer;
  beforeAll(async () => {
    env = await startAccountsServer();
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  /** The 32-byte pairs timingSafeEqual compared since the last clear. */
  const hashPairs = () =>
    timingSafeEqual.mock.calls.filter(
      ([a, b]) => (a as Uint8Array).byteLength === 32 && (b as Uint8Array).byteLength === 32,
    );

  it('a login cookie: valid and tampered secrets are both compared in constant time', async () => {
    const a = await signUp(env.server, 'Timing Tim');
    timingSafeEqual.mockClear();
    expect((await call(env.server, '/api/auth/me', { token: a.token })).status).toBe(200);
    expect(hashPairs().length).toBeGreaterThanOrEqual(1);
    timingSafeEqual.mockClear();
    const tampered = `${a.token.slice(0, -1)}${a.token.endsWith('a') ? 'b' : 'a'}`;
    expect((await call(env.server, '/api/auth/me', { token: tampered })).status).toBe(401);
    expect(hashPairs().length, 'a wrong secret of a real id is compared, not looked up').toBe(1);
  });

  it('a share link: looked at with a valid or a tampered token', async () => {
    const owner = await signUp(env.server, 'Timing Owner');
    const session = (await uploadAs(owner.client)).session.id;
    const link = await createLink(owner.client, session, 'viewer');
    const tampered = `${link.token.slice(0, -1)}${link.token.endsWith('a') ? 'b' : 'a'}`;
    for (const [token, status] of [
      [link.token, 200],
      [tampered, 404],
    ] as const) {
      timingSafeEqual.mockClear();
      expect((await call(env.server, `/api/links/${token}`)).status).toBe(status);
      expect(hashPairs().length, token).toBeGreaterThanOrEqual(1);
    }
  });

  it('no secret hash is compared any other way in the auth code', async () => {
    const dir = new URL('../auth/', import.meta.url);
    const files = ['AuthService.ts', 'AuthStore.ts', 'tokens.ts', 'SessionAccess.ts', 'caller.ts'];
    for (const f of files) {
      const source = await readFile(new URL(f, dir), 'utf8').catch(() => '');
      expect(source, f).not.toMatch(
        /secretHash\s*[!=]==?|[!=]==?\s*\w*\.secretHash|Buffer\.compare|\.equals\(/,
      );
      // Rows are found by the token's id, never by its secret or hash.
      expect(source, f).not.toMatch(/eq\([^)]*secretHash/);
    }
  });
});
