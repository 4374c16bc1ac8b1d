import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import type { CreateVideoResponse } from '@maskroom/shared';
import { uploads as appUploads, type UploadItem, type UploadQueue } from './uploads.js';

export interface Uploads {
  readonly items: readonly UploadItem[];
  start(files: Iterable<File>): void;
  retry(key: string): void;
  dismiss(key: string): void;
}

/** The upload queue as React state; `onDone` hears of each upload that finished while mounted. */
export function useUploads(
  onDone: (created: CreateVideoResponse) => void,
  queue: UploadQueue = appUploads,
): Uploads {
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot);
  const onDoneRef = useRef(onDone);
  useEffect(() => {
    onDoneRef.current = onDone;
  }, [onDone]);
  useEffect(() => queue.onDone((created) => onDoneRef.current(created)), [queue]);

  const start = useCallback((files: Iterable<File>) => queue.start(files), [queue]);
  const retry = useCallback((key: string) => queue.retry(key), [queue]);
  const dismiss = useCallback((key: string) => queue.dismiss(key), [queue]);
  return { items, start, retry, dismiss };
}
