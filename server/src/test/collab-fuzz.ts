/**
 * Seeded random edits of a session through the typed accessors of `shared`, for the convergence
 * and multi-instance tests. Every step takes a fixed number of draws from the seeded generator,
 * whatever the documents hold, so the script is a function of the seed (message timing is not).
 */
import {
  MASK_SOURCES,
  PROMPT_STATUSES,
  REVIEW_STATUSES,
  chunkFrameRange,
  type CommentId,
  type FrameIndex,
  type JobId,
  type MainDoc,
  type MaskChunkDoc,
  type MaskRecord,
  type ObjectId,
  type PromptId,
  type PromptRecord,
  type UserId,
} from '@maskroom/shared';
import type { Rng } from './collab-fixtures.js';

export const LOCAL = 'local' as UserId;
/** A fixed epoch for the `at` fields, so that a seed writes the same records every run. */
export const T0 = 1_750_000_000_000;

export const OBJECTS = ['obj_a', 'obj_b', 'obj_c', 'obj_d', 'obj_e', 'obj_f'] as ObjectId[];
const PROMPTS = Array.from({ length: 8 }, (_, i) => `pr_${i}` as PromptId);
const COMMENTS = Array.from({ length: 6 }, (_, i) => `cm_${i}` as CommentId);
export const JOBS = ['job_1', 'job_2'] as JobId[];
const CLASSES = ['person', 'dog', 'ball', 'car', 'player in red'];
const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4'];

/** A fixed number of uniform draws per step, so the script does not depend on document state. */
export class Draws {
  private i = 0;
  private constructor(private readonly v: number[]) {}
  static take(rng: Rng, n = 48): Draws {
    return new Draws(Array.from({ length: n }, () => rng.next()));
  }
  next(): number {
    const x = this.v[this.i++];
    if (x === undefined) throw new Error('a step drew more numbers than it took');
    return x;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export function maskRecord(d: Draws, ref: string): MaskRecord {
  const len = 4 + d.int(60);
  const seed = d.int(2 ** 30);
  let rle = '';
  for (let i = 0; i < len; i++) rle += String.fromCharCode(48 + (((seed >>> (i % 24)) + i * 7) % 64));
  return {
    rle,
    bbox: [d.int(160), d.int(120), d.int(160), d.int(120)] as unknown as MaskRecord['bbox'],
    area: d.int(19_200),
    score: Math.round(d.next() * 1000) / 1000,
    source: d.pick(MASK_SOURCES),
    ref,
    by: LOCAL,
  };
}

function promptRecord(d: Draws, numFrames: number, at: number): PromptRecord {
  const common = {
    objId: d.pick(OBJECTS),
    frame: d.int(numFrames) as FrameIndex,
    by: LOCAL,
    at,
    status: d.pick(PROMPT_STATUSES),
  };
  const kind = d.int(3);
  if (kind === 0)
    return {
      ...common,
      kind: 'points',
      points: [{ x: d.next(), y: d.next(), label: d.chance(0.5) ? 1 : 0 }],
    } as unknown as PromptRecord;
  if (kind === 1) {
    const x = d.next() * 0.5;
    const y = d.next() * 0.5;
    return { ...common, kind: 'box', box: [x, y, 0.25, 0.25] } as unknown as PromptRecord;
  }
  return { ...common, kind: 'text', text: d.pick(CLASSES) } as PromptRecord;
}

/** A client's view of a session through the typed accessors. */
export interface SessionView {
  readonly main: MainDoc;
  readonly chunks: readonly MaskChunkDoc[];
}

/**
 * One random edit through the typed accessors: objects created, renamed, recolored, reviewed,
 * deleted; masks set (one or a frame's worth) and deleted; prompts, comments, the title. It takes
 * what it needs from `d` whatever the documents hold (see `Draws`). Returns a line for a trace.
 */
export function randomEdit(p: SessionView, d: Draws, step: number, numFrames: number): string {
  const at = T0 + step;
  const kind = d.next();
  if (kind < 0.2) {
    const id = d.pick(OBJECTS);
    const action = d.next();
    const patchKind = d.int(4);
    const [cls, color, review, name] = [d.pick(CLASSES), d.pick(COLORS), d.pick(REVIEW_STATUSES), d.int(100)];
    if (!p.main.objects.has(id)) {
      p.main.objects.create(id, {
        className: cls,
        instanceName: `#${name}`,
        color,
        createdBy: LOCAL,
        createdAt: at,
      });
      return `create ${id}`;
    }
    if (action < 0.25) {
      p.main.objects.delete(id);
      return `delete ${id}`;
    }
    const patch =
      patchKind === 0
        ? { className: cls }
        : patchKind === 1
          ? { instanceName: `#${name}` }
          : patchKind === 2
            ? { color }
            : { review: { status: review, by: LOCAL, at, note: `r${name}` } };
    p.main.objects.update(id, patch);
    return `update ${id} ${Object.keys(patch).join()}`;
  }
  const k = d.int(p.chunks.length);
  const chunk = p.chunks[k]!;
  const range = chunkFrameRange(k);
  const frames = Math.min(range.end, numFrames) - range.start;
  const frame = (range.start + d.int(frames)) as FrameIndex;
  const objId = d.pick(OBJECTS);
  const nth = d.int(1_000_000);
  if (kind < 0.5) {
    chunk.setMask(frame, objId, maskRecord(d, `edit_${step}`));
    return `setMask c${k} ${frame}/${objId}`;
  }
  if (kind < 0.58) {
    const entries = chunk.entries();
    const e = entries[nth % Math.max(1, entries.length)];
    if (!e) return 'deleteMask (none)';
    chunk.deleteMask(e.frame, e.objId);
    return `deleteMask c${k} ${e.frame}/${e.objId}`;
  }
  if (kind < 0.64) {
    const a = maskRecord(d, `edit_${step}`);
    const b = maskRecord(d, `edit_${step}`);
    chunk.setFrameMasks(frame, [
      [objId, a],
      [OBJECTS[(OBJECTS.indexOf(objId) + 1) % OBJECTS.length]!, b],
    ]);
    return `setFrameMasks c${k} ${frame}`;
  }
  if (kind < 0.66) {
    return `deleteObjectMasks c${k} ${objId}: ${chunk.deleteObjectMasks(objId)}`;
  }
  if (kind < 0.8) {
    const id = d.pick(PROMPTS);
    const action = d.next();
    const status = d.pick(PROMPT_STATUSES);
    const record = promptRecord(d, numFrames, at);
    if (!p.main.prompts.has(id) || action < 0.2) {
      p.main.prompts.put(id, record);
      return `put ${id}`;
    }
    if (action < 0.45) {
      p.main.prompts.delete(id);
      return `delete ${id}`;
    }
    p.main.prompts.update(id, { status });
    return `update ${id} ${status}`;
  }
  if (kind < 0.94) {
    const id = d.pick(COMMENTS);
    const action = d.next();
    const text = `note ${d.int(1000)}`;
    const cFrame = d.int(numFrames) as FrameIndex;
    if (!p.main.comments.has(id)) {
      p.main.comments.put(id, {
        frame: cFrame,
        text,
        by: LOCAL,
        at,
        resolved: false,
        ...(action < 0.5 ? { objId, x: 0.5, y: 0.25 } : {}),
      });
      return `put ${id}`;
    }
    if (action < 0.3) {
      p.main.comments.delete(id);
      return `delete ${id}`;
    }
    if (action < 0.7) {
      p.main.comments.update(id, { resolved: !p.main.comments.get(id)?.resolved });
      return `resolve ${id}`;
    }
    p.main.comments.update(id, { text });
    return `edit ${id}`;
  }
  const title = `Session ${d.int(1000)}`;
  p.main.updateMeta({ title });
  return `title ${title}`;
}
