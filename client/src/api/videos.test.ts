import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_NAME_HEADER, UPLOAD_ID_HEADER, isIdString } from '@maskroom/shared';
import { ApiError, setClientIdentity } from './http.js';
import { newUploadId, uploadVideo, type UploadProgress } from './videos.js';

/** The part of XMLHttpRequest that `uploadVideo` uses, driven by hand. */
class FakeXhr {
  static last: FakeXhr | undefined;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | undefined;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  aborted = false;
  upload: { onprogress: ((e: ProgressEvent) => void) | null; onload: (() => void) | null } = {
    onprogress: null,
    onload: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }
  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  send(body: FormData): void {
    this.body = body;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  // Test drivers:
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent);
  }
  answer(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.upload.onload?.();
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.responseHeaders = headers;
    this.onload?.();
  }
}

function xhr(): FakeXhr {
  if (!FakeXhr.last) throw new Error('no request was made');
  return FakeXhr.last;
}

const video = {
  id: 'vid-1',
  title: 'clip',
  originalName: 'clip.mp4',
  status: 'ready',
  ingest: { phase: 'ready', bytesReceived: 1000, framesDone: 30, framesTotal: 30 },
  media: {
    width: 320,
    height: 240,
    numFrames: 30,
    sourceFps: 10,
    processingFps: 10,
    durationSec: 3,
    codec: 'h264',
    container: 'mp4',
    rotation: 0,
    vfr: false,
  },
  sizeBytes: 5000,
  sessionId: 'ses-1',
  thumbnailUrl: '/api/videos/vid-1/thumbnail.jpg',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const created = { video, session: { id: 'ses-1', videoId: 'vid-1', createdAt: video.createdAt } };

afterEach(() => {
  vi.unstubAllGlobals();
  FakeXhr.last = undefined;
  setClientIdentity(null);
});

describe('newUploadId', () => {
  it('makes ids the server accepts, different each time', () => {
    const ids = Array.from({ length: 50 }, newUploadId);
    for (const id of ids) expect(isIdString(id)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('uploadVideo', () => {
  it('posts the file as multipart with the upload id and name, reporting bytes sent', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    setClientIdentity('Bob');
    const seen: UploadProgress[] = [];
    let sent = false;
    const file = new File([new Uint8Array(1000)], 'clip.mp4', { type: 'video/mp4' });
    const pending = uploadVideo(file, {
      uploadId: 'up-abc',
      title: 'My clip',
      onProgress: (p) => seen.push(p),
      onSent: () => (sent = true),
    });
    const req = xhr();
    expect([req.method, req.url]).toEqual(['POST', '/api/videos']);
    expect(req.headers[UPLOAD_ID_HEADER]).toBe('up-abc');
    expect(req.headers[LOCAL_NAME_HEADER]).toBe('Bob');
    expect((req.body?.get('file') as File).name).toBe('clip.mp4');
    expect(req.body?.get('title')).toBe('My clip');
    req.progress(400, 1200);
    req.progress(1200, 1200);
    expect(seen).toEqual([
      { sentBytes: 400, totalBytes: 1200 },
      { sentBytes: 1200, totalBytes: 1200 },
    ]);
    req.answer(201, created);
    expect(sent).toBe(true);
    await expect(pending).resolves.toEqual(created);
  });

  it("rejects with the server's code, message and request id", async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const pending = uploadVideo(new Blob(['x']));
    xhr().answer(415, {
      error: { code: 'UNSUPPORTED_MEDIA', message: 'not a video', requestId: 'req-7' },
    });
    const error = (await pending.catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA', message: 'not a video', requestId: 'req-7' });
  });

  it('rejects a 201 whose body is not a created video as INTERNAL', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const pending = uploadVideo(new Blob(['x']));
    xhr().answer(201, { video });
    expect(await pending.catch((e: unknown) => (e as ApiError).code)).toBe('INTERNAL');
  });

  it('reports a dropped connection as NETWORK and an abort as CANCELLED', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const dropped = uploadVideo(new Blob(['x']));
    xhr().onerror?.();
    expect(await dropped.catch((e: unknown) => (e as ApiError).code)).toBe('NETWORK');

    const controller = new AbortController();
    const cancelled = uploadVideo(new Blob(['x']), { signal: controller.signal });
    controller.abort();
    expect(xhr().aborted).toBe(true);
    expect(await cancelled.catch((e: unknown) => (e as ApiError).code)).toBe('CANCELLED');
  });
});
