/**
 * Writes an export of the synthetic session (shared/src/export/synthetic.ts) for the CI check
 * with the formats' own readers (gpu-worker/tests/test_export_readers.py):
 *
 *   <outdir>/export.zip   every format (COCO, YOLO, PNG, DAVIS), as exportZip streams it
 *   <outdir>/truth.json   the stored masks: {width, height, numFrames, emptyFrames,
 *                         objects: [{number, id, className, instanceName}],
 *                         masks: [{frame, objId, number, mask: base64 of row-major 0/1 bytes}]}
 *
 *   node --conditions=@maskroom/source --import tsx tools/export-fixture.ts <outdir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportZip } from '../shared/src/export/zip.js';
import { EMPTY_FRAMES, syntheticSession } from '../shared/src/export/synthetic.js';

const outDir = process.argv[2];
if (outDir === undefined) {
  console.error('usage: export-fixture.ts <outdir>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

// 12 frames in chunks of 4: masks come from three chunk docs; frames 2 and 5 have no mask.
const s = syntheticSession({ width: 200, height: 150, numFrames: 12, chunkSize: 4 });
const chunks: Uint8Array[] = [];
await exportZip(
  s.source,
  { formats: ['coco', 'yolo', 'png', 'davis'], includeImages: false, onlyApproved: false },
  (c) => {
    chunks.push(c);
  },
);
writeFileSync(join(outDir, 'export.zip'), Buffer.concat(chunks));

const masks: { frame: number; objId: string; number: number; mask: string }[] = [];
for (let frame = 0; frame < s.numFrames; frame++) {
  s.objects.forEach((o, k) => {
    const m = s.truth(frame, o.id);
    if (m !== undefined)
      masks.push({ frame, objId: o.id, number: k + 1, mask: Buffer.from(m).toString('base64') });
  });
}
const truth = {
  width: s.width,
  height: s.height,
  numFrames: s.numFrames,
  emptyFrames: EMPTY_FRAMES,
  objects: s.objects.map((o, k) => ({
    number: k + 1,
    id: o.id,
    className: o.className,
    instanceName: o.instanceName,
  })),
  masks,
};
writeFileSync(join(outDir, 'truth.json'), JSON.stringify(truth));
console.log(`wrote ${join(outDir, 'export.zip')} and truth.json (${masks.length} masks)`);
