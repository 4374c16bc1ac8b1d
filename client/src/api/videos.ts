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
import { getJson, seg, sendJson, type RequestOptions } from './http.js';
import { postWithProgress, type ProgressOptions } from './upload.js';

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

export type { UploadProgress } from './upload.js';

export interface UploadOptions extends ProgressOptions {
  /** Sent as `x-maskroom-upload-id`, so `getUpload(uploadId)` follows the ingest; default: fresh. */
  readonly uploadId?: string;
  readonly title?: string;
}

/** `POST /api/videos` as multipart, resolving once the server has extracted the frames. */
export function uploadVideo(file: Blob, opts: UploadOptions = {}): Promise<CreateVideoResponse> {
  const form = new FormData();
  if (opts.title !== undefined && opts.title.trim() !== '') form.append('title', opts.title);
  form.append('file', file, file instanceof File ? file.name : 'video');
  return postWithProgress({
    onProgress: opts.onProgress,
    onSent: opts.onSent,
    signal: opts.signal,
    path: '/api/videos',
    route: 'POST /api/videos',
    body: form,
    schema: createVideoResponseSchema,
    headers: { [UPLOAD_ID_HEADER]: opts.uploadId ?? newUploadId() },
  });
}
