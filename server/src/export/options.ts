/**
 * Export options from flat text parameters — the HTTP query (`?formats=coco,yolo&start=0&end=30
 * &images=1&approved=1`) and the command line's flags alike — validated by the shared
 * `exportOptionsSchema`, so both surfaces accept exactly what the builders accept.
 */
import { MaskroomError, exportOptionsSchema, exportZipName, type ExportOptions } from '@maskroom/shared';

/** Parameter values as they arrive: a string, repeated strings, or absent. */
export type ExportParams = Readonly<Record<string, unknown>>;

export const DEFAULT_FORMATS = ['coco'] as const;

const PARAMS = new Set(['formats', 'start', 'end', 'images', 'approved', 'mergeInstances', 'mergeClasses']);

/** One text value of a parameter; a repeated one (`?a=1&a=2`) or a nested one is refused. */
function single(params: ExportParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${name}: give it once, as text`);
  return value;
}

function invalid(message: string): MaskroomError {
  return new MaskroomError('INVALID_REQUEST', message);
}

function flag(params: ExportParams, name: string): boolean {
  const value = single(params, name);
  if (value === undefined) return false;
  if (value === '1' || value === 'true' || value === '') return true;
  if (value === '0' || value === 'false') return false;
  throw invalid(`${name}: expected 1 or 0, got ${JSON.stringify(value.slice(0, 20))}`);
}

function integer(params: ExportParams, name: string): number | undefined {
  const value = single(params, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value))
    throw invalid(`${name}: expected a frame number, got ${JSON.stringify(value.slice(0, 20))}`);
  return Number(value);
}

function json(params: ExportParams, name: string): unknown {
  const value = single(params, name);
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw invalid(`${name}: not valid JSON`);
  }
}

/**
 * Export options from parameters; `INVALID_REQUEST` naming the first problem. `end` alone runs to
 * it from frame 0; `start` alone runs to `numFrames`. Unknown parameters are refused, so a typo
 * (`?format=`) is not silently an export of the defaults.
 */
export function exportOptionsFromParams(params: ExportParams, numFrames: number): ExportOptions {
  const unknown = Object.keys(params).filter((k) => !PARAMS.has(k));
  if (unknown.length > 0) throw invalid(`unknown export option ${JSON.stringify(unknown[0])}`);
  const formats = single(params, 'formats');
  const start = integer(params, 'start');
  const end = integer(params, 'end');
  const raw: Record<string, unknown> = {
    formats: formats === undefined ? [...DEFAULT_FORMATS] : formats.split(',').map((f) => f.trim()),
    includeImages: flag(params, 'images'),
    onlyApproved: flag(params, 'approved'),
  };
  if (start !== undefined || end !== undefined) {
    const range = { start: start ?? 0, end: end ?? numFrames };
    if (range.end > numFrames)
      throw invalid(`end: the session has ${numFrames} frames, so end must be at most ${numFrames}`);
    if (range.start >= range.end) throw invalid('start must be before end (end is exclusive)');
    raw.frames = range;
  }
  const mergeInstances = json(params, 'mergeInstances');
  if (mergeInstances !== undefined) raw.mergeInstances = mergeInstances;
  const mergeClasses = json(params, 'mergeClasses');
  if (mergeClasses !== undefined) raw.mergeClasses = mergeClasses;
  const parsed = exportOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw invalid(`${where}${issue?.message ?? 'invalid export options'}`);
  }
  return parsed.data;
}

/** `Content-Disposition` for a download named after `title` (ASCII fallback + RFC 5987 UTF-8). */
export function attachmentHeader(title: string): string {
  const cleaned = [...title]
    .map((c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '/' || c === '\\' ? '_' : c))
    .join('')
    .slice(0, 150);
  const utf8 = `${cleaned || 'maskroom-export'}.zip`;
  return `attachment; filename="${exportZipName(title)}"; filename*=UTF-8''${rfc5987(utf8)}`;
}

/** Percent-encoding for RFC 5987 values, which also reserve the marks encodeURIComponent keeps. */
const rfc5987 = (text: string): string =>
  encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
