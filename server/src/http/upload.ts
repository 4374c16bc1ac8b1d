import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { MaskroomError } from '@maskroom/shared';

export interface ReceivedUpload {
  /** The client's file name, cleaned for display; never used to build a path. */
  readonly originalName: string;
  /** The `title` field, when given (trimmed, non-empty). */
  readonly title: string | undefined;
  readonly bytes: number;
}

export interface ReceiveOptions {
  readonly maxBytes: number;
  /** Where the file goes (created; the caller removes it on failure). */
  readonly dest: string;
  /** Called with the bytes written so far as they arrive. */
  readonly onBytes?: (bytes: number) => void;
  /** Called once the file part starts, with its cleaned name. */
  readonly onFile?: (originalName: string) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * Streams the `file` part of a `multipart/form-data` request to `dest` without holding it in
 * memory, stopping as soon as it exceeds `maxBytes` (`FILE_TOO_LARGE`). A malformed body, a
 * missing or empty file, a second file or unknown parts are `INVALID_REQUEST` /
 * `UNSUPPORTED_MEDIA`.
 */
export function receiveUpload(req: IncomingMessage, opts: ReceiveOptions): Promise<ReceivedUpload> {
  return new Promise<ReceivedUpload>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fileSize: opts.maxBytes, fields: 4, fieldSize: 4096, parts: 6 },
      });
    } catch {
      reject(
        new MaskroomError('INVALID_REQUEST', 'the upload must be multipart/form-data with a `file` part'),
      );
      return;
    }

    let settled = false;
    let title: string | undefined;
    let originalName: string | undefined;
    let bytes = 0;
    let fileDone: Promise<void> | undefined;

    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      bb.removeAllListeners('file');
      reject(error);
    };
    opts.signal?.addEventListener(
      'abort',
      () => fail(new MaskroomError('CANCELLED', 'the upload was aborted')),
      {
        once: true,
      },
    );

    bb.on('field', (name, value) => {
      if (name === 'title') {
        const t = cleanText(value).trim();
        if (t) title = t;
      }
    });
    bb.on('file', (name, stream, info) => {
      // A body cut short errors the part's stream too; `fail` has already reported it.
      stream.on('error', () => undefined);
      if (name !== 'file' || fileDone) {
        stream.resume();
        fail(
          new MaskroomError(
            'INVALID_REQUEST',
            `unexpected file part ${JSON.stringify(name)}: send one part named "file"`,
          ),
        );
        return;
      }
      originalName = displayName(info.filename ?? '');
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          opts.onBytes?.(bytes);
          done(null, chunk);
        },
      });
      stream.once('limit', () => {
        const mb = Math.round(opts.maxBytes / (1024 * 1024));
        const err = new MaskroomError('FILE_TOO_LARGE', `the file is larger than the limit of ${mb} MB`);
        counter.destroy(err);
        fail(err);
      });
      const started = Promise.resolve(opts.onFile?.(originalName));
      fileDone = started.then(() => pipeline(stream, counter, createWriteStream(opts.dest, { flags: 'wx' })));
      fileDone.catch((e: unknown) => fail(e instanceof MaskroomError ? e : storageError(e)));
    });
    bb.on('filesLimit', () => fail(new MaskroomError('INVALID_REQUEST', 'send exactly one file per upload')));
    bb.on('partsLimit', () => fail(new MaskroomError('INVALID_REQUEST', 'too many parts in the upload')));
    bb.on('fieldsLimit', () => fail(new MaskroomError('INVALID_REQUEST', 'too many fields in the upload')));
    bb.on('error', () =>
      fail(new MaskroomError('INVALID_REQUEST', 'the multipart body is malformed or incomplete')),
    );
    bb.on('close', () => {
      if (settled) return;
      if (!fileDone || originalName === undefined) {
        fail(new MaskroomError('INVALID_REQUEST', 'no file: send the video in a part named "file"'));
        return;
      }
      const name = originalName;
      fileDone.then(
        () => {
          if (settled) return;
          if (bytes === 0) {
            fail(new MaskroomError('UNSUPPORTED_MEDIA', 'the file is empty'));
            return;
          }
          settled = true;
          resolve({ originalName: name, title, bytes });
        },
        () => undefined, // already reported through fail()
      );
    });
    req.pipe(bb);
  });
}

/** The last path segment of a client's file name, cleaned for display. */
export function displayName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  return cleanText(base).trim().slice(0, 255) || 'video';
}

/** Unicode-normalized text without control characters (file names and titles are shown as-is). */
export function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

function storageError(e: unknown): MaskroomError {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new MaskroomError('STORAGE_FULL', 'the server ran out of disk space', { cause: e });
  return new MaskroomError('INTERNAL', 'the upload could not be stored', { cause: e });
}
