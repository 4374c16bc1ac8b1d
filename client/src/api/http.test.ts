import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { LOCAL_NAME_HEADER } from '@maskroom/shared';
import { ApiError, getJson, sendJson, setClientIdentity } from './http.js';

type FetchArgs = [input: string, init: RequestInit];

function stubFetch(answer: (...args: FetchArgs) => Response | Promise<Response>) {
  const calls: FetchArgs[] = [];
  vi.stubGlobal('fetch', (input: string, init: RequestInit) => {
    calls.push([input, init]);
    return Promise.resolve(answer(input, init));
  });
  return calls;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const thing = z.strictObject({ n: z.int() });

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setClientIdentity(null);
});

describe('getJson', () => {
  it('returns the body parsed with its schema', async () => {
    const calls = stubFetch(() => json(200, { n: 3 }));
    await expect(getJson('/api/thing', thing)).resolves.toEqual({ n: 3 });
    expect(calls[0]?.[1].method).toBe('GET');
    expect(calls[0]?.[1].body).toBeUndefined();
  });

  it('names the browser on every request once an identity is set, percent-encoded', async () => {
    const calls = stubFetch(() => json(200, { n: 1 }));
    await getJson('/api/thing', thing);
    setClientIdentity('  Zoë 🦊 ');
    await getJson('/api/thing', thing);
    const headers = calls.map(([, init]) => (init.headers ?? {}) as Record<string, string>);
    expect(headers[0]?.[LOCAL_NAME_HEADER]).toBeUndefined();
    expect(decodeURIComponent(headers[1]?.[LOCAL_NAME_HEADER] ?? '')).toBe('Zoë 🦊');
    // Header values must be Latin-1 or fetch throws.
    expect(headers[1]?.[LOCAL_NAME_HEADER]).toMatch(/^[\x20-\x7e]+$/);
  });

  it("turns the server's coded error into an ApiError with its code, message and request id", async () => {
    stubFetch(() =>
      json(404, { error: { code: 'NOT_FOUND', message: 'no such video', requestId: 'req-42' } }),
    );
    const error = await rejection(getJson('/api/videos/v1', thing));
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'no such video',
      status: 404,
      requestId: 'req-42',
      retryable: false,
    });
  });

  it('keeps retryability from the code table', async () => {
    stubFetch(() => json(503, { error: { code: 'NO_WORKER', message: 'busy', requestId: 'r1' } }));
    expect((await rejection(getJson('/api/x', thing))).retryable).toBe(true);
  });

  it('says plainly that the server does not answer when the connection fails', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const error = await rejection(getJson('/api/videos', thing));
    expect(error.code).toBe('NETWORK');
    expect(error.status).toBe(0);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^the server does not answer/);
  });

  it("reads a proxy's non-JSON 502 as an unreachable server, keeping the request id header", async () => {
    stubFetch(
      () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'x-request-id': 'p-1' } }),
    );
    const error = await rejection(getJson('/api/videos', thing));
    expect(error).toMatchObject({ code: 'NETWORK', status: 502, requestId: 'p-1' });
    expect(error.message).toContain('the server does not answer');
  });

  it('rejects an answer of the wrong shape as INTERNAL, naming the route and the field', async () => {
    stubFetch(() => json(200, { n: 'three' }, { 'x-request-id': 'r-9' }));
    const error = await rejection(getJson('/api/thing', thing));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('GET /api/thing');
    expect(error.message).toContain('at n');
    expect(error.requestId).toBe('r-9');
  });

  it('rejects a 200 that is not JSON as INTERNAL', async () => {
    stubFetch(() => new Response('<!doctype html>', { status: 200 }));
    expect((await rejection(getJson('/api/thing', thing))).code).toBe('INTERNAL');
  });

  it('reports a request aborted by its caller as CANCELLED, not as a network failure', async () => {
    vi.stubGlobal('fetch', (_input: string, init: RequestInit) => {
      return new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    });
    const controller = new AbortController();
    const pending = getJson('/api/thing', thing, { signal: controller.signal });
    controller.abort();
    expect((await rejection(pending)).code).toBe('CANCELLED');
  });
});

describe('sendJson', () => {
  it('sends the body as JSON and parses the answer', async () => {
    const calls = stubFetch((_input, init) =>
      json(200, { n: (JSON.parse(String(init.body)) as { a: number }).a * 2 }),
    );
    await expect(sendJson('PATCH', '/api/thing', { a: 21 }, thing)).resolves.toEqual({ n: 42 });
    const [, init] = calls[0] ?? [];
    expect(init?.method).toBe('PATCH');
    expect((init?.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('without a schema ignores the body of a 204 or 202', async () => {
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    await expect(sendJson('DELETE', '/api/thing/1')).resolves.toBeUndefined();
    expect(calls[0]?.[1].body).toBeUndefined();
    expect((calls[0]?.[1].headers as Record<string, string>)['content-type']).toBeUndefined();
  });

  it('still fails on an error status without a schema', async () => {
    stubFetch(() => json(409, { error: { code: 'CONFLICT', message: 'taken', requestId: 'r2' } }));
    expect((await rejection(sendJson('POST', '/api/thing', {}))).code).toBe('CONFLICT');
  });
});
