import { inflateSync } from 'node:zlib';
import { decode as decodePng } from 'fast-png';
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MaskroomError } from '../errors.js';
import type { ObjectId } from '../ids.js';
import * as rle from '../rle/index.js';
import { exportFiles, type ExportFile } from './files.js';
import { exportOptionsSchema, type ExportOptions } from './options.js';
import { EMPTY_FRAMES, syntheticSession, type SyntheticSession } from './synthetic.js';
import { exportZip } from './zip.js';

const ALL: ExportOptions = {
  formats: ['coco', 'yolo', 'png', 'davis'],
  includeImages: false,
  onlyApproved: false,
};

async function collect(s: SyntheticSession, options: ExportOptions): Promise<Map<string, ExportFile>> {
  const files = new Map<string, ExportFile>();
  for await (const f of exportFiles(s.source, options)) {
    expect(files.has(f.path), `duplicate ${f.path}`).toBe(false);
    files.set(f.path, f);
  }
  return files;
}

const textOf = (files: Map<string, ExportFile>, path: string): string => {
  const f = files.get(path);
  if (f === undefined) throw new Error(`missing ${path}`);
  return strFromU8(f.data);
};

interface CocoAnn {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: { size: [number, number]; counts: string };
  area: number;
  bbox: number[];
  iscrowd: number;
  attributes: { track_id: number; instance_name: string; obj_id: string; score: number };
}
interface Coco {
  images: { id: number; file_name: string; width: number; height: number; frame_index: number }[];
  annotations: CocoAnn[];
  categories: { id: number; name: string }[];
}

/** Pixels whose centre is inside the polygon (even-odd) or within half a pixel of an edge (~cv2.fillPoly). */
function rasterize(poly: readonly number[], w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const n = poly.length / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let inside = false;
      let near = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const xi = poly[2 * i]!;
        const yi = poly[2 * i + 1]!;
        const xj = poly[2 * j]!;
        const yj = poly[2 * j + 1]!;
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
        const dx = xj - xi;
        const dy = yj - yi;
        const len2 = dx * dx + dy * dy;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - xi) * dx + (y - yi) * dy) / len2));
        if ((xi + t * dx - x) ** 2 + (yi + t * dy - y) ** 2 <= 0.25) near = true;
      }
      if (inside || near) out[y * w + x] = 1;
    }
  }
  return out;
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

describe('exportFiles on a synthetic session in Y.Docs', () => {
  const s = syntheticSession();
  const filesP = collect(s, ALL);

  it('writes COCO that decodes to exactly the stored masks', async () => {
    const files = await filesP;
    const coco = JSON.parse(textOf(files, 'coco/annotations.json')) as Coco;
    expect(coco.images.map((i) => i.id)).toEqual(Array.from({ length: s.numFrames }, (_, f) => f + 1));
    expect(coco.images[3]).toMatchObject({
      file_name: '000003.jpg',
      width: 160,
      height: 120,
      frame_index: 3,
    });
    expect(coco.categories.map((c) => c.name)).toEqual(['person', 'donut', 'object']);
    let expected = 0;
    for (let f = 0; f < s.numFrames; f++) for (const o of s.objects) if (s.truth(f, o.id)) expected++;
    expect(coco.annotations).toHaveLength(expected);
    expect(new Set(coco.annotations.map((a) => a.id)).size).toBe(expected);
    for (const a of coco.annotations) {
      const frame = a.image_id - 1;
      const obj = s.objects[a.attributes.track_id - 1]!;
      expect(a.attributes.obj_id).toBe(obj.id);
      expect(a.attributes.instance_name).toBe(obj.instanceName);
      expect(a.iscrowd).toBe(0);
      expect(a.segmentation.size).toEqual([s.height, s.width]);
      const truth = s.truth(frame, obj.id)!;
      expect(rle.decode(a.segmentation.counts, s.height, s.width)).toEqual(truth);
      expect(a.area).toBe(truth.reduce((n, v) => n + v, 0));
      expect(a.bbox).toEqual(rle.bbox(rle.encode(truth, s.height, s.width), s.height, s.width));
      const cls = obj.className || 'object';
      expect(coco.categories.find((c) => c.id === a.category_id)?.name).toBe(cls);
    }
    expect(coco.annotations.some((a) => EMPTY_FRAMES.includes(a.image_id - 1))).toBe(false);
  });

  it('writes one YOLO line per object that rasterizes back to the mask', async () => {
    const files = await filesP;
    expect(textOf(files, 'yolo/classes.txt')).toBe('person\ndonut\nobject\n');
    for (let f = 0; f < s.numFrames; f++) {
      const content = textOf(files, `yolo/labels/${String(f).padStart(6, '0')}.txt`);
      const present = s.objects.filter((o) => s.truth(f, o.id) !== undefined);
      if (present.length === 0) {
        expect(content).toBe('');
        continue;
      }
      const lines = content.trimEnd().split('\n');
      expect(lines).toHaveLength(present.length);
      lines.forEach((line, k) => {
        const [cls, ...coords] = line.split(' ').map(Number);
        const obj = present[k]!;
        expect(cls).toBe(['person', 'donut', 'object'].indexOf(obj.className || 'object'));
        expect(coords.length % 2).toBe(0);
        expect(coords.length).toBeGreaterThanOrEqual(6);
        for (const c of coords) expect(c >= 0 && c <= 1).toBe(true);
        const poly = coords.map((c, i) => Math.round(c! * (i % 2 === 0 ? s.width : s.height)));
        const back = rasterize(poly, s.width, s.height);
        expect(iou(back, s.truth(f, obj.id)!), `frame ${f} ${obj.id}`).toBeGreaterThanOrEqual(0.95);
      });
    }
  });

  it('writes binary PNGs equal to the masks, with valid zlib streams', async () => {
    const files = await filesP;
    for (let f = 0; f < s.numFrames; f++) {
      s.objects.forEach((o, k) => {
        const folder = [...files.keys()].find((p) => p.startsWith(`png/${String(k + 1).padStart(3, '0')}_`));
        expect(folder).toBeDefined();
        const dir = folder!.slice(0, folder!.lastIndexOf('/'));
        const file = files.get(`${dir}/${String(f).padStart(6, '0')}.png`);
        const truth = s.truth(f, o.id);
        if (truth === undefined) {
          expect(file).toBeUndefined();
          return;
        }
        expect(file?.compress).toBe(false);
        const png = decodePng(file!.data);
        expect([png.width, png.height, png.channels, png.depth]).toEqual([s.width, s.height, 1, 8]);
        expect(Uint8Array.from(png.data)).toEqual(truth.map((v) => v * 255));
        // zlib checks the Adler-32 that the encoder computes per run.
        expect(inflateSync(idat(file!.data))).toHaveLength((s.width + 1) * s.height);
      });
    }
    expect([...files.keys()].filter((p) => p.startsWith('png/002_')).length).toBeGreaterThan(0);
    expect([...files.keys()].some((p) => p.startsWith('png/002_ring_glazed/'))).toBe(true);
  });

  it('writes DAVIS indexed PNGs with the DAVIS palette, later objects over earlier', async () => {
    const files = await filesP;
    for (let f = 0; f < s.numFrames; f++) {
      const png = decodePng(files.get(`davis/${String(f).padStart(6, '0')}.png`)!.data);
      expect(png.palette).toBeDefined();
      expect(png.palette!.slice(0, 5)).toEqual([
        [0, 0, 0],
        [128, 0, 0],
        [0, 128, 0],
        [128, 128, 0],
        [0, 0, 128],
      ]);
      expect(png.palette![255]).toEqual([224, 224, 192]);
      const expected = new Uint8Array(s.width * s.height);
      s.objects.forEach((o, k) => s.truth(f, o.id)?.forEach((v, i) => v && (expected[i] = k + 1)));
      expect(Uint8Array.from(png.data)).toEqual(expected);
    }
  });

  it('writes a manifest with numbers, ids, names, classes and colors', async () => {
    const files = await filesP;
    const m = JSON.parse(textOf(files, 'maskroom.json')) as {
      objects: { number: number; objIds: string[]; className: string; color: string }[];
      warnings: string[];
    };
    expect(m.objects.map((o) => o.number)).toEqual([1, 2, 3, 4, 5]);
    expect(m.objects.map((o) => o.objIds[0])).toEqual(s.objects.map((o) => o.id));
    expect(m.objects[3]!.className).toBe('object');
    expect(m.warnings).toEqual([]);
  });
});

/** The concatenated IDAT payload of a PNG. */
function idat(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const parts: Uint8Array[] = [];
  for (let p = 8; p < png.length;) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    if (type === 'IDAT') parts.push(png.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  return Uint8Array.from(parts.flatMap((x) => [...x]));
}

describe('export options', () => {
  const s = syntheticSession();

  it('exports only a frame range, only approved objects', async () => {
    const files = await collect(s, { ...ALL, frames: { start: 3, end: 5 }, onlyApproved: true });
    const coco = JSON.parse(textOf(files, 'coco/annotations.json')) as Coco;
    expect(coco.images.map((i) => i.frame_index)).toEqual([3, 4]);
    const approved = new Set(s.objects.filter((o) => o.approved).map((o) => o.id));
    expect(coco.annotations.length).toBeGreaterThan(0);
    for (const a of coco.annotations) expect(approved.has(a.attributes.obj_id as ObjectId)).toBe(true);
    expect([...files.keys()].filter((p) => p.startsWith('yolo/labels/'))).toEqual([
      'yolo/labels/000003.txt',
      'yolo/labels/000004.txt',
    ]);
    // Numbers do not shift when objects are left out: objCorner stays number 4.
    expect(coco.annotations.map((a) => a.attributes.track_id)).toContain(4);
    expect(coco.annotations.map((a) => a.attributes.track_id)).not.toContain(3);
  });

  it('merges instances (union of masks) and classes', async () => {
    const files = await collect(s, {
      formats: ['coco', 'yolo'],
      includeImages: false,
      onlyApproved: false,
      mergeInstances: [{ name: 'ring+overlay', objIds: ['objOverlap' as ObjectId, 'objRing' as ObjectId] }],
      mergeClasses: [{ className: 'thing', objIds: ['objRect' as ObjectId, 'objCorner' as ObjectId] }],
    });
    const coco = JSON.parse(textOf(files, 'coco/annotations.json')) as Coco;
    expect(coco.categories.map((c) => c.name)).toEqual(['thing', 'donut', 'person']);
    const merged = coco.annotations.filter((a) => a.attributes.instance_name === 'ring+overlay');
    expect(merged.map((a) => a.attributes.track_id)).toEqual(
      Array(s.numFrames - EMPTY_FRAMES.length).fill(2),
    );
    for (const a of merged) {
      const f = a.image_id - 1;
      const union = s
        .truth(f, 'objRing' as ObjectId)!
        .map((v, i) => v | (s.truth(f, 'objOverlap' as ObjectId)?.[i] ?? 0));
      expect(rle.decode(a.segmentation.counts, s.height, s.width)).toEqual(union);
    }
    expect(coco.annotations.some((a) => a.attributes.track_id === 5)).toBe(false);
    expect(textOf(files, 'yolo/classes.txt')).toBe('thing\ndonut\nperson\n');
  });

  it('adds frame images and asks for them in order', async () => {
    const asked: number[] = [];
    const source = {
      ...s.source,
      frameImage: (f: number) => {
        asked.push(f);
        return Promise.resolve(Uint8Array.of(0xff, 0xd8, f));
      },
    };
    const paths: string[] = [];
    for await (const f of exportFiles(source, {
      ...ALL,
      formats: ['coco'],
      includeImages: true,
      frames: { start: 1, end: 3 },
    }))
      paths.push(f.path);
    expect(asked).toEqual([1, 2]);
    expect(paths).toEqual([
      'images/000001.jpg',
      'images/000002.jpg',
      'coco/annotations.json',
      'maskroom.json',
    ]);
  });

  it('refuses bad options before writing anything', async () => {
    const first = (o: ExportOptions) => exportFiles(s.source, o).next();
    await expect(first({ ...ALL, frames: { start: 0, end: 99 } })).rejects.toMatchObject({
      code: 'FRAME_OUT_OF_RANGE',
    });
    await expect(
      first({ ...ALL, mergeInstances: [{ name: 'x', objIds: ['nope' as ObjectId] }] }),
    ).rejects.toBeInstanceOf(MaskroomError);
    expect(
      exportOptionsSchema.safeParse({ formats: [], includeImages: false, onlyApproved: false }).success,
    ).toBe(false);
    expect(exportOptionsSchema.safeParse({ formats: ['coco'], frames: { start: 5, end: 5 } }).success).toBe(
      false,
    );
    expect(
      exportOptionsSchema.safeParse({
        formats: ['coco'],
        mergeInstances: [
          { name: 'a', objIds: ['o1'] },
          { name: 'b', objIds: ['o1'] },
        ],
      }).success,
    ).toBe(false);
    expect(exportOptionsSchema.parse({ formats: ['yolo'] })).toEqual({
      formats: ['yolo'],
      includeImages: false,
      onlyApproved: false,
    });
  });
});

describe('exportZip', () => {
  const s = syntheticSession();

  it('zips exactly the files of exportFiles, PNGs stored and text deflated', async () => {
    const files = await collect(s, ALL);
    const chunks: Uint8Array[] = [];
    let finals = 0;
    const progress: number[] = [];
    await exportZip(
      s.source,
      ALL,
      async (chunk, final) => {
        await Promise.resolve();
        chunks.push(chunk);
        if (final) finals++;
      },
      { onProgress: (done, total) => progress.push(done / total) },
    );
    expect(finals).toBe(1);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const zip = Uint8Array.from(chunks.flatMap((c) => [...c]));
    const unzipped = unzipSync(zip);
    expect(Object.keys(unzipped)).toEqual([...files.keys()]);
    for (const [path, f] of files) expect(unzipped[path], path).toEqual(f.data);
  });

  it('stops on abort with CANCELLED and sends no final chunk', async () => {
    const controller = new AbortController();
    let finals = 0;
    let n = 0;
    const run = exportZip(
      s.source,
      ALL,
      (_chunk, final) => {
        if (final) finals++;
        if (++n === 3) controller.abort();
      },
      { signal: controller.signal },
    );
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(finals).toBe(0);
  });
});
