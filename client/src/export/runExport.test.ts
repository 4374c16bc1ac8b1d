import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { SessionConnection } from '../session/connection.js';
import type { FromWorker, StartExport } from './messages.js';
import { ExportError, startExport, type ExportProgress } from './runExport.js';

/** A connection with a main doc and two chunks, synced once `sync()` is called. */
function fakeConn() {
  let synced!: () => void;
  const ready = new Promise<void>((r) => (synced = r));
  const main = new Y.Doc();
  main.getMap('meta').set('title', 'x');
  const chunks = [0, 1].map((index) => ({ index, provider: { document: new Y.Doc() } }));
  chunks[1]!.provider.document.getMap('masks').set('64/obj_a', 'm');
  const conn = {
    status: { chunksSynced: 0, chunksTotal: 2 },
    onStatus: () => () => undefined,
    whenAllSynced: () => ready,
    chunks: () => [chunks[1]!, chunks[0]!][Symbol.iterator](),
    main: { doc: main },
  };
  return { conn: conn as unknown as SessionConnection, sync: () => synced() };
}

/** A worker stand-in that records what it was sent and lets the test answer. */
class FakeWorker {
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  sent: StartExport[] = [];
  terminated = false;
  postMessage(msg: StartExport): void {
    this.sent.push(msg);
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(msg: FromWorker): void {
    this.onmessage?.({ data: msg } as MessageEvent<FromWorker>);
  }
}

const options = { formats: ['coco'] as const, includeImages: false, onlyApproved: false };
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('startExport', () => {
  it('sends every document state in chunk order once synced, and collects the ZIP', async () => {
    const { conn, sync } = fakeConn();
    const worker = new FakeWorker();
    const progress: ExportProgress[] = [];
    const run = startExport({
      conn,
      videoId: 'vid_1',
      options,
      onProgress: (p) => progress.push(p),
      createWorker: () => worker as unknown as Worker,
    });
    await tick();
    expect(worker.sent).toHaveLength(0);
    sync();
    await tick();
    const [msg] = worker.sent;
    expect(msg?.chunks).toHaveLength(2);
    const chunk1 = new Y.Doc();
    Y.applyUpdate(chunk1, msg!.chunks[1]!);
    expect(chunk1.getMap('masks').get('64/obj_a')).toBe('m');
    worker.answer({ type: 'progress', done: 1, total: 2 });
    worker.answer({ type: 'chunk', data: new Uint8Array([1, 2]) });
    worker.answer({ type: 'chunk', data: new Uint8Array([3]) });
    worker.answer({ type: 'done' });
    const blob = await run.result;
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(blob.type).toBe('application/zip');
    expect(progress).toContainEqual({ phase: 'building', done: 1, total: 2 });
    expect(worker.terminated).toBe(true);
  });

  it('rejects with the worker’s error and code', async () => {
    const { conn, sync } = fakeConn();
    const worker = new FakeWorker();
    const run = startExport({
      conn,
      videoId: 'vid_1',
      options,
      onProgress: () => undefined,
      createWorker: () => worker as unknown as Worker,
    });
    sync();
    await tick();
    worker.answer({ type: 'error', message: 'frame 3 could not be fetched', code: 'NOT_FOUND' });
    await expect(run.result).rejects.toEqual(new ExportError('frame 3 could not be fetched', 'NOT_FOUND'));
  });

  it('cancel stops the worker, rejects with AbortError and reports nothing more', async () => {
    const { conn, sync } = fakeConn();
    const worker = new FakeWorker();
    const progress: ExportProgress[] = [];
    const run = startExport({
      conn,
      videoId: 'vid_1',
      options,
      onProgress: (p) => progress.push(p),
      createWorker: () => worker as unknown as Worker,
    });
    sync();
    await tick();
    run.cancel();
    await expect(run.result).rejects.toMatchObject({ name: 'AbortError' });
    expect(worker.terminated).toBe(true);
    const before = progress.length;
    worker.answer({ type: 'progress', done: 2, total: 2 });
    expect(progress).toHaveLength(before);
  });

  it('cancelled while syncing, never starts a worker', async () => {
    const { conn, sync } = fakeConn();
    let made = 0;
    const run = startExport({
      conn,
      videoId: 'vid_1',
      options,
      onProgress: () => undefined,
      createWorker: () => {
        made++;
        return new FakeWorker() as unknown as Worker;
      },
    });
    run.cancel();
    sync();
    await expect(run.result).rejects.toMatchObject({ name: 'AbortError' });
    await tick();
    expect(made).toBe(0);
  });
});
