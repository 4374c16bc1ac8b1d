/**
 * The export dialog's choices and how they become the shared `ExportOptions`: frames are shown
 * inclusive ("from 0 to 29") and sent with an exclusive end; the two merge choices become merge
 * groups over the checked objects (or every exported object, for one class).
 */
import {
  exportOptionsSchema,
  type ExportFormat,
  type ExportOptions,
  type ObjectId,
  type ObjectRecord,
} from '@maskroom/shared';

export const FORMAT_CHOICES: readonly {
  readonly format: ExportFormat;
  readonly label: string;
  readonly hint: string;
}[] = [
  { format: 'coco', label: 'COCO', hint: 'instance segmentation JSON with RLE masks and track ids' },
  { format: 'yolo', label: 'YOLO-seg', hint: 'polygon label files per frame, classes.txt' },
  { format: 'png', label: 'PNG masks', hint: 'one binary PNG per object per frame' },
  { format: 'davis', label: 'DAVIS', hint: 'one indexed palette PNG per frame' },
];

export interface ExportForm {
  readonly formats: ReadonlySet<ExportFormat>;
  /** First frame, inclusive. */
  readonly from: number;
  /** Last frame, inclusive. */
  readonly to: number;
  readonly includeImages: boolean;
  readonly onlyApproved: boolean;
  /** Export the checked objects as one instance named `instanceName`. */
  readonly mergeInstance: boolean;
  readonly instanceName: string;
  readonly checked: ReadonlySet<ObjectId>;
  /** Export every object under the class `className`. */
  readonly oneClass: boolean;
  readonly className: string;
}

export function initialForm(numFrames: number): ExportForm {
  return {
    formats: new Set<ExportFormat>(['coco']),
    from: 0,
    to: Math.max(0, numFrames - 1),
    includeImages: false,
    onlyApproved: false,
    mergeInstance: false,
    instanceName: 'merged',
    checked: new Set(),
    oneClass: false,
    className: 'object',
  };
}

export const approvedCount = (objects: ReadonlyMap<ObjectId, ObjectRecord>): number =>
  [...objects.values()].filter((o) => o.review.status === 'approved').length;

export type FormResult =
  { readonly ok: true; readonly options: ExportOptions } | { readonly ok: false; readonly problem: string };

/** The options the form describes, or what is wrong with it (in words for the dialog). */
export function optionsFromForm(
  form: ExportForm,
  numFrames: number,
  objects: ReadonlyMap<ObjectId, ObjectRecord>,
): FormResult {
  if (form.formats.size === 0) return { ok: false, problem: 'Choose at least one format.' };
  const last = numFrames - 1;
  if (!Number.isInteger(form.from) || !Number.isInteger(form.to) || form.from < 0 || form.to > last)
    return { ok: false, problem: `Frames go from 0 to ${last}.` };
  if (form.from > form.to) return { ok: false, problem: 'The first frame comes after the last one.' };
  if (form.onlyApproved && approvedCount(objects) === 0)
    return { ok: false, problem: 'No object is approved yet.' };
  const raw: Record<string, unknown> = {
    formats: FORMAT_CHOICES.map((c) => c.format).filter((f) => form.formats.has(f)),
    includeImages: form.includeImages,
    onlyApproved: form.onlyApproved,
  };
  if (form.from > 0 || form.to < last) raw.frames = { start: form.from, end: form.to + 1 };
  if (form.mergeInstance) {
    const objIds = [...objects.keys()].filter((id) => form.checked.has(id));
    if (objIds.length < 2) return { ok: false, problem: 'Check at least two objects to merge.' };
    if (!form.instanceName.trim()) return { ok: false, problem: 'Name the merged instance.' };
    raw.mergeInstances = [{ name: form.instanceName.trim(), objIds }];
  }
  if (form.oneClass) {
    if (!form.className.trim()) return { ok: false, problem: 'Name the class.' };
    raw.mergeClasses = [{ className: form.className.trim(), objIds: [...objects.keys()] }];
  }
  const parsed = exportOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue?.path.join('.') || 'options'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, options: parsed.data };
}
