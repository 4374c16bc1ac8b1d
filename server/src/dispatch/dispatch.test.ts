/**
 * Prompts and propagations end to end: HTTP → dispatcher → real `classical` worker processes over
 * real ZeroMQ → masks in the session's documents. Also failover when a worker is killed, and
 * hostile worker messages.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import {
  MaskChunkDoc,
  chunkCount,
  createVideoResponseSchema,
  encodeMessage,
  httpErrorBodySchema,
  jobResponseSchema,
  maskChunkDocName,
  promptResponseSchema,
  rle,
  type JobId,
  type ObjectId,
  type SessionId,
} from '@maskroom/shared';
import * as Y from 'yjs';
import { DocLog } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { eventually } from '../test/collab-client.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { makeSegmentableVideo, startWorker, type TestWorker } from '../test/workers.js';

let server: TestServer;
let db: TestDatabase;
let dir: string;
let video: { file: string; click: { x: number; y: number } };
const workers: TestWorker[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-dispatch-'));
  video = await makeSegmentableVideo(dir, 2);
  db = await openPgliteTestDatabase();
  server = await startTestServer({ database: db });
}, 60_000);
afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => undefined);
  await server?.close();
  await db?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function newSession(): Promise<SessionId> {
  const form = new FormData();
  form.append('file', await openAsBlob(video.file), 'square.mp4');
  const res = await fetch(`${server.url}/api/videos`, { method: 'POST', body: form });
  return createVideoResponseSchema.parse(await res.json()).session.id;
}

const post = (p: string, body: unknown) =>
  fetch(`${server.url}/api${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function click(session: SessionId, frame = 0) {
  const res = await post(`/sessions/${session}/prompts`, { frame, points: [{ ...video.click, label: 1 }] });
  if (res.status !== 201) throw new Error(`prompt failed: ${res.status} ${await res.text()}`);
  return promptResponseSchema.parse(await res.json());
}

async function waitForJob(id: JobId, timeoutMs = 60_000) {
  let last;
  await eventually(
    async () => {
      last = jobResponseSchema.parse(await (await fetch(`${server.url}/api/jobs/${id}`)).json()).job;
      return last.status !== 'queued' && last.status !== 'running';
    },
    timeoutMs,
    `job ${id}`,
  );
  return last!;
}

/** Every mask of a session as `frame/objId → rle`, read back from the durable log. */
async function masksInLog(session: SessionId, numFrames: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let k = 0; k < chunkCount(numFrames); k++) {
    const loaded = await new DocLog(db.db).load(maskChunkDocName(session, k));
    const doc = new Y.Doc();
    if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot);
    for (const u of loaded.updates) Y.applyUpdate(doc, u);
    for (const e of new MaskChunkDoc(doc, k).entries()) out.set(`${e.frame}/${e.objId}`, e.mask.rle);
  }
  return out;
}

describe('without workers', () => {
  it('a prompt answers NO_WORKER and is recorded as failed', async () => {
    const session = await newSession();
    const res = await post(`/sessions/${session}/prompts`, {
      frame: 0,
      points: [{ ...video.click, label: 1 }],
    });
    expect(res.status).toBe(503);
    expect(httpErrorBodySchema.parse(await res.json()).error.code).toBe('NO_WORKER');
  });
});

describe('with real classical workers', () => {
  let session: SessionId;
  beforeAll(async () => {
    workers.push(await startWorker(server, 'w-a'));
    session = await newSession();
  }, 60_000);

  it('lists the worker in /api/health', async () => {
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
      workers: { workerId: string; backend: string }[];
    };
    expect(health.workers).toContainEqual(expect.objectContaining({ workerId: 'w-a', backend: 'classical' }));
  });

  it('a click returns the mask of the square and writes prompt and mask into the documents', async () => {
    const result = await click(session);
    const mask = result.masks.find((m) => m.objId === result.objId);
    expect(mask).toBeDefined();
    // The square is 64×64 at (40, 90): the mask should be close to it.
    const truth = new Uint8Array(320 * 240);
    for (let y = 90; y < 154; y++) truth.fill(1, y * 320 + 40, y * 320 + 104);
    expect(rle.iou(mask!.rle, rle.encode(truth, 240, 320), 240, 320)).toBeGreaterThan(0.8);
    const inLog = await masksInLog(session, 60);
    expect(inLog.get(`0/${result.objId}`)).toBe(mask!.rle);
  });

  it('validates prompts with codes', async () => {
    const cases: [unknown, string][] = [
      [{ frame: 60, points: [{ x: 0.5, y: 0.5, label: 1 }] }, 'INVALID_PROMPT'],
      [{ frame: 0, points: [{ x: 1.5, y: 0.5, label: 1 }] }, 'INVALID_PROMPT'],
      [{ frame: 0, points: [{ x: 0.5, y: 0.5, label: 1 }], objId: 'obj_nope' }, 'INVALID_PROMPT'],
      [{ frame: 0, points: [{ x: 0.5, y: 0.5, label: 1 }], box: [0, 0, 0.5, 0.5] }, 'INVALID_PROMPT'],
      [{ frame: 0, text: 'x'.repeat(300) }, 'INVALID_PROMPT'],
      [{ frame: 0, text: 'a red square' }, 'UNSUPPORTED_PROMPT'],
    ];
    for (const [body, code] of cases) {
      const res = await post(`/sessions/${session}/prompts`, body);
      expect({ body, code: httpErrorBodySchema.parse(await res.json()).error.code }).toEqual({ body, code });
    }
  });

  it('a propagation streams every frame in order into the documents, with live progress', async () => {
    const arrivals: number[] = [];
    // Watch the live chunk document on the server, as a subscribed client sees it.
    const unwatch = await server.collab.docs.read(maskChunkDocName(session, 0), (doc) => {
      const handler = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
        for (const e of events)
          for (const key of e.changes.keys.keys()) arrivals.push(Number(key.split('/')[0]));
      };
      doc.getMap('masks').observeDeep(handler);
      return () => doc.getMap('masks').unobserveDeep(handler);
    });
    const res = await post(`/sessions/${session}/propagations`, { direction: 'forward', startFrame: 0 });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: JobId };
    const job = await waitForJob(jobId);
    unwatch();
    expect(job).toMatchObject({ status: 'done', framesDone: 60, framesTotal: 60 });
    // Frame 0 keeps the prompt's mask; frames 1…59 arrive, each once, in order.
    expect(arrivals.filter((f) => f > 0)).toEqual(Array.from({ length: 59 }, (_, i) => i + 1));
    const [objId] = await server.collab.docs.readMain(session, (m) => [...m.objects.list().keys()]);
    const masks = await masksInLog(session, 60);
    for (let f = 0; f < 60; f++) expect(masks.has(`${f}/${objId}`)).toBe(true);
  }, 90_000);

  it('cancel stops a propagation: the job says cancelled and no frame is written after', async () => {
    const res = await post(`/sessions/${session}/propagations`, { direction: 'backward', startFrame: 59 });
    const { jobId } = (await res.json()) as { jobId: JobId };
    await eventually(async () => {
      const j = jobResponseSchema.parse(await (await fetch(`${server.url}/api/jobs/${jobId}`)).json()).job;
      return j.status === 'running';
    });
    expect((await post(`/jobs/${jobId}/cancel`, {})).status).toBe(202);
    const job = await waitForJob(jobId);
    expect(job.status).toBe('cancelled');
    const before = await masksInLog(session, 60);
    await new Promise((r) => setTimeout(r, 500));
    expect(await masksInLog(session, 60)).toEqual(before);
  }, 90_000);

  it('removing an object deletes it, its prompts and all its masks; reset clears the session', async () => {
    const s2 = await newSession();
    const a = await click(s2);
    const b = (await post(`/sessions/${s2}/objects`, { className: 'car' }).then((r) => r.json())) as {
      objId: ObjectId;
    };
    const job = await waitForJob(
      (
        (await (await post(`/sessions/${s2}/propagations`, { direction: 'forward' })).json()) as {
          jobId: JobId;
        }
      ).jobId,
    );
    expect(job.status).toBe('done');
    expect([...(await masksInLog(s2, 60)).keys()].filter((k) => k.endsWith(a.objId))).toHaveLength(60);

    const del = await fetch(`${server.url}/api/sessions/${s2}/objects/${a.objId}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect([...(await masksInLog(s2, 60)).keys()].filter((k) => k.endsWith(a.objId))).toEqual([]);
    const main = await server.collab.docs.readMain(s2, (m) => ({
      objects: [...m.objects.list().keys()],
      prompts: [...m.prompts.list().values()].filter((p) => p.objId === a.objId),
    }));
    expect(main.objects).toEqual([b.objId]);
    expect(main.prompts).toEqual([]);
    const again = await fetch(`${server.url}/api/sessions/${s2}/objects/${a.objId}`, { method: 'DELETE' });
    expect(httpErrorBodySchema.parse(await again.json()).error.code).toBe('NOT_FOUND');

    await click(s2);
    expect((await post(`/sessions/${s2}/reset`, {})).status).toBe(204);
    expect((await masksInLog(s2, 60)).size).toBe(0);
    const after = await server.collab.docs.readMain(s2, (m) => [m.objects.size, m.prompts.size, m.jobs.size]);
    expect(after).toEqual([0, 0, 0]);
  }, 90_000);

  it('kill -9 of the worker mid-propagation: the job finishes on the other worker, masks equal an uninterrupted run', async () => {
    // The reference: an uninterrupted run on a session of its own.
    const reference = await newSession();
    const refPrompt = await click(reference);
    const refJob = await waitForJob(
      (
        (await (await post(`/sessions/${reference}/propagations`, { direction: 'forward' })).json()) as {
          jobId: JobId;
        }
      ).jobId,
    );
    expect(refJob.status).toBe('done');

    workers.push(await startWorker(server, 'w-b'));
    const victimSession = await newSession();
    const p = await click(victimSession);
    const { jobId } = (await (
      await post(`/sessions/${victimSession}/propagations`, { direction: 'forward' })
    ).json()) as { jobId: JobId };
    await eventually(async () => {
      const j = jobResponseSchema.parse(await (await fetch(`${server.url}/api/jobs/${jobId}`)).json()).job;
      return j.framesDone >= 5;
    });
    const holder = (await server.collab.docs.readMain(victimSession, (m) => m.jobs.get(jobId)))?.workerId;
    const victim = workers.find((w) => w.id === holder) ?? workers.find((w) => w.process.exitCode === null)!;
    victim.kill();
    const job = await waitForJob(jobId, 90_000);
    expect(job.status).toBe('done');
    expect(job.workerId).toBeDefined();
    expect(job.workerId).not.toBe(victim.id);

    const rename = (m: Map<string, string>, from: ObjectId) =>
      new Map([...m].map(([k, v]) => [k.replace(from, 'OBJ'), v] as const));
    expect(rename(await masksInLog(victimSession, 60), p.objId)).toEqual(
      rename(await masksInLog(reference, 60), refPrompt.objId),
    );
  }, 180_000);
});

describe('hostile worker messages', () => {
  it('are dropped and counted; the server stays healthy and real workers keep working', async () => {
    const dealer = new Dealer({ routingId: 'hostile', linger: 0 });
    dealer.connect(server.workerEndpoint);
    const before = new Map(server.dispatcher.dropped);
    const hello = {
      protocolVersion: 1,
      workerId: 'hostile',
      backend: 'classical',
      device: 'cpu',
      capabilities: { points: true, box: true, text: false, propagate: true },
      maxSessions: 4,
      heartbeatIntervalMs: 1000,
    };
    await dealer.send(['hello', JSON.stringify({ ...hello, protocolVersion: 99 })]);
    await dealer.send(['hello', '{not json']);
    await dealer.send([
      'result',
      JSON.stringify({ reqId: 'req_unknown', sessionId: 'ses_x', frame: 0, objects: [] }),
    ]);
    await dealer.send(['nonsense', '{}']);
    await dealer.send([Buffer.alloc(3, 0xff), Buffer.alloc(3, 0xff)]);
    await dealer.send(['hello', Buffer.alloc(70 * 1024 * 1024, 0x20)]);
    // A proper hello, then a result for a request it was never sent.
    await dealer.send(encodeMessage({ type: 'hello', header: hello as never }).map((f) => Buffer.from(f)));
    await dealer.send([
      'result',
      JSON.stringify({ reqId: 'req_unknown', sessionId: 'ses_x', frame: 0, objects: [] }),
    ]);
    const count = (code: string) => (server.dispatcher.dropped.get(code) ?? 0) - (before.get(code) ?? 0);
    await eventually(
      () => count('UNKNOWN_REQUEST') >= 1 && count('PROTOCOL_VERSION_MISMATCH') >= 1,
      10_000,
      'the drops',
    );
    // Bad JSON, an unknown type and non-UTF-8 frames; a result before any hello.
    expect(count('INVALID_MESSAGE')).toBeGreaterThanOrEqual(3);
    expect(count('NO_HELLO')).toBeGreaterThanOrEqual(1);
    dealer.close();

    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    // The hostile peer never heartbeats: it is reaped, and real workers still serve prompts.
    await eventually(
      () => !server.dispatcher.workerSummaries().some((w) => w.workerId === 'hostile'),
      10_000,
    );
    const session = await newSession();
    expect((await click(session)).masks.length).toBeGreaterThan(0);
  }, 60_000);
});
