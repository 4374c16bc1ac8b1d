/** `POST /api/sessions/:id/import` with upload progress (XMLHttpRequest: fetch reports none). */
import { importAnswerSchema, type ImportAnswer, type ImportMode, type SessionId } from '@maskroom/shared';
import {
  ApiError,
  errorFromResponse,
  failedRequest,
  identityHeaders,
  parseAnswer,
  seg,
} from '../api/http.js';

export interface ImportUploadOptions {
  readonly mode: ImportMode;
  /** The frame of a single DAVIS PNG. */
  readonly frame?: number;
  /** Bytes sent so far, and the total when the browser knows it. */
  readonly onProgress?: (sent: number, total: number | null) => void;
  /** Every byte is sent; the server is now reading and writing the annotations. */
  readonly onSent?: () => void;
  readonly signal?: AbortSignal;
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
  const path = importPath(session, opts);
  const route = `POST /api/sessions/${seg(session)}/import`;
  return new Promise<ImportAnswer>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(failedRequest(route, opts.signal.reason, opts.signal));
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = (): void => xhr.abort();
    const done = (): void => opts.signal?.removeEventListener('abort', onAbort);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', contentTypeOf(file.name));
    for (const [name, value] of Object.entries(identityHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : null);
    xhr.upload.onload = () => opts.onSent?.();
    xhr.onload = () => {
      done();
      const requestId = xhr.getResponseHeader('x-request-id');
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(errorFromResponse(route, xhr.status, xhr.responseText, requestId));
        return;
      }
      try {
        resolve(parseAnswer(route, importAnswerSchema, xhr.responseText, xhr.status, requestId));
      } catch (error) {
        reject(error instanceof ApiError ? error : failedRequest(route, error));
      }
    };
    xhr.onerror = () => {
      done();
      reject(failedRequest(route, new Error('network error')));
    };
    xhr.onabort = () => {
      done();
      reject(failedRequest(route, new DOMException('aborted', 'AbortError'), opts.signal));
    };
    xhr.send(file);
  });
}
