/** Import of annotations made elsewhere (or exported by Maskroom): COCO, DAVIS PNGs, ZIPs of them. */
export { importCoco, frameOfFileName } from './coco.js';
export { importDavis } from './davis.js';
export { importZip, IMPORT_ZIP_MAX_EXPANDED } from './zip.js';
export { polygonToRle } from './polygon.js';
export { ImportError, isImportError } from './ImportError.js';
export {
  IMPORT_MAX_BYTES,
  IMPORT_MODES,
  importAnswerSchema,
  importQuerySchema,
  type ImportAnswer,
  type ImportMode,
  type ImportQuery,
} from './api.js';
export type { ImportResult, ImportSize, ImportedMask, ImportedObject } from './types.js';
