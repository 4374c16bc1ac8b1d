/**
 * Login sessions (OWASP session management, research/stack.md §5): the cookie's attributes, the
 * token's shape and entropy, where it never appears, tampering, log-out, password change, idle
 * and absolute expiry on a moved clock, fixation, uniform log-in errors, no-store answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authMeSchema } from '@maskroom/shared';
import {
  DAY,
  FakeClock,
  SECOND,
  call,
  clearsCookie,
  createLink,
  errorCode,
  joinAsGuest,
  login,
  sessionSetCookie,
  signUp,
  uploadAs,
  type Account,
  type Answer,
} from '../test/accounts.js';
import { allRowsAsText, startAccountsServer, type AccountsServer } from './fixtures.js';

const clock = new FakeClock();
let env: AccountsServer;

beforeAll(async () => {
  env = await startAccountsServer({ clock });
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const me = (token: string | null): Promise<Answer> => call(env.server, '/api/auth/me', { token });

/** One character of `s` at `index` replaced by another of the same alphabet. */
function flip(s: string, index: number): string {
  const c = s[index]!;
  const other = c === 'a' ? 'b' : c === '0' ? '1' : 'a';
  return `${s.slice(0, index)}${other}${s.slice(index + 1)}`;
}

function splitToken(token: string): { id: string; secret: string } {
  const dot = token.indexOf('.');
  expect(dot, `token ${token} is <id>.<secret>`).toBeGreaterThan(0);
  return { id: token.slice(0, dot), secret: token.slice(dot + 1) };
}

/** Bits a random string of this alphabet carries, judged from the characters it uses. */
function entropyBits(s: string): number {
  const perChar = /^[0-9a-f]+$/.test(s) ? 4 : /^[a-z2-7]+$/.test(s) ? 5 : /^[A-Za-z0-9_-]+$/.test(s) ? 6 : 0;
  return s.length * perChar;
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/, without Domain; Secure only over HTTPS (a loopback proxy)', async () => {
    const plain = await call(env.server, '/api/auth/signup', {
      method: 'POST',
      body: {
        email: `plain-${Date.now()}@example.test`,
        password: 'long enough password',
        displayName: 'Pl',
      },
    });
    expect(plain.status).toBe(201);
    const cookie = sessionSetCookie(plain.headers)!;
    expect(cookie, 'a session cookie is set').toBeDefined();
    expect(cookie.attributes.get('httponly')).toBe(true);
    expect(String(cookie.attributes.get('samesite')).toLowerCase()).toBe('lax');
    expect(cookie.attributes.get('path')).toBe('/');
    expect(cookie.attributes.has('domain')).toBe(false);
    expect(cookie.attributes.has('secure')).toBe(false);
    const maxAge = Number(cookie.attributes.get('max-age') ?? Infinity);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(30 * 24 * 3600);

    const account = await signUp(env.server, 'Https Hal');
    const overHttps = await login(env.server, account.email, account.password, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(overHttps.status).toBe(200);
    const secure = sessionSetCookie(overHttps.headers)!;
    expect(secure.attributes.get('secure')).toBe(true);
    expect(secure.attributes.get('httponly')).toBe(true);
  });

  it('believes X-Forwarded-Proto only from the proxies MASKROOM_TRUST_PROXY names', async () => {
    // A server told to trust only a private network: this test's loopback client is not its proxy.
    const strict = await startAccountsServer({ trustProxy: '10.0.0.0/8' });
    try {
      const account = await signUp(strict.server, 'Proxy Pia');
      const forged = await login(strict.server, account.email, account.password, {
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(forged.status).toBe(200);
      expect(sessionSetCookie(forged.headers)!.attributes.has('secure')).toBe(false);
    } finally {
      await strict.close();
    }
  });

  it('holds <id>.<secret> with at least 64 random bits, different on every log-in', async () => {
    const account = await signUp(env.server, 'Token Tia');
    const tokens = [account.token];
    for (let i = 0; i < 3; i++)
      tokens.push((await login(env.server, account.email, account.password)).token!);
    expect(new Set(tokens).size).toBe(tokens.length);
    const parts = tokens.map(splitToken);
    expect(new Set(parts.map((p) => p.id)).size).toBe(tokens.length);
    for (const { secret } of parts) expect(entropyBits(secret)).toBeGreaterThanOrEqual(64);
  });

  it('is never in a JSON answer, in /api/auth/me, or stored in the database', async () => {
    const owner = await signUp(env.server, 'Quiet Quinn');
    const again = await login(env.server, owner.email, owner.password);
    const session = (await uploadAs(owner.client)).session.id;
    const guest = await joinAsGuest(
      env.server,
      (await createLink(owner.client, session, 'viewer')).token,
      'G',
    );
    const tokens = [owner.token, again.token!, guest.token!];
    const answers: Array<[string, Answer]> = [
      ['login', again],
      ['me', await me(owner.token)],
      ['/api/me', await call(env.server, '/api/me', { token: owner.token })],
      ['guest me', await me(guest.token)],
      ['session', await owner.client.get(`/api/sessions/${session}`)],
      ['videos', await owner.client.get('/api/videos')],
      ['links', await owner.client.get(`/api/sessions/${session}/links`)],
    ];
    const rows = await allRowsAsText(env.db.db);
    for (const token of tokens) {
      const { secret } = splitToken(token);
      const hex = (s: string) => Buffer.from(s).toString('hex');
      for (const [what, answer] of answers) {
        expect(answer.text.includes(secret), `${what} carries a secret`).toBe(false);
      }
      for (const { table, row } of rows) {
        for (const needle of [token, secret, hex(secret)])
          expect(row.includes(needle), `table ${table} holds a token secret`).toBe(false);
      }
    }
  });

  it("the login session's id is not shown to anyone either (a guest's user id, presence)", async () => {
    const owner = await signUp(env.server, 'Id Ida');
    const session = (await uploadAs(owner.client)).session.id;
    const guest = await joinAsGuest(
      env.server,
      (await createLink(owner.client, session, 'editor')).token,
      'Gu',
    );
    const { id } = splitToken(guest.token!);
    const answer = await me(guest.token);
    expect(answer.status).toBe(200);
    expect(answer.text.includes(id), `/api/auth/me shows the guest's login session id ${id}`).toBe(false);
  });
});

describe('tokens that are not valid', () => {
  it('tampered, truncated, re-keyed or garbage tokens answer 401', async () => {
    const a = await signUp(env.server, 'Tamper Tom');
    const b = await signUp(env.server, 'Other Ola');
    expect((await me(a.token)).status).toBe(200);
    const { id, secret } = splitToken(a.token);
    const other = splitToken(b.token);
    const bad = {
      'secret first char': `${id}.${flip(secret, 0)}`,
      'secret last char': `${id}.${flip(secret, secret.length - 1)}`,
      'id changed': `${flip(id, 0)}.${secret}`,
      truncated: a.token.slice(0, -1),
      extended: `${a.token}a`,
      'id only': id,
      'secret only': secret,
      'no secret': `${id}.`,
      "another account's secret": `${id}.${other.secret}`,
      "another account's id": `${other.id}.${secret}`,
      'upper case': a.token.toUpperCase(),
      garbage: 'garbage',
      empty: '',
      'two dots': `${id}.${secret}.x`,
    };
    for (const [what, token] of Object.entries(bad)) {
      const answer = await me(token);
      expect(answer.status, what).toBe(401);
      expect(errorCode(answer), what).toBe('UNAUTHENTICATED');
    }
    // The real ones still work (the bad attempts ended nothing).
    expect((await me(a.token)).status).toBe(200);
    expect((await me(b.token)).status).toBe(200);
  });

  it('no cookie: /api/auth/me and /api/me answer 401', async () => {
    expect((await me(null)).status).toBe(401);
    expect((await call(env.server, '/api/me')).status).toBe(401);
  });
});

describe('ending sessions', () => {
  it('log-out deletes the session: the cookie is cleared and the old token replayed gets 401', async () => {
    const a = await signUp(env.server, 'Leaving Lea');
    const other = await login(env.server, a.email, a.password);
    const out = await call(env.server, '/api/auth/logout', { method: 'POST', token: a.token });
    expect(out.status).toBe(204);
    const cleared = sessionSetCookie(out.headers);
    expect(cleared && clearsCookie(cleared), 'the cookie is cleared').toBe(true);
    expect((await me(a.token)).status).toBe(401);
    // Another device's session of the same account is its own.
    expect((await me(other.token)).status).toBe(200);
  });

  it('a password change ends every session of the account; the fresh cookie works', async () => {
    const a = await signUp(env.server, 'Pass Pat');
    const second = await login(env.server, a.email, a.password);
    const bystander = await signUp(env.server, 'By Stander');
    const newPassword = 'another long password';
    const wrong = await call(env.server, '/api/auth/password', {
      method: 'POST',
      token: a.token,
      body: { currentPassword: 'not the password', newPassword },
    });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect((await me(second.token)).status, 'a refused change ends nothing').toBe(200);

    const changed = await call(env.server, '/api/auth/password', {
      method: 'POST',
      token: a.token,
      body: { currentPassword: a.password, newPassword },
    });
    expect(changed.status).toBe(204);
    const fresh = sessionSetCookie(changed.headers);
    expect(fresh && !clearsCookie(fresh), 'a fresh cookie is set').toBe(true);
    const freshToken = decodeURIComponent(fresh!.value);
    expect(freshToken).not.toBe(a.token);
    expect((await me(a.token)).status, 'the session that changed it').toBe(401);
    expect((await me(second.token)).status, 'the other session').toBe(401);
    expect((await me(freshToken)).status, 'the fresh cookie').toBe(200);
    expect((await me(bystander.token)).status, 'another account').toBe(200);
    expect((await login(env.server, a.email, a.password)).status).toBe(401);
    expect((await login(env.server, a.email, newPassword)).status).toBe(200);
  });
});

describe('expiry (on the server clock)', () => {
  it('ends a session unused for 10 days', async () => {
    const a = await signUp(env.server, 'Idle Ivo');
    clock.advance(10 * DAY - 60 * SECOND);
    const b = await signUp(env.server, 'Idle Iva');
    expect((await me(b.token)).status).toBe(200);
    clock.advance(60 * SECOND + SECOND);
    expect((await me(a.token)).status).toBe(401);
    expect((await me(b.token)).status, 'a recent session lives on').toBe(200);
  });

  it('slides while used (every 5 days for 25 days), but ends 30 days after log-in whatever the use', async () => {
    const a = await signUp(env.server, 'Busy Bea');
    for (let day = 5; day <= 25; day += 5) {
      clock.advance(5 * DAY);
      expect((await me(a.token)).status, `day ${day}`).toBe(200);
    }
    clock.advance(5 * DAY - 60 * SECOND);
    expect((await me(a.token)).status, 'day 30 less a minute').toBe(200);
    clock.advance(60 * SECOND + SECOND);
    expect((await me(a.token)).status, 'day 30 and a second').toBe(401);
    // A new log-in starts a new 30 days.
    expect((await login(env.server, a.email, a.password)).status).toBe(200);
  });
});

describe('log-in', () => {
  it('ignores a cookie the caller already had: a new session, of the account that logged in (fixation)', async () => {
    const attacker = await signUp(env.server, 'Mallory');
    const victim = await signUp(env.server, 'Victim Vi');
    for (const planted of [attacker.token, `${splitToken(attacker.token).id}.${'a'.repeat(52)}`, 'planted']) {
      const answer = await login(env.server, victim.email, victim.password, { token: planted });
      expect(answer.status).toBe(200);
      expect(answer.token, 'a new session cookie').not.toBeNull();
      expect(splitToken(answer.token!).id).not.toBe(splitToken(attacker.token).id);
      expect(authMeSchema.parse(answer.json).email).toBe(victim.email);
      const mine = authMeSchema.parse((await me(answer.token)).json);
      expect(mine.user.id).toBe(victim.userId);
    }
    // The planted (attacker's) session still belongs to the attacker alone.
    expect(authMeSchema.parse((await me(attacker.token)).json).user.id).toBe(attacker.userId);
  });

  it('answers an unknown email and a wrong password alike', async () => {
    const a: Account = await signUp(env.server, 'Uniform Uma');
    const unknown = await login(env.server, `nobody-${Date.now()}@example.test`, a.password);
    const wrong = await login(env.server, a.email, 'wrong password!');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const body = (x: Answer) => (x.json as { error: { code: string; message: string } }).error;
    expect(body(unknown).code).toBe('UNAUTHENTICATED');
    expect(body(unknown).code).toBe(body(wrong).code);
    expect(body(unknown).message).toBe(body(wrong).message);
    expect(unknown.token).toBeNull();
    expect(wrong.token).toBeNull();
  });

  it('authenticated JSON answers are not stored by caches (Cache-Control: no-store)', async () => {
    const email = `cache-${Date.now()}@example.test`;
    const signup = await call(env.server, '/api/auth/signup', {
      method: 'POST',
      body: { email, password: 'long enough password', displayName: 'Cache Cy' },
    });
    const token = sessionSetCookie(signup.headers)!.value;
    const owner = await signUp(env.server, 'Cache Owner');
    const session = (await uploadAs(owner.client)).session.id;
    const answers: Array<[string, Answer]> = [
      ['signup', signup],
      ['login', await login(env.server, email, 'long enough password')],
      ['/api/auth/me', await me(token)],
      ['/api/me', await call(env.server, '/api/me', { token })],
      ['GET /api/sessions/:id', await owner.client.get(`/api/sessions/${session}`)],
      ['GET /api/videos', await owner.client.get('/api/videos')],
    ];
    for (const [what, answer] of answers) {
      expect(answer.status, what).toBeLessThan(300);
      expect(answer.headers.get('cache-control') ?? '', what).toMatch(/no-store/);
    }
  });
});
