/**
 * `POST /api/sessions/:id/import` against a real server and session: COCO (RLE and polygons),
 * DAVIS PNGs (ZIP and single file), replace mode, and malformed files, which must answer 422
 * `INVALID_IMPORT` and leave the session exactly as it was.
 */
import { encode as encodePng } from 'fast-png';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CLASS_NAME,
  MaskChunkDoc,
  httpErrorBodySchema,
  importAnswerSchema,
  maskChunkDocName,
  polygonToRle,
  rle,
  type MaskRecord,
  type MetaRecord,
  type ObjectRecord,
  type SessionId,
  seededRandom,
} from '@maskroom/shared';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { uploadTestSession } from '../test/session-content.js';

let server: TestServer;
let db: TestDatabase;
let session: SessionId;
let meta: MetaRecord;

beforeAll(async () => {
  db = await openPgliteTestDatabase();
  server = await startTestServer({ database: db });
  ({ session } = await uploadTestSession(server.url, 3)); // 90 frames: chunks 0 and 1
  meta = await server.collab.docs.readMain(session, (m) => m.requireMeta());
}, 120_000);

afterAll(async () => {
  await server?.close();
  await db?.close();
});

interface State {
  objects: Map<string, ObjectRecord>;
  /** `<frame>/<instanceName>` → mask. */
  masks: Map<string, MaskRecord>;
}

async function state(): Promise<State> {
  const objects = await server.collab.docs.readMain(session, (m) => m.objects.list());
  const masks = new Map<string, MaskRecord>();
  for (const k of [0, 1]) {
    const entries = await server.collab.docs.read(maskChunkDocName(session, k), (doc) =>
      new MaskChunkDoc(doc, k).entries(),
    );
    for (const e of entries) masks.set(`${e.frame}/${objects.get(e.objId)?.instanceName ?? e.objId}`, e.mask);
  }
  return { objects: objects as Map<string, ObjectRecord>, masks };
}

async function post(body: Uint8Array | string, query = '', type = 'application/json'): Promise<Response> {
  return fetch(`${server.url}/api/sessions/${session}/import${query}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : new Blob([body]),
  });
}

const rand = seededRandom(42);
function randomMask(): Uint8Array {
  const { width: w, height: h } = meta;
  const mask = new Uint8Array(w * h);
  const x0 = Math.floor(rand() * w * 0.7);
  const y0 = Math.floor(rand() * h * 0.7);
  const x1 = x0 + 1 + Math.floor(rand() * w * 0.3);
  const y1 = y0 + 1 + Math.floor(rand() * h * 0.3);
  for (let y = y0; y < y1; y++) mask.fill(1, y * w + x0, y * w + x1);
  return mask;
}

function cocoFile(annotations: Record<string, unknown>[], frames = [3, 70]): Record<string, unknown> {
  return {
    images: frames.map((f, i) => ({ id: i + 1, width: meta.width, height: meta.height, frame_index: f })),
    categories: [{ id: 1, name: 'person' }],
    annotations,
  };
}

async function expectRefused(body: Uint8Array | string, message: RegExp, query = ''): Promise<void> {
  const before = await state();
  const res = await post(body, query);
  expect(res.status).toBe(422);
  const { error } = httpErrorBodySchema.parse(await res.json());
  expect(error.code).toBe('INVALID_IMPORT');
  expect(error.message).toMatch(message);
  expect(await state()).toEqual(before);
}

describe('import', () => {
  it('imports COCO RLE as new objects with their masks in every chunk', async () => {
    const { width: w, height: h } = meta;
    const a = rle.encode(randomMask(), h, w);
    const b = rle.encode(randomMask(), h, w);
    const res = await post(
      JSON.stringify(
        cocoFile([
          {
            id: 1,
            image_id: 1,
            category_id: 1,
            segmentation: { size: [h, w], counts: a },
            score: 0.75,
            attributes: { track_id: 1, instance_name: 'walker' },
          },
          {
            id: 2,
            image_id: 2,
            category_id: 1,
            segmentation: { size: [h, w], counts: b },
            attributes: { track_id: 1 },
          },
        ]),
      ),
    );
    expect(res.status).toBe(200);
    expect(importAnswerSchema.parse(await res.json())).toEqual({
      imported: { objects: 1, masks: 2 },
      warnings: [],
    });
    const { objects, masks } = await state();
    const walker = [...objects.values()].find((o) => o.instanceName === 'walker');
    expect(walker?.className).toBe('person');
    expect(masks.get('3/walker')).toMatchObject({
      rle: a,
      area: rle.area(a),
      bbox: rle.bbox(a, h, w),
      score: 0.75,
      source: 'import',
    });
    expect(masks.get('70/walker')).toMatchObject({ rle: b, score: 1, source: 'import' });
    expect(masks.get('3/walker')!.ref).toMatch(/^imp_/);
    expect(masks.get('3/walker')!.ref).toBe(masks.get('70/walker')!.ref);
  });

  it('imports COCO polygons rasterized as pycocotools does', async () => {
    const { width: w, height: h } = meta;
    const poly = [10.5, 10, w * 0.6, 12, w * 0.4, h * 0.7];
    const res = await post(
      JSON.stringify(
        cocoFile([
          { id: 7, image_id: 2, category_id: 1, segmentation: [poly], attributes: { instance_name: 'tri' } },
        ]),
      ),
    );
    expect(res.status).toBe(200);
    const { masks } = await state();
    const counts = polygonToRle(poly, h, w);
    expect(masks.get('70/tri')?.rle).toBe(rle.encode(rle.decode(counts, h, w), h, w));
  });

  it('replaces everything with the objects of a DAVIS ZIP, and adds a single DAVIS PNG', async () => {
    const { width: w, height: h } = meta;
    const labels = new Uint8Array(w * h);
    randomMask().forEach((v, i) => v && (labels[i] = 1));
    randomMask().forEach((v, i) => v && (labels[i] = 2));
    const palette: [number, number, number][] = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 255, 0],
    ];
    const png = encodePng({ width: w, height: h, data: labels, depth: 8, channels: 1, palette });
    const res = await post(zipSync({ 'davis/000065.png': png }), '?mode=replace', 'application/zip');
    expect(res.status).toBe(200);
    expect(importAnswerSchema.parse(await res.json()).imported).toEqual({ objects: 2, masks: 2 });
    const after = await state();
    expect([...after.objects.values()].map((o) => [o.instanceName, o.color]).sort()).toEqual([
      ['object 1', '#ff0000'],
      ['object 2', '#00ff00'],
    ]);
    expect([...after.masks.keys()].sort()).toEqual(['65/object 1', '65/object 2']);
    expect(after.masks.get('65/object 2')?.rle).toBe(
      rle.encode(
        labels.map((v) => (v === 2 ? 1 : 0)),
        h,
        w,
      ),
    );

    const single = await post(png, '?frame=4', 'image/png');
    expect(single.status).toBe(200);
    expect((await state()).masks.size).toBe(4);
  });

  it('refuses malformed files with INVALID_IMPORT and changes nothing', async () => {
    const { width: w, height: h } = meta;
    const good = rle.encode(randomMask(), h, w);
    const ann = (patch: Record<string, unknown>) => ({
      id: 1,
      image_id: 1,
      category_id: 1,
      segmentation: { size: [h, w], counts: good },
      ...patch,
    });
    await expectRefused('{"images": [', /not valid JSON/);
    await expectRefused(JSON.stringify(cocoFile([ann({})], [3, 90])), /images\[1\]: frame 90 is outside/);
    await expectRefused(
      JSON.stringify(cocoFile([ann({ segmentation: { size: [h, w], counts: 'PP' } })])),
      /annotations\[0\]\.segmentation/,
    );
    await expectRefused(JSON.stringify(cocoFile([ann({ category_id: 4 })])), /annotations\[0\]\.category_id/);
    const wide = cocoFile([ann({})]);
    (wide['images'] as Record<string, unknown>[])[0]!['width'] = w + 2;
    await expectRefused(JSON.stringify(wide), /images\[0\]\.width/);
    // A good annotation before a bad one: nothing of the file is written.
    await expectRefused(
      JSON.stringify(cocoFile([ann({}), ann({ id: 2, image_id: 3 })])),
      /annotations\[1\]\.image_id/,
    );
    await expectRefused(zipSync({ 'notes.txt': strToU8('hi') }), /neither COCO/, '?mode=replace');
    await expectRefused('', /empty/);
  });

  it('re-imports its own export (replace) and exports the very same files', async () => {
    const exported = async (): Promise<Record<string, Uint8Array>> => {
      const res = await fetch(`${server.url}/api/sessions/${session}/export?formats=coco,yolo,png,davis`);
      expect(res.status).toBe(200);
      return unzipSync(new Uint8Array(await res.arrayBuffer()));
    };
    const before = await state();
    expect(before.objects.size).toBeGreaterThan(1);
    const first = await exported();
    const res = await post(zipSync(first), '?mode=replace', 'application/zip');
    expect(res.status).toBe(200);
    const after = await state();
    // Same names, classes (a missing one exported as the default), colors and masks under new ids.
    const describeObjects = (s: State) =>
      [...s.objects.values()].map((o) => [o.instanceName, o.className || DEFAULT_CLASS_NAME, o.color]).sort();
    expect(describeObjects(after)).toEqual(describeObjects(before));
    expect([...after.masks.keys()].sort()).toEqual([...before.masks.keys()].sort());
    for (const [key, m] of after.masks) expect(m.rle, key).toBe(before.masks.get(key)!.rle);
    const second = await exported();
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    const withoutIds = (bytes: Uint8Array) => {
      const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
        annotations: { attributes: Record<string, unknown> }[];
      };
      for (const a of json.annotations) delete a.attributes['obj_id'];
      return json;
    };
    for (const path of Object.keys(first)) {
      if (path === 'maskroom.json') continue;
      if (path.endsWith('.json')) expect(withoutIds(second[path]!), path).toEqual(withoutIds(first[path]!));
      else expect(Buffer.from(second[path]!).equals(Buffer.from(first[path]!)), path).toBe(true);
    }
  });

  it("reads files beyond the API's 1 MB JSON limit; an unknown session is 404", async () => {
    const { width: w, height: h } = meta;
    const big = cocoFile([
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        segmentation: { size: [h, w], counts: rle.encode(randomMask(), h, w) },
      },
    ]);
    big['info'] = { description: 'x'.repeat(3_000_000) };
    const res = await post(JSON.stringify(big));
    expect(res.status).toBe(200);
    expect(importAnswerSchema.parse(await res.json()).imported).toEqual({ objects: 1, masks: 1 });
    const missing = await fetch(`${server.url}/api/sessions/ses_nope/import`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
  });
});
