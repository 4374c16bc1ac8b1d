/**
 * An `ExportSource` over the bench dataset (what the browser builds from its Y.Docs, minus the
 * Y.Docs: the bench times the export, not the document reads).
 */
import type {
  ExportSource,
  MaskRecord,
  MetaRecord,
  ObjectId,
  ObjectRecord,
  UserId,
  VideoId,
} from '@maskroom/shared';
import { PENDING_REVIEW, rle } from '@maskroom/shared';
import type { Dataset } from './dataset.js';

export function datasetSource(d: Dataset, frames = d.frames): ExportSource {
  const meta: MetaRecord = {
    schemaVersion: 1,
    videoId: 'benchVideo' as VideoId,
    title: 'export bench',
    width: d.width,
    height: d.height,
    numFrames: frames,
    fps: 30,
    sourceFps: 30,
    durationSec: frames / 30,
    chunkSize: 64,
  };
  const objects = new Map<ObjectId, ObjectRecord>(
    d.objects.map((o, k) => [
      o.id as ObjectId,
      {
        className: o.className,
        instanceName: o.instanceName,
        color: '#ff8800',
        createdBy: 'bench' as UserId,
        createdAt: 1_700_000_000_000 + k,
        review: PENDING_REVIEW,
      },
    ]),
  );
  const ids = d.objects.map((o) => o.id as ObjectId);
  return {
    meta,
    objects,
    masksOfFrame(frame) {
      const out = new Map<ObjectId, MaskRecord>();
      d.masks[frame]!.forEach((counts, k) => {
        if (counts === null) return;
        out.set(ids[k]!, {
          rle: counts,
          bbox: rle.bbox(counts, d.height, d.width),
          area: rle.area(counts),
          score: 0.9,
          source: 'propagation',
          ref: 'job1',
          by: 'bench' as UserId,
        });
      });
      return out;
    },
  };
}
