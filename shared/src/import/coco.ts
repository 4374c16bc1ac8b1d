/**
 * COCO instance segmentation → objects and masks. Reads what pycocotools reads: segmentation as
 * compressed RLE (`counts` string), uncompressed RLE (`counts` list) or polygons (rasterized as
 * pycocotools does, several polygons of one annotation united). Every problem is reported with
 * where it is in the file, and nothing is returned unless the whole file is usable.
 */
import { isRleError } from '../rle/errors.js';
import { checkRuns } from '../rle/counts.js';
import { merge } from '../rle/geometry.js';
import type { RleString } from '../rle/types.js';
import { Collector } from './collect.js';
import { ImportError } from './ImportError.js';
import { polygonToRle } from './polygon.js';
import { canonicalCounts, canonicalString } from './runs.js';
import type { ImportResult, ImportSize, ImportedObject } from './types.js';

type Json = Record<string, unknown>;
type Id = number | string;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is Id =>
  (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && v.length > 0);
const describe = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

function arrayAt(root: Json, field: string): unknown[] {
  const value = root[field];
  if (!Array.isArray(value)) throw new ImportError(field, 'expected an array');
  return value;
}

function objectAt(list: unknown[], i: number, field: string): Json {
  const value = list[i];
  if (!isObject(value)) throw new ImportError(`${field}[${i}]`, 'expected an object');
  return value;
}

function idAt(item: Json, field: string, where: string): Id {
  const value = item[field];
  if (!isId(value)) throw new ImportError(`${where}.${field}`, `expected an id, got ${describe(value)}`);
  return value;
}

/** The frame number a file name stands for (`000012.jpg`, `images/12.png` → 12), if it is one. */
export function frameOfFileName(name: unknown): number | undefined {
  if (typeof name !== 'string') return undefined;
  const base = name.slice(name.lastIndexOf('/') + 1).replace(/\.[^.]*$/, '');
  return /^\d{1,9}$/.test(base) ? Number(base) : undefined;
}

/**
 * Frame of each image: `frame_index` when every image has one (Maskroom, CVAT video exports),
 * else the number in every file name (`000012.jpg`), else the position in id order.
 */
function framesOfImages(images: Json[], size: ImportSize): Map<Id, number> {
  let frames: number[];
  if (images.every((im) => im['frame_index'] !== undefined)) {
    frames = images.map((im, i) => {
      const f = im['frame_index'];
      if (typeof f !== 'number' || !Number.isSafeInteger(f)) {
        throw new ImportError(`images[${i}].frame_index`, `expected an integer, got ${describe(f)}`);
      }
      return f;
    });
  } else if (images.every((im) => frameOfFileName(im['file_name']) !== undefined)) {
    frames = images.map((im) => frameOfFileName(im['file_name'])!);
  } else {
    const order = images.map((im, i) => ({ id: im['id'] as Id, name: String(im['file_name'] ?? ''), i }));
    order.sort((a, b) => compareIds(a.id, b.id) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    frames = new Array<number>(images.length);
    order.forEach((o, frame) => (frames[o.i] = frame));
  }
  const byId = new Map<Id, number>();
  const byFrame = new Map<number, number>();
  images.forEach((im, i) => {
    const frame = frames[i]!;
    if (frame < 0 || frame >= size.numFrames) {
      throw new ImportError(
        `images[${i}]`,
        `frame ${frame} is outside the session (frames 0-${size.numFrames - 1})`,
      );
    }
    const other = byFrame.get(frame);
    if (other !== undefined) throw new ImportError(`images[${i}]`, `frame ${frame} is also images[${other}]`);
    byFrame.set(frame, i);
    byId.set(im['id'] as Id, frame);
  });
  return byId;
}

function compareIds(a: Id, b: Id): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function checkImages(images: unknown[], size: ImportSize): Json[] {
  const seen = new Set<Id>();
  return images.map((_, i) => {
    const where = `images[${i}]`;
    const im = objectAt(images, i, 'images');
    const id = idAt(im, 'id', where);
    if (seen.has(id)) throw new ImportError(`${where}.id`, `image id ${describe(id)} appears twice`);
    seen.add(id);
    for (const field of ['width', 'height'] as const) {
      const value = im[field];
      if (value !== size[field]) {
        throw new ImportError(
          `${where}.${field}`,
          `${describe(value)} does not match the session's ${field} ${size[field]}`,
        );
      }
    }
    return im;
  });
}

function readCategories(categories: unknown[]): Map<Id, string> {
  const names = new Map<Id, string>();
  categories.forEach((_, i) => {
    const where = `categories[${i}]`;
    const c = objectAt(categories, i, 'categories');
    const id = idAt(c, 'id', where);
    const name = c['name'];
    if (typeof name !== 'string') throw new ImportError(`${where}.name`, 'expected a string');
    if (names.has(id)) throw new ImportError(`${where}.id`, `category id ${describe(id)} appears twice`);
    names.set(id, name.slice(0, 200));
  });
  return names;
}

/** An annotation's segmentation as a canonical counts string and its area. */
function readSegmentation(
  seg: unknown,
  size: ImportSize,
  where: string,
): { counts: RleString; area: number } {
  const { height, width } = size;
  const total = height * width;
  try {
    if (isObject(seg)) {
      const rleSize = seg['size'];
      if (!Array.isArray(rleSize) || rleSize[0] !== height || rleSize[1] !== width) {
        throw new ImportError(
          `${where}.size`,
          `${describe(rleSize)} does not match the session's [height, width] [${height}, ${width}]`,
        );
      }
      const counts = seg['counts'];
      if (typeof counts === 'string') return canonicalCounts(counts, total);
      if (Array.isArray(counts)) {
        checkRuns(counts as number[], total);
        return canonicalString(counts as number[]);
      }
      throw new ImportError(`${where}.counts`, 'expected a string or a list of run lengths');
    }
    if (Array.isArray(seg)) {
      const polygons: RleString[] = [];
      seg.forEach((poly, j) => {
        if (!Array.isArray(poly) || poly.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
          throw new ImportError(`${where}[${j}]`, 'expected a list of numbers x0, y0, x1, y1, …');
        }
        if (poly.length % 2 !== 0) {
          throw new ImportError(`${where}[${j}]`, `odd number of coordinates (${poly.length})`);
        }
        if (poly.length >= 6) polygons.push(polygonToRle(poly as number[], height, width));
      });
      if (polygons.length === 0) return { counts: '' as RleString, area: 0 };
      // pycocotools' annToRLE: one RLE per polygon, then their union.
      return canonicalCounts(polygons.length === 1 ? polygons[0]! : merge(polygons, height, width), total);
    }
  } catch (error) {
    if (isRleError(error)) throw new ImportError(where, error.message);
    throw error;
  }
  throw new ImportError(where, 'expected an RLE object {size, counts} or a list of polygons');
}

/** Track id (Maskroom, CVAT: `attributes.track_id`; some tools: `track_id`), if any. */
function trackOf(ann: Json): Id | undefined {
  const attributes = isObject(ann['attributes']) ? ann['attributes'] : {};
  const track = attributes['track_id'] ?? ann['track_id'];
  return isId(track) ? track : undefined;
}

function instanceNameOf(ann: Json): string | undefined {
  const attributes = isObject(ann['attributes']) ? ann['attributes'] : {};
  const name = attributes['instance_name'] ?? ann['instance_name'];
  return typeof name === 'string' && name.trim() !== '' ? name.slice(0, 200) : undefined;
}

/**
 * Reads a COCO dict (`images`, `annotations`, `categories`). Objects are tracks (annotations
 * sharing `attributes.track_id`), or single annotations when there is no track id. Throws
 * `ImportError` (`INVALID_IMPORT`) naming the first problem.
 */
export function importCoco(json: unknown, size: ImportSize): ImportResult {
  if (!isObject(json))
    throw new ImportError('', 'expected a COCO JSON object with images, annotations and categories');
  const images = checkImages(arrayAt(json, 'images'), size);
  const frameOf = framesOfImages(images, size);
  const categories = readCategories(arrayAt(json, 'categories'));
  const annotations = arrayAt(json, 'annotations');
  const out = new Collector(size);
  let mixedClasses = 0;
  annotations.forEach((_, i) => {
    const where = `annotations[${i}]`;
    const ann = objectAt(annotations, i, 'annotations');
    const annId = idAt(ann, 'id', where);
    const imageId = ann['image_id'];
    const frame = isId(imageId) ? frameOf.get(imageId) : undefined;
    if (frame === undefined)
      throw new ImportError(`${where}.image_id`, `no image with id ${describe(imageId)}`);
    const categoryId = ann['category_id'];
    const className = isId(categoryId) ? categories.get(categoryId) : undefined;
    if (className === undefined) {
      throw new ImportError(`${where}.category_id`, `no category with id ${describe(categoryId)}`);
    }
    // Results files put the score at the top; Maskroom (and CVAT) among the attributes.
    const score = ann['score'] ?? (isObject(ann['attributes']) ? ann['attributes']['score'] : undefined);
    if (score !== undefined && (typeof score !== 'number' || !Number.isFinite(score))) {
      throw new ImportError(`${where}.score`, `expected a number, got ${describe(score)}`);
    }
    const { counts, area } = readSegmentation(ann['segmentation'], size, `${where}.segmentation`);
    const track = trackOf(ann);
    const key = track !== undefined ? String(track) : `annotation ${String(annId)}`;
    const known = out.getObject(key);
    if (known === undefined) {
      const name = instanceNameOf(ann);
      out.addObject({ key, className, instanceName: name ?? '' });
    } else if (known.className !== className) mixedClasses++;
    out.addMask(key, frame, counts, area, score);
  });
  if (mixedClasses > 0) {
    out.warn(
      `${mixedClasses} annotation(s) of a track have another category than its first; the first one is kept`,
    );
  }
  const result = out.result(orderByKey);
  return { ...result, objects: result.objects.map((o, i) => nameDefault(o, i)) };
}

/** Numeric track ids in number order (they are Maskroom's object numbers); others as met. */
function orderByKey(a: ImportedObject, b: ImportedObject): number {
  const na = /^\d+$/.test(a.key) ? Number(a.key) : undefined;
  const nb = /^\d+$/.test(b.key) ? Number(b.key) : undefined;
  if (na !== undefined && nb !== undefined) return na - nb;
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  return 0;
}

/** An object without a name of its own gets Maskroom's default, `object <n>`. */
function nameDefault(o: ImportedObject, index: number): ImportedObject {
  return o.instanceName === '' ? { ...o, instanceName: `object ${index + 1}` } : o;
}
