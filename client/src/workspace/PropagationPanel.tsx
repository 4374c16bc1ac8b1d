/**
 * Propagation: direction and start frame, then the session's running job as everyone sees it
 * (frames done / total, who started it), with cancel; the latest finished job's outcome.
 */
import { useState } from 'react';
import type { JobId, JobRecord } from '@maskroom/shared';
import type { Participant } from '../session/presence.js';
import { nameOfUser } from './people.js';

export type Direction = 'forward' | 'backward' | 'both';

export interface PropagationPanelProps {
  readonly jobs: ReadonlyMap<JobId, JobRecord>;
  readonly frame: number;
  readonly canPropagate: boolean;
  /** Why propagation is not possible now (no prompt yet, no worker…). */
  readonly disabledReason: string | null;
  /** Null when the caller may cancel a running job, else why not. */
  readonly cancelDenied: string | null;
  readonly participants: readonly Participant[];
  readonly me: { id: string; name: string } | null;
  onPropagate(direction: Direction, startFrame: number): void;
  onCancel(jobId: JobId): void;
}

export function PropagationPanel(props: PropagationPanelProps) {
  const [direction, setDirection] = useState<Direction>('forward');
  const [fromPlayhead, setFromPlayhead] = useState(true);
  const [start, setStart] = useState(0);
  const latest = latestJob(props.jobs);
  const active = latest && (latest[1].status === 'queued' || latest[1].status === 'running') ? latest : null;
  const startFrame = fromPlayhead ? props.frame : start;
  return (
    <section className="panel propagation-panel" aria-label="Propagation" data-testid="propagation-panel">
      <header className="panel-header">
        <h2>Propagate</h2>
      </header>
      <div className="row">
        <label>
          Direction{' '}
          <select
            value={direction}
            onChange={(e) => setDirection(e.target.value as Direction)}
            data-testid="propagate-direction"
          >
            <option value="forward">forward</option>
            <option value="backward">backward</option>
            <option value="both">both ways</option>
          </select>
        </label>
      </div>
      <div className="row">
        <label>
          <input type="checkbox" checked={fromPlayhead} onChange={(e) => setFromPlayhead(e.target.checked)} />{' '}
          from the playhead
        </label>
        {!fromPlayhead && (
          <input
            type="number"
            min={0}
            value={start}
            aria-label="Start frame"
            onChange={(e) => setStart(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            className="frame-input"
          />
        )}
      </div>
      <button
        type="button"
        className="primary"
        disabled={!props.canPropagate}
        title={props.disabledReason ?? `Propagate ${direction} from frame ${startFrame} (P)`}
        data-testid="propagate"
        onClick={() => props.onPropagate(direction, startFrame)}
      >
        Propagate from frame {startFrame}
      </button>
      {props.disabledReason && <p className="hint">{props.disabledReason}</p>}
      {latest && <JobProgress id={latest[0]} job={latest[1]} active={active !== null} {...props} />}
    </section>
  );
}

function JobProgress(props: PropagationPanelProps & { id: JobId; job: JobRecord; active: boolean }) {
  const { job } = props;
  const pct = job.framesTotal > 0 ? Math.round((100 * job.framesDone) / job.framesTotal) : 0;
  const who = nameOfUser(job.by, props.participants, props.me);
  return (
    <div className={`job job-${job.status}`} data-testid="job-progress" data-status={job.status}>
      <div className="job-line">
        <span>
          {job.direction} from {job.startFrame}, by {who}: <strong>{job.status}</strong>
        </span>
        <span data-testid="job-frames">
          {job.framesDone}/{job.framesTotal}
        </span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={job.framesTotal}
        aria-valuenow={job.framesDone}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      {job.error && <p className="error-text">{job.error}</p>}
      {props.active && (
        <button
          type="button"
          onClick={() => props.onCancel(props.id)}
          disabled={props.cancelDenied !== null}
          title={props.cancelDenied ?? 'Stop this propagation'}
          data-testid="cancel-job"
        >
          Cancel
        </button>
      )}
    </div>
  );
}

function latestJob(jobs: ReadonlyMap<JobId, JobRecord>): [JobId, JobRecord] | null {
  let best: [JobId, JobRecord] | null = null;
  for (const entry of jobs) if (!best || entry[1].at >= best[1].at) best = entry;
  return best;
}
