/**
 * A session's workspace: the canvas with prompting, objects, propagation, the timeline with
 * playback, who is here, undo/redo of one's own edits, keyboard shortcuts, the review (verdicts,
 * comments), sharing, and every problem shown with what to do about it. What the caller's role
 * does not allow is disabled, saying why.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type {
  AuthMe,
  CommentId,
  CommentRecord,
  FrameIndex,
  JobId,
  ObjectId,
  PromptRecord,
  ReviewStatus,
  SessionId,
  UserId,
} from '@maskroom/shared';
import { getMe } from '../api/auth.js';
import { anyWorkerCan } from '../api/health.js';
import { useServerHealth } from '../health.js';
import { addComment, resolveComment, reviewObject } from '../api/review.js';
import {
  cancelJob,
  createObject,
  getSession,
  prompt as sendPrompt,
  propagate,
  type SessionInfo,
} from '../api/sessions.js';
import { commentBodySchema, promptBodySchema, propagateBodySchema } from '@maskroom/shared';
import { replaceFrameInUrl } from '../app/routing.js';
import { CommentsPanel } from '../review/CommentsPanel.js';
import { ReviewSummary } from '../review/ReviewSummary.js';
import { pinsOnFrame, summarizeReview } from '../review/summary.js';
import '../review/review.css';
import { ExportDialog } from '../export/ExportDialog.js';
import { ImportDialog } from '../import/ImportDialog.js';
import { ShareDialog } from '../share/ShareDialog.js';
import { SessionEdits } from '../session/edits.js';
import { ShortcutsOverlay } from '../shortcuts/ShortcutsOverlay.js';
import { useShortcuts } from '../shortcuts/useShortcuts.js';
import type { ShortcutAction } from '../shortcuts/keymap.js';
import { Timeline } from '../timeline/Timeline.js';
import { CanvasStage, type CommentPlace, type PromptInput, type Tool } from './CanvasStage.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { ErrorPanel } from './ErrorPanel.js';
import { ErrorLog } from './errorLog.js';
import { ObjectsPanel } from './ObjectsPanel.js';
import { colorOfUser, nameOfUser } from './people.js';
import { deniedReason, permissionsOf, roleBannerText } from './permissions.js';
import { clampFrame, playbackFrame } from './playback.js';
import { PresenceBar } from './PresenceBar.js';
import { PromptBar } from './PromptBar.js';
import { PropagationPanel, type Direction } from './PropagationPanel.js';
import { useConnectionStatus, useHistoryState, useParticipants, useRuntime, useSnapshot } from './runtime.js';
import './workspace.css';

export interface WorkspacePageProps {
  readonly sessionId: SessionId;
  readonly initialFrame: number;
  /** The name this browser goes by on the collaboration socket (local mode tells people apart by it). */
  readonly name: string;
  readonly mode: AuthMe['mode'];
  /** Where "back" goes (the library); null where there is nowhere to go back to (a guest). */
  readonly onLeave: (() => void) | null;
  readonly leaveLabel?: string;
}

export function WorkspacePage(props: WorkspacePageProps) {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const errors = useMemo(() => new ErrorLog(), []);

  useEffect(() => {
    const ctl = new AbortController();
    getSession(props.sessionId, { signal: ctl.signal })
      .then(setInfo)
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setLoadError(e instanceof Error ? e.message : String(e));
      });
    return () => ctl.abort();
  }, [props.sessionId]);

  if (loadError) {
    return (
      <div className="workspace-error" role="alert" data-testid="session-load-error">
        <p>This session could not be opened: {loadError}</p>
        {props.onLeave && (
          <button type="button" onClick={props.onLeave}>
            {props.leaveLabel ?? 'Back to the library'}
          </button>
        )}
      </div>
    );
  }
  if (!info?.video.media) {
    return (
      <div className="workspace-loading" data-testid="session-loading">
        {info ? 'The video is still being prepared…' : 'Opening the session…'}
      </div>
    );
  }
  return <Workspace {...props} info={info} errors={errors} />;
}

function Workspace(props: WorkspacePageProps & { info: SessionInfo; errors: ErrorLog }) {
  const { info, errors, sessionId } = props;
  const media = info.video.media!;
  const numFrames = media.numFrames;
  const fps = media.processingFps;
  const perms = permissionsOf(info.role);
  const editDenied = deniedReason(info.role, 'edit');
  const commentDenied = deniedReason(info.role, 'comment');
  const banner = roleBannerText(info.role);

  const runtime = useRuntime(sessionId, props.name);
  const snapshot = useSnapshot(runtime);
  const participants = useParticipants(runtime);
  const status = useConnectionStatus(runtime);
  const historyState = useHistoryState(runtime);
  const edits = useMemo(() => (runtime ? new SessionEdits(runtime.conn, runtime.history) : null), [runtime]);

  const [frame, setFrameState] = useState(() => clampFrame(props.initialFrame, numFrames) as FrameIndex);
  const [playing, setPlaying] = useState(false);
  const [tool, setTool] = useState<Tool>('click');
  const [positive, setPositive] = useState(true);
  const [selected, setSelected] = useState<ObjectId | null>(null);
  const [hover, setHover] = useState<ObjectId | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<ObjectId>>(new Set());
  const [solo, setSolo] = useState<ObjectId | null>(null);
  const [following, setFollowing] = useState<UserId | null>(null);
  const [clearedBefore, setClearedBefore] = useState(0);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [me, setMe] = useState<AuthMe['user'] | null>(null);
  const [commentDraft, setCommentDraft] = useState<(CommentPlace & { frame: FrameIndex }) | null>(null);
  const [commentBusy, setCommentBusy] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [importing, setImporting] = useState(false);
  const server = useServerHealth();
  const workers =
    server.state === 'ok'
      ? { any: server.health.workers.length > 0, text: anyWorkerCan(server.health, 'text') }
      : null;

  const setFrame = useCallback(
    (f: number) => setFrameState(clampFrame(f, numFrames) as FrameIndex),
    [numFrames],
  );

  // Who am I (for "you" in the UI).
  useEffect(() => {
    getMe()
      .then((r) => setMe(r?.user ?? null))
      .catch(() => undefined);
  }, [props.name]);

  // The playhead: open its chunks, tell the others, keep the URL in step.
  useEffect(() => {
    runtime?.conn.focus(frame);
    runtime?.presence.update({ frame });
    replaceFrameInUrl(frame);
  }, [runtime, frame]);
  useEffect(() => runtime?.presence.update({ selectedObjId: selected }), [runtime, selected]);
  useEffect(() => runtime?.presence.update({ following }), [runtime, following]);

  // Following someone: their playhead is ours.
  const followed = following ? participants.find((p) => p.user.id === following) : undefined;
  useEffect(() => {
    if (followed && followed.frame !== frame) setFrame(followed.frame);
  }, [followed?.frame]);

  // Playback at the processing rate.
  useEffect(() => {
    if (!playing) return;
    const start = performance.now();
    const from = frame >= numFrames - 1 ? 0 : frame;
    let raf = 0;
    const tick = (): void => {
      const f = playbackFrame(from, performance.now() - start, fps, numFrames);
      if (f === null) {
        setFrame(numFrames - 1);
        setPlaying(false);
        return;
      }
      setFrame(f);
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing]);

  const objects = snapshot?.objects ?? EMPTY_MAP;
  const prompts = snapshot?.prompts ?? EMPTY_MAP;
  const jobs = snapshot?.jobs ?? EMPTY_MAP;
  const comments = snapshot?.comments ?? EMPTY_MAP;
  // A selection whose object is gone (deleted here or elsewhere) is dropped.
  useEffect(() => {
    if (selected && !objects.has(selected)) setSelected(null);
    if (solo && !objects.has(solo)) setSolo(null);
  }, [objects, selected, solo]);

  const guard = useCallback(
    async (action: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        errors.report(action, e);
      }
    },
    [errors],
  );

  const onPrompt = (input: PromptInput): void => {
    const at = frame;
    let points = input.points;
    // Points refine the selected object: send every point placed on it on this frame so far.
    if (points && selected) {
      const earlier = latestPointsPrompt(prompts, selected, at, clearedBefore);
      if (earlier) points = [...earlier, ...points];
    }
    void guard(`Prompt on frame ${at}`, async () => {
      // Parsed here too, so a malformed prompt fails before it leaves the browser.
      const body = promptBodySchema.parse({
        frame: at,
        ...(selected ? { objId: selected } : {}),
        ...(points ? { points } : {}),
        ...(input.box ? { box: input.box } : {}),
      });
      const res = await sendPrompt(sessionId, body);
      setSelected(res.objId);
    });
  };

  const onText = (text: string): void => {
    void guard(`Text prompt “${text}”`, async () => {
      const res = await sendPrompt(
        sessionId,
        promptBodySchema.parse({ frame, text, ...(selected ? { objId: selected } : {}) }),
      );
      setSelected(res.objId);
    });
  };

  const newObject = (): void => {
    void guard('New object', async () => {
      setSelected(await createObject(sessionId, {}));
    });
  };

  const deleteObject = (objId: ObjectId): void => {
    if (!edits || !perms.edit) return;
    void guard('Delete object', () => edits.deleteObject(objId));
  };

  const onPropagate = (direction: Direction, startFrame: number): void => {
    void guard(`Propagate ${direction} from frame ${startFrame}`, () =>
      propagate(sessionId, propagateBodySchema.parse({ direction, startFrame })),
    );
  };

  const onCancel = (jobId: JobId): void => {
    void guard('Cancel propagation', () => cancelJob(jobId));
  };

  // Verdicts and comments go through the server, which writes them into the document: the
  // panels update from there, for everyone alike.
  const onReview = async (objId: ObjectId, status: ReviewStatus, note: string): Promise<void> => {
    const name = objects.get(objId)?.instanceName || 'object';
    try {
      await reviewObject(sessionId, objId, { status, note });
    } catch (e) {
      errors.report(
        status === 'pending'
          ? `Review of ${name}`
          : `${status === 'approved' ? 'Approve' : 'Reject'} ${name}`,
        e,
      );
      throw e;
    }
  };

  // A comment being written belongs to its frame: moving the playhead drops it.
  useEffect(() => {
    if (commentDraft && commentDraft.frame !== frame) setCommentDraft(null);
  }, [frame, commentDraft]);

  const submitComment = async (text: string): Promise<void> => {
    const draft = commentDraft;
    if (!draft) return;
    setCommentBusy(true);
    try {
      const body = commentBodySchema.parse({
        frame: draft.frame,
        x: draft.x,
        y: draft.y,
        text,
        ...(draft.objId ? { objId: draft.objId } : {}),
      });
      await addComment(sessionId, body);
      setCommentDraft(null);
    } catch (e) {
      errors.report(`Comment on frame ${draft.frame}`, e);
    } finally {
      setCommentBusy(false);
    }
  };

  const onResolve = async (commentId: CommentId, resolved: boolean): Promise<void> => {
    try {
      await resolveComment(sessionId, commentId, resolved);
    } catch (e) {
      errors.report(resolved ? 'Resolve comment' : 'Reopen comment', e);
      throw e;
    }
  };

  const authorOf = (c: CommentRecord): string => nameOfUser(c.by, participants, me);

  const hasPrompt = [...prompts.values()].some((p) => p.status === 'done');
  const noWorker = workers !== null && !workers.any;
  const propagateDisabled = editDenied
    ? editDenied
    : noWorker
      ? 'No segmentation worker is connected.'
      : !hasPrompt
        ? 'Prompt an object first.'
        : null;
  const textDisabledReason = noWorker
    ? 'No segmentation worker is connected.'
    : workers && !workers.text
      ? 'The connected workers cannot read text (the CPU worker clicks and boxes only; SAM3 can).'
      : null;

  const onShortcut = (action: ShortcutAction): void => {
    switch (action) {
      case 'play-pause':
        setPlaying((p) => !p);
        break;
      case 'step-back':
        setPlaying(false);
        setFrame(frame - 1);
        break;
      case 'step-forward':
        setPlaying(false);
        setFrame(frame + 1);
        break;
      case 'jump-back-10':
        setFrame(frame - 10);
        break;
      case 'jump-forward-10':
        setFrame(frame + 10);
        break;
      case 'new-object':
        if (perms.edit) newObject();
        break;
      case 'propagate':
        if (!propagateDisabled) onPropagate('forward', frame);
        break;
      case 'delete-object':
        if (selected && perms.edit) deleteObject(selected);
        break;
      case 'undo':
        if (perms.edit) runtime?.history.undo();
        break;
      case 'redo':
        if (perms.edit) runtime?.history.redo();
        break;
      case 'toggle-polarity':
        setPositive((p) => !p);
        break;
      case 'toggle-box-mode':
        if (perms.edit) setTool((t) => (t === 'box' ? 'click' : 'box'));
        break;
      case 'hide-others':
        setSolo((s) => (s ? null : selected));
        break;
      case 'show-shortcuts':
        setShowShortcuts((s) => !s);
        break;
      case 'escape':
        if (showShortcuts) setShowShortcuts(false);
        else if (commentDraft) setCommentDraft(null);
        else setSelected(null);
        break;
    }
  };
  useShortcuts(onShortcut, { enabled: !showShortcuts && !sharing && !exporting && !importing });

  const coverage = runtime?.model.coverage;
  const tracks = useMemo(
    () =>
      [...objects].map(([objId, o]) => ({
        objId,
        label: o.instanceName || o.className || objId,
        color: o.color,
        runs: coverage?.runsOf(objId) ?? [],
        hidden: hidden.has(objId),
      })),
    [objects, hidden, coverage, snapshot?.coverageVersion],
  );
  const promptMarkers = useMemo(
    () =>
      [...prompts.values()].map((p) => ({
        frame: p.frame,
        color: colorOfUser(p.by, participants),
        status: p.status,
        title: `${p.kind} prompt on frame ${p.frame} (${p.status})`,
      })),
    [prompts, participants],
  );
  const activeJob = [...jobs.values()].find((j) => j.status === 'running' || j.status === 'queued');
  const selectedRecord = selected ? objects.get(selected) : undefined;
  const pins = useMemo(() => pinsOnFrame(comments, frame), [comments, frame]);
  const summary = useMemo(() => summarizeReview(objects.values(), comments.values()), [objects, comments]);
  const shareDenied =
    props.mode === 'local'
      ? 'Share links need accounts mode (MASKROOM_AUTH=accounts). In local mode, send the address of this page.'
      : deniedReason(info.role, 'manage');

  return (
    <div className="workspace" data-testid="workspace">
      <header className="workspace-top">
        {props.onLeave && (
          <button
            type="button"
            className="link"
            onClick={props.onLeave}
            title={props.leaveLabel ?? 'Back to the library'}
          >
            ← {props.leaveLabel ? 'Back' : 'Library'}
          </button>
        )}
        <h1 className="session-title" data-testid="session-title">
          {info.video.title}
        </h1>
        <ConnectionBanner status={status} />
        <PresenceBar
          me={me ? { name: me.name, color: me.color } : null}
          participants={participants}
          following={following}
          onFollow={setFollowing}
        />
        <div className="undo-redo">
          <button
            type="button"
            disabled={!perms.edit || !historyState.canUndo}
            onClick={() => runtime?.history.undo()}
            title={
              editDenied ??
              (historyState.undoLabel ? `Undo ${historyState.undoLabel} (Ctrl+Z)` : 'Nothing to undo')
            }
            data-testid="undo"
          >
            ↶ Undo
          </button>
          <button
            type="button"
            disabled={!perms.edit || !historyState.canRedo}
            onClick={() => runtime?.history.redo()}
            title={
              editDenied ??
              (historyState.redoLabel ? `Redo ${historyState.redoLabel} (Ctrl+Shift+Z)` : 'Nothing to redo')
            }
            data-testid="redo"
          >
            ↷ Redo
          </button>
        </div>
        {perms.manage && (
          <button
            type="button"
            onClick={() => setSharing(true)}
            disabled={shareDenied !== null}
            title={shareDenied ?? 'Invite people with a link: as editors, reviewers or viewers'}
            data-testid="share-button"
          >
            Share
          </button>
        )}
        {perms.edit && (
          <button
            type="button"
            onClick={() => setImporting(true)}
            title="Add masks from a COCO JSON, a ZIP (Maskroom export, COCO or DAVIS) or a DAVIS PNG"
            data-testid="import-button"
          >
            Import
          </button>
        )}
        <button
          type="button"
          onClick={() => setExporting(true)}
          title="Download the masks as COCO, YOLO, PNG or DAVIS"
          data-testid="export-button"
        >
          Export
        </button>
        <button type="button" onClick={() => setShowShortcuts(true)} title="Keyboard shortcuts (?)">
          ?
        </button>
      </header>
      {banner && (
        <div className="role-banner" role="status" data-testid="role-banner" data-role={info.role}>
          {banner}
        </div>
      )}
      {status?.refused && <ConnectionBanner status={status} />}
      <ErrorPanel log={errors} />
      {noWorker && (
        <div className="worker-banner" role="status" data-testid="no-worker-banner">
          No segmentation worker is connected: prompts and propagation will fail until one joins (local mode
          starts a CPU worker with <code>npm start</code>).
        </div>
      )}
      <PromptBar
        tool={tool}
        positive={positive}
        textDisabledReason={textDisabledReason}
        editDenied={editDenied}
        commentDenied={commentDenied}
        target={selectedRecord ? `refine ${selectedRecord.instanceName || 'selected object'}` : 'new object'}
        onTool={setTool}
        onPolarity={setPositive}
        onText={onText}
        onClearMarks={() => setClearedBefore(Date.now())}
      />
      <div className="workspace-main">
        {runtime && (
          <CanvasStage
            videoId={info.video.id}
            width={media.width}
            height={media.height}
            numFrames={numFrames}
            frame={frame}
            model={runtime.model}
            objects={objects}
            prompts={prompts}
            hidden={hidden}
            soloObjId={solo}
            selectedObjId={selected}
            hoverObjId={hover}
            tool={tool}
            positive={positive}
            participants={participants}
            clearedBefore={clearedBefore}
            canPrompt={perms.edit}
            canComment={perms.comment}
            pins={pins}
            commentDraft={commentDraft}
            commentBusy={commentBusy}
            onPlaceComment={(place) => setCommentDraft({ ...place, frame })}
            onSubmitComment={(text) => void submitComment(text)}
            onCancelComment={() => setCommentDraft(null)}
            onHover={setHover}
            onCursor={(c) => runtime.presence.update({ cursor: c as never })}
            onPrompt={onPrompt}
            onSelect={setSelected}
            onRendererError={(e) => errors.report('Starting the WebGL canvas', e)}
          />
        )}
        <aside className="workspace-side">
          <ObjectsPanel
            objects={objects}
            coverage={(id) => coverage?.count(id) ?? 0}
            numFrames={numFrames}
            selectedObjId={selected}
            hoverObjId={hover}
            hidden={solo ? new Set([...objects.keys()].filter((id) => id !== solo)) : hidden}
            editDenied={editDenied}
            canReview={perms.review}
            onReview={onReview}
            onSelect={setSelected}
            onHover={setHover}
            onToggleHidden={(id) =>
              setHidden((h) => {
                const next = new Set(h);
                if (!next.delete(id)) next.add(id);
                return next;
              })
            }
            onRename={(id, patch) => edits?.updateObject(id, patch, 'Rename')}
            onRecolor={(id, color) => edits?.updateObject(id, { color }, 'Recolor')}
            onDelete={deleteObject}
            onNewObject={newObject}
          />
          {selected && (
            <div className="panel selection-actions">
              <button
                type="button"
                onClick={() => edits?.eraseMask(frame, selected)}
                disabled={editDenied !== null}
                data-testid="erase-mask"
                title={editDenied ?? "Remove the selected object's mask on this frame (undoable)"}
              >
                Erase mask on this frame
              </button>
            </div>
          )}
          <PropagationPanel
            jobs={jobs}
            frame={frame}
            canPropagate={propagateDisabled === null}
            disabledReason={propagateDisabled}
            cancelDenied={editDenied}
            participants={participants}
            me={me}
            onPropagate={onPropagate}
            onCancel={onCancel}
          />
          <ReviewSummary summary={summary} />
          <CommentsPanel
            comments={comments}
            objects={objects}
            frame={frame}
            resolveDenied={deniedReason(info.role, 'resolve')}
            authorOf={authorOf}
            onJump={(f) => {
              setPlaying(false);
              setFollowing(null);
              setFrame(f);
            }}
            onResolve={onResolve}
          />
        </aside>
      </div>
      <footer className="workspace-bottom">
        <div className="playback" data-testid="playback">
          <button type="button" onClick={() => setFrame(frame - 10)} title="Back 10 frames (Shift+←)">
            −10
          </button>
          <button
            type="button"
            onClick={() => setFrame(frame - 1)}
            title="Previous frame (←)"
            data-testid="step-back"
          >
            ◀
          </button>
          <button
            type="button"
            onClick={() => setPlaying(!playing)}
            title="Play/pause (Space)"
            data-testid="play"
          >
            {playing ? '❚❚' : '▶'}
          </button>
          <button
            type="button"
            onClick={() => setFrame(frame + 1)}
            title="Next frame (→)"
            data-testid="step-forward"
          >
            ▶
          </button>
          <button type="button" onClick={() => setFrame(frame + 10)} title="Forward 10 frames (Shift+→)">
            +10
          </button>
          <span className="frame-readout" data-testid="frame-readout">
            frame {frame} / {numFrames - 1} · {(frame / fps).toFixed(2)} s
          </span>
        </div>
        <Timeline
          numFrames={numFrames}
          frame={frame}
          fps={fps}
          onSeek={(f) => {
            setPlaying(false);
            setFollowing(null);
            setFrame(f);
          }}
          tracks={tracks}
          promptMarkers={promptMarkers}
          playheads={participants.map((p) => ({
            userId: p.user.id,
            name: p.user.name,
            color: p.user.color,
            frame: p.frame,
          }))}
          jobRange={
            activeJob
              ? {
                  start:
                    activeJob.direction === 'backward'
                      ? Math.max(0, activeJob.startFrame - activeJob.framesDone)
                      : activeJob.startFrame,
                  end: activeJob.direction === 'backward' ? activeJob.startFrame : numFrames - 1,
                  done: activeJob.framesDone,
                }
              : null
          }
        />
      </footer>
      {showShortcuts && <ShortcutsOverlay onClose={() => setShowShortcuts(false)} />}
      {sharing && <ShareDialog sessionId={sessionId} onClose={() => setSharing(false)} />}
      {importing && (
        <ImportDialog
          sessionId={sessionId}
          numFrames={numFrames}
          frame={frame}
          objectCount={objects.size}
          onClose={() => setImporting(false)}
          onError={(action, e) => errors.report(action, e)}
        />
      )}
      {exporting && (
        <ExportDialog
          conn={runtime?.conn ?? null}
          videoId={info.video.id}
          title={info.video.title}
          numFrames={numFrames}
          objects={objects}
          onClose={() => setExporting(false)}
          onError={(action, e) => errors.report(action, e)}
        />
      )}
    </div>
  );
}

const EMPTY_MAP = new Map<never, never>();

/** Points of the latest point prompt on `objId` at `frame` (the ones a new click adds to). */
function latestPointsPrompt(
  prompts: ReadonlyMap<string, PromptRecord>,
  objId: ObjectId,
  frame: number,
  since: number,
): { x: number; y: number; label: 0 | 1 }[] | null {
  let best: PromptRecord | null = null;
  for (const p of prompts.values()) {
    if (
      p.kind !== 'points' ||
      p.objId !== objId ||
      p.frame !== frame ||
      p.at < since ||
      p.status === 'failed'
    )
      continue;
    if (!best || p.at > best.at) best = p;
  }
  return best && best.kind === 'points'
    ? best.points.map((pt) => ({ x: pt.x, y: pt.y, label: pt.label }))
    : null;
}
