/**
 * Messages between the bench (`main.ts`, which runs the servers) and its client fleet
 * (`clients.ts`, a child process, so that the clients' work does not run on the servers' event
 * loop). Times are milliseconds of the system's monotonic clock ({@link now}), which both
 * processes read alike.
 */

/** Milliseconds on CLOCK_MONOTONIC (`process.hrtime`): comparable across processes. */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * What a group's clients report:
 * - `latency`: every key of the `masks` map that all clients have seen (`seen`, one per key);
 * - `count`: when every client's `masks` map of a document reaches an expected size (`expect`).
 */
export type WatchMode = 'latency' | 'count';

export type ToFleet =
  | {
      type: 'open';
      group: string;
      url: string;
      clients: number;
      docs: string[];
      watch: WatchMode;
    }
  | { type: 'expect'; group: string; doc: string; size: number }
  | { type: 'close'; group: string }
  | {
      type: 'cold';
      url: string;
      /** Main doc first, then the chunk docs. */
      main: string;
      chunks: string[];
      /** The chunk a viewer at `frame` needs first (index into `chunks`), and its frame size. */
      first: { index: number; chunk: number; chunkSize: number; frame: number };
      width: number;
      height: number;
      /** `together`: open every doc at once; `after-first`: the rest once the first is usable. */
      prefetch: 'together' | 'after-first';
      expectMasks: number;
    }
  | { type: 'cpu' }
  | { type: 'exit' };

export interface ColdResult {
  /** From creating the client to the main doc and the first chunk synced and frame decoded. */
  firstMs: number;
  /** To every document synced. */
  allMs: number;
  /** Masks on the client once everything is synced. */
  masks: number;
  /** Masks of the first frame that were decoded. */
  firstFrameMasks: number;
}

export type FromFleet =
  | { type: 'ready' }
  | { type: 'opened'; group: string; ms: number }
  | { type: 'seen'; group: string; doc: string; key: string; at: number[] }
  | { type: 'expecting'; group: string; doc: string }
  | { type: 'complete'; group: string; doc: string; at: number[] }
  | { type: 'closed'; group: string }
  | { type: 'cold'; result: ColdResult }
  | { type: 'cpu'; userMs: number; systemMs: number }
  | { type: 'error'; message: string };
