import { ErrorNote } from './ErrorNote.js';
import { formatTransfer, ingestView, percent } from './format.js';
import { ProgressBar } from './ProgressBar.js';
import type { UploadItem } from './uploads.js';

/** One upload: bytes sent, then the server's ingest phase and frames, or what went wrong. */
export function UploadCard({
  item,
  onRetry,
  onDismiss,
}: {
  item: UploadItem;
  onRetry: () => void;
  onDismiss: () => void;
}) {
  const name = item.file.name || 'video';
  let label: string;
  let value: number | null;
  let detail: string | null;
  let phase: string;
  if (item.stage === 'sending') {
    value = percent(item.sentBytes, item.totalBytes);
    label = value === null ? 'Uploading' : `Uploading ${value}%`;
    detail = formatTransfer(item.sentBytes, item.totalBytes);
    phase = 'sending';
  } else if (item.stage === 'processing') {
    const view = item.video && item.video.ingest.phase !== 'uploading' ? ingestView(item.video) : null;
    label = view ? (view.percent === null ? view.label : `${view.label} ${view.percent}%`) : 'Processing';
    value = view ? view.percent : null;
    detail = view?.detail ?? null;
    phase = view ? view.phase : 'processing';
  } else {
    label = 'Upload failed';
    value = null;
    detail = null;
    phase = 'failed';
  }

  return (
    <li
      className={`lib-upload lib-upload-${item.stage}`}
      data-testid="upload-card"
      data-stage={item.stage}
      data-phase={phase}
    >
      <div className="lib-upload-head">
        <span className="lib-upload-name" title={name}>
          {name}
        </span>
        {item.stage === 'failed' ? (
          <span className="lib-actions">
            {/* Retrying what the server refused for good (not a video, too long) would fail again. */}
            {item.error?.retryable ? (
              <button type="button" className="lib-button" data-testid="upload-retry" onClick={onRetry}>
                Retry
              </button>
            ) : null}
            <button type="button" className="lib-button" data-testid="upload-dismiss" onClick={onDismiss}>
              Dismiss
            </button>
          </span>
        ) : (
          <button type="button" className="lib-button" data-testid="upload-cancel" onClick={onDismiss}>
            Cancel
          </button>
        )}
      </div>
      {item.stage === 'failed' ? (
        item.error && <ErrorNote error={item.error} testId="upload-error" />
      ) : (
        <>
          <ProgressBar value={value} label={`${name}: ${label}`} testId="upload-progress" />
          <p className="lib-upload-status" data-testid="upload-status">
            {label}
            {detail && <span className="lib-muted"> · {detail}</span>}
          </p>
        </>
      )}
    </li>
  );
}
