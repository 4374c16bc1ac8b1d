import type { StorageStatus } from '@maskroom/shared';
import { ErrorNote } from './ErrorNote.js';
import { storageView } from './format.js';

/** Disk usage: what Maskroom's videos take, what other files take, and what is left. */
export function StorageBar({ status, error }: { status: StorageStatus | null; error: unknown }) {
  if (status === null) {
    return error ? (
      <ErrorNote error={error} testId="storage-error" />
    ) : (
      <p className="lib-muted" data-testid="storage-usage">
        Reading disk usage…
      </p>
    );
  }
  const view = storageView(status);
  return (
    <div className="lib-storage" data-testid="storage-usage" data-used-bytes={status.usedBytes}>
      <div
        className="lib-storage-bar"
        role="img"
        aria-label={`Disk: ${view.usedPercent}% Maskroom videos, ${view.otherPercent}% other files, ${view.freePercent}% free`}
      >
        <span className="lib-storage-used" style={{ width: `${view.usedPercent}%` }} />
        <span className="lib-storage-other" style={{ width: `${view.otherPercent}%` }} />
      </div>
      <p className="lib-storage-text" data-testid="storage-text">
        {view.summary}
      </p>
    </div>
  );
}
