/**
 * Uploads in flight, kept outside React so they survive leaving the library (opening a session
 * mid-upload must not cancel it: the server stops ingesting when the request goes away).
 *
 * Each upload shows bytes sent (from the request), then the server's ingest phase and frame
 * count, polled by upload id since the video id is only known from the final answer.
 */
import type { CreateVideoResponse, Video } from '@maskroom/shared';
import { ApiError, isApiError } from '../api/http.js';
import { getUpload, newUploadId, uploadVideo, type UploadOptions } from '../api/videos.js';

/** How often an upload's ingest progress is read once its bytes are sent. */
export const INGEST_POLL_MS = 500;

export type UploadStage = 'sending' | 'processing' | 'failed';

export interface UploadItem {
  readonly key: string;
  readonly file: File;
  readonly uploadId: string;
  readonly stage: UploadStage;
  readonly sentBytes: number;
  readonly totalBytes: number | null;
  /** The server's view of the ingest, once polled. */
  readonly video: Video | null;
  readonly error: ApiError | null;
}

export interface UploadDeps {
  readonly upload: (file: File, opts: UploadOptions) => Promise<CreateVideoResponse>;
  readonly getUpload: (uploadId: string, opts: { signal: AbortSignal }) => Promise<Video>;
  readonly newUploadId: () => string;
  readonly pollMs: number;
}

const DEFAULT_DEPS: UploadDeps = { upload: uploadVideo, getUpload, newUploadId, pollMs: INGEST_POLL_MS };

export class UploadQueue {
  private items: readonly UploadItem[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly doneListeners = new Set<(created: CreateVideoResponse) => void>();
  private readonly controllers = new Map<string, AbortController>();
  private nextKey = 0;

  constructor(private readonly deps: UploadDeps = DEFAULT_DEPS) {}

  /** For `useSyncExternalStore`: the same array until something changes. */
  readonly getSnapshot = (): readonly UploadItem[] => this.items;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called with each upload that finished (the video is ready). */
  onDone(listener: (created: CreateVideoResponse) => void): () => void {
    this.doneListeners.add(listener);
    return () => this.doneListeners.delete(listener);
  }

  start(files: Iterable<File>): void {
    for (const file of files) this.run(`upload-${++this.nextKey}`, file);
  }

  /** Sends a failed upload's file again, under a new upload id. */
  retry(key: string): void {
    const item = this.items.find((u) => u.key === key);
    if (item && item.stage === 'failed') this.run(key, item.file);
  }

  /** Stops an upload in progress, or forgets a failed one. */
  dismiss(key: string): void {
    this.controllers.get(key)?.abort();
    this.controllers.delete(key);
    this.set(this.items.filter((u) => u.key !== key));
  }

  /** Stops and forgets every upload. */
  clear(): void {
    for (const key of [...this.controllers.keys()]) this.dismiss(key);
    this.set([]);
  }

  private set(items: readonly UploadItem[]): void {
    this.items = items;
    for (const l of [...this.listeners]) l();
  }

  private patch(key: string, change: Partial<UploadItem>): void {
    if (!this.items.some((u) => u.key === key)) return;
    this.set(this.items.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }

  private run(key: string, file: File): void {
    this.controllers.get(key)?.abort();
    const controller = new AbortController();
    this.controllers.set(key, controller);
    const uploadId = this.deps.newUploadId();
    const item: UploadItem = {
      key,
      file,
      uploadId,
      stage: 'sending',
      sentBytes: 0,
      totalBytes: file.size,
      video: null,
      error: null,
    };
    const exists = this.items.some((u) => u.key === key);
    this.set(exists ? this.items.map((u) => (u.key === key ? item : u)) : [...this.items, item]);

    const polling = new AbortController();
    controller.signal.addEventListener('abort', () => polling.abort(), { once: true });
    const poll = async (): Promise<void> => {
      while (!polling.signal.aborted) {
        try {
          const video = await this.deps.getUpload(uploadId, { signal: polling.signal });
          if (!polling.signal.aborted) this.patch(key, { video });
        } catch {
          // The final answer says what went wrong; a missed poll only delays the display.
        }
        await sleep(this.deps.pollMs, polling.signal);
      }
    };

    this.deps
      .upload(file, {
        uploadId,
        signal: controller.signal,
        onProgress: (p) => this.patch(key, { sentBytes: p.sentBytes, totalBytes: p.totalBytes }),
        onSent: () => {
          this.patch(key, { stage: 'processing' });
          void poll();
        },
      })
      .then(
        (created) => {
          polling.abort();
          if (this.controllers.get(key) !== controller) return;
          this.controllers.delete(key);
          this.set(this.items.filter((u) => u.key !== key));
          for (const l of [...this.doneListeners]) l(created);
        },
        (error: unknown) => {
          polling.abort();
          // Dismissed (already gone) or superseded by a retry.
          if (controller.signal.aborted || this.controllers.get(key) !== controller) return;
          this.controllers.delete(key);
          const apiError = isApiError(error)
            ? error
            : new ApiError({ code: 'INTERNAL', message: String(error), status: 0, requestId: null });
          this.patch(key, { stage: 'failed', error: apiError });
        },
      );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The page's uploads: one queue for the whole app, so they outlive the library page. */
export const uploads = new UploadQueue();
