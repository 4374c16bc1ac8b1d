import { afterEach, describe, expect, it } from 'vitest';
import {
  createVideoResponseSchema,
  videoSchema,
  type CreateVideoResponse,
  type Video,
} from '@maskroom/shared';
import { ApiError } from '../api/http.js';
import type { UploadOptions } from '../api/videos.js';
import { UploadQueue, type UploadDeps } from './uploads.js';

const video = (id: string, phase: Video['ingest']['phase'], framesDone = 0): Video =>
  videoSchema.parse({
    id,
    title: 'clip',
    originalName: 'clip.mp4',
    status: phase === 'ready' ? 'ready' : 'ingesting',
    ingest: { phase, bytesReceived: 10, framesDone, framesTotal: 30 },
    media: null,
    sizeBytes: 10,
    sessionId: null,
    thumbnailUrl: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  });

/** An upload driven by hand: the test decides when bytes go out and how the server answers. */
interface PendingUpload {
  readonly file: File;
  readonly opts: UploadOptions;
  resolve(created: CreateVideoResponse): void;
  reject(error: unknown): void;
}

function harness(
  serverView: (uploadId: string) => Video | Error = (id) => video(`vid-${id}`, 'extracting', 12),
) {
  const pending: PendingUpload[] = [];
  const polled: string[] = [];
  let ids = 0;
  const deps: UploadDeps = {
    upload: (file, opts) =>
      new Promise((resolve, reject) => {
        pending.push({ file, opts, resolve, reject });
        opts.signal?.addEventListener('abort', () =>
          reject(new ApiError({ code: 'CANCELLED', message: 'aborted', status: 0, requestId: null })),
        );
      }),
    getUpload: (uploadId) => {
      polled.push(uploadId);
      const v = serverView(uploadId);
      return v instanceof Error ? Promise.reject(v) : Promise.resolve(v);
    },
    newUploadId: () => `up-${++ids}`,
    pollMs: 5,
  };
  const queue = new UploadQueue(deps);
  queues.push(queue);
  return { queue, pending, polled };
}

const queues: UploadQueue[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.clear();
});

const file = (name: string, size = 1000): File =>
  new File([new Uint8Array(size)], name, { type: 'video/mp4' });
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};
const created = (id: string): CreateVideoResponse =>
  createVideoResponseSchema.parse({
    video: video(id, 'ready', 30),
    session: { id: `ses-${id}`, videoId: id, createdAt: '2026-01-01T00:00:00.000Z' },
  });

describe('UploadQueue', () => {
  it('shows bytes sent, then the polled ingest, then hands the ready video over', async () => {
    const { queue, pending, polled } = harness();
    const done: CreateVideoResponse[] = [];
    queue.onDone((c) => done.push(c));
    let notified = 0;
    queue.subscribe(() => notified++);

    queue.start([file('a.mp4', 2000)]);
    const [first] = queue.getSnapshot();
    expect(first).toMatchObject({ stage: 'sending', sentBytes: 0, totalBytes: 2000, uploadId: 'up-1' });
    expect(pending[0]?.opts.uploadId).toBe('up-1');

    pending[0]?.opts.onProgress?.({ sentBytes: 500, totalBytes: 2100 });
    expect(queue.getSnapshot()[0]).toMatchObject({ sentBytes: 500, totalBytes: 2100 });
    // Nothing is polled while the bytes are still going out.
    expect(polled).toEqual([]);

    pending[0]?.opts.onSent?.();
    expect(queue.getSnapshot()[0]?.stage).toBe('processing');
    await until(() => queue.getSnapshot()[0]?.video?.ingest.framesDone === 12);
    expect(polled.every((id) => id === 'up-1')).toBe(true);

    pending[0]?.resolve(created('vid-1'));
    await until(() => queue.getSnapshot().length === 0);
    expect(done.map((c) => c.video.id)).toEqual(['vid-1']);
    expect(notified).toBeGreaterThan(3);

    // Polling stopped with the answer.
    const polls = polled.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(polled.length).toBe(polls);
  });

  it('keeps a failed upload with its error until dismissed, and retries it under a new id', async () => {
    const { queue, pending } = harness();
    queue.start([file('b.mp4')]);
    const refused = new ApiError({
      code: 'STORAGE_FULL',
      message: 'disk full',
      status: 507,
      requestId: 'r-1',
    });
    pending[0]?.reject(refused);
    await until(() => queue.getSnapshot()[0]?.stage === 'failed');
    const failed = queue.getSnapshot()[0];
    expect(failed?.error).toBe(refused);

    queue.retry(failed?.key ?? '');
    expect(queue.getSnapshot()).toHaveLength(1);
    expect(queue.getSnapshot()[0]).toMatchObject({ stage: 'sending', uploadId: 'up-2', error: null });
    expect(pending[1]?.file.name).toBe('b.mp4');

    pending[1]?.reject(refused);
    await until(() => queue.getSnapshot()[0]?.stage === 'failed');
    queue.dismiss(queue.getSnapshot()[0]?.key ?? '');
    expect(queue.getSnapshot()).toEqual([]);
  });

  it('cancels an upload in progress when dismissed, without reporting it as failed', async () => {
    const { queue, pending } = harness();
    const done: unknown[] = [];
    queue.onDone((c) => done.push(c));
    queue.start([file('c.mp4'), file('d.mp4')]);
    const [c, d] = queue.getSnapshot();
    queue.dismiss(c?.key ?? '');
    expect(pending[0]?.opts.signal?.aborted).toBe(true);
    expect(pending[1]?.opts.signal?.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 10));
    expect(queue.getSnapshot().map((u) => u.key)).toEqual([d?.key]);
    expect(done).toEqual([]);
  });

  it('runs uploads side by side, each with its own id', () => {
    const { queue, pending } = harness();
    queue.start([file('e.mp4'), file('f.mp4')]);
    expect(queue.getSnapshot().map((u) => [u.file.name, u.uploadId])).toEqual([
      ['e.mp4', 'up-1'],
      ['f.mp4', 'up-2'],
    ]);
    expect(pending.map((p) => p.opts.uploadId)).toEqual(['up-1', 'up-2']);
  });

  it('treats a failed poll as a missed update, not as the upload failing', async () => {
    const { queue, pending, polled } = harness(() => new Error('offline'));
    queue.start([file('g.mp4')]);
    pending[0]?.opts.onSent?.();
    await until(() => polled.length >= 2);
    expect(queue.getSnapshot()[0]).toMatchObject({ stage: 'processing', video: null, error: null });
  });

  it('wraps a non-API failure as INTERNAL', async () => {
    const { queue, pending } = harness();
    queue.start([file('h.mp4')]);
    pending[0]?.reject(new TypeError('boom'));
    await until(() => queue.getSnapshot()[0]?.stage === 'failed');
    expect(queue.getSnapshot()[0]?.error?.code).toBe('INTERNAL');
  });
});
