/**
 * A POST whose body is a file, with upload progress: XMLHttpRequest, because fetch reports none.
 * Answers and failures become the same `ApiError`s as `sendJson`'s.
 */
import type { z } from 'zod';
import { ApiError, errorFromResponse, failedRequest, identityHeaders, parseAnswer } from './http.js';

export interface UploadProgress {
  readonly sentBytes: number;
  /** Null when the browser cannot tell the request's size. */
  readonly totalBytes: number | null;
}

export interface ProgressOptions {
  /** Bytes of the request body sent so far. */
  readonly onProgress?: (progress: UploadProgress) => void;
  /** Every byte is sent; the server is now working on it. */
  readonly onSent?: () => void;
  readonly signal?: AbortSignal;
}

export interface UploadRequest<S extends z.ZodType> extends ProgressOptions {
  readonly path: string;
  /** Names the request in errors, e.g. `POST /api/videos`. */
  readonly route: string;
  readonly body: XMLHttpRequestBodyInit;
  /** The answer a 2xx must match. */
  readonly schema: S;
  readonly headers?: Readonly<Record<string, string>>;
}

export function postWithProgress<S extends z.ZodType>(req: UploadRequest<S>): Promise<z.output<S>> {
  const { route, signal } = req;
  return new Promise<z.output<S>>((resolve, reject) => {
    if (signal?.aborted) {
      reject(failedRequest(route, signal.reason, signal));
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = (): void => xhr.abort();
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });

    xhr.open('POST', req.path);
    const headers = { accept: 'application/json', ...req.headers, ...identityHeaders() };
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);

    xhr.upload.onprogress = (e) => {
      req.onProgress?.({ sentBytes: e.loaded, totalBytes: e.lengthComputable ? e.total : null });
    };
    xhr.upload.onload = () => req.onSent?.();
    xhr.onload = () => {
      done();
      const requestId = xhr.getResponseHeader('x-request-id');
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(errorFromResponse(route, xhr.status, xhr.responseText, requestId));
        return;
      }
      try {
        resolve(parseAnswer(route, req.schema, xhr.responseText, xhr.status, requestId));
      } catch (error) {
        reject(error instanceof ApiError ? error : failedRequest(route, error));
      }
    };
    // The server closes the connection on an early refusal (e.g. FILE_TOO_LARGE) before the body
    // is sent; browsers then report a network error although an answer may have arrived.
    xhr.onerror = () => {
      done();
      reject(failedRequest(route, new Error('network error')));
    };
    xhr.onabort = () => {
      done();
      reject(failedRequest(route, new DOMException('aborted', 'AbortError'), signal));
    };
    xhr.send(req.body);
  });
}
