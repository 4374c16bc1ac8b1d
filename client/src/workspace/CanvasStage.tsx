/**
 * The canvas: the frame and every mask of it (one label-map texture colored by a palette, DESIGN
 * §8) drawn by PixiJS, with an SVG layer above for what is drawn in CSS pixels: prompt points and
 * boxes in their author's color, spinners on pending prompts, comment pins, other people's
 * cursors, the box being dragged. Pointer input: click = point prompt, drag in box mode = box
 * prompt, click in comment mode = a comment pinned there, wheel = zoom, middle button or Ctrl +
 * drag = pan, hover = highlight.
 */
import { useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { COMMENT_MAX_LENGTH } from '@maskroom/shared';
import type { FrameIndex, ObjectId, ObjectRecord, PromptId, PromptRecord, VideoId } from '@maskroom/shared';
import { createFrameCache, type FrameCache } from '../render/FrameCache.js';
import { createLabelMap, labelAt, paintMasks, type LabelMap } from '../render/labelMap.js';
import { LabelAssignment, MAX_LABEL, buildPalette } from '../render/palette.js';
import { OverlayRenderer } from '../render/OverlayRenderer.js';
import { Viewport, canvasPoint, type CanvasPoint } from '../render/viewport.js';
import type { CommentPin } from '../review/summary.js';
import type { SessionModel } from '../session/model.js';
import type { Participant } from '../session/presence.js';
import { colorOfUser } from './people.js';

export type Tool = 'click' | 'box' | 'comment';

/** Where a new comment goes: a normalized point, and the object under it (or the selected one). */
export interface CommentPlace {
  readonly x: number;
  readonly y: number;
  readonly objId: ObjectId | null;
}

export interface PromptInput {
  readonly points?: readonly { x: number; y: number; label: 0 | 1 }[];
  readonly box?: readonly [number, number, number, number];
}

export interface CanvasStageProps {
  readonly videoId: VideoId;
  readonly width: number;
  readonly height: number;
  readonly numFrames: number;
  readonly frame: FrameIndex;
  readonly model: SessionModel;
  readonly objects: ReadonlyMap<ObjectId, ObjectRecord>;
  readonly prompts: ReadonlyMap<PromptId, PromptRecord>;
  readonly hidden: ReadonlySet<ObjectId>;
  readonly soloObjId: ObjectId | null;
  readonly selectedObjId: ObjectId | null;
  readonly hoverObjId: ObjectId | null;
  readonly tool: Tool;
  /** Click polarity when no modifier is held: true = positive. */
  readonly positive: boolean;
  readonly participants: readonly Participant[];
  readonly clearedBefore: number;
  readonly canPrompt: boolean;
  readonly canComment: boolean;
  /** Comment pins of the shown frame. */
  readonly pins: readonly CommentPin[];
  /** The comment being written, if any (its box is open at its point). */
  readonly commentDraft: CommentPlace | null;
  readonly commentBusy: boolean;
  onPlaceComment(place: CommentPlace): void;
  onSubmitComment(text: string): void;
  onCancelComment(): void;
  onHover(objId: ObjectId | null): void;
  onCursor(p: { x: number; y: number } | null): void;
  onPrompt(input: PromptInput): void;
  onSelect(objId: ObjectId | null): void;
  onRendererError(error: unknown): void;
}

/** Test and benchmark hook: what is on the canvas, read back from the GPU. */
export interface CanvasProbe {
  readonly rendererName: string;
  /** RGBA at a normalized frame position, after the latest render. */
  pixelAt(x: number, y: number): [number, number, number, number] | null;
  /** The frame and mask count of the latest render. */
  readonly rendered: { frame: number; masks: number };
}

declare global {
  interface Window {
    __maskroomCanvas?: CanvasProbe;
  }
}

const DRAG_THRESHOLD_PX = 4;

export function CanvasStage(props: CanvasStageProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [renderer, setRenderer] = useState<OverlayRenderer | null>(null);
  const [viewport, setViewport] = useState<Viewport | null>(null);
  const [drag, setDrag] = useState<{
    start: CanvasPoint;
    now: CanvasPoint;
    mode: 'box' | 'pan' | 'click';
  } | null>(null);
  const [loadingFrame, setLoadingFrame] = useState(false);
  const labels = useMemo(() => new LabelAssignment(), []);
  const labelMap = useRef<LabelMap | null>(null);
  const cache = useRef<FrameCache<ImageBitmap> | null>(null);
  const renderedRef = useRef({ frame: -1, masks: 0 });
  const propsRef = useRef(props);
  propsRef.current = props;
  // Callbacks from the frame cache and the model outlive renders: they read the latest renderer here.
  const rendererRef = useRef(renderer);
  rendererRef.current = renderer;

  // The renderer lives as long as the component.
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let made: OverlayRenderer | null = null;
    let cancelled = false;
    OverlayRenderer.create(host)
      .then((r) => {
        if (cancelled) return r.destroy();
        made = r;
        setRenderer(r);
      })
      .catch((e: unknown) => propsRef.current.onRendererError(e));
    return () => {
      cancelled = true;
      made?.destroy();
      setRenderer(null);
    };
  }, []);

  // Frame size and viewport; refit on resize.
  useEffect(() => {
    const host = hostRef.current;
    if (!renderer || !host) return;
    renderer.setFrameSize(props.width, props.height);
    labelMap.current = createLabelMap(props.width, props.height);
    const fit = (): void => {
      const w = Math.max(1, host.clientWidth);
      const h = Math.max(1, host.clientHeight);
      renderer.resize(w, h);
      setViewport((v) => (v ? v.resized(w, h) : Viewport.fit(props.width, props.height, w, h)));
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(host);
    return () => ro.disconnect();
  }, [renderer, props.width, props.height]);

  useEffect(() => {
    if (renderer && viewport) {
      renderer.setViewport(viewport);
      renderer.requestRender();
    }
  }, [renderer, viewport]);

  // Frames: one cache per video, prefetched around the playhead.
  useEffect(() => {
    const c = createFrameCache(props.videoId, {
      frameCount: props.numFrames,
      onLoaded: (f) => {
        if (f === propsRef.current.frame) showImage();
      },
    });
    cache.current = c;
    return () => {
      cache.current = null;
      c.destroy();
    };
  }, [props.videoId, props.numFrames]);

  const showImage = (): void => {
    const c = cache.current;
    const renderer = rendererRef.current;
    if (!renderer || !c) return;
    const bitmap = c.get(propsRef.current.frame);
    setLoadingFrame(!bitmap);
    if (bitmap) {
      renderer.setImage(bitmap);
      renderer.requestRender();
      hostRef.current?.setAttribute('data-image-frame', String(propsRef.current.frame));
    } else {
      const wanted = propsRef.current.frame;
      c.load(wanted)
        .then(() => {
          if (propsRef.current.frame === wanted) showImage();
        })
        .catch(() => undefined);
    }
  };

  const paintLabels = (): void => {
    const map = labelMap.current;
    const renderer = rendererRef.current;
    if (!renderer || !map) return;
    const p = propsRef.current;
    const masks = [];
    for (const [objId, mask] of p.model.masksOfFrame(p.frame)) {
      if (!p.objects.has(objId)) continue;
      const label = labels.labelFor(objId);
      if (label !== null) masks.push({ label, rle: mask.rle, area: mask.area });
    }
    paintMasks(map, masks);
    renderer.setLabels(map);
    renderer.requestRender();
    renderedRef.current = { frame: p.frame, masks: masks.length };
    hostRef.current?.setAttribute('data-rendered-frame', String(p.frame));
    hostRef.current?.setAttribute('data-mask-count', String(masks.length));
  };

  // The playhead moved: picture and masks of the new frame.
  useEffect(() => {
    showImage();
    paintLabels();
    cache.current?.prefetchAround(props.frame, 16, 4);
  }, [renderer, props.frame, props.objects]);

  // Masks of the shown frame changed (a prompt answered, a propagation passed by, an undo).
  useEffect(
    () =>
      props.model.onMasks((frames) => {
        if (frames.has(propsRef.current.frame)) paintLabels();
      }),
    [props.model, renderer],
  );

  // Objects gone for good give their labels back.
  useEffect(() => {
    for (let label = 1; label <= MAX_LABEL; label++) {
      const id = labels.objectAt(label);
      if (id && !props.objects.has(id)) labels.release(id);
    }
  }, [labels, props.objects]);

  // Selection, hover and visibility only change the palette.
  useEffect(() => {
    if (!renderer) return;
    const entries = [];
    for (const [objId, o] of props.objects) {
      const label = labels.labelFor(objId);
      if (label !== null) entries.push({ label, color: o.color, hidden: props.hidden.has(objId) });
    }
    const lab = (id: ObjectId | null) => (id ? (labels.peek(id) ?? null) : null);
    renderer.setPalette(
      buildPalette(entries, {
        hoverLabel: lab(props.hoverObjId),
        selectedLabel: lab(props.selectedObjId),
        soloLabel: lab(props.soloObjId),
      }),
    );
    renderer.requestRender();
  }, [renderer, labels, props.objects, props.hidden, props.hoverObjId, props.selectedObjId, props.soloObjId]);

  // The probe for tests.
  useEffect(() => {
    if (!renderer) return;
    window.__maskroomCanvas = {
      rendererName: renderer.rendererName,
      get rendered() {
        return { ...renderedRef.current };
      },
      pixelAt: (x, y) => {
        const v = viewportRef.current;
        if (!v) return null;
        const c = v.normalizedToCanvas({ x, y } as Parameters<Viewport['normalizedToCanvas']>[0]);
        renderer.renderNow();
        return renderer.readPixel(c.x, c.y);
      },
    };
    return () => {
      delete window.__maskroomCanvas;
    };
  }, [renderer]);
  const viewportRef = useRef(viewport);
  viewportRef.current = viewport;

  // --- pointer input -----------------------------------------------------------------------

  const pointOf = (e: { clientX: number; clientY: number }): CanvasPoint => {
    const r = hostRef.current!.getBoundingClientRect();
    return canvasPoint(e.clientX - r.left, e.clientY - r.top);
  };

  const objectUnder = (p: CanvasPoint): ObjectId | null => {
    const map = labelMap.current;
    if (!viewport || !map || !viewport.isInsideFrame(p)) return null;
    const px = viewport.canvasToPixel(p);
    const label = labelAt(map, Math.floor(px.x), Math.floor(px.y));
    const objId = label ? (labels.objectAt(label) ?? null) : null;
    return objId && !props.hidden.has(objId) && (!props.soloObjId || props.soloObjId === objId)
      ? objId
      : null;
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>): void => {
    if (!viewport) return;
    const p = pointOf(e);
    const pan = e.button === 1 || (e.button === 0 && (e.ctrlKey || e.metaKey));
    if (e.button !== 0 && e.button !== 2 && !pan) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    setDrag({
      start: p,
      now: p,
      mode: pan ? 'pan' : props.tool === 'box' && e.button === 0 ? 'box' : 'click',
    });
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>): void => {
    if (!viewport) return;
    const p = pointOf(e);
    if (drag?.mode === 'pan') {
      setViewport(viewport.panBy(p.x - drag.now.x, p.y - drag.now.y));
      setDrag({ ...drag, now: p });
      return;
    }
    if (drag) setDrag({ ...drag, now: p });
    const inside = viewport.isInsideFrame(p);
    const n = viewport.canvasToNormalized(p);
    props.onCursor(inside ? { x: n.x, y: n.y } : null);
    const hovered = objectUnder(p);
    if (hovered !== props.hoverObjId) props.onHover(hovered);
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLDivElement>): void => {
    const d = drag;
    setDrag(null);
    if (!d || !viewport || d.mode === 'pan') return;
    const p = pointOf(e);
    const moved = Math.hypot(p.x - d.start.x, p.y - d.start.y) > DRAG_THRESHOLD_PX;
    if (d.mode === 'box' && moved) {
      const a = viewport.canvasToNormalized(d.start);
      const b = viewport.canvasToNormalized(p);
      const x0 = clamp01(Math.min(a.x, b.x));
      const y0 = clamp01(Math.min(a.y, b.y));
      const w = clamp01(Math.max(a.x, b.x)) - x0;
      const h = clamp01(Math.max(a.y, b.y)) - y0;
      if (w > 0 && h > 0 && props.canPrompt) props.onPrompt({ box: [x0, y0, w, h] });
      return;
    }
    if (moved || !viewport.isInsideFrame(p)) return;
    if (props.tool === 'comment') {
      if (!props.canComment) return;
      const n = viewport.canvasToNormalized(p);
      props.onPlaceComment({
        x: clamp01(n.x),
        y: clamp01(n.y),
        objId: objectUnder(p) ?? props.selectedObjId,
      });
      return;
    }
    if (!props.canPrompt) {
      props.onSelect(objectUnder(p));
      return;
    }
    const n = viewport.canvasToNormalized(p);
    const negative = e.button === 2 || e.shiftKey || e.altKey;
    const label: 0 | 1 = props.positive !== negative ? 1 : 0;
    props.onPrompt({ points: [{ x: clamp01(n.x), y: clamp01(n.y), label }] });
  };

  const onWheel = (e: React.WheelEvent<HTMLDivElement>): void => {
    if (!viewport) return;
    setViewport(viewport.zoomAt(pointOf(e), Math.exp(-e.deltaY * 0.0015)));
  };

  // --- what the SVG layer draws ------------------------------------------------------------

  const marks = useMemo(
    () => visibleMarks(props.prompts, props.frame, props.clearedBefore),
    [props.prompts, props.frame, props.clearedBefore],
  );
  const toCanvas = (x: number, y: number): CanvasPoint =>
    viewport!.normalizedToCanvas({ x, y } as Parameters<Viewport['normalizedToCanvas']>[0]);

  return (
    <div
      ref={hostRef}
      className={`canvas-stage tool-${props.tool}${drag?.mode === 'pan' ? ' panning' : ''}`}
      data-testid="canvas-stage"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerLeave={() => {
        props.onCursor(null);
        if (props.hoverObjId) props.onHover(null);
      }}
      onContextMenu={(e) => e.preventDefault()}
      onWheel={onWheel}
    >
      {viewport && (
        <svg className="canvas-marks" width="100%" height="100%" aria-hidden="true">
          {marks.map(({ id, prompt }) => {
            const color = colorOfUser(prompt.by, props.participants);
            const pending = prompt.status === 'queued' || prompt.status === 'running';
            const anchor =
              prompt.kind === 'points'
                ? prompt.points[prompt.points.length - 1]!
                : prompt.kind === 'box'
                  ? { x: prompt.box[0] + prompt.box[2] / 2, y: prompt.box[1] + prompt.box[3] / 2 }
                  : null;
            return (
              <g key={id} data-testid="prompt-mark" data-prompt-id={id} data-status={prompt.status}>
                {prompt.kind === 'points' &&
                  prompt.points.map((pt, i) => {
                    const c = toCanvas(pt.x, pt.y);
                    return (
                      <g key={i} transform={`translate(${c.x} ${c.y})`}>
                        <circle r={7} fill={color} stroke="#0b0d10" strokeWidth={2} />
                        <path
                          d={pt.label === 1 ? 'M-4 0H4M0 -4V4' : 'M-4 0H4'}
                          stroke="#0b0d10"
                          strokeWidth={2}
                        />
                      </g>
                    );
                  })}
                {prompt.kind === 'box' &&
                  (() => {
                    const a = toCanvas(prompt.box[0], prompt.box[1]);
                    const b = toCanvas(prompt.box[0] + prompt.box[2], prompt.box[1] + prompt.box[3]);
                    return (
                      <rect
                        x={a.x}
                        y={a.y}
                        width={b.x - a.x}
                        height={b.y - a.y}
                        fill="none"
                        stroke={color}
                        strokeWidth={2}
                        strokeDasharray="6 4"
                      />
                    );
                  })()}
                {pending && anchor && (
                  <g
                    transform={`translate(${toCanvas(anchor.x, anchor.y).x} ${toCanvas(anchor.x, anchor.y).y})`}
                  >
                    <circle
                      className="spinner"
                      r={14}
                      fill="none"
                      stroke={color}
                      strokeWidth={3}
                      data-testid="prompt-spinner"
                    />
                  </g>
                )}
                {prompt.status === 'failed' && anchor && (
                  <text
                    x={toCanvas(anchor.x, anchor.y).x + 10}
                    y={toCanvas(anchor.x, anchor.y).y - 10}
                    className="mark-failed"
                  >
                    failed
                  </text>
                )}
              </g>
            );
          })}
          {props.pins.map((pin) => {
            const c = toCanvas(pin.x, pin.y);
            return (
              <g
                key={pin.id}
                transform={`translate(${c.x} ${c.y})`}
                className={`comment-pin${pin.resolved ? ' resolved' : ''}`}
                data-testid="comment-pin"
                data-comment-id={pin.id}
                data-resolved={String(pin.resolved)}
              >
                <path d={PIN_PATH} />
                <title>{`${pin.byName ?? 'comment'}: ${pin.text}`}</title>
              </g>
            );
          })}
          {props.commentDraft && (
            <g
              transform={`translate(${toCanvas(props.commentDraft.x, props.commentDraft.y).x} ${toCanvas(props.commentDraft.x, props.commentDraft.y).y})`}
              className="comment-pin draft"
              data-testid="comment-draft-pin"
            >
              <path d={PIN_PATH} />
            </g>
          )}
          {props.participants
            .filter((p) => p.cursor && p.frame === props.frame)
            .map((p) => {
              const c = toCanvas(p.cursor!.x, p.cursor!.y);
              return (
                <g
                  key={p.clientId}
                  transform={`translate(${c.x} ${c.y})`}
                  data-testid="remote-cursor"
                  data-user-name={p.user.name}
                >
                  <path d="M0 0L0 16L4.5 12L8 19L10.5 18L7 11L13 11Z" fill={p.user.color} stroke="#0b0d10" />
                  <text x={14} y={24} className="cursor-name" fill={p.user.color}>
                    {p.user.name}
                  </text>
                </g>
              );
            })}
          {drag?.mode === 'box' && (
            <rect
              x={Math.min(drag.start.x, drag.now.x)}
              y={Math.min(drag.start.y, drag.now.y)}
              width={Math.abs(drag.now.x - drag.start.x)}
              height={Math.abs(drag.now.y - drag.start.y)}
              className="box-drag"
            />
          )}
        </svg>
      )}
      {viewport && props.commentDraft && (
        <CommentBox
          at={toCanvas(props.commentDraft.x, props.commentDraft.y)}
          busy={props.commentBusy}
          onSubmit={props.onSubmitComment}
          onCancel={props.onCancelComment}
        />
      )}
      {loadingFrame && <div className="frame-loading">Loading frame…</div>}
    </div>
  );
}

/** A map pin whose tip is at the origin. */
const PIN_PATH = 'M0 0L-5 -9A8 8 0 1 1 5 -9Z';

/**
 * The text box of a new comment, beside its pin: Enter posts, Escape drops it. Pointer and wheel
 * events stay here, or the canvas would take them for prompts, pans and zooms.
 */
function CommentBox(props: {
  at: CanvasPoint;
  busy: boolean;
  onSubmit(text: string): void;
  onCancel(): void;
}) {
  const [text, setText] = useState('');
  const stop = (e: { stopPropagation(): void }): void => e.stopPropagation();
  return (
    <form
      className="comment-box"
      style={{ left: props.at.x + 12, top: props.at.y - 12 }}
      onPointerDown={stop}
      onPointerUp={stop}
      onPointerMove={stop}
      onWheel={stop}
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() && !props.busy) props.onSubmit(text.trim());
      }}
    >
      <input
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            props.onCancel();
          }
        }}
        placeholder="Comment, then Enter"
        aria-label="Comment"
        maxLength={COMMENT_MAX_LENGTH}
        readOnly={props.busy}
        autoFocus
        data-testid="comment-input"
      />
    </form>
  );
}

const clamp01 = (v: number): number => Math.max(0, Math.min(1, v));

/**
 * The prompt marks to draw on `frame`: for each object, its latest point prompt (which carries
 * every point so far) and its latest box, skipping those made before the user cleared the marks.
 */
export function visibleMarks(
  prompts: ReadonlyMap<PromptId, PromptRecord>,
  frame: number,
  clearedBefore: number,
): { id: PromptId; prompt: PromptRecord }[] {
  const latest = new Map<string, { id: PromptId; prompt: PromptRecord }>();
  for (const [id, prompt] of prompts) {
    if (prompt.frame !== frame || prompt.at < clearedBefore || prompt.kind === 'text') continue;
    const key = `${prompt.objId}/${prompt.kind}`;
    const seen = latest.get(key);
    if (!seen || seen.prompt.at <= prompt.at) latest.set(key, { id, prompt });
  }
  return [...latest.values()].sort((a, b) => a.prompt.at - b.prompt.at);
}
