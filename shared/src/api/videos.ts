/**
 * HTTP bodies of the video library (DESIGN §6), defined once: the server builds responses that
 * satisfy these schemas (its tests parse every response with them) and the client parses what it
 * receives. Times on the HTTP API are ISO-8601 strings.
 */
import { z } from 'zod';
import { countSchema, sessionIdSchema, videoIdSchema } from '../fields.js';

export const VIDEO_TITLE_MAX_LENGTH = 200;

export const INGEST_PHASES = ['uploading', 'probing', 'extracting', 'finalizing', 'ready'] as const;
export type IngestPhase = (typeof INGEST_PHASES)[number];

/** Live progress of an ingest; `framesTotal` is known once the video has been probed. */
export const ingestProgressSchema = z.strictObject({
  phase: z.enum(INGEST_PHASES),
  bytesReceived: countSchema,
  framesDone: countSchema,
  framesTotal: countSchema.nullable(),
});
export type IngestProgress = z.infer<typeof ingestProgressSchema>;

/** What the frames of a ready video are; null while ingesting. */
export const videoMediaSchema = z.strictObject({
  /** Extracted frame size in pixels (upright, square pixels). */
  width: z.int().positive(),
  height: z.int().positive(),
  numFrames: z.int().positive(),
  /** Frame rate of the source (average, for variable-rate sources). */
  sourceFps: z.number().positive(),
  /** Rate the frames were extracted at: frame i is at t = i / processingFps. */
  processingFps: z.number().positive(),
  durationSec: z.number().nonnegative(),
  codec: z.string(),
  container: z.string(),
  /** Display rotation of the source in degrees (already applied to the frames). */
  rotation: z.int(),
  vfr: z.boolean(),
});
export type VideoMedia = z.infer<typeof videoMediaSchema>;

export const videoSchema = z.strictObject({
  id: videoIdSchema,
  title: z.string(),
  /** The uploaded file's name, for display only (never used to build a path). */
  originalName: z.string(),
  status: z.enum(['ingesting', 'ready']),
  ingest: ingestProgressSchema,
  media: videoMediaSchema.nullable(),
  /** Disk used by the source file and its frames. */
  sizeBytes: countSchema,
  sessionId: sessionIdSchema.nullable(),
  thumbnailUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type Video = z.infer<typeof videoSchema>;

export const sessionSummarySchema = z.strictObject({
  id: sessionIdSchema,
  videoId: videoIdSchema,
  createdAt: z.iso.datetime(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

/** `POST /api/videos` → 201. */
export const createVideoResponseSchema = z.strictObject({
  video: videoSchema,
  session: sessionSummarySchema,
});
export type CreateVideoResponse = z.infer<typeof createVideoResponseSchema>;

/** `GET /api/videos`. */
export const videoListSchema = z.strictObject({ videos: z.array(videoSchema) });
export type VideoList = z.infer<typeof videoListSchema>;

/** `PATCH /api/videos/:id`. */
export const renameVideoBodySchema = z.strictObject({
  title: z.string().trim().min(1).max(VIDEO_TITLE_MAX_LENGTH),
});
export type RenameVideoBody = z.infer<typeof renameVideoBodySchema>;

/** `GET /api/storage`. */
export const storageStatusSchema = z.strictObject({
  videos: countSchema,
  /** Bytes of sources and frames Maskroom keeps under its data directory. */
  usedBytes: countSchema,
  /** Free and total bytes of the file system holding the data directory. */
  freeBytes: countSchema,
  totalBytes: countSchema,
});
export type StorageStatus = z.infer<typeof storageStatusSchema>;

/** Request header a client may send with an upload to follow its progress before the response. */
export const UPLOAD_ID_HEADER = 'x-maskroom-upload-id';
