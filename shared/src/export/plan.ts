/**
 * Which instances an export writes, under which numbers, names and classes: the session's objects
 * after the options' filters and merges. Everything here is decided before the first frame.
 */
import { MaskroomError } from '../errors.js';
import type { ObjectRecord } from '../doc/records.js';
import type { ObjectId } from '../ids.js';
import { DAVIS_MAX_OBJECTS } from './davis.js';
import type { ExportFormat, ExportOptions } from './options.js';
import type { ExportSource } from './source.js';

/** The class name written for objects without one. */
export const DEFAULT_CLASS_NAME = 'object';

/** One exported instance: an object, or a merge group of objects. */
export interface ExportInstance {
  /**
   * 1-based index of the (first) object in the session's creation order (`createdAt`, then id),
   * counted over all objects, so numbers do not shift when a filter leaves some out: COCO track
   * id, PNG folder, DAVIS index.
   */
  readonly number: number;
  /** The object's instance name, or the merge group's name (may be empty). */
  readonly instanceName: string;
  /** Class after `mergeClasses`; never empty. */
  readonly className: string;
  /** 1-based COCO category id (YOLO class index + 1). */
  readonly categoryId: number;
  /** Member objects, in number order (one unless merged). */
  readonly objIds: readonly ObjectId[];
  readonly color: string;
  /** `true` for a merge group. */
  readonly merged: boolean;
}

export interface ExportPlan {
  readonly formats: ReadonlySet<ExportFormat>;
  /** `[start, end)`. */
  readonly start: number;
  readonly end: number;
  readonly instances: readonly ExportInstance[];
  /** Class names by category id − 1, in first-appearance order over the instances. */
  readonly categories: readonly string[];
}

const invalid = (message: string): never => {
  throw new MaskroomError('INVALID_REQUEST', message);
};

export function planExport(source: ExportSource, options: ExportOptions): ExportPlan {
  const { meta } = source;
  const formats = new Set(options.formats);
  if (formats.size === 0) invalid('choose at least one export format');
  const start = options.frames?.start ?? 0;
  const end = options.frames?.end ?? meta.numFrames;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start >= end) {
    invalid(`bad frame range [${start}, ${end})`);
  }
  if (end > meta.numFrames) {
    throw new MaskroomError(
      'FRAME_OUT_OF_RANGE',
      `frame range [${start}, ${end}) is beyond the video (${meta.numFrames} frames)`,
    );
  }

  const ordered = [...source.objects].sort(
    ([ia, a], [ib, b]) => a.createdAt - b.createdAt || (ia < ib ? -1 : ia > ib ? 1 : 0),
  );
  const numberOf = new Map<ObjectId, number>(ordered.map(([id], k) => [id, k + 1]));
  const known = (id: ObjectId, where: string): void => {
    if (!numberOf.has(id)) invalid(`${where}: no object ${id} in this session`);
  };

  const classOverride = new Map<ObjectId, string>();
  for (const g of options.mergeClasses ?? []) {
    for (const id of g.objIds) {
      known(id, 'mergeClasses');
      classOverride.set(id, g.className.trim());
    }
  }
  const groupOf = new Map<ObjectId, number>();
  (options.mergeInstances ?? []).forEach((g, k) => {
    for (const id of g.objIds) {
      known(id, 'mergeInstances');
      if (groupOf.has(id)) invalid(`mergeInstances: object ${id} is in more than one group`);
      groupOf.set(id, k);
    }
  });

  const included = (o: ObjectRecord): boolean => !options.onlyApproved || o.review.status === 'approved';
  const classOf = (id: ObjectId, o: ObjectRecord): string =>
    classOverride.get(id) ?? (o.className.trim() || DEFAULT_CLASS_NAME);

  interface Draft {
    number: number;
    instanceName: string;
    className: string;
    objIds: ObjectId[];
    color: string;
    merged: boolean;
  }
  const drafts: Draft[] = [];
  const groupDrafts = new Map<number, Draft>();
  for (const [id, o] of ordered) {
    if (!included(o)) continue;
    const g = groupOf.get(id);
    if (g === undefined) {
      drafts.push({
        number: numberOf.get(id)!,
        instanceName: o.instanceName,
        className: classOf(id, o),
        objIds: [id],
        color: o.color,
        merged: false,
      });
      continue;
    }
    const existing = groupDrafts.get(g);
    if (existing !== undefined) {
      existing.objIds.push(id);
      continue;
    }
    const draft: Draft = {
      number: numberOf.get(id)!,
      instanceName: options.mergeInstances![g]!.name.trim(),
      className: classOf(id, o),
      objIds: [id],
      color: o.color,
      merged: true,
    };
    groupDrafts.set(g, draft);
    drafts.push(draft);
  }

  const categories: string[] = [];
  const categoryIds = new Map<string, number>();
  const instances = drafts.map((d): ExportInstance => {
    let categoryId = categoryIds.get(d.className);
    if (categoryId === undefined) {
      categories.push(d.className);
      categoryId = categories.length;
      categoryIds.set(d.className, categoryId);
    }
    return { ...d, categoryId };
  });

  if (formats.has('davis')) {
    const over = instances.find((i) => i.number > DAVIS_MAX_OBJECTS);
    if (over !== undefined) {
      invalid(
        `DAVIS label PNGs index at most ${DAVIS_MAX_OBJECTS} objects, but object ${over.objIds[0]} is number ` +
          `${over.number}: export fewer objects or leave DAVIS out`,
      );
    }
  }
  return { formats, start, end, instances, categories };
}
