/**
 * The export's Web Worker: rebuilds the session's documents from the states the page sent, runs
 * the shared `exportZip` builder, and posts the ZIP back in pieces of about 1 MiB (transferred,
 * not copied) so the page stays responsive and neither side holds the whole archive twice.
 */
import * as Y from 'yjs';
import { MainDoc, MaskChunkDoc, exportSourceFromDocs, exportZip, isMaskroomError } from '@maskroom/shared';
import type { FromWorker, StartExport, ToWorker } from './messages.js';

const BATCH_BYTES = 1 << 20;
const PROGRESS_EVERY_MS = 100;
/** A Yjs update with nothing in it. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

function docOf(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

async function frameImage(videoId: string, frame: number): Promise<Uint8Array> {
  const res = await fetch(`/api/videos/${encodeURIComponent(videoId)}/frames/${frame}.jpg`, {
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error(`frame ${frame} could not be fetched (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

async function run(msg: StartExport): Promise<void> {
  const main = new MainDoc(docOf(msg.main));
  // The builders go frame by frame: decode one chunk at a time (a Y.Doc is several times its
  // encoded state) and let the previous one go.
  let current: MaskChunkDoc | null = null;
  const chunkAt = (k: number): MaskChunkDoc => {
    if (current?.chunk !== k) current = new MaskChunkDoc(docOf(msg.chunks[k] ?? EMPTY_UPDATE), k);
    return current;
  };
  const source = exportSourceFromDocs(main, chunkAt, (frame: number) => frameImage(msg.videoId, frame));

  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pendingBytes === 0) return;
    // Always a fresh buffer: transferring detaches it, and the builder may still hold the pieces.
    const data = concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    post({ type: 'chunk', data }, [data.buffer]);
  };

  let lastProgress = 0;
  await exportZip(
    source,
    msg.options,
    (chunk, final) => {
      if (chunk.length > 0) {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
      if (final || pendingBytes >= BATCH_BYTES) flush();
    },
    {
      onProgress: (done, total) => {
        const now = Date.now();
        if (done < total && now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        post({ type: 'progress', done, total });
      },
    },
  );
  flush();
  post({ type: 'done' });
}

function concat(parts: readonly Uint8Array[], bytes: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (event.data.type !== 'start') return;
  run(event.data).catch((error: unknown) => {
    post({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
      code: isMaskroomError(error) ? error.code : null,
    });
  });
};
