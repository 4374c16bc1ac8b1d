/**
 * The export dialog, open to every role: formats, frame range, frames as images, only approved
 * objects, and two merge choices. The ZIP is built in a Web Worker from the page's own copy of the
 * documents (runExport.ts) with a progress bar and Cancel; the page never blocks on it.
 */
import { useEffect, useRef, useState } from 'react';
import { exportZipName, type ExportFormat, type ObjectId, type ObjectRecord } from '@maskroom/shared';
import { Dialog } from '../app/Dialog.js';
import { ErrorNote } from '../library/ErrorNote.js';
import type { SessionConnection } from '../session/connection.js';
import {
  FORMAT_CHOICES,
  approvedCount,
  initialForm,
  optionsFromForm,
  type ExportForm,
} from './exportForm.js';
import { saveBlob, startExport, type ExportProgress, type ExportRun } from './runExport.js';
import './export.css';

export interface ExportDialogProps {
  readonly conn: SessionConnection | null;
  readonly videoId: string;
  readonly title: string;
  readonly numFrames: number;
  readonly objects: ReadonlyMap<ObjectId, ObjectRecord>;
  readonly onClose: () => void;
  /** Records a failure in the workspace's error panel too. */
  readonly onError: (action: string, error: unknown) => void;
}

type State =
  | { readonly step: 'form' }
  | { readonly step: 'running'; readonly progress: ExportProgress | null }
  | { readonly step: 'done'; readonly bytes: number; readonly fileName: string; readonly blob: Blob }
  | { readonly step: 'failed'; readonly error: unknown };

export function ExportDialog(props: ExportDialogProps) {
  const { numFrames, objects } = props;
  const [form, setForm] = useState<ExportForm>(() => initialForm(numFrames));
  const [state, setState] = useState<State>({ step: 'form' });
  const run = useRef<ExportRun | null>(null);
  const approved = approvedCount(objects);
  const checked = optionsFromForm(form, numFrames, objects);

  // Closing the dialog (or leaving the page) stops a running export.
  useEffect(() => () => run.current?.cancel(), []);

  const update = (patch: Partial<ExportForm>): void => setForm((f) => ({ ...f, ...patch }));
  const toggleFormat = (format: ExportFormat, on: boolean): void =>
    setForm((f) => {
      const formats = new Set(f.formats);
      if (on) formats.add(format);
      else formats.delete(format);
      return { ...f, formats };
    });
  const toggleObject = (id: ObjectId, on: boolean): void =>
    setForm((f) => {
      const next = new Set(f.checked);
      if (on) next.add(id);
      else next.delete(id);
      return { ...f, checked: next };
    });

  const start = (): void => {
    if (!checked.ok || !props.conn || run.current) return;
    const fileName = exportZipName(props.title);
    const current = startExport({
      conn: props.conn,
      videoId: props.videoId,
      options: checked.options,
      onProgress: (progress) => {
        if (run.current !== null) setState({ step: 'running', progress });
      },
    });
    run.current = current;
    setState({ step: 'running', progress: null });
    current.result.then(
      (blob) => {
        if (run.current !== current) return;
        run.current = null;
        saveBlob(blob, fileName);
        setState({ step: 'done', bytes: blob.size, fileName, blob });
      },
      (error: unknown) => {
        if (run.current !== current) return;
        run.current = null;
        if (error instanceof DOMException && error.name === 'AbortError') {
          setState({ step: 'form' });
          return;
        }
        props.onError('Export', error);
        setState({ step: 'failed', error });
      },
    );
  };

  const cancel = (): void => {
    const current = run.current;
    run.current = null;
    current?.cancel();
    setState({ step: 'form' });
  };

  const running = state.step === 'running';
  const progress = running ? state.progress : null;
  const fraction = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;

  return (
    <Dialog title="Export" testId="export-dialog" onClose={props.onClose}>
      <form
        className="form-grid export-form"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <fieldset className="export-formats" disabled={running}>
          <legend>Formats</legend>
          {FORMAT_CHOICES.map((c) => (
            <label key={c.format} className="form-check" title={c.hint}>
              <input
                type="checkbox"
                checked={form.formats.has(c.format)}
                onChange={(e) => toggleFormat(c.format, e.target.checked)}
                data-testid={`export-format-${c.format}`}
              />
              <span>
                {c.label} <small>{c.hint}</small>
              </span>
            </label>
          ))}
        </fieldset>

        <fieldset className="export-range" disabled={running}>
          <legend>Frames</legend>
          <label>
            from
            <input
              type="number"
              min={0}
              max={numFrames - 1}
              value={form.from}
              onChange={(e) => update({ from: e.target.valueAsNumber })}
              data-testid="export-from"
            />
          </label>
          <label>
            to (inclusive)
            <input
              type="number"
              min={0}
              max={numFrames - 1}
              value={form.to}
              onChange={(e) => update({ to: e.target.valueAsNumber })}
              data-testid="export-to"
            />
          </label>
        </fieldset>

        <fieldset disabled={running}>
          <label className="form-check">
            <input
              type="checkbox"
              checked={form.includeImages}
              onChange={(e) => update({ includeImages: e.target.checked })}
              data-testid="export-include-images"
            />
            <span>Include the frames as JPEG images</span>
          </label>
          <label
            className="form-check"
            title={approved === 0 ? 'No object has been approved by a reviewer yet.' : undefined}
          >
            <input
              type="checkbox"
              checked={form.onlyApproved && approved > 0}
              disabled={approved === 0}
              onChange={(e) => update({ onlyApproved: e.target.checked })}
              data-testid="export-only-approved"
            />
            <span>
              Only approved objects{' '}
              <small data-testid="export-approved-note">
                {approved === 0 ? '(none is approved yet)' : `(${approved} of ${objects.size})`}
              </small>
            </span>
          </label>
        </fieldset>

        <fieldset disabled={running || objects.size === 0}>
          <legend>Merge</legend>
          <label className="form-check">
            <input
              type="checkbox"
              checked={form.mergeInstance}
              onChange={(e) => update({ mergeInstance: e.target.checked })}
              data-testid="export-merge-instance"
            />
            <span>Export the checked objects as one instance</span>
          </label>
          {form.mergeInstance && (
            <div className="export-merge">
              <input
                type="text"
                value={form.instanceName}
                aria-label="Name of the merged instance"
                onChange={(e) => update({ instanceName: e.target.value })}
                data-testid="export-merge-name"
              />
              <ul className="export-objects">
                {[...objects].map(([id, o]) => (
                  <li key={id}>
                    <label className="form-check">
                      <input
                        type="checkbox"
                        checked={form.checked.has(id)}
                        onChange={(e) => toggleObject(id, e.target.checked)}
                        data-testid="export-merge-object"
                      />
                      <span>
                        <i className="export-swatch" style={{ background: o.color }} />
                        {o.instanceName || o.className || id}
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <label className="form-check">
            <input
              type="checkbox"
              checked={form.oneClass}
              onChange={(e) => update({ oneClass: e.target.checked })}
              data-testid="export-one-class"
            />
            <span>One class for all objects</span>
          </label>
          {form.oneClass && (
            <input
              type="text"
              value={form.className}
              aria-label="Class name for all objects"
              onChange={(e) => update({ className: e.target.value })}
              data-testid="export-class-name"
            />
          )}
        </fieldset>

        {!checked.ok && state.step === 'form' && (
          <p className="export-problem" data-testid="export-problem">
            {checked.problem}
          </p>
        )}

        {running && (
          <div className="form-progress">
            <progress
              max={1}
              value={fraction}
              data-testid="export-progress"
              data-phase={progress?.phase ?? 'syncing'}
              data-done={progress?.done ?? 0}
              data-total={progress?.total ?? 0}
            />
            <span>
              {progress?.phase === 'building'
                ? `Building the ZIP… ${Math.round(fraction * 100)}%`
                : `Loading the session's masks… ${progress ? `${progress.done}/${progress.total}` : ''}`}
            </span>
          </div>
        )}
        {state.step === 'done' && (
          <p className="export-done" role="status" data-testid="export-done" data-bytes={state.bytes}>
            Exported {state.fileName} ({formatBytes(state.bytes)}).{' '}
            <button type="button" className="link" onClick={() => saveBlob(state.blob, state.fileName)}>
              Download again
            </button>
          </p>
        )}
        {state.step === 'failed' && <ErrorNote error={state.error} testId="export-error" />}

        <div className="form-actions">
          {running ? (
            <button type="button" onClick={cancel} data-testid="export-cancel">
              Cancel
            </button>
          ) : (
            <button
              type="submit"
              className="primary"
              disabled={!checked.ok || !props.conn}
              title={checked.ok ? undefined : checked.problem}
              data-testid="export-start"
            >
              Export ZIP
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
