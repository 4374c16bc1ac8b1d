/** The import dialog's choices and wording, kept apart from React so they can be tested. */

/** What the file picker offers: COCO JSON, a ZIP (Maskroom export, COCO or DAVIS), a DAVIS PNG. */
export const IMPORT_ACCEPT = '.json,.zip,.png,application/json,application/zip,image/png';

export type ImportFileKind = 'coco' | 'zip' | 'davis-png';

/** The kind of a picked file from its name, or null for one the dialog does not take. */
export function importFileKind(name: string): ImportFileKind | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'coco';
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.png')) return 'davis-png';
  return null;
}

/** The frame a DAVIS PNG named like `000012.png` stands for, if its name says so. */
export function frameFromName(name: string): number | null {
  const match = /^(\d{1,9})\.png$/i.exec(name);
  return match ? Number(match[1]) : null;
}

/** Whole percent of an upload, or null while its size is unknown. */
export function uploadPercent(sent: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.min(100, Math.floor((sent / total) * 100));
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The line shown after a successful import. */
export function resultText(objects: number, masks: number): string {
  return `Imported ${plural(objects, 'object')} with ${plural(masks, 'mask')}.`;
}

/** The warning shown before replacing, or null when nothing would be lost. */
export function replaceWarning(objectCount: number): string | null {
  if (objectCount === 0) return null;
  return `Replacing deletes the session's ${plural(objectCount, 'object')}, their masks, prompts and jobs first.`;
}
