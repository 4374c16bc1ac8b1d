/**
 * Every file of an export, frame by frame (layout: docs/export.md). Memory stays about one frame
 * (one label map, one decoded box per mask) plus the COCO annotations, which are one file by
 * the format's nature and so are collected (as JSON text) until the end.
 */
import { MaskroomError } from '../errors.js';
import * as rle from '../rle/index.js';
import { utf8Encode } from '../protocol/text.js';
import type { MaskRecord } from '../doc/records.js';
import type { ObjectId } from '../ids.js';
import { decodeCrop, type MaskCrop } from './crop.js';
import { DAVIS_PALETTE } from './davis.js';
import { frameName, pngFolder } from './names.js';
import type { ExportOptions } from './options.js';
import { planExport, type ExportInstance, type ExportPlan } from './plan.js';
import { maskPolygon } from './polygon.js';
import { RunPngWriter } from './runPng.js';
import type { ExportSource } from './source.js';

export interface ExportFile {
  readonly path: string;
  readonly data: Uint8Array;
  /** Whether zipping should deflate it (text) or store it (PNG, JPEG: already compressed). */
  readonly compress: boolean;
}

export type ExportProgress = (done: number, total: number) => void;

/** Version of the layout described in docs/export.md, written into `maskroom.json`. */
export const EXPORT_LAYOUT_VERSION = 1;

/** Digits kept in YOLO's normalized coordinates: 1e-6 of 8192 px is 0.008 px. */
const YOLO_DIGITS = 6;

const text = (path: string, content: string): ExportFile => ({
  path,
  data: utf8Encode(content),
  compress: true,
});

/** A binary mask PNG (8-bit gray, 0 / 255) from the mask's box. */
export function binaryMaskPng(crop: MaskCrop, width: number, height: number): Uint8Array {
  const png = new RunPngWriter(width, height);
  const { data, stride, x0, y0, cw, ch } = crop;
  // The filter byte of every row is a 0 too, so whole empty rows are one run.
  png.run(0, (width + 1) * y0);
  for (let cy = 1; cy <= ch; cy++) {
    png.beginRow();
    png.run(0, x0);
    let i = cy * stride + 1;
    const end = i + cw;
    while (i < end) {
      const v = data[i]!;
      let j = i + 1;
      while (j < end && data[j] === v) j++;
      png.run(v === 0 ? 0 : 255, j - i);
      i = j;
    }
    png.run(0, width - x0 - cw);
  }
  png.run(0, (width + 1) * (height - y0 - ch));
  return png.finish();
}

/** An indexed PNG of a row-major label map with the DAVIS palette. */
export function davisPng(labels: Uint8Array, width: number, height: number): Uint8Array {
  const png = new RunPngWriter(width, height, { palette: DAVIS_PALETTE });
  for (let y = 0; y < height; y++) png.row(labels, y * width, width);
  return png.finish();
}

/**
 * YOLO's normalized coordinates, by pixel: polygon vertices are pixel centres (integers), so each
 * export formats every possible value once.
 */
function coordinateTable(size: number): string[] {
  return Array.from({ length: size + 1 }, (_, v) => (v / size).toFixed(YOLO_DIGITS));
}

/** A YOLO-seg label line: class index, then the polygon normalized to [0, 1]. */
function yoloLine(classIndex: number, polygon: readonly number[], xs: string[], ys: string[]): string {
  let line = String(classIndex);
  for (let i = 0; i < polygon.length; i += 2) line += ` ${xs[polygon[i]!]!} ${ys[polygon[i + 1]!]!}`;
  return line;
}

/** The mask of one instance on one frame, merged when the instance is a group. */
interface FrameMask {
  readonly counts: string;
  readonly score: number;
}

function instanceMask(
  inst: ExportInstance,
  masks: ReadonlyMap<ObjectId, MaskRecord>,
  height: number,
  width: number,
  frame: number,
  warnings: string[],
): FrameMask | undefined {
  const parts: MaskRecord[] = [];
  for (const id of inst.objIds) {
    const m = masks.get(id);
    if (m !== undefined) parts.push(m);
  }
  if (parts.length === 0) return undefined;
  try {
    const counts =
      parts.length === 1
        ? rle.asRleString(parts[0]!.rle, height, width)
        : rle.merge(
            parts.map((p) => p.rle),
            height,
            width,
          );
    return { counts, score: Math.max(...parts.map((p) => p.score)) };
  } catch (e) {
    if (!rle.isRleError(e)) throw e;
    warnings.push(`frame ${frame}, object ${inst.objIds.join('+')}: mask skipped: ${e.message}`);
    return undefined;
  }
}

/**
 * Every file of the export, in a stable order: per frame `images/`, `yolo/labels/`, `png/`,
 * `davis/`; then `yolo/classes.txt`, `coco/annotations.json`, `maskroom.json`.
 *
 * @throws MaskroomError `INVALID_REQUEST` (bad options, unknown object ids, DAVIS with an object
 *   number above 255), `FRAME_OUT_OF_RANGE` — before the first file.
 */
export async function* exportFiles(
  source: ExportSource,
  options: ExportOptions,
  onProgress?: ExportProgress,
): AsyncGenerator<ExportFile> {
  const plan = planExport(source, options);
  const { width, height } = source.meta;
  const { formats, instances } = plan;
  const coco = formats.has('coco');
  const yolo = formats.has('yolo');
  const png = formats.has('png');
  const davis = formats.has('davis');
  if (options.includeImages && source.frameImage === undefined) {
    throw new MaskroomError('INVALID_REQUEST', 'frame images are not available for this export');
  }
  const labels = davis ? new Uint8Array(width * height) : undefined;
  const xs = yolo ? coordinateTable(width) : [];
  const ys = yolo ? coordinateTable(height) : [];
  const annotations: string[] = [];
  const warnings: string[] = [];
  const folders = instances.map((i) => pngFolder(i.number, i.instanceName || i.className));
  const total = plan.end - plan.start;

  for (let frame = plan.start; frame < plan.end; frame++) {
    const name = frameName(frame);
    if (options.includeImages) {
      yield { path: `images/${name}.jpg`, data: await source.frameImage!(frame), compress: false };
    }
    const masks = source.masksOfFrame(frame);
    const lines: string[] = [];
    const pngs: ExportFile[] = [];
    labels?.fill(0);
    instances.forEach((inst, k) => {
      const mask = instanceMask(inst, masks, height, width, frame, warnings);
      if (mask === undefined) return;
      const area = rle.area(mask.counts);
      if (area === 0) return;
      if (coco) {
        annotations.push(
          JSON.stringify({
            id: annotations.length + 1,
            image_id: frame + 1,
            category_id: inst.categoryId,
            segmentation: { size: [height, width], counts: mask.counts },
            area,
            bbox: rle.bbox(mask.counts, height, width),
            iscrowd: 0,
            attributes: {
              track_id: inst.number,
              instance_name: inst.instanceName,
              obj_id: inst.objIds[0],
              score: mask.score,
            },
          }),
        );
      }
      if (yolo || png) {
        const crop = decodeCrop(mask.counts, height, width);
        if (yolo) lines.push(yoloLine(inst.categoryId - 1, maskPolygon(crop), xs, ys));
        if (png) {
          pngs.push({
            path: `png/${folders[k]!}/${name}.png`,
            data: binaryMaskPng(crop, width, height),
            compress: false,
          });
        }
      }
      if (labels !== undefined) rle.decodeIntoLabelMap(mask.counts, height, width, labels, inst.number);
    });
    if (yolo) yield text(`yolo/labels/${name}.txt`, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    yield* pngs;
    if (labels !== undefined) {
      yield { path: `davis/${name}.png`, data: davisPng(labels, width, height), compress: false };
    }
    onProgress?.(frame - plan.start + 1, total);
  }

  if (yolo) yield text('yolo/classes.txt', `${plan.categories.join('\n')}\n`);
  if (coco) yield text('coco/annotations.json', cocoJson(source, plan, annotations));
  yield text(
    'maskroom.json',
    `${JSON.stringify(manifest(source, options, plan, folders, warnings), null, 2)}\n`,
  );
}

function cocoJson(source: ExportSource, plan: ExportPlan, annotations: readonly string[]): string {
  const { meta } = source;
  const images: string[] = [];
  for (let frame = plan.start; frame < plan.end; frame++) {
    images.push(
      JSON.stringify({
        id: frame + 1,
        file_name: `${frameName(frame)}.jpg`,
        width: meta.width,
        height: meta.height,
        frame_index: frame,
      }),
    );
  }
  const head = JSON.stringify({
    info: {
      description: meta.title,
      version: String(EXPORT_LAYOUT_VERSION),
      contributor: 'Maskroom',
      video_id: meta.videoId,
      fps: meta.fps,
    },
    licenses: [],
  });
  const categories = JSON.stringify(
    plan.categories.map((name, k) => ({ id: k + 1, name, supercategory: '' })),
  );
  // Written piecewise: one JSON.stringify of every annotation at once would need them all as
  // objects again.
  return (
    `${head.slice(0, -1)},"images":[${images.join(',')}],` +
    `"annotations":[${annotations.join(',')}],"categories":${categories}}\n`
  );
}

function manifest(
  source: ExportSource,
  options: ExportOptions,
  plan: ExportPlan,
  folders: readonly string[],
  warnings: readonly string[],
): unknown {
  const { meta } = source;
  return {
    format: 'maskroom-export',
    version: EXPORT_LAYOUT_VERSION,
    session: {
      title: meta.title,
      videoId: meta.videoId,
      width: meta.width,
      height: meta.height,
      numFrames: meta.numFrames,
      fps: meta.fps,
    },
    options: {
      formats: [...plan.formats],
      frames: { start: plan.start, end: plan.end },
      includeImages: options.includeImages,
      onlyApproved: options.onlyApproved,
      mergeInstances: options.mergeInstances ?? [],
      mergeClasses: options.mergeClasses ?? [],
    },
    categories: plan.categories.map((name, k) => ({ id: k + 1, name })),
    objects: plan.instances.map((inst, k) => ({
      number: inst.number,
      objIds: inst.objIds,
      instanceName: inst.instanceName,
      className: inst.className,
      categoryId: inst.categoryId,
      color: inst.color,
      merged: inst.merged,
      pngFolder: plan.formats.has('png') ? `png/${folders[k]!}` : undefined,
    })),
    warnings,
  };
}
