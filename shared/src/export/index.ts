/**
 * Export builders (issue 8): COCO, YOLO-seg, binary PNG and DAVIS PNG, as files or one streamed
 * ZIP, pure TypeScript for Web Workers and Node. Layout: docs/export.md.
 */
export { EXPORT_FORMATS, exportOptionsSchema, exportZipName } from './options.js';
export type { ExportFormat, ExportOptions } from './options.js';
export { exportSourceFromDocs } from './source.js';
export type { ExportSource } from './source.js';
export { EXPORT_LAYOUT_VERSION, exportFiles } from './files.js';
export type { ExportFile, ExportProgress } from './files.js';
export { exportZip } from './zip.js';
export type { AbortSignalLike, ExportZipOptions, ZipSink } from './zip.js';
export { planExport, DEFAULT_CLASS_NAME } from './plan.js';
export type { ExportInstance, ExportPlan } from './plan.js';
export { DAVIS_MAX_OBJECTS, DAVIS_PALETTE } from './davis.js';
export { frameName, pngFolder, safeName } from './names.js';
