/**
 * Export → import → export gives the same files: the importers read back everything the export
 * builders write (objects, numbers, names, classes, colors, masks, scores), so a session restored
 * from its export exports identically.
 */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MainDoc } from '../doc/MainDoc.js';
import { MaskChunkDoc } from '../doc/MaskChunkDoc.js';
import type { MaskRecord } from '../doc/records.js';
import { initMainDoc } from '../doc/schemaCheck.js';
import {
  DEFAULT_CLASS_NAME,
  exportSourceFromDocs,
  exportZip,
  type ExportOptions,
  type ExportSource,
} from '../export/index.js';
import { syntheticSession } from '../export/synthetic.js';
import type { FrameIndex, ObjectId, UserId } from '../ids.js';
import * as rle from '../rle/index.js';
import { importZip } from './zip.js';
import type { ImportResult } from './types.js';

const OPTIONS: ExportOptions = {
  formats: ['coco', 'yolo', 'png', 'davis'],
  includeImages: false,
  onlyApproved: false,
};

async function zipOf(source: ExportSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  await exportZip(source, OPTIONS, (chunk) => void parts.push(chunk));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A fresh session holding what was imported, as the server writes it (new ids, `source: import`). */
function restore(result: ImportResult, meta: ExportSource['meta']): ExportSource {
  const doc = new Y.Doc();
  initMainDoc(doc, meta);
  const main = new MainDoc(doc);
  const ids = new Map<string, ObjectId>();
  result.objects.forEach((o, k) => {
    const id = `imported${k}` as ObjectId;
    ids.set(o.key, id);
    main.objects.create(id, {
      className: o.className,
      instanceName: o.instanceName,
      color: o.color ?? '#000000',
      createdBy: 'bob' as UserId,
      createdAt: 1 + k,
    });
  });
  const chunks = new Map<number, MaskChunkDoc>();
  for (const m of result.masks) {
    const k = Math.floor(m.frame / meta.chunkSize);
    let chunk = chunks.get(k);
    if (chunk === undefined)
      chunks.set(k, (chunk = new MaskChunkDoc(new Y.Doc(), k, { chunkSize: meta.chunkSize })));
    const mask: MaskRecord = {
      rle: m.rle,
      bbox: rle.bbox(m.rle, meta.height, meta.width),
      area: rle.area(m.rle),
      score: m.score ?? 1,
      source: 'import',
      ref: 'imp_1',
      by: 'bob' as UserId,
    };
    chunk.setMask(m.frame as FrameIndex, ids.get(m.objectKey)!, mask);
  }
  return exportSourceFromDocs(
    main,
    (k) => chunks.get(k) ?? new MaskChunkDoc(new Y.Doc(), k, { chunkSize: meta.chunkSize }),
  );
}

/** COCO without the session-specific object ids. */
function cocoWithoutIds(bytes: Uint8Array): unknown {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as {
    annotations: { attributes: Record<string, unknown> }[];
  };
  for (const a of json.annotations) delete a.attributes['obj_id'];
  return json;
}

describe('export → import → export', () => {
  it('restores every object and mask and exports the same files', async () => {
    const s = syntheticSession();
    const first = await zipOf(s.source);
    const imported = importZip(first, { width: s.width, height: s.height, numFrames: s.numFrames });
    expect(imported.objects.map((o) => o.instanceName)).toEqual(s.objects.map((o) => o.instanceName));
    // An object without a class is exported (and so comes back) under the default class.
    expect(imported.objects.map((o) => o.className)).toEqual(
      s.objects.map((o) => o.className || DEFAULT_CLASS_NAME),
    );
    // Every stored mask comes back exactly (IoU 1).
    let count = 0;
    s.objects.forEach((o, k) => {
      for (let f = 0; f < s.numFrames; f++) {
        const truth = s.truth(f, o.id);
        const back = imported.masks.find((m) => m.frame === f && m.objectKey === String(k + 1));
        if (truth === undefined) expect(back).toBeUndefined();
        else {
          expect(back?.rle, `frame ${f} object ${k + 1}`).toBe(rle.encode(truth, s.height, s.width));
          count++;
        }
      }
    });
    expect(imported.masks).toHaveLength(count);

    const second = await zipOf(restore(imported, s.source.meta));
    const a = unzipSync(first);
    const b = unzipSync(second);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const path of Object.keys(a)) {
      if (path === 'maskroom.json') continue;
      if (path === 'coco/annotations.json')
        expect(cocoWithoutIds(b[path]!)).toEqual(cocoWithoutIds(a[path]!));
      else expect(b[path], path).toEqual(a[path]);
    }
  });

  it('restores the same masks from the DAVIS PNGs alone where objects do not overlap', async () => {
    const s = syntheticSession();
    const files = unzipSync(await zipOf(s.source));
    const davisOnly: Record<string, Uint8Array> = {};
    for (const [path, data] of Object.entries(files))
      if (path.startsWith('davis/') || path === 'maskroom.json') davisOnly[path] = data;
    const { zipSync } = await import('fflate');
    const imported = importZip(zipSync(davisOnly), {
      width: s.width,
      height: s.height,
      numFrames: s.numFrames,
    });
    expect(imported.objects.map((o) => o.instanceName)).toEqual(s.objects.map((o) => o.instanceName));
    // objRect (1) overlaps nothing: its DAVIS masks are exact.
    for (let f = 0; f < s.numFrames; f++) {
      const truth = s.truth(f, s.objects[0]!.id);
      const back = imported.masks.find((m) => m.frame === f && m.objectKey === '1');
      expect(back?.rle).toBe(truth && rle.encode(truth, s.height, s.width));
    }
  });
});
