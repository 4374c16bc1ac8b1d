/**
 * `GET /api/metrics` on a real server with a real classical worker: the text parses, levels are
 * read live, and counters move with what happens (an ingest, a prompt, a propagation, an error).
 * Also who may read it: loopback, or the bearer token.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVideoResponseSchema, jobResponseSchema, type JobId, type SessionId } from '@maskroom/shared';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { parseExposition, type Exposition } from '../metrics/exposition.js';
import { eventually } from '../test/collab-client.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { makeSegmentableVideo, startWorker, type TestWorker } from '../test/workers.js';

const TOKEN = 'metrics-token-0123456789';
let server: TestServer;
let db: TestDatabase;
let dir: string;
let video: { file: string; click: { x: number; y: number } };
let worker: TestWorker | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-metrics-'));
  video = await makeSegmentableVideo(dir, 1);
  db = await openPgliteTestDatabase();
  server = await startTestServer({ database: db, env: { MASKROOM_METRICS_TOKEN: TOKEN } });
}, 60_000);
afterAll(async () => {
  await worker?.stop().catch(() => undefined);
  await server?.close();
  await db?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function scrape(headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await fetch(`${server.url}/api/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

const post = (p: string, body: unknown) =>
  fetch(`${server.url}/api${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('GET /api/metrics', () => {
  it('exposes every documented metric with its type', async () => {
    const m = await scrape();
    const expected: Record<string, string> = {
      maskroom_collab_connections: 'gauge',
      maskroom_documents_loaded: 'gauge',
      maskroom_doc_log_rows: 'gauge',
      maskroom_queue_depth: 'gauge',
      maskroom_workers: 'gauge',
      maskroom_worker_load: 'gauge',
      maskroom_frames_written_total: 'counter',
      maskroom_ingest_seconds: 'histogram',
      maskroom_export_seconds: 'histogram',
      maskroom_http_errors_total: 'counter',
      maskroom_http_requests_total: 'counter',
      maskroom_draining: 'gauge',
      process_resident_memory_bytes: 'gauge',
      process_cpu_seconds_total: 'counter',
    };
    for (const [name, type] of Object.entries(expected)) expect(m.types.get(name), name).toBe(type);
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(m.value('maskroom_draining')).toBe(0);
    expect(m.value('maskroom_workers')).toBe(0);
  });

  it('counts errors by code and requests by method and status', async () => {
    const before = await scrape();
    await fetch(`${server.url}/api/no-such-route`);
    await fetch(`${server.url}/api/no-such-route`);
    const after = await scrape();
    expect(after.sum('maskroom_http_errors_total', { code: 'NOT_FOUND' })).toBe(
      before.sum('maskroom_http_errors_total', { code: 'NOT_FOUND' }) + 2,
    );
    expect(after.sum('maskroom_http_requests_total', { method: 'GET', status: '404' })).toBe(
      before.sum('maskroom_http_requests_total', { method: 'GET', status: '404' }) + 2,
    );
  });

  it('moves with an ingest, a prompt and a propagation, and shows the worker', async () => {
    const form = new FormData();
    form.append('file', await openAsBlob(video.file), 'square.mp4');
    const created = await fetch(`${server.url}/api/videos`, { method: 'POST', body: form });
    const session: SessionId = createVideoResponseSchema.parse(await created.json()).session.id;
    const afterIngest = await scrape();
    expect(afterIngest.value('maskroom_ingest_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(afterIngest.value('maskroom_doc_log_rows')).toBeGreaterThanOrEqual(0);

    worker = await startWorker(server, 'metrics-w1');
    const withWorker = await scrape();
    expect(withWorker.value('maskroom_workers')).toBe(1);
    expect(
      withWorker.value('maskroom_worker_load', {
        worker: 'metrics-w1',
        backend: 'classical',
        measure: 'busy',
      }),
    ).toBeDefined();

    const prompted = await post(`/sessions/${session}/prompts`, {
      frame: 0,
      points: [{ ...video.click, label: 1 }],
    });
    expect(prompted.status).toBe(201);
    const propagated = await post(`/sessions/${session}/propagations`, { direction: 'forward' });
    expect(propagated.status).toBe(202);
    const { jobId } = (await propagated.json()) as { jobId: JobId };
    let job;
    await eventually(async () => {
      job = jobResponseSchema.parse(await (await fetch(`${server.url}/api/jobs/${jobId}`)).json()).job;
      return job.status === 'done';
    }, 60_000);
    const done = await scrape();
    // Every frame from the prompted one on was written by the propagation.
    expect(done.value('maskroom_frames_written_total')).toBeGreaterThanOrEqual(job!.framesTotal);
    expect(
      done.sum('maskroom_http_requests_total', { method: 'POST', status: '201' }),
    ).toBeGreaterThanOrEqual(2);
    expect(done.sum('maskroom_queue_depth')).toBe(0);
  }, 120_000);

  it('is refused to a client behind a proxy on this host, unless it has the token', async () => {
    const remote = { 'x-forwarded-for': '203.0.113.7' };
    const refused = await fetch(`${server.url}/api/metrics`, { headers: remote });
    expect(refused.status).toBe(403);
    const wrong = await fetch(`${server.url}/api/metrics`, {
      headers: { ...remote, authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(403);
    const m = await scrape({ ...remote, authorization: `Bearer ${TOKEN}` });
    expect(m.sum('maskroom_http_errors_total', { code: 'FORBIDDEN' })).toBeGreaterThanOrEqual(2);
  });
});
