/** An object's review: the verdict badge everyone sees, and approve / reject with a note for reviewers. */
import { useState } from 'react';
import { REVIEW_NOTE_MAX_LENGTH, type Review, type ReviewStatus } from '@maskroom/shared';

export function ReviewBadge({ review }: { review: Review }) {
  const who = review.byName ? ` by ${review.byName}` : '';
  const title =
    review.status === 'pending'
      ? 'Not reviewed yet'
      : `${review.status}${who}${review.note ? `: ${review.note}` : ''}`;
  return (
    <span
      className={`review review-${review.status}`}
      title={title}
      data-testid="review-status"
      data-status={review.status}
    >
      {review.status === 'approved' ? '✓' : review.status === 'rejected' ? '✗' : '·'}
      <span className="review-word"> {review.status}</span>
    </span>
  );
}

export interface ReviewControlsProps {
  readonly review: Review;
  readonly label: string;
  /** Resolves once the server stored the verdict; rejects with the reason it did not. */
  onReview(status: ReviewStatus, note: string): Promise<void>;
}

/**
 * ✓ and ✗ set the verdict (pressing the current one again takes it back to pending), with the
 * note typed beside them. Clicks stay here: they must not select the row.
 */
export function ReviewControls({ review, label, onReview }: ReviewControlsProps) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const send = async (status: ReviewStatus): Promise<void> => {
    setBusy(true);
    try {
      await onReview(review.status === status ? 'pending' : status, note.trim());
      setNote('');
    } catch {
      // The workspace reported it; the note stays for another try.
    } finally {
      setBusy(false);
    }
  };
  return (
    <div
      className="review-controls"
      onClick={(e) => e.stopPropagation()}
      onPointerDown={(e) => e.stopPropagation()}
    >
      <button
        type="button"
        className="icon approve"
        aria-pressed={review.status === 'approved'}
        disabled={busy}
        title={review.status === 'approved' ? `Take back the approval of ${label}` : `Approve ${label}`}
        data-testid="approve-object"
        onClick={() => void send('approved')}
      >
        ✓
      </button>
      <button
        type="button"
        className="icon reject"
        aria-pressed={review.status === 'rejected'}
        disabled={busy}
        title={review.status === 'rejected' ? `Take back the rejection of ${label}` : `Reject ${label}`}
        data-testid="reject-object"
        onClick={() => void send('rejected')}
      >
        ✗
      </button>
      <input
        className="review-note"
        value={note}
        placeholder={review.note ? `note: ${review.note}` : 'note (optional)'}
        aria-label={`Review note for ${label}`}
        maxLength={REVIEW_NOTE_MAX_LENGTH}
        onChange={(e) => setNote(e.target.value)}
        data-testid="review-note"
      />
    </div>
  );
}
