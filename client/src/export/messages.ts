/**
 * What the export dialog and its Web Worker say to each other. The page sends the session's
 * documents as encoded Yjs states (it already holds them synced, so the worker needs no socket of
 * its own); the worker answers with the ZIP in pieces as it is built, plus progress.
 */
import type { ExportOptions } from '@maskroom/shared';

export interface StartExport {
  readonly type: 'start';
  /** `Y.encodeStateAsUpdate` of the main document. */
  readonly main: Uint8Array;
  /** The same for every mask chunk document, by chunk index. */
  readonly chunks: readonly Uint8Array[];
  readonly options: ExportOptions;
  /** The video whose frames `includeImages` fetches (`/api/videos/:id/frames/:i.jpg`). */
  readonly videoId: string;
}

export type ToWorker = StartExport;

export type FromWorker =
  /** A piece of the ZIP, in order; transferred, not copied. */
  | { readonly type: 'chunk'; readonly data: Uint8Array<ArrayBuffer> }
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  /** Every piece has been sent. */
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string; readonly code: string | null };
