/**
 * One ingest, in order: probe (and refuse early: nothing is extracted from a video that is too
 * long, too large or not a video) → plan → wait for an extraction slot → extract frames → thumbnail.
 * Database rows, documents and the final rename of the folder are the caller's; so is removing
 * `framesDir` (and the rest of its temporary folder) when this rejects.
 */
import path from 'node:path';
import type { Logger } from '../log.js';
import { extractFrames, frameName } from './extract.js';
import { planExtraction } from './plan.js';
import type { ExtractionPlan } from './plan.js';
import { probeVideo } from './probe.js';
import type { ProbeLimits, VideoProbe } from './probe.js';
import type { IngestQueue } from './queue.js';
import { cancelled } from './run-tool.js';
import { makeThumbnail } from './thumbnail.js';
import type { FfmpegTools } from './tools.js';

export interface IngestOptions {
  readonly limits: ProbeLimits;
  /** `MASKROOM_MAX_FRAMES` (900 by default). */
  readonly maxFrames: number;
  /** Where the frames go; created, must be empty. */
  readonly framesDir: string;
  /** Where the thumbnail goes (made from frame 0); none when absent. */
  readonly thumbnailFile?: string;
  readonly thumbnailWidth?: number;
  /** Extractions wait here for a slot (probing does not). */
  readonly queue?: IngestQueue;
  readonly signal?: AbortSignal;
  /** Awaited after a successful probe, before waiting for a slot (e.g. to record the metadata). */
  readonly onProbed?: (probe: VideoProbe, plan: ExtractionPlan) => void | Promise<void>;
  /** The extraction got its slot and starts. */
  readonly onExtracting?: () => void;
  readonly onProgress?: (framesDone: number, framesTotal: number) => void;
  readonly jpegQuality?: number;
  readonly log?: Logger;
}

export interface IngestResult {
  readonly probe: VideoProbe;
  readonly plan: ExtractionPlan;
  readonly numFrames: number;
  /** Bytes of the frames (the thumbnail not included). */
  readonly framesBytes: number;
}

export async function ingestVideo(
  tools: FfmpegTools,
  file: string,
  opts: IngestOptions,
): Promise<IngestResult> {
  const { signal } = opts;
  const probe = await probeVideo(tools, file, opts.limits, signal);
  const plan = planExtraction(probe, { maxFrames: opts.maxFrames });
  opts.log?.info('video probed', { ...probe, ...plan });
  await opts.onProbed?.(probe, plan);
  if (signal?.aborted) throw cancelled();

  const extract = async (taskSignal: AbortSignal): Promise<IngestResult> => {
    opts.onExtracting?.();
    const { numFrames, bytes } = await extractFrames(tools, file, opts.framesDir, probe, plan, {
      signal: taskSignal,
      onProgress: opts.onProgress,
      jpegQuality: opts.jpegQuality,
      log: opts.log,
    });
    if (opts.thumbnailFile !== undefined) {
      await makeThumbnail(
        tools,
        path.join(opts.framesDir, frameName(0)),
        opts.thumbnailFile,
        opts.thumbnailWidth,
        {
          signal: taskSignal,
        },
      );
    }
    return { probe, plan, numFrames, framesBytes: bytes };
  };
  const taskSignal = signal ?? new AbortController().signal;
  return opts.queue ? opts.queue.run(extract, { signal: taskSignal }) : extract(taskSignal);
}
