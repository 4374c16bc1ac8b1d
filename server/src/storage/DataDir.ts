import { mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { isIdString, type VideoId } from '@maskroom/shared';
import { frameName } from '../ingest/extract.js';

/**
 * The layout of the data directory. Every path is built from ids this server generated (checked
 * against the id charset) and integers, never from user input:
 *
 *   <root>/videos/<videoId>/source        the uploaded file
 *   <root>/videos/<videoId>/frames/NNNNNN.jpg
 *   <root>/videos/<videoId>/thumb.jpg
 *   <root>/tmp/<videoId>/                 an ingest in progress; renamed into videos/ when done
 */
export class DataDir {
  readonly videosRoot: string;
  readonly tmpRoot: string;

  constructor(readonly root: string) {
    this.videosRoot = path.join(root, 'videos');
    this.tmpRoot = path.join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.videosRoot, { recursive: true });
    await mkdir(this.tmpRoot, { recursive: true });
  }

  videoDir(id: VideoId): string {
    return path.join(this.videosRoot, checked(id));
  }
  tmpDir(id: VideoId): string {
    return path.join(this.tmpRoot, checked(id));
  }
  framesDir(id: VideoId): string {
    return path.join(this.videoDir(id), 'frames');
  }
  framePath(id: VideoId, index: number): string {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`bad frame index ${index}`);
    return path.join(this.framesDir(id), frameName(index));
  }
  thumbnailPath(id: VideoId): string {
    return path.join(this.videoDir(id), 'thumb.jpg');
  }
  sourcePath(id: VideoId): string {
    return path.join(this.videoDir(id), 'source');
  }

  /** Removes a video's files, finished or in progress; absent is fine. */
  async removeVideo(id: VideoId): Promise<void> {
    await rm(this.videoDir(id), { recursive: true, force: true });
    await rm(this.tmpDir(id), { recursive: true, force: true });
  }

  /** Ids of ingests in progress or abandoned (their folders under tmp/). */
  async tmpVideoIds(): Promise<VideoId[]> {
    const names = await readdir(this.tmpRoot).catch(() => []);
    return names.filter(isIdString) as VideoId[];
  }

  /** Free and total bytes of the file system holding the data directory. */
  async diskSpace(): Promise<{ freeBytes: number; totalBytes: number }> {
    const s = await statfs(this.root);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  }

  /** Bytes of the files under a folder (not following links). */
  static async sizeOf(dir: string): Promise<number> {
    let total = 0;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) total += await DataDir.sizeOf(p);
      else if (e.isFile()) total += (await stat(p)).size;
    }
    return total;
  }
}

function checked(id: VideoId): VideoId {
  if (!isIdString(id)) throw new RangeError(`not an id: ${JSON.stringify(id)}`);
  return id;
}
