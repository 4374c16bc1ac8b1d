import { describe, expect, it } from 'vitest';
import {
  commentSchema,
  jobSchema,
  maskSchema,
  metaSchema,
  objectSchema,
  PENDING_REVIEW,
  promptSchema,
} from './records.js';
import { normalizedBoxSchema } from '../fields.js';
import {
  commentRecord,
  jobRecord,
  maskRecord,
  metaInit,
  oid,
  objectInit,
  pointsPrompt,
} from '../test/docFixtures.js';

const ok = (schema: { safeParse: (v: unknown) => { success: boolean } }, v: unknown) =>
  schema.safeParse(v).success;

describe('record schemas', () => {
  it('accept the fixtures', () => {
    expect(ok(metaSchema, { ...metaInit(), schemaVersion: 1, chunkSize: 64 })).toBe(true);
    expect(ok(objectSchema, { ...objectInit(), review: PENDING_REVIEW })).toBe(true);
    expect(ok(promptSchema, pointsPrompt(oid('o1'), 3))).toBe(true);
    expect(ok(jobSchema, jobRecord())).toBe(true);
    expect(ok(commentSchema, commentRecord())).toBe(true);
    expect(ok(maskSchema, maskRecord())).toBe(true);
  });

  it('meta: rejects non-positive sizes, fractional frame counts, missing fields', () => {
    const m = { ...metaInit(), schemaVersion: 1, chunkSize: 64 };
    expect(ok(metaSchema, { ...m, width: 0 })).toBe(false);
    expect(ok(metaSchema, { ...m, numFrames: 1.5 })).toBe(false);
    expect(ok(metaSchema, { ...m, fps: 0 })).toBe(false);
    expect(ok(metaSchema, { ...m, chunkSize: 0 })).toBe(false);
    expect(ok(metaSchema, { ...m, videoId: 'has space' })).toBe(false);
    const { title: _t, ...noTitle } = m;
    expect(ok(metaSchema, noTitle)).toBe(false);
  });

  it('object: color, ids, review status', () => {
    const o = { ...objectInit(), review: PENDING_REVIEW };
    expect(ok(objectSchema, { ...o, color: 'red' })).toBe(false);
    expect(ok(objectSchema, { ...o, color: '#ff880' })).toBe(false);
    expect(ok(objectSchema, { ...o, color: '#AbCdEf' })).toBe(true);
    expect(ok(objectSchema, { ...o, createdBy: '' })).toBe(false);
    expect(ok(objectSchema, { ...o, createdAt: -1 })).toBe(false);
    expect(ok(objectSchema, { ...o, review: { ...PENDING_REVIEW, status: 'maybe' } })).toBe(false);
    expect(ok(objectSchema, { ...o, review: { status: 'approved', by: 'bob', at: 5, note: 'ok' } })).toBe(
      true,
    );
  });

  it('prompt: one shape per kind, normalized coordinates, labels 0|1', () => {
    const p = pointsPrompt(oid('o1'), 3);
    const base = { objId: 'o1', frame: 3, by: 'alice', at: 1, status: 'queued' };
    expect(ok(promptSchema, { ...p, points: [] })).toBe(false);
    expect(ok(promptSchema, { ...p, points: [{ x: 1.01, y: 0.5, label: 1 }] })).toBe(false);
    expect(ok(promptSchema, { ...p, points: [{ x: 0.5, y: -0.01, label: 1 }] })).toBe(false);
    expect(ok(promptSchema, { ...p, points: [{ x: 0.5, y: 0.5, label: 2 }] })).toBe(false);
    expect(ok(promptSchema, { ...p, points: [{ x: 0.5, y: 0.5, label: true }] })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'box', box: [0.1, 0.2, 0.3, 0.4] })).toBe(true);
    expect(ok(promptSchema, { ...base, kind: 'box', box: [0.3, 0.3, 0.7, 0.7] })).toBe(true);
    expect(ok(promptSchema, { ...base, kind: 'box', box: [0.5, 0.5, 0.6, 0.1] })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'box', box: [0.1, 0.1, 0, 0.1] })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'box', box: [0.1, 0.1, 0.1] })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'text', text: 'dog' })).toBe(true);
    expect(ok(promptSchema, { ...base, kind: 'text', text: '   ' })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'lasso' })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'text', text: 'dog', frame: -1 })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'text', text: 'dog', status: 'weird' })).toBe(false);
    expect(ok(promptSchema, { ...base, kind: 'text', text: 'dog', status: 'failed', error: 'OOM' })).toBe(
      true,
    );
  });

  it('box: brands and keeps the tuple', () => {
    const r = normalizedBoxSchema.safeParse([0.1, 0.2, 0.3, 0.4]);
    expect(r.success && r.data).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('job: progress bounds and enums', () => {
    expect(ok(jobSchema, jobRecord({ framesDone: 301 }))).toBe(false);
    expect(ok(jobSchema, jobRecord({ framesDone: 300, status: 'done' }))).toBe(true);
    expect(ok(jobSchema, { ...jobRecord(), direction: 'sideways' })).toBe(false);
    expect(ok(jobSchema, { ...jobRecord(), kind: 'segment' })).toBe(false);
    expect(ok(jobSchema, { ...jobRecord(), status: 'cancelled', workerId: 'w-1' })).toBe(true);
    expect(ok(jobSchema, { ...jobRecord(), objIds: ['o1', 'bad id'] })).toBe(false);
  });

  it('comment: x and y together, non-blank text', () => {
    expect(ok(commentSchema, commentRecord({ x: 0.5, y: 0.5, objId: oid('o1') }))).toBe(true);
    expect(ok(commentSchema, commentRecord({ x: 0.5 }))).toBe(false);
    expect(ok(commentSchema, commentRecord({ text: '' }))).toBe(false);
    expect(ok(commentSchema, { ...commentRecord(), resolved: 'no' })).toBe(false);
  });

  it('mask: RLE charset, integer pixel box, finite score, known source', () => {
    expect(ok(maskSchema, maskRecord({ rle: '' }))).toBe(false);
    expect(ok(maskSchema, maskRecord({ rle: 'abc{' }))).toBe(false);
    expect(ok(maskSchema, maskRecord({ rle: 'ab c' }))).toBe(false);
    expect(ok(maskSchema, { ...maskRecord(), bbox: [1.5, 0, 1, 1] })).toBe(false);
    expect(ok(maskSchema, { ...maskRecord(), bbox: [0, 0, 1] })).toBe(false);
    expect(ok(maskSchema, { ...maskRecord(), score: Number.NaN })).toBe(false);
    expect(ok(maskSchema, { ...maskRecord(), score: Infinity })).toBe(false);
    expect(ok(maskSchema, { ...maskRecord(), source: 'magic' })).toBe(false);
    expect(ok(maskSchema, { ...maskRecord(), area: -1 })).toBe(false);
  });

  it('strip unknown keys instead of failing (foreign extra fields are tolerated on read)', () => {
    const r = maskSchema.safeParse({ ...maskRecord(), extra: 1 });
    expect(r.success).toBe(true);
    expect(r.success && 'extra' in r.data).toBe(false);
  });
});
