/**
 * Accounts-mode test helpers (`MASKROOM_AUTH=accounts`): sign-up and log-in that keep the session
 * cookie, an HTTP client that sends it (and a same-origin `Origin` on mutating requests, as a
 * browser does, so the CSRF check lets it through), share links, uploads by an account, a
 * collaboration socket opened with a cookie and an Origin, and a clock the tests move.
 */
import { openAsBlob } from 'node:fs';
import WebSocket from 'ws';
import {
  createVideoResponseSchema,
  createdLinkSchema,
  type CreateVideoResponse,
  type CreatedLink,
  type LinkRole,
  type SessionId,
} from '@maskroom/shared';
import { RawCollabSocket } from './raw-collab.js';
import { makeVideo, testVideoDir } from './videos.js';

export const SESSION_COOKIE = 'maskroom_session';
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Anything with the base URL of a running server. */
export interface Served {
  readonly url: string;
}

/** The auth clock of a test server (`startTestServer({ clock: clock.read })`), moved by hand. */
export class FakeClock {
  now = Date.now();
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

// --- HTTP ----------------------------------------------------------------------------------------

export interface CallOptions {
  readonly method?: string;
  /** Sent as JSON (a string is sent as it is, with a JSON content type). */
  readonly body?: unknown;
  /** The session token to send as the `maskroom_session` cookie. */
  readonly token?: string | null;
  /** `Origin` to send; default: the server's own on mutating requests, none on GET/HEAD. */
  readonly origin?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An answer with its body already read (as text, and as JSON when it parses). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function call(server: Served, path: string, opts: CallOptions = {}): Promise<Answer> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = {};
  const origin = opts.origin === undefined ? (SAFE_METHODS.has(method) ? null : server.url) : opts.origin;
  if (origin !== null) headers.origin = origin;
  if (opts.token !== undefined && opts.token !== null) headers.cookie = `${SESSION_COOKIE}=${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  Object.assign(headers, opts.headers);
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The error code of an error answer (`{error: {code}}`), or undefined. */
export function errorCode(answer: Answer): string | undefined {
  const body = answer.json as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** One caller: a cookie (or none) bound to a server. */
export class ApiClient {
  constructor(
    readonly server: Served,
    public token: string | null,
    readonly label = 'client',
  ) {}

  call(path: string, opts: Omit<CallOptions, 'token'> = {}): Promise<Answer> {
    return call(this.server, path, { ...opts, token: this.token });
  }
  get(path: string, headers?: Record<string, string>): Promise<Answer> {
    return this.call(path, headers ? { headers } : {});
  }
  post(path: string, body?: unknown): Promise<Answer> {
    return this.call(path, { method: 'POST', ...(body === undefined ? {} : { body }) });
  }
  patch(path: string, body?: unknown): Promise<Answer> {
    return this.call(path, { method: 'PATCH', ...(body === undefined ? {} : { body }) });
  }
  delete(path: string): Promise<Answer> {
    return this.call(path, { method: 'DELETE' });
  }
}

// --- cookies -------------------------------------------------------------------------------------

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Attribute names in lower case; a flag (`HttpOnly`) maps to true. */
  readonly attributes: ReadonlyMap<string, string | true>;
  readonly raw: string;
}

export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...attrs] = raw.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string | true>();
  for (const a of attrs) {
    if (!a) continue;
    const i = a.indexOf('=');
    if (i < 0) attributes.set(a.toLowerCase(), true);
    else attributes.set(a.slice(0, i).toLowerCase(), a.slice(i + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes, raw };
}

/** The `maskroom_session` Set-Cookie of an answer, if it sets one. */
export function sessionSetCookie(headers: Headers): SetCookie | undefined {
  return headers
    .getSetCookie()
    .map(parseSetCookie)
    .find((c) => c.name === SESSION_COOKIE);
}

/** Whether a Set-Cookie removes the cookie (empty value, past expiry or `Max-Age=0`). */
export function clearsCookie(c: SetCookie): boolean {
  const maxAge = c.attributes.get('max-age');
  const expires = c.attributes.get('expires');
  return (
    c.value === '' ||
    (typeof maxAge === 'string' && Number(maxAge) <= 0) ||
    (typeof expires === 'string' && Date.parse(expires) <= Date.now())
  );
}

/** The session token an answer sets (not a clearing one), or null. */
export function tokenSet(answer: Answer): string | null {
  const c = sessionSetCookie(answer.headers);
  return c && !clearsCookie(c) ? decodeURIComponent(c.value) : null;
}

// --- accounts ------------------------------------------------------------------------------------

export interface Account {
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly userId: string;
  /** The session token of the sign-up (the cookie's value). */
  readonly token: string;
  /** A client holding that token. */
  readonly client: ApiClient;
}

let accountCounter = 0;

/** A fresh, unique email for `who`. */
export function uniqueEmail(who: string): string {
  accountCounter++;
  const tag = `${who.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${accountCounter}`;
  return `${tag}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

export const DEFAULT_PASSWORD = 'correct horse battery staple';

export async function signUp(
  server: Served,
  who: string,
  opts: { email?: string; password?: string; invite?: string; headers?: Record<string, string> } = {},
): Promise<Account> {
  const email = opts.email ?? uniqueEmail(who);
  const password = opts.password ?? DEFAULT_PASSWORD;
  const answer = await call(server, '/api/auth/signup', {
    method: 'POST',
    body: {
      email,
      password,
      displayName: who,
      ...(opts.invite === undefined ? {} : { invite: opts.invite }),
    },
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
  if (answer.status !== 201) throw new Error(`sign-up of ${who} failed: ${answer.status} ${answer.text}`);
  const token = tokenSet(answer);
  if (!token) throw new Error(`sign-up of ${who} set no session cookie`);
  const me = answer.json as { user?: { id?: unknown } };
  if (typeof me.user?.id !== 'string')
    throw new Error(`sign-up of ${who} answered no user id: ${answer.text}`);
  return { email, password, name: who, userId: me.user.id, token, client: new ApiClient(server, token, who) };
}

/** `POST /api/auth/login`; `token` is the new session's, null when none was set. */
export async function login(
  server: Served,
  email: string,
  password: string,
  opts: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer & { token: string | null }> {
  const answer = await call(server, '/api/auth/login', {
    method: 'POST',
    body: { email, password },
    token: opts.token ?? null,
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
  return { ...answer, token: tokenSet(answer) };
}

// --- sessions, links, uploads --------------------------------------------------------------------

/** Uploads a small generated h264 test video as `owner`; the owner of the new session. */
export async function uploadAs(
  owner: ApiClient,
  opts: { title?: string; uploadId?: string; durationSec?: number } = {},
): Promise<CreateVideoResponse> {
  const form = new FormData();
  const file = await makeVideo(testVideoDir(), 'h264-mp4', { durationSec: opts.durationSec ?? 1 });
  form.append('file', await openAsBlob(file), 'v.mp4');
  if (opts.title !== undefined) form.append('title', opts.title);
  const headers: Record<string, string> = { origin: owner.server.url };
  if (owner.token) headers.cookie = `${SESSION_COOKIE}=${owner.token}`;
  if (opts.uploadId !== undefined) headers['x-maskroom-upload-id'] = opts.uploadId;
  const res = await fetch(`${owner.server.url}/api/videos`, { method: 'POST', body: form, headers });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`upload by ${owner.label} failed: ${res.status} ${text}`);
  return createVideoResponseSchema.parse(JSON.parse(text));
}

export async function createLink(
  owner: ApiClient,
  session: SessionId,
  role: LinkRole,
  expiresInHours = 24,
): Promise<CreatedLink> {
  const answer = await owner.post(`/api/sessions/${session}/links`, { role, expiresInHours });
  if (answer.status !== 201) throw new Error(`link creation failed: ${answer.status} ${answer.text}`);
  return createdLinkSchema.parse(answer.json);
}

/**
 * `POST /api/links/:token/join`, logged in (`as` holds a token) or not (a guest: give a
 * `displayName`). `token` is the guest session the answer sets, else the caller's own.
 */
export async function joinLink(
  server: Served,
  linkToken: string,
  opts: { as?: string | null; displayName?: string } = {},
): Promise<Answer & { token: string | null }> {
  const answer = await call(server, `/api/links/${encodeURIComponent(linkToken)}/join`, {
    method: 'POST',
    body: opts.displayName === undefined ? {} : { displayName: opts.displayName },
    token: opts.as ?? null,
  });
  return { ...answer, token: tokenSet(answer) ?? opts.as ?? null };
}

/** A guest of the session a link opens: joins without an account, holds the guest cookie. */
export async function joinAsGuest(server: Served, linkToken: string, name: string): Promise<ApiClient> {
  const joined = await joinLink(server, linkToken, { displayName: name });
  if (joined.status !== 200 || !joined.token)
    throw new Error(`guest join of ${name} failed: ${joined.status} ${joined.text}`);
  return new ApiClient(server, joined.token, name);
}

// --- the collaboration socket --------------------------------------------------------------------

export type CollabOpen =
  { socket: RawCollabSocket; refused?: undefined } | { refused: string; socket?: undefined };

/**
 * Opens `/collab` with a cookie and an Origin (default: the server's own; null sends none). A
 * refused upgrade (an HTTP answer instead of 101, or a dropped connection) resolves `refused`.
 */
export function openCollab(
  server: Served,
  opts: { token?: string | null; origin?: string | null } = {},
): Promise<CollabOpen> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.cookie = `${SESSION_COOKIE}=${opts.token}`;
  const origin = opts.origin === undefined ? server.url : opts.origin;
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/collab`, {
    headers,
    ...(origin === null ? {} : { origin }),
  });
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ socket: wrapSocket(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: `HTTP ${res.statusCode ?? '?'}` });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (e) => resolve({ refused: `error: ${e.message}` }));
  });
}

/**
 * RawCollabSocket only opens sockets without headers; its constructor takes any open `ws`
 * socket, so this one (with a cookie and an Origin) is handed to it directly.
 */
const wrapSocket = (ws: WebSocket): RawCollabSocket =>
  new (RawCollabSocket as unknown as new (ws: WebSocket) => RawCollabSocket)(ws);
