import { useCallback, useEffect, useRef, useState } from 'react';
import type { StorageStatus, Video, VideoId } from '@maskroom/shared';
import { isApiError } from '../api/http.js';
import { deleteVideo, getVideo, listVideos, renameVideo, storage } from '../api/videos.js';
import { INGEST_POLL_MS } from './uploads.js';

export interface Library {
  /** Null until the first answer. */
  readonly videos: readonly Video[] | null;
  readonly listError: unknown;
  readonly storage: StorageStatus | null;
  readonly storageError: unknown;
  refresh(): Promise<void>;
  /** Adds or replaces a video (newest first), e.g. one an upload just created. */
  put(video: Video): void;
  rename(id: VideoId, title: string): Promise<void>;
  remove(id: VideoId): Promise<void>;
}

/**
 * The video list and disk usage. Videos listed while still ingesting (another tab's upload, or
 * a reload during one) are polled until ready; `ownedIds` are followed by their upload instead.
 */
export function useLibrary(ownedIds: ReadonlySet<string>): Library {
  const [videos, setVideos] = useState<readonly Video[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [storageStatus, setStorage] = useState<StorageStatus | null>(null);
  const [storageError, setStorageError] = useState<unknown>(null);
  const alive = useRef(true);

  const refreshStorage = useCallback(async () => {
    try {
      const s = await storage();
      if (!alive.current) return;
      setStorage(s);
      setStorageError(null);
    } catch (error) {
      if (alive.current) setStorageError(error);
    }
  }, []);

  const refresh = useCallback(async () => {
    const list = listVideos().then(
      (v) => {
        if (!alive.current) return;
        setVideos(v);
        setListError(null);
      },
      (error: unknown) => {
        if (alive.current) setListError(error);
      },
    );
    await Promise.all([list, refreshStorage()]);
  }, [refreshStorage]);

  useEffect(() => {
    alive.current = true;
    void refresh();
    return () => {
      alive.current = false;
    };
  }, [refresh]);

  const put = useCallback(
    (video: Video) => {
      setVideos((all) => {
        const rest = (all ?? []).filter((v) => v.id !== video.id);
        return [video, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      });
      if (video.status === 'ready') void refreshStorage();
    },
    [refreshStorage],
  );

  const forget = useCallback((id: VideoId) => {
    setVideos((all) => all && all.filter((v) => v.id !== id));
  }, []);

  const rename = useCallback(async (id: VideoId, title: string) => {
    const video = await renameVideo(id, title);
    if (alive.current) setVideos((all) => all && all.map((v) => (v.id === id ? video : v)));
  }, []);

  const remove = useCallback(
    async (id: VideoId) => {
      await deleteVideo(id);
      forget(id);
      await refreshStorage();
    },
    [forget, refreshStorage],
  );

  const ingestingKey = (videos ?? [])
    .filter((v) => v.status === 'ingesting' && !ownedIds.has(v.id))
    .map((v) => v.id)
    .join(',');

  useEffect(() => {
    if (ingestingKey === '') return;
    const ids = ingestingKey.split(',') as VideoId[];
    const controller = new AbortController();
    const tick = async (): Promise<void> => {
      await Promise.all(
        ids.map(async (id) => {
          try {
            const video = await getVideo(id, { signal: controller.signal });
            if (!controller.signal.aborted) put(video);
          } catch (error) {
            // A failed ingest removes its row.
            if (isApiError(error) && error.code === 'NOT_FOUND') forget(id);
          }
        }),
      );
    };
    const timer = setInterval(() => void tick(), INGEST_POLL_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [ingestingKey, put, forget]);

  return { videos, listError, storage: storageStatus, storageError, refresh, put, rename, remove };
}
