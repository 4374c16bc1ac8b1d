/**
 * The timeline under the canvas: a scrubber with frame/time ticks, the local playhead, other
 * users' playheads, prompt markers, an optional live propagation band, and one coverage track per
 * object. Tracks are SVG paths in frame units (`viewBox="0 0 numFrames 1"`, stretched to the
 * width), so a track is one DOM node however fragmented its coverage, and nothing is re-measured
 * on resize. Tracks, ruler and markers are memoized: while playing only the playheads re-render.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties, KeyboardEvent, PointerEvent, RefObject } from 'react';
import type { FrameRun } from './coverage.js';
import {
  clampFrame,
  formatTime,
  frameFromPosition,
  percentOfFrame,
  tickSteps,
  ticks,
  timeOfFrame,
} from './scale.js';
import './timeline.css';

export interface TimelineTrack {
  readonly objId: string;
  readonly label: string;
  readonly color: string;
  /** Covered frames as `[start, endExclusive)` runs, e.g. `CoverageIndex.runsOf(objId)`. */
  readonly runs: readonly FrameRun[];
  readonly hidden?: boolean;
}

export type PromptMarkerStatus = 'queued' | 'running' | 'done' | 'failed';

export interface TimelinePromptMarker {
  readonly frame: number;
  readonly color: string;
  readonly status: PromptMarkerStatus;
  readonly title: string;
}

export interface TimelinePlayhead {
  readonly userId: string;
  readonly name: string;
  readonly color: string;
  readonly frame: number;
}

/**
 * A running propagation: it started at `start`, heads for `end` (before `start` when propagating
 * backwards) and has processed `done` frames.
 */
export interface TimelineJobRange {
  readonly start: number;
  readonly end: number;
  readonly done: number;
}

export interface TimelineProps {
  readonly numFrames: number;
  readonly frame: number;
  readonly fps: number;
  onSeek(frame: number): void;
  readonly tracks: readonly TimelineTrack[];
  readonly promptMarkers: readonly TimelinePromptMarker[];
  /** Other users' playheads (not the local one). */
  readonly playheads: readonly TimelinePlayhead[];
  readonly jobRange?: TimelineJobRange | null;
}

/** Width assumed before the first layout (and when rendering on the server). */
const FALLBACK_WIDTH = 800;
/** Keeps the last tick label from running past the right edge. */
const LABEL_ROOM_PX = 44;

export function Timeline(props: TimelineProps) {
  const { numFrames, frame, fps, onSeek, tracks, promptMarkers, playheads, jobRange } = props;
  const lanesRef = useRef<HTMLDivElement>(null);
  const width = useWidth(lanesRef);
  const dragging = useRef<number | null>(null);
  const lastSeek = useRef(Number.NaN);
  const current = clampFrame(frame, numFrames);
  const last = Math.max(0, numFrames - 1);

  const seek = (f: number): void => {
    const next = clampFrame(f, numFrames);
    if (next === lastSeek.current) return;
    lastSeek.current = next;
    onSeek(next);
  };
  const seekAt = (clientX: number): void => {
    const rect = lanesRef.current?.getBoundingClientRect();
    if (rect !== undefined) seek(frameFromPosition(clientX - rect.left, rect.width, numFrames));
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0 || numFrames <= 0) return;
    e.preventDefault(); // no text selection while dragging
    e.currentTarget.setPointerCapture(e.pointerId);
    dragging.current = e.pointerId;
    lastSeek.current = Number.NaN;
    e.currentTarget.querySelector<HTMLElement>('[role="slider"]')?.focus({ preventScroll: true });
    seekAt(e.clientX);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (dragging.current === e.pointerId) seekAt(e.clientX);
  };
  const endDrag = (e: PointerEvent<HTMLDivElement>): void => {
    if (dragging.current !== e.pointerId) return;
    dragging.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const big = e.shiftKey ? 10 : 1;
    const target =
      e.key === 'ArrowLeft' || e.key === 'ArrowDown'
        ? current - big
        : e.key === 'ArrowRight' || e.key === 'ArrowUp'
          ? current + big
          : e.key === 'PageDown'
            ? current - 10
            : e.key === 'PageUp'
              ? current + 10
              : e.key === 'Home'
                ? 0
                : e.key === 'End'
                  ? last
                  : null;
    if (target === null) return;
    // Handled here, so the window-level shortcuts must not step a second time.
    e.preventDefault();
    e.stopPropagation();
    lastSeek.current = Number.NaN;
    seek(target);
  };

  const seconds = timeOfFrame(current, fps);
  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-labels">
        <div className="timeline-readout" aria-live="off">
          <span className="timeline-readout-frame">Frame {current}</span>
          <span className="timeline-readout-time">{formatTime(seconds)}</span>
        </div>
        {tracks.map((t) => (
          <TrackLabel key={t.objId} label={t.label} color={t.color} hidden={t.hidden === true} />
        ))}
      </div>
      <div
        className="timeline-lanes"
        ref={lanesRef}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onLostPointerCapture={endDrag}
      >
        <div
          className="timeline-scrubber"
          data-testid="timeline-scrubber"
          role="slider"
          tabIndex={0}
          aria-label="Timeline"
          aria-orientation="horizontal"
          aria-valuemin={0}
          aria-valuemax={last}
          aria-valuenow={current}
          aria-valuetext={`Frame ${current} of ${last}, ${formatTime(seconds)}`}
          onKeyDown={onKeyDown}
        >
          <Ruler numFrames={numFrames} fps={fps} width={width} />
          {jobRange != null && <JobBand job={jobRange} numFrames={numFrames} />}
          <PromptMarkers markers={promptMarkers} numFrames={numFrames} />
        </div>
        {tracks.map((t) => (
          <CoverageTrack
            key={t.objId}
            objId={t.objId}
            label={t.label}
            color={t.color}
            runs={t.runs}
            hidden={t.hidden === true}
            numFrames={numFrames}
          />
        ))}
        <div className="timeline-overlay">
          {playheads.map((p) => (
            <div
              key={p.userId}
              className="timeline-remote"
              data-testid="remote-playhead"
              data-user-id={p.userId}
              data-frame={p.frame}
              role="img"
              aria-label={`${p.name} is at frame ${p.frame}`}
              style={
                { left: `${percentOfFrame(p.frame, numFrames)}%`, '--tl-user': p.color } as CSSProperties
              }
            >
              <span className="timeline-remote-flag" title={`${p.name} · frame ${p.frame}`}>
                <span className="timeline-remote-name">{p.name}</span>
              </span>
            </div>
          ))}
          <div
            className="timeline-playhead"
            data-testid="timeline-playhead"
            data-frame={current}
            style={{ left: `${percentOfFrame(current, numFrames)}%` }}
          />
        </div>
      </div>
    </div>
  );
}

/** The lanes' width in pixels, tracked so tick density follows the layout. */
function useWidth(ref: RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    setWidth(el.getBoundingClientRect().width);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w !== undefined) setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

const TrackLabel = memo(function TrackLabel(props: { label: string; color: string; hidden: boolean }) {
  return (
    <div
      className={props.hidden ? 'timeline-track-label is-hidden' : 'timeline-track-label'}
      title={props.label}
    >
      <span className="timeline-swatch" style={{ background: props.color }} />
      <span className="timeline-track-name">{props.label}</span>
    </div>
  );
});

interface CoverageTrackProps {
  objId: string;
  label: string;
  color: string;
  runs: readonly FrameRun[];
  hidden: boolean;
  numFrames: number;
}

const CoverageTrack = memo(function CoverageTrack(props: CoverageTrackProps) {
  const { runs, numFrames } = props;
  const path = useMemo(() => runsPath(runs), [runs]);
  const covered = useMemo(() => runs.reduce((n, [s, e]) => n + (e - s), 0), [runs]);
  return (
    <div
      className={props.hidden ? 'timeline-track is-hidden' : 'timeline-track'}
      data-testid="coverage-track"
      data-obj-id={props.objId}
      data-covered-frames={covered}
      role="img"
      aria-label={`${props.label}: masks on ${covered} of ${numFrames} frames`}
    >
      <svg viewBox={`0 0 ${Math.max(1, numFrames)} 1`} preserveAspectRatio="none" aria-hidden="true">
        <path d={path} fill={props.color} shapeRendering="crispEdges" />
      </svg>
    </div>
  );
});

/** One path of unit-high rectangles, one per run, in frame units. */
export function runsPath(runs: readonly FrameRun[]): string {
  let d = '';
  for (const [s, e] of runs) d += `M${s} 0H${e}V1H${s}Z`;
  return d;
}

const Ruler = memo(function Ruler(props: { numFrames: number; fps: number; width: number }) {
  const { numFrames, fps } = props;
  const width = props.width > 0 ? props.width : FALLBACK_WIDTH;
  const { path, labels } = useMemo(() => {
    const { major, minor } = tickSteps(width, numFrames);
    const majors = ticks(major, numFrames);
    let d = '';
    for (const f of ticks(minor, numFrames)) if (f % major !== 0) d += `M${f + 0.5} 0.7V1`;
    for (const f of majors) d += `M${f + 0.5} 0.25V1`;
    const pxPerFrame = numFrames > 0 ? width / numFrames : 0;
    return { path: d, labels: majors.filter((f) => (f + 0.5) * pxPerFrame + LABEL_ROOM_PX <= width) };
  }, [numFrames, width]);
  return (
    <>
      <svg
        className="timeline-ticks"
        viewBox={`0 0 ${Math.max(1, numFrames)} 1`}
        preserveAspectRatio="none"
        aria-hidden="true"
      >
        <path d={path} vectorEffect="non-scaling-stroke" />
      </svg>
      {labels.map((f) => (
        <span
          key={f}
          className="timeline-tick-label"
          style={{ left: `${percentOfFrame(f, numFrames)}%` }}
          aria-hidden="true"
        >
          <span>{f}</span>
          <span className="timeline-tick-time">{formatTime(timeOfFrame(f, fps))}</span>
        </span>
      ))}
    </>
  );
});

const PromptMarkers = memo(function PromptMarkers(props: {
  markers: readonly TimelinePromptMarker[];
  numFrames: number;
}) {
  return (
    <>
      {props.markers.map((m, i) => (
        <span
          key={`${m.frame}:${i}`}
          className={`timeline-marker is-${m.status}`}
          data-testid="prompt-marker"
          data-frame={m.frame}
          data-status={m.status}
          title={m.title}
          style={{ left: `${percentOfFrame(m.frame, props.numFrames)}%`, color: m.color }}
        />
      ))}
    </>
  );
});

function JobBand({ job, numFrames }: { job: TimelineJobRange; numFrames: number }) {
  if (numFrames <= 0) return null;
  const lo = clampFrame(Math.min(job.start, job.end), numFrames);
  const hi = clampFrame(Math.max(job.start, job.end), numFrames);
  const total = hi - lo + 1;
  const done = Math.max(0, Math.min(job.done, total));
  const backwards = job.end < job.start;
  return (
    <div
      className="timeline-job"
      data-testid="timeline-job"
      title={`Propagating: ${done} of ${total} frames`}
      style={{ left: `${(lo * 100) / numFrames}%`, width: `${(total * 100) / numFrames}%` }}
    >
      <div
        className="timeline-job-done"
        style={{ width: `${(done * 100) / total}%`, marginLeft: backwards ? 'auto' : undefined }}
      />
    </div>
  );
}
