/**
 * One export from the page: waits until every document of the session is synced, hands their
 * states to a fresh Web Worker that builds the ZIP, and collects the pieces into a Blob. Cancel
 * terminates the worker at once, whatever it was doing.
 */
import * as Y from 'yjs';
import type { ExportOptions } from '@maskroom/shared';
import type { SessionConnection } from '../session/connection.js';
import { BlobCollector } from './blobCollector.js';
import type { FromWorker, StartExport } from './messages.js';

export type ExportPhase = 'syncing' | 'building';

export interface ExportProgress {
  readonly phase: ExportPhase;
  readonly done: number;
  readonly total: number;
}

export interface ExportRun {
  /** The finished ZIP; rejects with the worker's error, or an `AbortError` when cancelled. */
  readonly result: Promise<Blob>;
  cancel(): void;
}

/** A failure the export worker reported (its shared error code, when it had one). */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export interface StartExportOptions {
  readonly conn: SessionConnection;
  readonly videoId: string;
  readonly options: ExportOptions;
  readonly onProgress: (progress: ExportProgress) => void;
  /** Tests replace the worker. */
  readonly createWorker?: () => Worker;
}

const defaultWorker = (): Worker =>
  new Worker(new URL('./export.worker.ts', import.meta.url), { type: 'module', name: 'maskroom-export' });

export function startExport(opts: StartExportOptions): ExportRun {
  let worker: Worker | null = null;
  let cancelled = false;
  let rejectRun: (reason: unknown) => void = () => undefined;

  // Nothing is reported once cancelled (the socket may still sync chunks meanwhile).
  const progress = (p: ExportProgress): void => {
    if (!cancelled) opts.onProgress(p);
  };
  const result = new Promise<Blob>((resolve, reject) => {
    rejectRun = reject;
    void (async () => {
      const { conn } = opts;
      const offStatus = conn.onStatus(() =>
        progress({ phase: 'syncing', done: conn.status.chunksSynced, total: conn.status.chunksTotal }),
      );
      try {
        await conn.whenAllSynced();
      } finally {
        offStatus();
      }
      if (cancelled) return;
      const chunks: Uint8Array[] = [];
      for (const c of conn.chunks()) chunks[c.index] = Y.encodeStateAsUpdate(c.provider.document);
      const message: StartExport = {
        type: 'start',
        main: Y.encodeStateAsUpdate(conn.main.doc),
        chunks: Array.from(chunks, (c) => c ?? Y.encodeStateAsUpdate(new Y.Doc())),
        options: opts.options,
        videoId: opts.videoId,
      };
      const collector = new BlobCollector();
      worker = (opts.createWorker ?? defaultWorker)();
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const msg = event.data;
        switch (msg.type) {
          case 'chunk':
            collector.add(msg.data);
            break;
          case 'progress':
            progress({ phase: 'building', done: msg.done, total: msg.total });
            break;
          case 'done':
            stop();
            resolve(collector.finish('application/zip'));
            break;
          case 'error':
            stop();
            reject(new ExportError(msg.message, msg.code));
            break;
        }
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        stop();
        reject(new ExportError(event.message || 'the export worker failed to start', null));
      };
      progress({ phase: 'building', done: 0, total: 1 });
      worker.postMessage(message, transferables([message.main, ...message.chunks]));
    })().catch(reject);
  });

  const stop = (): void => {
    worker?.terminate();
    worker = null;
  };

  return {
    result,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      stop();
      rejectRun(new DOMException('The export was cancelled', 'AbortError'));
    },
  };
}

/** The buffers that may move to the worker: each whole, each once (else the copy is kept). */
function transferables(parts: readonly Uint8Array[]): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  for (const p of parts) {
    if (p.buffer instanceof ArrayBuffer && p.byteOffset === 0 && p.byteLength === p.buffer.byteLength)
      buffers.add(p.buffer);
  }
  return [...buffers];
}

/** Saves `blob` as `fileName` through a temporary `<a download>`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its own reference by the time the click returns; free ours soon after.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
