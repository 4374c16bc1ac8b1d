/**
 * The export bench page: starts the Web Worker and exposes `window.__exportBench.run()`.
 * Written against a minimal declared surface (no DOM lib: the bench's tsconfig is Node's).
 */
import type { BenchRun, ExportBenchApi, WorkerRequest, WorkerResult } from '../protocol.js';

interface BenchWorker {
  postMessage(message: WorkerRequest): void;
  onmessage: ((event: { data: WorkerResult | { error: string } }) => void) | null;
}
interface PageGlobals {
  Worker: new (url: URL, options: { type: 'module' }) => BenchWorker;
  __exportBench?: ExportBenchApi;
}
const page = globalThis as unknown as PageGlobals;
const Worker = page.Worker;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

page.__exportBench = {
  run: (request) =>
    new Promise<BenchRun>((resolve, reject) => {
      const t0 = performance.now();
      worker.onmessage = ({ data }) => {
        const endToEndMs = performance.now() - t0;
        if ('error' in data) reject(new Error(data.error));
        else resolve({ ...data, endToEndMs });
      };
      worker.postMessage(request);
    }),
};
