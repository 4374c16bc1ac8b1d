/**
 * Names of the top-level shared types inside the session documents. Only the accessors in this
 * folder use them; everything else goes through `MainDoc` / `MaskChunkDoc`.
 */
import type * as Y from 'yjs';

/** Top-level Y.Maps of the main doc `session/<id>`. */
export const MAIN_MAPS = ['meta', 'objects', 'prompts', 'jobs', 'comments'] as const;
export type MainMapName = (typeof MAIN_MAPS)[number];

/** The one Y.Map of a mask chunk doc `session/<id>/masks/<k>`. */
export const MASKS_MAP = 'masks';

/** Whether a main doc holds nothing at all (fresh, before `initMainDoc`). */
export const isMainDocEmpty = (doc: Y.Doc): boolean => MAIN_MAPS.every((name) => doc.getMap(name).size === 0);
