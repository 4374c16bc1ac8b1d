/**
 * What an export contains (issue 8): formats, frame range, frames as images, only approved
 * objects, merges. One schema validates the HTTP query/body, the CLI flags and the export dialog.
 */
import { z } from 'zod';
import { objectIdSchema } from '../fields.js';
import type { ObjectId } from '../ids.js';

export const EXPORT_FORMATS = ['coco', 'yolo', 'png', 'davis'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** At least one; duplicates are ignored. */
  readonly formats: readonly ExportFormat[];
  /** Inclusive start, exclusive end; default all frames. */
  readonly frames?: { readonly start: number; readonly end: number };
  /** Frames as `images/<frame>.jpg`. */
  readonly includeImages: boolean;
  /** Only objects whose `review.status` is `'approved'`. */
  readonly onlyApproved: boolean;
  /** Objects exported as one instance: each group → one object (masks merged), named by the group. */
  readonly mergeInstances?: readonly { readonly name: string; readonly objIds: readonly ObjectId[] }[];
  /** Objects exported under one class name regardless of their own. */
  readonly mergeClasses?: readonly { readonly className: string; readonly objIds: readonly ObjectId[] }[];
}

const MAX_GROUPS = 10_000;
const objIdList = z.array(objectIdSchema).min(1).max(100_000);

export const exportOptionsSchema: z.ZodType<ExportOptions> = z
  .object({
    formats: z.array(z.enum(EXPORT_FORMATS)).min(1, 'choose at least one format').max(16),
    frames: z
      .object({ start: z.int().nonnegative(), end: z.int().positive() })
      .refine((f) => f.start < f.end, { message: 'frames: start must be before end', path: ['end'] })
      .optional(),
    includeImages: z.boolean().default(false),
    onlyApproved: z.boolean().default(false),
    mergeInstances: z
      .array(z.object({ name: z.string().trim().min(1).max(200), objIds: objIdList }))
      .max(MAX_GROUPS)
      .optional(),
    mergeClasses: z
      .array(z.object({ className: z.string().trim().min(1).max(200), objIds: objIdList }))
      .max(MAX_GROUPS)
      .optional(),
  })
  .superRefine((o, ctx) => {
    const check = (groups: readonly { objIds: readonly string[] }[] | undefined, key: string): void => {
      const seen = new Set<string>();
      groups?.forEach((g, gi) =>
        g.objIds.forEach((id, k) => {
          if (seen.has(id)) {
            ctx.addIssue({
              code: 'custom',
              message: `object ${id} is in more than one group`,
              path: [key, gi, 'objIds', k],
            });
          }
          seen.add(id);
        }),
      );
    };
    check(o.mergeInstances, 'mergeInstances');
    check(o.mergeClasses, 'mergeClasses');
  });

/**
 * The ZIP's file name from the session's title: letters, digits, `-_.`, spaces as `_`, never empty
 * and never hidden, so the same title downloads under the same name from the dialog and the server.
 */
export function exportZipName(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[^\w.\- ]+/g, '')
    .trim()
    .replace(/\s+/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return `${base || 'maskroom-export'}.zip`;
}
