import type { SessionId, VideoId } from '@maskroom/shared';
import type { VideoStore } from '../db/index.js';

/** What a ready session's video is: the same for the session's whole life. */
export interface SessionMediaInfo {
  readonly videoId: VideoId;
  readonly numFrames: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Session → its video's frames and size, remembered: the collaboration socket checks chunk
 * numbers and every prompt needs the frames, so this is asked far more often than it changes
 * (never, until the video is deleted and `forget` is called).
 */
export class SessionMedia {
  private readonly known = new Map<SessionId, SessionMediaInfo>();

  constructor(private readonly store: VideoStore) {}

  /** The session's media, or null when there is no such (ready) session. */
  async get(session: SessionId): Promise<SessionMediaInfo | null> {
    const hit = this.known.get(session);
    if (hit) return hit;
    const row = await this.store.getSession(session);
    const video = row && (await this.store.get(row.videoId));
    if (!video?.meta) return null;
    const info = {
      videoId: video.id,
      numFrames: video.meta.numFrames,
      width: video.meta.width,
      height: video.meta.height,
    };
    this.known.set(session, info);
    return info;
  }

  forget(session: SessionId): void {
    this.known.delete(session);
  }
}
