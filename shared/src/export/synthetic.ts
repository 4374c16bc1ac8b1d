/**
 * A synthetic session in real Y.Docs for the export tests, the CI reader check
 * (`tools/export-fixture.ts`) and demos: shapes chosen to stress the formats — a rectangle, a ring
 * with a hole, a two-part object, shapes touching only at a corner, a one-pixel object, overlaps
 * (for DAVIS' paint order), frames without any mask. Not part of the package's API.
 */
import * as Y from 'yjs';
import { MainDoc } from '../doc/MainDoc.js';
import { MaskChunkDoc } from '../doc/MaskChunkDoc.js';
import { initMainDoc } from '../doc/schemaCheck.js';
import type { MaskRecord } from '../doc/records.js';
import type { FrameIndex, ObjectId, UserId, VideoId } from '../ids.js';
import * as rle from '../rle/index.js';
import { exportSourceFromDocs, type ExportSource } from './source.js';

export interface SyntheticObject {
  readonly id: ObjectId;
  readonly className: string;
  readonly instanceName: string;
  readonly approved: boolean;
  /** Row-major 0/1 mask of a frame, or undefined when the object has no mask there. */
  readonly mask: (frame: number) => Uint8Array | undefined;
}

export interface SyntheticSession {
  readonly main: MainDoc;
  readonly chunks: ReadonlyMap<number, MaskChunkDoc>;
  readonly source: ExportSource;
  readonly width: number;
  readonly height: number;
  readonly numFrames: number;
  /** Objects in creation order (object number = index + 1). */
  readonly objects: readonly SyntheticObject[];
  /** The row-major mask stored for (frame, object), if any. */
  truth(frame: number, id: ObjectId): Uint8Array | undefined;
}

const ALICE = 'alice' as UserId;
const T0 = 1_700_000_000_000;

type Paint = (m: Uint8Array, w: number, h: number) => void;

const rect =
  (x0: number, y0: number, x1: number, y1: number): Paint =>
  (m, w, h) => {
    for (let y = Math.max(0, y0); y < Math.min(h, y1); y++)
      for (let x = Math.max(0, x0); x < Math.min(w, x1); x++) m[y * w + x] = 1;
  };

const disc =
  (cx: number, cy: number, r: number, value = 1): Paint =>
  (m, w, h) => {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * w + x] = value;
  };

function shape(w: number, h: number, ...paints: Paint[]): Uint8Array {
  const m = new Uint8Array(w * h);
  for (const p of paints) p(m, w, h);
  return m;
}

/** Frames where no object has a mask. */
export const EMPTY_FRAMES: readonly number[] = [2, 5];

/**
 * The session: `numFrames` frames of `width × height` (defaults 160 × 120 × 8, chunk size 4 so
 * that frames span several chunk docs).
 */
export function syntheticSession(
  opts: { width?: number; height?: number; numFrames?: number; chunkSize?: number } = {},
): SyntheticSession {
  const width = opts.width ?? 160;
  const height = opts.height ?? 120;
  const numFrames = opts.numFrames ?? 8;
  const chunkSize = opts.chunkSize ?? 4;
  const skip = (f: number): boolean => EMPTY_FRAMES.includes(f);
  const objects: SyntheticObject[] = [
    {
      id: 'objRect' as ObjectId,
      className: 'person',
      instanceName: 'runner',
      approved: true,
      mask: (f) => (skip(f) ? undefined : shape(width, height, rect(10 + 3 * f, 12, 50 + 3 * f, 40))),
    },
    {
      id: 'objRing' as ObjectId,
      className: 'donut',
      instanceName: 'ring / "glazed"',
      approved: true,
      // A ring with an island in its hole: the island must not be taken for the hole's owner.
      mask: (f) =>
        skip(f)
          ? undefined
          : shape(
              width,
              height,
              disc(100, 60 + f, 26),
              disc(100 + (f % 3), 60 + f, 12, 0),
              disc(100 + (f % 3), 60 + f, 4),
            ),
    },
    {
      id: 'objPair' as ObjectId,
      className: 'person',
      instanceName: 'twins',
      approved: false,
      mask: (f) =>
        skip(f) || f === 6
          ? undefined
          : shape(width, height, disc(30, 85, 14 + (f % 2)), disc(70 + 2 * f, 95, 12)),
    },
    {
      id: 'objCorner' as ObjectId,
      className: '',
      instanceName: '',
      approved: true,
      // Two blocks touching at one corner, an L just beside them and a lone pixel far away:
      // 8-connectivity, a bridged part and a speck that is not worth its bridge.
      mask: (f) =>
        skip(f)
          ? undefined
          : shape(
              width,
              height,
              rect(130, 5, 140, 15),
              rect(140, 15, 150, 25),
              rect(126, 18, 130, 38),
              rect(126, 34, 146, 38),
              rect(155, 100 + f, 156, 101 + f),
            ),
    },
    {
      id: 'objOverlap' as ObjectId,
      className: 'donut',
      instanceName: 'over the ring',
      approved: false,
      // Overlaps objRing: DAVIS paints later objects over earlier ones.
      mask: (f) => (skip(f) || f % 2 === 1 ? undefined : shape(width, height, rect(110, 50, 135, 75))),
    },
  ];

  const mainDoc = new Y.Doc();
  initMainDoc(mainDoc, {
    videoId: 'vidSynthetic' as VideoId,
    title: 'synthetic export fixture',
    width,
    height,
    numFrames,
    fps: 10,
    sourceFps: 10,
    durationSec: numFrames / 10,
    chunkSize,
  });
  const main = new MainDoc(mainDoc);
  objects.forEach((o, k) => {
    main.objects.create(o.id, {
      className: o.className,
      instanceName: o.instanceName,
      color: `#${(0x203040 + k * 0x151515).toString(16)}`,
      createdBy: ALICE,
      createdAt: T0 + k,
      review: {
        status: o.approved ? 'approved' : 'pending',
        by: o.approved ? ALICE : null,
        at: o.approved ? T0 : null,
        note: '',
      },
    });
  });

  const chunks = new Map<number, MaskChunkDoc>();
  const truth = new Map<string, Uint8Array>();
  for (let f = 0; f < numFrames; f++) {
    const k = Math.floor(f / chunkSize);
    let chunk = chunks.get(k);
    if (chunk === undefined) {
      chunk = new MaskChunkDoc(new Y.Doc(), k, { chunkSize });
      chunks.set(k, chunk);
    }
    const masks = new Map<ObjectId, MaskRecord>();
    objects.forEach((o, k2) => {
      const m = o.mask(f);
      if (m === undefined) return;
      truth.set(`${f}/${o.id}`, m);
      const counts = rle.encode(m, height, width);
      masks.set(o.id, {
        rle: counts,
        bbox: rle.bbox(counts, height, width),
        area: rle.area(counts),
        score: 0.5 + k2 / 10,
        source: 'prompt',
        ref: 'p1',
        by: ALICE,
      });
    });
    chunk.setFrameMasks(f as FrameIndex, masks);
  }
  const source = exportSourceFromDocs(main, (k) => {
    const c = chunks.get(k);
    if (c === undefined) throw new Error(`no chunk ${k}`);
    return c;
  });
  return {
    main,
    chunks,
    source,
    width,
    height,
    numFrames,
    objects,
    truth: (frame, id) => truth.get(`${frame}/${id}`),
  };
}
