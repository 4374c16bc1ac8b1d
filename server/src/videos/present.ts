import type { SessionId, SessionSummary, Video } from '@maskroom/shared';
import type { SessionRecord, VideoRecord } from '../db/index.js';

/** A stored video as the HTTP API shows it (`videoSchema` in shared). */
export function presentVideo(v: VideoRecord, sessionId: SessionId | null): Video {
  const ready = v.status === 'ready';
  return {
    id: v.id,
    title: v.title,
    originalName: v.originalName,
    status: v.status,
    ingest: {
      phase: v.phase,
      bytesReceived: v.bytesReceived,
      framesDone: v.framesDone,
      framesTotal: v.framesTotal,
    },
    media: v.meta && {
      width: v.meta.width,
      height: v.meta.height,
      numFrames: v.meta.numFrames,
      sourceFps: v.meta.sourceFps,
      processingFps: v.meta.processingFps,
      durationSec: v.meta.durationSec,
      codec: v.meta.codec,
      container: v.meta.container,
      rotation: v.meta.rotation,
      vfr: v.meta.vfr,
    },
    sizeBytes: v.meta ? v.meta.sourceBytes + v.meta.framesBytes : v.bytesReceived,
    sessionId,
    thumbnailUrl: ready ? `/api/videos/${v.id}/thumbnail.jpg` : null,
    createdAt: v.createdAt.toISOString(),
  };
}

export function presentSession(s: SessionRecord): SessionSummary {
  return { id: s.id, videoId: s.videoId, createdAt: s.createdAt.toISOString() };
}
