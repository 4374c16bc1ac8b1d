/**
 * Session content for the export tests: two objects (one approved) with real pycocotools RLE masks
 * written through the server's own document writes — a moving box on every frame, and a ring (a
 * box with a hole) on even frames only — plus what each frame should hold, to check exports by.
 */
import {
  chunkIndexOf,
  rle,
  type FrameIndex,
  type MaskRecord,
  type ObjectId,
  type SessionId,
  type UserId,
} from '@maskroom/shared';
import type { SessionDocs } from '../collab/SessionDocs.js';

export interface SeededContent {
  readonly width: number;
  readonly height: number;
  readonly numFrames: number;
  readonly car: ObjectId;
  readonly ring: ObjectId;
  /** `${frame}/${objId}` → the mask written there. */
  readonly masks: ReadonlyMap<string, MaskRecord>;
}

const BY = 'local-export-test' as UserId;

/** A row-major 0/1 mask of a box `[x, y, w, h]`, minus an inner box when `hole` is given. */
export function boxMask(
  width: number,
  height: number,
  box: readonly [number, number, number, number],
  hole?: readonly [number, number, number, number],
): Uint8Array {
  const mask = new Uint8Array(width * height);
  const inside = (b: readonly number[], x: number, y: number): boolean =>
    x >= b[0]! && x < b[0]! + b[2]! && y >= b[1]! && y < b[1]! + b[3]!;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (inside(box, x, y) && !(hole && inside(hole, x, y))) mask[y * width + x] = 1;
  return mask;
}

function record(mask: Uint8Array, width: number, height: number, ref: string): MaskRecord {
  const counts = rle.encode(mask, height, width);
  return {
    rle: counts,
    bbox: rle.bbox(counts, height, width),
    area: rle.area(counts),
    score: 0.9,
    source: 'prompt',
    ref,
    by: BY,
  };
}

/** Writes the two objects and their masks into `session`, whose main doc already has its meta. */
export async function seedExportContent(docs: SessionDocs, session: SessionId): Promise<SeededContent> {
  const meta = await docs.readMain(session, (main) => main.requireMeta());
  const { width, height, numFrames } = meta;
  const car = 'obj_exportcar' as ObjectId;
  const ring = 'obj_exportring' as ObjectId;
  await docs.writeMain(session, 'export-test', (main) => {
    const at = Date.now();
    main.objects.create(car, {
      className: 'vehicle',
      instanceName: 'car 1',
      color: '#e6194b',
      createdBy: BY,
      createdAt: at,
    });
    main.objects.create(ring, {
      className: 'thing',
      instanceName: 'ring',
      color: '#3cb44b',
      createdBy: BY,
      createdAt: at + 1,
    });
    main.objects.update(car, { review: { status: 'approved', by: BY, at, note: '' } });
  });
  const masks = new Map<string, MaskRecord>();
  const byChunk = new Map<number, Array<{ frame: FrameIndex; objId: ObjectId; mask: MaskRecord }>>();
  const add = (frame: number, objId: ObjectId, mask: MaskRecord): void => {
    masks.set(`${frame}/${objId}`, mask);
    const k = chunkIndexOf(frame);
    const list = byChunk.get(k) ?? [];
    list.push({ frame: frame as FrameIndex, objId, mask });
    byChunk.set(k, list);
  };
  const side = Math.max(4, Math.floor(Math.min(width, height) / 4));
  for (let f = 0; f < numFrames; f++) {
    const x = Math.min(width - side, 2 + f * 3);
    add(f, car, record(boxMask(width, height, [x, 3, side, side]), width, height, `ref_car${f}`));
    if (f % 2 === 0) {
      const y = height - side - 2;
      add(
        f,
        ring,
        record(
          boxMask(
            width,
            height,
            [width - side - 2, y, side, side],
            [width - side + 2, y + 4, side - 8, side - 8],
          ),
          width,
          height,
          `ref_ring${f}`,
        ),
      );
    }
  }
  for (const [k, entries] of byChunk) {
    await docs.writeMasks(session, k, 'export-test', (chunk) => chunk.setMasks(entries));
  }
  return { width, height, numFrames, car, ring, masks };
}
