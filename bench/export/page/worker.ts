/**
 * The export bench's Web Worker: the shared export builders (COCO + YOLO + PNG) streamed into a
 * ZIP with `exportZip`, as the client's export dialog runs them.
 */
import { exportZip } from '@maskroom/shared';
import type { Dataset } from '../dataset.js';
import type { WorkerRequest, WorkerResult } from '../protocol.js';
import { datasetSource } from '../source.js';

interface WorkerGlobals {
  onmessage: ((event: { data: WorkerRequest }) => void) | null;
  postMessage(message: WorkerResult | { error: string }): void;
}
const scope = globalThis as unknown as WorkerGlobals;
let dataset: Dataset | undefined;

async function run(request: WorkerRequest): Promise<WorkerResult> {
  let loadMs = 0;
  if (dataset === undefined) {
    const t = performance.now();
    dataset = (await (await fetch(request.datasetUrl)).json()) as Dataset;
    loadMs = performance.now() - t;
  }
  const chunks: Uint8Array[] = [];
  let lastProgress = performance.now();
  let maxProgressGapMs = 0;
  const t0 = performance.now();
  await exportZip(
    datasetSource(dataset, request.frames),
    { formats: ['coco', 'yolo', 'png'], includeImages: false, onlyApproved: false },
    (chunk) => {
      chunks.push(chunk);
    },
    {
      onProgress: () => {
        const now = performance.now();
        maxProgressGapMs = Math.max(maxProgressGapMs, now - lastProgress);
        lastProgress = now;
      },
    },
  );
  const blob = new Blob(chunks, { type: 'application/zip' });
  const exportMs = performance.now() - t0;
  return { loadMs, exportMs, zipBytes: blob.size, chunks: chunks.length, maxProgressGapMs };
}

scope.onmessage = ({ data }) => {
  run(data).then(
    (result) => scope.postMessage(result),
    (e: unknown) => scope.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
};
