/**
 * Every comment of the session, in the order of the video: frame, author, object, text, resolved.
 * A click jumps to the comment's frame; those who may resolve comments get Resolve / Reopen.
 */
import { useState } from 'react';
import type { CommentId, CommentRecord, ObjectId, ObjectRecord } from '@maskroom/shared';
import { commentsInOrder } from './summary.js';

export interface CommentsPanelProps {
  readonly comments: ReadonlyMap<CommentId, CommentRecord>;
  readonly objects: ReadonlyMap<ObjectId, ObjectRecord>;
  readonly frame: number;
  /** Null when the caller may resolve comments, else why not. */
  readonly resolveDenied: string | null;
  /** Who wrote a comment that carries no name. */
  authorOf(comment: CommentRecord): string;
  onJump(frame: number): void;
  onResolve(commentId: CommentId, resolved: boolean): Promise<void>;
}

export function CommentsPanel(props: CommentsPanelProps) {
  const [busy, setBusy] = useState<CommentId | null>(null);
  const [showResolved, setShowResolved] = useState(true);
  const all = commentsInOrder(props.comments);
  const shown = showResolved ? all : all.filter(([, c]) => !c.resolved);
  const toggle = async (id: CommentId, resolved: boolean): Promise<void> => {
    setBusy(id);
    try {
      await props.onResolve(id, resolved);
    } catch {
      // Reported by the workspace.
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="panel comments-panel" aria-label="Comments" data-testid="comments-panel">
      <header className="panel-header">
        <h2>Comments ({all.length})</h2>
        <label className="hint">
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} />{' '}
          resolved
        </label>
      </header>
      {all.length === 0 && (
        <p className="empty">No comments yet. Pick the Comment tool and click on the frame to leave one.</p>
      )}
      <ul className="comment-list">
        {shown.map(([id, c]) => {
          const obj = c.objId ? props.objects.get(c.objId) : undefined;
          return (
            <li
              key={id}
              className={`comment-item${c.resolved ? ' resolved' : ''}${c.frame === props.frame ? ' here' : ''}`}
              data-testid="comment-item"
              data-comment-id={id}
              data-resolved={String(c.resolved)}
              data-frame={c.frame}
              title={`Go to frame ${c.frame}`}
              onClick={() => props.onJump(c.frame)}
            >
              <div className="comment-meta">
                <span className="comment-frame">frame {c.frame}</span>
                <span className="comment-author">{c.byName ?? props.authorOf(c)}</span>
                {obj && (
                  <span className="comment-object">
                    on {obj.instanceName || obj.className || 'an object'}
                  </span>
                )}
                {c.resolved && <span className="comment-state">resolved</span>}
              </div>
              <p className="comment-text">{c.text}</p>
              <button
                type="button"
                className="comment-resolve"
                disabled={props.resolveDenied !== null || busy === id}
                title={props.resolveDenied ?? (c.resolved ? 'Open this comment again' : 'Mark it resolved')}
                data-testid="resolve-comment"
                onClick={(e) => {
                  e.stopPropagation();
                  void toggle(id, !c.resolved);
                }}
              >
                {c.resolved ? 'Reopen' : 'Resolve'}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
