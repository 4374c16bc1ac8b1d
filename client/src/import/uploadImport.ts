/** `POST /api/sessions/:id/import` with upload progress. */
import { importAnswerSchema, type ImportAnswer, type ImportMode, type SessionId } from '@maskroom/shared';
import { seg } from '../api/http.js';
import { postWithProgress, type ProgressOptions } from '../api/upload.js';

export interface ImportUploadOptions extends ProgressOptions {
  readonly mode: ImportMode;
  /** The frame of a single DAVIS PNG. */
  readonly frame?: number;
}

/** The content type the server is told; it looks at the bytes anyway. */
export function contentTypeOf(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) return 'application/zip';
  if (lower.endsWith('.png')) return 'image/png';
  return 'application/json';
}

export function importPath(session: SessionId, opts: Pick<ImportUploadOptions, 'mode' | 'frame'>): string {
  const query = new URLSearchParams({ mode: opts.mode });
  if (opts.frame !== undefined) query.set('frame', String(opts.frame));
  return `/api/sessions/${seg(session)}/import?${query.toString()}`;
}

export function uploadImport(
  session: SessionId,
  file: File,
  opts: ImportUploadOptions,
): Promise<ImportAnswer> {
  return postWithProgress({
    onProgress: opts.onProgress,
    onSent: opts.onSent,
    signal: opts.signal,
    path: importPath(session, opts),
    route: `POST /api/sessions/${seg(session)}/import`,
    body: file,
    schema: importAnswerSchema,
    headers: { 'content-type': contentTypeOf(file.name) },
  });
}
