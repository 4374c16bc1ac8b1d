import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './http.js';
import { getMe, login } from './auth.js';

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const user = { id: 'usr_1', name: 'Ada', color: '#e6194b' };
const accountMe = {
  mode: 'accounts',
  kind: 'account',
  user,
  email: 'ada@example.com',
  guest: null,
  signupOpen: true,
};

function stubRoutes(routes: Record<string, () => Response>): string[] {
  const seen: string[] = [];
  vi.stubGlobal('fetch', (input: string, init: RequestInit) => {
    seen.push(`${init.method} ${input}`);
    const answer = routes[input];
    return Promise.resolve(
      answer ? answer() : json(404, { error: { code: 'NOT_FOUND', message: 'no route', requestId: 'r0' } }),
    );
  });
  return seen;
}

afterEach(() => vi.unstubAllGlobals());

describe('getMe', () => {
  it('returns who the server says the caller is', async () => {
    stubRoutes({ '/api/auth/me': () => json(200, accountMe) });
    await expect(getMe()).resolves.toEqual(accountMe);
  });

  it('answers null, not an error, when accounts mode finds no login', async () => {
    stubRoutes({
      '/api/auth/me': () =>
        json(401, { error: { code: 'UNAUTHENTICATED', message: 'log in', requestId: 'r1' } }),
    });
    await expect(getMe()).resolves.toBeNull();
  });

  it('passes other failures on with their code', async () => {
    stubRoutes({
      '/api/auth/me': () => json(500, { error: { code: 'INTERNAL', message: 'boom', requestId: 'r2' } }),
    });
    const error = await getMe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('INTERNAL');
  });
});

describe('login', () => {
  it("rejects with the server's code and request id", async () => {
    stubRoutes({
      '/api/auth/login': () =>
        json(429, { error: { code: 'RATE_LIMITED', message: 'slow down', requestId: 'req-9' } }),
    });
    const error = (await login({ email: 'a@b.c', password: 'x' }).catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'RATE_LIMITED', requestId: 'req-9', status: 429 });
  });
});
