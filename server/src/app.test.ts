import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpErrorBodySchema } from '@maskroom/shared';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './log.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const clientDir = mkdtempSync(path.join(tmpdir(), 'maskroom-client-'));
  mkdirSync(path.join(clientDir, 'assets'));
  writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Maskroom</title>');
  writeFileSync(path.join(clientDir, 'assets', 'app-abc123.js'), 'console.log(1)');
  const app = createApp({
    config: loadConfig({}),
    log: createLogger('silent'),
    clientDir,
    version: '9.9.9',
    health: { db: async () => ({ ok: true, driver: 'test' }), workers: () => [] },
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('HTTP shell', () => {
  it('answers GET /api/health with ok, db and workers', async () => {
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      version: '9.9.9',
      db: { ok: true, driver: 'test' },
      workers: [],
    });
  });

  it('answers unknown API routes with a coded 404 carrying the request id', async () => {
    const res = await fetch(`${base}/api/nope`, { headers: { 'x-request-id': 'req-42' } });
    expect(res.status).toBe(404);
    const body = httpErrorBodySchema.parse(await res.json());
    expect(body.error).toMatchObject({ code: 'NOT_FOUND', requestId: 'req-42' });
    expect(res.headers.get('x-request-id')).toBe('req-42');
  });

  it('replaces an unsafe incoming request id with its own', async () => {
    const res = await fetch(`${base}/api/nope`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(httpErrorBodySchema.parse(await res.json()).error.requestId).toBe(id);
  });

  it('answers malformed JSON with INVALID_REQUEST, not a stack trace', async () => {
    const res = await fetch(`${base}/api/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated',
    });
    expect(res.status).toBe(400);
    const body = httpErrorBodySchema.parse(await res.json());
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js/);
  });

  it('serves the SPA for client routes and hashed assets immutably', async () => {
    const page = await fetch(`${base}/videos/abc?frame=3`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Maskroom</title>');
    const asset = await fetch(`${base}/assets/app-abc123.js`);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });
});
