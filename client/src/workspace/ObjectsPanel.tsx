/**
 * Every object of the session: color (editable), instance and class name (edited inline; class
 * names suggested from those in use), visibility (per user), selection, delete, frame coverage,
 * review status.
 */
import { useId, useRef, useState } from 'react';
import type { ObjectId, ObjectRecord, ReviewStatus } from '@maskroom/shared';
import { ReviewBadge, ReviewControls } from '../review/ObjectReview.js';
import { classSuggestions } from './playback.js';

export interface ObjectsPanelProps {
  readonly objects: ReadonlyMap<ObjectId, ObjectRecord>;
  readonly coverage: (objId: ObjectId) => number;
  readonly numFrames: number;
  readonly selectedObjId: ObjectId | null;
  readonly hoverObjId: ObjectId | null;
  readonly hidden: ReadonlySet<ObjectId>;
  /** Null when the caller may change objects, else why not (shown on the disabled controls). */
  readonly editDenied: string | null;
  readonly canReview: boolean;
  onSelect(objId: ObjectId | null): void;
  onHover(objId: ObjectId | null): void;
  onToggleHidden(objId: ObjectId): void;
  onRename(objId: ObjectId, patch: { instanceName?: string; className?: string }): void;
  onRecolor(objId: ObjectId, color: string): void;
  onDelete(objId: ObjectId): void;
  onNewObject(): void;
  onReview(objId: ObjectId, status: ReviewStatus, note: string): Promise<void>;
}

export function ObjectsPanel(props: ObjectsPanelProps) {
  const listId = useId();
  const suggestions = classSuggestions(props.objects.values());
  return (
    <section className="panel objects-panel" aria-label="Objects" data-testid="objects-panel">
      <header className="panel-header">
        <h2>Objects</h2>
        <button
          type="button"
          onClick={props.onNewObject}
          disabled={props.editDenied !== null}
          title={props.editDenied ?? 'New object (N)'}
          data-testid="new-object"
        >
          + New
        </button>
      </header>
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {props.objects.size === 0 && (
        <p className="empty">No objects yet. Click on the frame to segment one.</p>
      )}
      <ul className="object-list">
        {[...props.objects].map(([id, o]) => {
          const covered = props.coverage(id);
          const hidden = props.hidden.has(id);
          const label = o.instanceName || o.className || 'this object';
          return (
            <li
              key={id}
              className={`object-row${props.selectedObjId === id ? ' selected' : ''}${props.hoverObjId === id ? ' hovered' : ''}${hidden ? ' is-hidden' : ''}`}
              data-testid="object-row"
              data-obj-id={id}
              onClick={() => props.onSelect(props.selectedObjId === id ? null : id)}
              onMouseEnter={() => props.onHover(id)}
              onMouseLeave={() => props.onHover(null)}
            >
              <label
                className="swatch"
                style={{ background: o.color }}
                title={props.editDenied ?? 'Color'}
                onClick={(e) => e.stopPropagation()}
              >
                <input
                  type="color"
                  value={o.color}
                  disabled={props.editDenied !== null}
                  aria-label={`Color of ${o.instanceName}`}
                  onChange={(e) => props.onRecolor(id, e.target.value)}
                />
              </label>
              <div className="object-names">
                <InlineText
                  value={o.instanceName}
                  placeholder="name"
                  testId="object-name"
                  denied={props.editDenied}
                  onCommit={(v) => props.onRename(id, { instanceName: v })}
                />
                <InlineText
                  value={o.className}
                  placeholder="class"
                  testId="object-class"
                  list={listId}
                  denied={props.editDenied}
                  onCommit={(v) => props.onRename(id, { className: v })}
                />
              </div>
              <span
                className="coverage"
                data-testid="object-coverage"
                title={`Masks on ${covered} of ${props.numFrames} frames`}
              >
                {covered}/{props.numFrames}
              </span>
              <ReviewBadge review={o.review} />
              <button
                type="button"
                className="icon"
                aria-pressed={hidden}
                title={hidden ? 'Show' : 'Hide (only for you)'}
                data-testid="toggle-visibility"
                onClick={(e) => {
                  e.stopPropagation();
                  props.onToggleHidden(id);
                }}
              >
                {hidden ? '◌' : '●'}
              </button>
              {/* Hidden rather than disabled: a ✕ on every row would be noise for those who cannot use it. */}
              {props.editDenied === null && (
                <button
                  type="button"
                  className="icon danger"
                  title="Delete (undo with Ctrl+Z)"
                  data-testid="delete-object"
                  onClick={(e) => {
                    e.stopPropagation();
                    props.onDelete(id);
                  }}
                >
                  ✕
                </button>
              )}
              {props.canReview && (
                <ReviewControls
                  review={o.review}
                  label={label}
                  onReview={(status, note) => props.onReview(id, status, note)}
                />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Text that is edited in place: Enter or leaving the field saves, Escape cancels. */
function InlineText(props: {
  value: string;
  placeholder: string;
  testId: string;
  list?: string;
  /** Null when editable, else why not. */
  denied: string | null;
  onCommit(value: string): void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const cancelled = useRef(false);
  const commit = (): void => {
    if (!cancelled.current && draft !== null && draft.trim() !== props.value) props.onCommit(draft.trim());
    cancelled.current = false;
    setDraft(null);
  };
  return (
    <input
      className="inline-text"
      value={draft ?? props.value}
      placeholder={props.placeholder}
      aria-label={props.placeholder}
      data-testid={props.testId}
      list={props.list}
      readOnly={props.denied !== null}
      title={props.denied ?? undefined}
      maxLength={200}
      onClick={(e) => e.stopPropagation()}
      onFocus={() => setDraft(props.value)}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') e.currentTarget.blur();
        if (e.key === 'Escape') {
          cancelled.current = true;
          e.currentTarget.blur();
        }
      }}
    />
  );
}
