/**
 * The import dialog (roles that may edit): a COCO JSON, a ZIP (a Maskroom export, COCO or DAVIS
 * PNGs) or one DAVIS PNG, added to the open session or replacing what it holds. The server reads
 * and checks the whole file before writing anything, so a refused file changes nothing; the new
 * objects and masks then reach every participant through the session documents.
 */
import { useEffect, useRef, useState } from 'react';
import type { ImportAnswer, ImportMode, SessionId } from '@maskroom/shared';
import { Dialog } from '../app/Dialog.js';
import { ErrorNote } from '../library/ErrorNote.js';
import {
  IMPORT_ACCEPT,
  frameFromName,
  importFileKind,
  plural,
  replaceWarning,
  resultText,
  uploadPercent,
} from './importForm.js';
import { uploadImport } from './uploadImport.js';
import './import.css';

export interface ImportDialogProps {
  readonly sessionId: SessionId;
  readonly numFrames: number;
  /** The frame shown now: the default frame of a single DAVIS PNG without one in its name. */
  readonly frame: number;
  /** Objects the session holds now (what replacing would delete). */
  readonly objectCount: number;
  readonly onClose: () => void;
  /** Records a failure in the workspace's error panel too. */
  readonly onError: (action: string, error: unknown) => void;
}

type State =
  | { readonly step: 'form' }
  | { readonly step: 'confirm' }
  | { readonly step: 'sending'; readonly percent: number | null; readonly sent: boolean }
  | { readonly step: 'done'; readonly answer: ImportAnswer }
  | { readonly step: 'failed'; readonly error: unknown };

export function ImportDialog(props: ImportDialogProps) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>('add');
  const [frame, setFrame] = useState(props.frame);
  const [state, setState] = useState<State>({ step: 'form' });
  const abort = useRef<AbortController | null>(null);

  // Closing the dialog stops an upload still under way (the server then writes nothing).
  useEffect(() => () => abort.current?.abort(), []);

  const kind = file ? importFileKind(file.name) : null;
  const sending = state.step === 'sending';
  const warning = mode === 'replace' ? replaceWarning(props.objectCount) : null;
  const frameOk = Number.isInteger(frame) && frame >= 0 && frame < props.numFrames;
  const ready = file !== null && kind !== null && (kind !== 'davis-png' || frameOk);

  const pick = (picked: File | null): void => {
    setFile(picked);
    setState({ step: 'form' });
    const named = picked ? frameFromName(picked.name) : null;
    if (named !== null) setFrame(named);
  };

  const send = (): void => {
    if (!file || !ready || abort.current) return;
    const controller = new AbortController();
    abort.current = controller;
    setState({ step: 'sending', percent: 0, sent: false });
    uploadImport(props.sessionId, file, {
      mode,
      ...(kind === 'davis-png' ? { frame } : {}),
      signal: controller.signal,
      onProgress: (p) =>
        setState({ step: 'sending', percent: uploadPercent(p.sentBytes, p.totalBytes), sent: false }),
      onSent: () => setState({ step: 'sending', percent: null, sent: true }),
    }).then(
      (answer) => {
        if (abort.current !== controller) return;
        abort.current = null;
        setState({ step: 'done', answer });
      },
      (error: unknown) => {
        if (abort.current !== controller) return;
        abort.current = null;
        props.onError('Import', error);
        setState({ step: 'failed', error });
      },
    );
  };

  const start = (): void => {
    if (mode === 'replace' && warning !== null && state.step !== 'confirm') setState({ step: 'confirm' });
    else send();
  };

  const cancel = (): void => {
    const current = abort.current;
    abort.current = null;
    current?.abort();
    setState({ step: 'form' });
  };

  return (
    <Dialog title="Import annotations" testId="import-dialog" onClose={sending ? null : props.onClose}>
      <form
        className="form-grid import-form"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <label>
          COCO JSON, ZIP (Maskroom export, COCO or DAVIS) or a DAVIS PNG
          <input
            type="file"
            accept={IMPORT_ACCEPT}
            disabled={sending}
            onChange={(e) => pick(e.target.files?.[0] ?? null)}
            data-testid="import-file"
          />
        </label>
        {file && kind === null && (
          <p className="import-problem" data-testid="import-problem">
            Pick a .json, .zip or .png file.
          </p>
        )}
        {kind === 'davis-png' && (
          <label>
            Frame of this PNG
            <input
              type="number"
              min={0}
              max={props.numFrames - 1}
              value={frame}
              disabled={sending}
              onChange={(e) => setFrame(e.target.valueAsNumber)}
              data-testid="import-frame"
            />
          </label>
        )}
        <fieldset className="import-mode" disabled={sending}>
          <legend>Into this session</legend>
          <label className="form-check">
            <input
              type="radio"
              name="import-mode"
              checked={mode === 'add'}
              onChange={() => {
                setMode('add');
                if (state.step === 'confirm') setState({ step: 'form' });
              }}
              data-testid="import-mode-add"
            />
            <span>Add as new objects</span>
          </label>
          <label className="form-check">
            <input
              type="radio"
              name="import-mode"
              checked={mode === 'replace'}
              onChange={() => setMode('replace')}
              data-testid="import-mode-replace"
            />
            <span>Replace everything ({plural(props.objectCount, 'object')} now)</span>
          </label>
        </fieldset>

        {state.step === 'confirm' && warning !== null && (
          <p className="import-warning" role="alert" data-testid="import-confirm">
            {warning} This cannot be undone.
          </p>
        )}

        {sending && (
          <div className="form-progress">
            {state.sent || state.percent === null ? (
              <progress aria-label="Import progress" data-testid="import-progress" />
            ) : (
              <progress
                max={100}
                value={state.percent}
                aria-label="Import progress"
                data-testid="import-progress"
              />
            )}
            <span>{state.sent ? 'Reading and writing the annotations…' : 'Uploading…'}</span>
          </div>
        )}

        {state.step === 'done' && (
          <div className="import-result" role="status" data-testid="import-result">
            <p>{resultText(state.answer.imported.objects, state.answer.imported.masks)}</p>
            {state.answer.warnings.length > 0 && (
              <ul className="import-warnings" data-testid="import-warnings">
                {state.answer.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {state.step === 'failed' && <ErrorNote error={state.error} testId="import-error" />}

        <div className="form-actions">
          {sending ? (
            <button type="button" className="btn" onClick={cancel} data-testid="import-cancel">
              Cancel
            </button>
          ) : (
            <>
              <button type="button" className="btn" onClick={props.onClose}>
                {state.step === 'done' ? 'Close' : 'Cancel'}
              </button>
              <button
                type="submit"
                className={`btn ${state.step === 'confirm' ? 'btn-danger' : 'btn-primary'}`}
                disabled={!ready}
                data-testid={state.step === 'confirm' ? 'import-confirm-replace' : 'import-start'}
              >
                {state.step === 'confirm' ? 'Replace and import' : 'Import'}
              </button>
            </>
          )}
        </div>
      </form>
    </Dialog>
  );
}
