/** A small JPEG preview of a video for the library, made from its first extracted frame. */
import path from 'node:path';
import { MaskroomError } from '@maskroom/shared';
import { fileUrl } from './formats.js';
import { cancelled, isNoSpace, lastErrorLine, runTool, stderrTail } from './run-tool.js';
import type { FfmpegTools } from './tools.js';

export interface ThumbnailOptions {
  readonly signal?: AbortSignal;
  /** ffmpeg `-q:v` (2 best … 31). Default 4. */
  readonly jpegQuality?: number;
}

/**
 * Writes `outFile` (overwriting it): `firstFrameJpeg` scaled down to at most `maxWidth` pixels wide
 * (never up), aspect kept. Rejects with `STORAGE_FULL`, `CANCELLED` or `INGEST_FAILED`.
 */
export async function makeThumbnail(
  tools: FfmpegTools,
  firstFrameJpeg: string,
  outFile: string,
  maxWidth = 320,
  opts: ThumbnailOptions = {},
): Promise<void> {
  if (!Number.isInteger(maxWidth) || maxWidth < 1) throw new RangeError(`bad maxWidth ${maxWidth}`);
  const input = path.resolve(firstFrameJpeg);
  const output = path.resolve(outFile);
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-protocol_whitelist',
    'file',
    // One JPEG file; unlike `image2`, this demuxer gives `%` in the name no pattern meaning.
    '-f',
    'jpeg_pipe',
    '-i',
    fileUrl(input),
    '-vf',
    `scale=w='min(iw,${maxWidth})':h=-1:flags=bicubic,setsar=1`,
    '-frames:v',
    '1',
    '-q:v',
    String(opts.jpegQuality ?? 4),
    // The raw mjpeg muxer writes exactly one JPEG and gives the name no pattern meaning.
    '-f',
    'mjpeg',
    fileUrl(output),
  ];
  const result = await runTool(tools.ffmpeg.path, args, {
    signal: opts.signal,
    collectStdout: false,
    timeoutMs: 30_000,
  });
  if (result.aborted) throw cancelled('Making the thumbnail');
  const tail = stderrTail(result.stderr, [
    [fileUrl(input), '<frame>'],
    [fileUrl(output), '<thumbnail>'],
  ]);
  if (isNoSpace(result.stderr)) {
    throw new MaskroomError('STORAGE_FULL', 'The server ran out of disk space while writing the thumbnail.', {
      details: { stderr: tail },
    });
  }
  if (result.code !== 0 || result.timedOut) {
    throw new MaskroomError(
      'INGEST_FAILED',
      `The thumbnail could not be made: ${lastErrorLine(tail) || 'ffmpeg failed'}`,
      {
        details: { stderr: tail, code: result.code },
      },
    );
  }
}
