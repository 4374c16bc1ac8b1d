/**
 * Cross-site request forgery: a state-changing request that a browser marks as coming from another
 * site (`Sec-Fetch-Site`, `Origin`) is refused with 403 and changes nothing, whatever the route
 * (log-in and sign-up included); the site's own requests pass; reads from anywhere still answer
 * (the cookie is SameSite=Lax and no GET changes anything).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionId, VideoId } from '@maskroom/shared';
import {
  call,
  createLink,
  errorCode,
  login,
  signUp,
  uploadAs,
  type Account,
  type Answer,
  type CallOptions,
} from '../test/accounts.js';
import { startAccountsServer, type AccountsServer } from './fixtures.js';

let env: AccountsServer;
let owner: Account;
let session: SessionId;
let video: VideoId;

beforeAll(async () => {
  env = await startAccountsServer();
  owner = await signUp(env.server, 'Owner Csrf');
  const up = await uploadAs(owner.client, { title: 'Original title' });
  session = up.session.id;
  video = up.video.id;
}, 60_000);
afterAll(async () => {
  await env?.close();
});

/** Headers a browser sends for a request made by a page of another site. */
const CROSS_SITE: Record<string, Record<string, string>> = {
  'Sec-Fetch-Site: cross-site': { 'sec-fetch-site': 'cross-site' },
  'Sec-Fetch-Site: same-site': { 'sec-fetch-site': 'same-site' },
  'Origin: https://evil.example': { origin: 'https://evil.example' },
  'Origin: null (sandboxed frame)': { origin: 'null' },
  'Origin: a look-alike host': { origin: 'http://127.0.0.1.evil.example' },
  'Origin: the same host, another port': { origin: 'http://127.0.0.1:1' },
  'Origin: malformed': { origin: 'not a url' },
  'cross-site with a same-origin Origin': { 'sec-fetch-site': 'cross-site', origin: 'SELF' },
};

function headersFor(kind: Record<string, string>): Record<string, string> {
  const out = { ...kind };
  if (out.origin === 'SELF') out.origin = env.server.url;
  return out;
}

/** `opts` as a page of another site would send it: only the listed headers say where it is from. */
function forged(path: string, opts: CallOptions, kind: Record<string, string>): Promise<Answer> {
  return call(env.server, path, { ...opts, origin: null, headers: headersFor(kind) });
}

const titleNow = async (): Promise<string> =>
  ((await owner.client.get(`/api/videos/${video}`)).json as { title: string }).title;

describe('cross-site mutations are refused', () => {
  it('every kind of cross-site marking gets 403 FORBIDDEN on a rename, and the title stays', async () => {
    for (const [what, kind] of Object.entries(CROSS_SITE)) {
      const answer = await forged(
        `/api/videos/${video}`,
        { method: 'PATCH', token: owner.token, body: { title: `forged ${what}` } },
        kind,
      );
      expect([answer.status, errorCode(answer)], what).toEqual([403, 'FORBIDDEN']);
    }
    expect(await titleNow()).toBe('Original title');
  });

  it('on every kind of mutating route: objects, links, deletion, log-out, password, joining, log-in, sign-up', async () => {
    const link = await createLink(owner.client, session, 'editor');
    const victim = await signUp(env.server, 'Victim Csrf');
    const kind = CROSS_SITE['Sec-Fetch-Site: cross-site']!;
    const evil = CROSS_SITE['Origin: https://evil.example']!;
    const attempts: Array<[string, string, CallOptions]> = [
      ['create object', `/api/sessions/${session}/objects`, { method: 'POST', token: owner.token, body: {} }],
      ['reset', `/api/sessions/${session}/reset`, { method: 'POST', token: owner.token }],
      [
        'create link',
        `/api/sessions/${session}/links`,
        { method: 'POST', token: owner.token, body: { role: 'editor', expiresInHours: 1 } },
      ],
      [
        'revoke link',
        `/api/sessions/${session}/links/${link.link.id}`,
        { method: 'DELETE', token: owner.token },
      ],
      ['delete video', `/api/videos/${video}`, { method: 'DELETE', token: owner.token }],
      ['log out', '/api/auth/logout', { method: 'POST', token: victim.token }],
      [
        'change password',
        '/api/auth/password',
        {
          method: 'POST',
          token: victim.token,
          body: { currentPassword: victim.password, newPassword: 'attacker chosen pw' },
        },
      ],
      [
        'join a link (as the victim)',
        `/api/links/${link.token}/join`,
        { method: 'POST', token: victim.token, body: {} },
      ],
      [
        'log in (login CSRF)',
        '/api/auth/login',
        { method: 'POST', body: { email: victim.email, password: victim.password } },
      ],
      [
        'sign up',
        '/api/auth/signup',
        {
          method: 'POST',
          body: { email: `forged-${Date.now()}@example.test`, password: 'long enough pw', displayName: 'F' },
        },
      ],
    ];
    for (const [what, path, opts] of attempts) {
      for (const k of [kind, evil]) {
        const answer = await forged(path, opts, k);
        expect(answer.status, what).toBe(403);
        expect(answer.headers.getSetCookie(), `${what} sets no cookie`).toEqual([]);
      }
    }
    // Nothing happened: the video, the link, the victim's session and password, no membership.
    expect((await owner.client.get(`/api/videos/${video}`)).status).toBe(200);
    expect((await call(env.server, `/api/links/${link.token}`)).status).toBe(200);
    expect((await victim.client.get('/api/auth/me')).status).toBe(200);
    expect((await login(env.server, victim.email, victim.password)).status).toBe(200);
    expect((await victim.client.get(`/api/videos/${video}`)).status, 'not made a member').toBe(404);
    const links = await owner.client.get(`/api/sessions/${session}/links`);
    expect((links.json as { links: unknown[] }).links, 'no forged link').toHaveLength(1);
  });
});

describe("the site's own requests", () => {
  it('pass with a same-origin Origin, with Sec-Fetch-Site: same-origin, and without either (not a browser)', async () => {
    const ways: Array<[string, Record<string, string>]> = [
      ['same-origin Origin', { origin: env.server.url }],
      ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
      ['both', { 'sec-fetch-site': 'same-origin', origin: env.server.url }],
      ['neither', {}],
    ];
    for (const [what, headers] of ways) {
      const answer = await call(env.server, `/api/videos/${video}`, {
        method: 'PATCH',
        token: owner.token,
        origin: null,
        headers,
        body: { title: `renamed (${what})` },
      });
      expect(answer.status, what).toBe(200);
      expect(await titleNow()).toBe(`renamed (${what})`);
    }
  });

  it('reads from another site still answer, and change nothing', async () => {
    for (const [what, kind] of Object.entries(CROSS_SITE)) {
      const answer = await call(env.server, `/api/sessions/${session}`, {
        token: owner.token,
        origin: null,
        headers: headersFor(kind),
      });
      expect(answer.status, what).toBe(200);
    }
    // No GET changes state: there is no GET log-out or join.
    const link = await createLink(owner.client, session, 'viewer');
    const other = await signUp(env.server, 'Reader Csrf');
    const logout = await call(env.server, '/api/auth/logout', {
      token: other.token,
      headers: CROSS_SITE['Sec-Fetch-Site: cross-site']!,
    });
    expect(logout.status).toBe(404);
    const join = await call(env.server, `/api/links/${link.token}/join`, { token: other.token });
    expect(join.status).toBe(404);
    expect((await other.client.get('/api/auth/me')).status).toBe(200);
    expect((await other.client.get(`/api/videos/${video}`)).status, 'not made a member').toBe(404);
  });
});
