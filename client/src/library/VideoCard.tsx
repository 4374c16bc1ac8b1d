import { useRef, useState } from 'react';
import { VIDEO_TITLE_MAX_LENGTH, renameVideoBodySchema, type SessionId, type Video } from '@maskroom/shared';
import { ErrorNote } from './ErrorNote.js';
import { formatBytes, formatDuration, formatResolution, ingestView } from './format.js';
import { ProgressBar } from './ProgressBar.js';

export interface VideoCardProps {
  video: Video;
  onOpen: (sessionId: SessionId) => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => void;
}

/** A library entry: thumbnail, title (renamed in place), what the video is, and its actions. */
export function VideoCard({ video, onOpen, onRename, onDelete }: VideoCardProps) {
  const ready = video.status === 'ready';
  const media = video.media;
  return (
    <li className="lib-video" data-testid="video-card" data-video-id={video.id} data-status={video.status}>
      <div className="lib-thumb">
        {video.thumbnailUrl ? (
          <img src={video.thumbnailUrl} alt="" loading="lazy" data-testid="video-thumbnail" />
        ) : (
          <span className="lib-thumb-empty" aria-hidden="true" />
        )}
      </div>
      <div className="lib-video-body">
        <Title video={video} onRename={onRename} />
        {media ? (
          <dl className="lib-meta">
            <div>
              <dt>Duration</dt>
              <dd data-testid="video-duration">{formatDuration(media.durationSec)}</dd>
            </div>
            <div>
              <dt>Frames</dt>
              <dd data-testid="video-frames">{media.numFrames}</dd>
            </div>
            <div>
              <dt>Resolution</dt>
              <dd data-testid="video-resolution">{formatResolution(media.width, media.height)}</dd>
            </div>
            <div>
              <dt>On disk</dt>
              <dd data-testid="video-bytes">{formatBytes(video.sizeBytes)}</dd>
            </div>
          </dl>
        ) : (
          <Ingesting video={video} />
        )}
        <div className="lib-actions">
          {ready && video.sessionId !== null && (
            <button
              type="button"
              className="lib-button lib-button-primary"
              data-testid="open-session"
              onClick={() => video.sessionId && onOpen(video.sessionId)}
            >
              Open
            </button>
          )}
          {/* An ingest in progress cleans up after itself if it fails; deleting under it races it. */}
          {ready && (
            <button
              type="button"
              className="lib-button lib-button-danger"
              data-testid="delete-video"
              onClick={onDelete}
            >
              Delete
            </button>
          )}
        </div>
      </div>
    </li>
  );
}

function Ingesting({ video }: { video: Video }) {
  const view = ingestView(video);
  return (
    <div className="lib-ingest">
      <ProgressBar value={view.percent} label={`${video.title}: ${view.label}`} testId="ingest-progress" />
      <p className="lib-upload-status">
        {view.label}
        {view.detail && <span className="lib-muted"> · {view.detail}</span>}
      </p>
    </div>
  );
}

/** Click the title (or Rename) to edit; Enter saves, Escape cancels, leaving the field saves. */
function Title({ video, onRename }: { video: Video; onRename: (title: string) => Promise<void> }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Escape unmounts the field, and some browsers then blur it: that blur must not save.
  const closing = useRef(false);

  const begin = (): void => {
    closing.current = false;
    setError(null);
    setDraft(video.title);
  };
  const cancel = (): void => {
    closing.current = true;
    setDraft(null);
    setError(null);
  };
  const save = async (): Promise<void> => {
    if (draft === null || closing.current || saving) return;
    const parsed = renameVideoBodySchema.safeParse({ title: draft });
    if (!parsed.success) {
      setError(new Error(`a title is 1 to ${VIDEO_TITLE_MAX_LENGTH} characters, not only spaces`));
      return;
    }
    if (parsed.data.title === video.title) {
      cancel();
      return;
    }
    setSaving(true);
    try {
      await onRename(parsed.data.title);
      closing.current = true;
      setDraft(null);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  if (draft === null) {
    return (
      <div className="lib-title-row">
        <h3 className="lib-title" data-testid="video-title" title={video.title} onDoubleClick={begin}>
          {video.title}
        </h3>
        <button
          type="button"
          className="lib-button lib-button-quiet"
          data-testid="rename-video"
          onClick={begin}
        >
          Rename
        </button>
      </div>
    );
  }
  return (
    <div className="lib-title-row lib-title-editing">
      <input
        className="lib-rename"
        data-testid="rename-input"
        aria-label="Video title"
        value={draft}
        maxLength={VIDEO_TITLE_MAX_LENGTH}
        // Read-only rather than disabled: disabling blurs the field, and a failed save should leave
        // the cursor where it was.
        readOnly={saving}
        aria-busy={saving}
        autoFocus
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            cancel();
          }
        }}
        onBlur={() => void save()}
      />
      {error !== null && <ErrorNote error={error} testId="rename-error" />}
    </div>
  );
}
