/** Messages between the export bench's page, its Web Worker and Node. */

export interface WorkerRequest {
  /** Absolute URL of the dataset JSON (fetched and parsed once, before any timing). */
  readonly datasetUrl: string;
  /** Export only the first `frames` frames (the warm-up run exports a few). */
  readonly frames: number;
}

export interface WorkerResult {
  /** Fetch + JSON.parse of the dataset, first call only (0 afterwards). */
  readonly loadMs: number;
  /** exportZip until the final chunk, plus the Blob. */
  readonly exportMs: number;
  readonly zipBytes: number;
  readonly chunks: number;
  /** Longest gap between two progress callbacks (how long the worker went without reporting). */
  readonly maxProgressGapMs: number;
}

/** What `page.evaluate` gets: the worker's figures plus the page-side round trip. */
export interface BenchRun extends WorkerResult {
  /** postMessage → result message, measured on the page's main thread. */
  readonly endToEndMs: number;
}

export interface ExportBenchApi {
  run(request: WorkerRequest): Promise<BenchRun>;
}
