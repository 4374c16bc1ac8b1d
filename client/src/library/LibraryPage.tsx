import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CreateVideoResponse, SessionId, Video } from '@maskroom/shared';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ErrorNote } from './ErrorNote.js';
import { StorageBar } from './StorageBar.js';
import { UploadCard } from './UploadCard.js';
import { UploadZone } from './UploadZone.js';
import { useLibrary } from './useLibrary.js';
import { useUploads } from './useUploads.js';
import { VideoCard } from './VideoCard.js';
import './library.css';

export interface LibraryPageProps {
  onOpenSession(sessionId: SessionId): void;
}

/** The video library: upload, follow ingests, rename, delete, open a video's session. */
export function LibraryPage({ onOpenSession }: LibraryPageProps) {
  // The library needs the uploads (not to list them twice) and an upload the library (to add
  // the video it made): the ref breaks the cycle.
  const putRef = useRef<(video: Video) => void>(() => undefined);
  const onUploaded = useCallback((created: CreateVideoResponse) => putRef.current(created.video), []);
  const uploads = useUploads(onUploaded);

  // An upload's own card follows its ingest; the list must not show it twice meanwhile.
  const uploadingKey = uploads.items.flatMap((u) => (u.video ? [u.video.id] : [])).join(',');
  const owned = useMemo<ReadonlySet<string>>(
    () => new Set(uploadingKey ? uploadingKey.split(',') : []),
    [uploadingKey],
  );
  const library = useLibrary(owned);
  useEffect(() => {
    putRef.current = library.put;
  }, [library.put]);

  const [deleting, setDeleting] = useState<Video | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);

  const confirmDelete = async (): Promise<void> => {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await library.remove(deleting.id);
      setDeleting(null);
    } catch (error) {
      setDeleteError(error);
    } finally {
      setDeleteBusy(false);
    }
  };

  const shown = (library.videos ?? []).filter((v) => !owned.has(v.id));

  return (
    <section className="library" aria-label="Video library" data-testid="library">
      <div className="lib-head">
        <h2>Videos</h2>
        <StorageBar status={library.storage} error={library.storageError} />
      </div>

      <UploadZone onFiles={uploads.start} />

      {uploads.items.length > 0 && (
        <ul className="lib-uploads" aria-label="Uploads">
          {uploads.items.map((item) => (
            <UploadCard
              key={item.key}
              item={item}
              onRetry={() => uploads.retry(item.key)}
              onDismiss={() => uploads.dismiss(item.key)}
            />
          ))}
        </ul>
      )}

      {library.listError !== null && (
        <div className="lib-list-error">
          <ErrorNote error={library.listError} testId="list-error" />
          <button type="button" className="lib-button" onClick={() => void library.refresh()}>
            Try again
          </button>
        </div>
      )}

      {library.videos === null ? (
        library.listError === null && <p className="lib-muted">Loading the library…</p>
      ) : shown.length === 0 ? (
        uploads.items.length === 0 && (
          <p className="lib-empty" data-testid="library-empty">
            No videos yet. Drop a video above or choose a file to start segmenting.
          </p>
        )
      ) : (
        <ul className="lib-videos" aria-label="Videos">
          {shown.map((video) => (
            <VideoCard
              key={video.id}
              video={video}
              onOpen={onOpenSession}
              onRename={(title) => library.rename(video.id, title)}
              onDelete={() => {
                setDeleteError(null);
                setDeleting(video);
              }}
            />
          ))}
        </ul>
      )}

      {deleting && (
        <ConfirmDialog
          title="Delete this video?"
          confirmLabel="Delete"
          busy={deleteBusy}
          error={deleteError}
          onConfirm={() => void confirmDelete()}
          onCancel={() => {
            if (!deleteBusy) setDeleting(null);
          }}
        >
          <p>
            <strong>{deleting.title}</strong> and its session (objects, prompts, masks, comments) will be
            removed for everyone. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
