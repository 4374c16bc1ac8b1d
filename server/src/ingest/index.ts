/** Video ingest: ffmpeg/ffprobe resolution, probing, planning, frame extraction, thumbnails. */
export { resolveFfmpegTools, resolveTool, parseVersion } from './tools.js';
export type { FfmpegTools, ResolvedTool, ResolveToolsOptions, ToolName, ToolSource } from './tools.js';
export { probeVideo, interpretProbe, DURATION_GRACE_SEC } from './probe.js';
export type { PacketScan, ProbeLimits, Rotation, VideoProbe } from './probe.js';
export { planExtraction } from './plan.js';
export type { ExtractionPlan, PlanOptions } from './plan.js';
export { extractFrames, extractArgs, listFrames, frameName, FRAME_DIGITS, videoFilter } from './extract.js';
export type { ExtractOptions, ExtractResult } from './extract.js';
export { makeThumbnail } from './thumbnail.js';
export type { ThumbnailOptions } from './thumbnail.js';
export { IngestQueue } from './queue.js';
export type { IngestQueueOptions, RunOptions as IngestRunOptions } from './queue.js';
export { ingestVideo } from './ingest.js';
export type { IngestOptions, IngestResult } from './ingest.js';
