/** The video library over HTTP (docs/api.md): list, read, rename, delete, storage, upload. */
import {
  UPLOAD_ID_HEADER,
  createVideoResponseSchema,
  storageStatusSchema,
  videoListSchema,
  videoSchema,
  type CreateVideoResponse,
  type RenameVideoBody,
  type StorageStatus,
  type Video,
  type VideoId,
} from '@maskroom/shared';
import {
  ApiError,
  errorFromResponse,
  failedRequest,
  getJson,
  identityHeaders,
  parseAnswer,
  seg,
  sendJson,
  type RequestOptions,
} from './http.js';

export async function listVideos(opts?: RequestOptions): Promise<Video[]> {
  return (await getJson('/api/videos', videoListSchema, opts)).videos;
}

export const getVideo = (id: VideoId, opts?: RequestOptions): Promise<Video> =>
  getJson(`/api/videos/${seg(id)}`, videoSchema, opts);

/** The video an upload sent with `uploadId` created, with its live ingest progress. */
export const getUpload = (uploadId: string, opts?: RequestOptions): Promise<Video> =>
  getJson(`/api/uploads/${seg(uploadId)}`, videoSchema, opts);

export const renameVideo = (id: VideoId, title: string, opts?: RequestOptions): Promise<Video> =>
  sendJson('PATCH', `/api/videos/${seg(id)}`, { title } satisfies RenameVideoBody, videoSchema, opts);

export const deleteVideo = (id: VideoId, opts?: RequestOptions): Promise<void> =>
  sendJson('DELETE', `/api/videos/${seg(id)}`, undefined, undefined, opts);

export const storage = (opts?: RequestOptions): Promise<StorageStatus> =>
  getJson('/api/storage', storageStatusSchema, opts);

/**
 * A fresh upload id (`[A-Za-z0-9_-]`, 24 characters). `getRandomValues` rather than `randomUUID`,
 * which browsers only offer on secure origins (a LAN address over plain HTTP is not one).
 */
export function newUploadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `up-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export interface UploadProgress {
  readonly sentBytes: number;
  /** Null when the browser cannot tell the request's size. */
  readonly totalBytes: number | null;
}

export interface UploadOptions {
  /** Sent as `x-maskroom-upload-id`, so `getUpload(uploadId)` follows the ingest; default: fresh. */
  readonly uploadId?: string;
  readonly title?: string;
  /** Bytes of the request body sent so far. */
  readonly onProgress?: (progress: UploadProgress) => void;
  /** Every byte is sent; the server is now probing and extracting frames. */
  readonly onSent?: () => void;
  readonly signal?: AbortSignal;
}

/**
 * `POST /api/videos` as multipart, resolving once the server has extracted the frames. Uses
 * XMLHttpRequest because fetch reports no upload progress.
 */
export function uploadVideo(file: Blob, opts: UploadOptions = {}): Promise<CreateVideoResponse> {
  const route = 'POST /api/videos';
  const uploadId = opts.uploadId ?? newUploadId();
  return new Promise<CreateVideoResponse>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(failedRequest(route, opts.signal.reason, opts.signal));
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = (): void => xhr.abort();
    const done = (): void => opts.signal?.removeEventListener('abort', onAbort);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    xhr.open('POST', '/api/videos');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader(UPLOAD_ID_HEADER, uploadId);
    for (const [name, value] of Object.entries(identityHeaders())) xhr.setRequestHeader(name, value);

    xhr.upload.onprogress = (e) => {
      opts.onProgress?.({ sentBytes: e.loaded, totalBytes: e.lengthComputable ? e.total : null });
    };
    xhr.upload.onload = () => opts.onSent?.();
    xhr.onload = () => {
      done();
      const requestId = xhr.getResponseHeader('x-request-id');
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(errorFromResponse(route, xhr.status, xhr.responseText, requestId));
        return;
      }
      try {
        resolve(parseAnswer(route, createVideoResponseSchema, xhr.responseText, xhr.status, requestId));
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
      reject(failedRequest(route, new DOMException('aborted', 'AbortError'), opts.signal));
    };

    const form = new FormData();
    if (opts.title !== undefined && opts.title.trim() !== '') form.append('title', opts.title);
    form.append('file', file, file instanceof File ? file.name : 'video');
    xhr.send(form);
  });
}
