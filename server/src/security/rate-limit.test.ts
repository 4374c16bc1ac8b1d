/**
 * Log-in rate limiting (docs/api.md: 5 failures per account, 30 per address, in 15 minutes), on
 * the server's clock. The address is the client's as a loopback proxy reports it
 * (`X-Forwarded-For`; trust proxy is loopback), so each test speaks from its own addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeClock,
  MINUTE,
  SECOND,
  errorCode,
  login,
  signUp,
  uniqueEmail,
  type Answer,
} from '../test/accounts.js';
import { startAccountsServer, type AccountsServer } from './fixtures.js';

const clock = new FakeClock();
let env: AccountsServer;

beforeAll(async () => {
  env = await startAccountsServer({ clock });
}, 60_000);
afterAll(async () => {
  await env?.close();
});

let addressCounter = 0;
/** A fresh client address (TEST-NET-3). */
const newAddress = (): string => `203.0.113.${++addressCounter}`;
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

function retryAfterSec(answer: Answer): number {
  const header = answer.headers.get('retry-after');
  expect(header, 'Retry-After').not.toBeNull();
  expect(header).toMatch(/^\d+$/);
  return Number(header);
}

describe('per account', () => {
  it('after 5 wrong passwords the 6th attempt is 429 with Retry-After, even with the right password', async () => {
    const a = await signUp(env.server, 'Target Tara');
    const b = await signUp(env.server, 'Bystander Bo');
    const x = newAddress();
    for (let i = 1; i <= 5; i++) {
      const wrong = await login(env.server, a.email, `wrong password ${i}`, from(x));
      expect(wrong.status, `attempt ${i}`).toBe(401);
    }
    const right = await login(env.server, a.email, a.password, from(x));
    expect([right.status, errorCode(right)]).toEqual([429, 'RATE_LIMITED']);
    expect(right.token, 'no session for a limited log-in').toBeNull();
    const wait = retryAfterSec(right);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    // The limit is the account's, from any address, and however the email is written.
    expect((await login(env.server, a.email, a.password, from(newAddress()))).status).toBe(429);
    expect(
      (await login(env.server, `  ${a.email.toUpperCase()} `, a.password, from(newAddress()))).status,
    ).toBe(429);
    // Other accounts are not affected, from another address or from the same one.
    expect((await login(env.server, b.email, b.password, from(newAddress()))).status).toBe(200);
    expect((await login(env.server, b.email, b.password, from(x))).status).toBe(200);
    // Retry-After counts down with the clock, and the window ends.
    clock.advance(5 * MINUTE);
    const later = await login(env.server, a.email, a.password, from(x));
    expect(later.status).toBe(429);
    expect(retryAfterSec(later)).toBeLessThanOrEqual(wait - 5 * 60 + 1);
    clock.advance(10 * MINUTE + SECOND);
    const after = await login(env.server, a.email, a.password, from(x));
    expect(after.status).toBe(200);
    expect(after.token).not.toBeNull();
  });

  it('counts failures only within the window, and a success starts the count again', async () => {
    const a = await signUp(env.server, 'Forgetful Fay');
    const x = newAddress();
    for (let i = 0; i < 4; i++)
      expect((await login(env.server, a.email, 'nope nope', from(x))).status).toBe(401);
    expect((await login(env.server, a.email, a.password, from(x))).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await login(env.server, a.email, 'nope nope', from(x))).status).toBe(401);
    expect((await login(env.server, a.email, a.password, from(x))).status).toBe(200);
    // Failures spread over more than the window never add up to the limit.
    for (let i = 0; i < 8; i++) {
      expect((await login(env.server, a.email, 'nope nope', from(x))).status, `failure ${i}`).toBe(401);
      clock.advance(4 * MINUTE);
    }
    expect((await login(env.server, a.email, a.password, from(x))).status).toBe(200);
  });
});

describe('per address', () => {
  it('30 failures from one address (any emails) limit that address, not others', async () => {
    const c = await signUp(env.server, 'Careful Cy');
    const z = newAddress();
    for (let i = 0; i < 30; i++) {
      const answer = await login(env.server, uniqueEmail(`spray ${i}`), 'password guess', from(z));
      expect(answer.status, `spray ${i}`).toBe(401);
    }
    const limited = await login(env.server, c.email, c.password, from(z));
    expect([limited.status, errorCode(limited)]).toEqual([429, 'RATE_LIMITED']);
    expect(retryAfterSec(limited)).toBeGreaterThan(0);
    expect((await login(env.server, c.email, c.password, from(newAddress()))).status).toBe(200);
    clock.advance(15 * MINUTE + SECOND);
    expect((await login(env.server, c.email, c.password, from(z))).status).toBe(200);
  });
});
