/** The HTTP side of imports: `POST /api/sessions/:id/import?mode=add|replace`, body = the file. */
import { z } from 'zod';

export const IMPORT_MODES = ['add', 'replace'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** Largest import body the server reads (a COCO JSON, a ZIP or one PNG). */
export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;

export const importQuerySchema = z.object({
  /** `replace` clears the session's objects, prompts, jobs and masks first. */
  mode: z.enum(IMPORT_MODES).default('add'),
  /** The frame of a single DAVIS PNG (other bodies carry their frames). */
  frame: z.coerce.number().int().min(0).optional(),
});
export type ImportQuery = z.infer<typeof importQuerySchema>;

export const importAnswerSchema = z.object({
  imported: z.object({ objects: z.number().int().min(0), masks: z.number().int().min(0) }),
  warnings: z.array(z.string()),
});
export type ImportAnswer = z.infer<typeof importAnswerSchema>;
