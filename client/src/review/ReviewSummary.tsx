import type { ReviewSummary as Summary } from './summary.js';

/** Where the review stands, for everyone: verdicts so far and comments still open. */
export function ReviewSummary({ summary }: { summary: Summary }) {
  return (
    <section
      className="panel review-summary"
      aria-label="Review"
      data-testid="review-summary"
      data-approved={summary.approved}
      data-rejected={summary.rejected}
      data-pending={summary.pending}
      data-open-comments={summary.openComments}
    >
      <header className="panel-header">
        <h2>Review</h2>
      </header>
      <div className="review-counts">
        <span className="review-approved" title="Objects approved">
          ✓ {summary.approved} approved
        </span>
        <span className="review-rejected" title="Objects rejected">
          ✗ {summary.rejected} rejected
        </span>
        <span title="Objects not reviewed yet">{summary.pending} pending</span>
        <span title={`${summary.resolvedComments} resolved`}>
          {summary.openComments} open comment{summary.openComments === 1 ? '' : 's'}
        </span>
      </div>
    </section>
  );
}
