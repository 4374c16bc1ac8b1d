import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { InvalidRecord } from './errors.js';
import type { MaskChange } from './MaskChunkDoc.js';
import { MaskChunkDoc } from './MaskChunkDoc.js';
import { maskKey, parseMaskKey } from './maskKeys.js';
import type { MaskRecord } from './records.js';
import { fr, maskRecord, oid } from '../test/docFixtures.js';

function setup(chunk = 1, options: ConstructorParameters<typeof MaskChunkDoc>[2] = {}) {
  const doc = new Y.Doc();
  const chunkDoc = new MaskChunkDoc(doc, chunk, options);
  const updates: unknown[] = [];
  doc.on('update', (_u: Uint8Array, origin: unknown) => updates.push(origin));
  return { doc, chunkDoc, updates };
}

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `not a DocError: ${String(e)}`;
  }
  return undefined;
};

describe('mask keys', () => {
  it('formats and parses "<frame>/<objId>" strictly', () => {
    expect(maskKey(fr(70), oid('o1'))).toBe('70/o1');
    expect(parseMaskKey('70/o1')).toEqual({ frame: 70, objId: 'o1' });
    expect(parseMaskKey('0/a-b_C')).toEqual({ frame: 0, objId: 'a-b_C' });
    for (const bad of [
      '70',
      '/o1',
      '70/',
      '070/o1',
      '-1/o1',
      '1.5/o1',
      '70/o 1',
      '70/o1/x',
      'x/o1',
      ' 70/o1',
    ]) {
      expect(parseMaskKey(bad)).toBeNull();
    }
  });
});

describe('MaskChunkDoc', () => {
  it('knows its frame range', () => {
    const { chunkDoc } = setup(1);
    expect(chunkDoc.range).toEqual({ start: 64, end: 128 });
    expect(chunkDoc.holds(64)).toBe(true);
    expect(chunkDoc.holds(127)).toBe(true);
    expect(chunkDoc.holds(63)).toBe(false);
    expect(chunkDoc.holds(128)).toBe(false);
    expect(new MaskChunkDoc(new Y.Doc(), 2, { chunkSize: 10 }).range).toEqual({ start: 20, end: 30 });
    expect(code(() => new MaskChunkDoc(new Y.Doc(), -1))).toBe('INVALID_ARGUMENT');
    expect(code(() => new MaskChunkDoc(new Y.Doc(), 0, { chunkSize: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('sets and gets masks under "<frame>/<objId>"', () => {
    const { chunkDoc, doc } = setup();
    const m = maskRecord();
    chunkDoc.setMask(fr(70), oid('o1'), m);
    expect(chunkDoc.getMask(fr(70), oid('o1'))).toEqual(m);
    expect(doc.getMap('masks').get('70/o1')).toEqual(m);
    expect(chunkDoc.getMask(fr(70), oid('o2'))).toBeUndefined();
    expect(chunkDoc.getMask(fr(3), oid('o1'))).toBeUndefined();
  });

  it('writes one frame of several objects as one transaction', () => {
    const { chunkDoc, updates } = setup();
    const masks = new Map([
      [oid('a'), maskRecord({ area: 1 })],
      [oid('b'), maskRecord({ area: 2 })],
      [oid('c'), maskRecord({ area: 3, source: 'propagation', ref: 'j1' })],
    ]);
    chunkDoc.setFrameMasks(fr(80), masks, 'worker');
    expect(updates).toEqual(['worker']);
    const back = chunkDoc.masksOfFrame(fr(80));
    expect(back).toEqual(masks);
    expect(chunkDoc.masksOfFrame(fr(81)).size).toBe(0);
  });

  it('rejects a batch with any bad entry before touching the doc', () => {
    const { chunkDoc, updates } = setup();
    const good = maskRecord();
    expect(
      code(() =>
        chunkDoc.setFrameMasks(fr(80), [
          [oid('a'), good],
          [oid('b'), { ...good, rle: 'not rle!' }],
        ]),
      ),
    ).toBe('INVALID_RECORD');
    expect(code(() => chunkDoc.setMask(fr(128), oid('a'), good))).toBe('FRAME_OUT_OF_CHUNK');
    expect(code(() => chunkDoc.setMask(fr(63), oid('a'), good))).toBe('FRAME_OUT_OF_CHUNK');
    expect(code(() => chunkDoc.setMask(fr(-1), oid('a'), good))).toBe('INVALID_ARGUMENT');
    expect(code(() => chunkDoc.setMask(fr(70), oid('a/b'), good))).toBe('INVALID_ARGUMENT');
    expect(
      code(() =>
        chunkDoc.setMasks([
          { frame: fr(64), objId: oid('a'), mask: good },
          { frame: fr(200), objId: oid('a'), mask: good },
        ]),
      ),
    ).toBe('FRAME_OUT_OF_CHUNK');
    expect(updates).toHaveLength(0);
    expect(chunkDoc.size).toBe(0);
  });

  it('does not rewrite an identical mask', () => {
    const { chunkDoc, updates } = setup();
    chunkDoc.setMask(fr(70), oid('a'), maskRecord());
    chunkDoc.setMask(fr(70), oid('a'), maskRecord());
    expect(updates).toHaveLength(1);
    chunkDoc.setMask(fr(70), oid('a'), maskRecord({ score: 0.5 }));
    expect(updates).toHaveLength(2);
  });

  it('lists frames, object masks and entries in order', () => {
    const { chunkDoc } = setup();
    chunkDoc.setMasks([
      { frame: fr(90), objId: oid('b'), mask: maskRecord() },
      { frame: fr(65), objId: oid('b'), mask: maskRecord() },
      { frame: fr(90), objId: oid('a'), mask: maskRecord() },
      { frame: fr(100), objId: oid('a'), mask: maskRecord() },
    ]);
    expect(chunkDoc.frames()).toEqual([65, 90, 100]);
    expect(chunkDoc.entries().map((e) => `${e.frame}/${e.objId}`)).toEqual(['65/b', '90/a', '90/b', '100/a']);
    expect([...chunkDoc.masksOfObject(oid('a')).keys()].sort()).toEqual([100, 90]);
  });

  it('deletes one mask, an object’s masks and a frame’s masks', () => {
    const { chunkDoc, updates } = setup();
    for (const f of [64, 65, 66]) {
      chunkDoc.setFrameMasks(fr(f), [
        [oid('a'), maskRecord()],
        [oid('b'), maskRecord()],
      ]);
    }
    // an object id that is a prefix of another must not match
    chunkDoc.setMask(fr(64), oid('ab'), maskRecord());
    const n = updates.length;
    expect(chunkDoc.deleteObjectMasks(oid('a'), 'server')).toBe(3);
    expect(updates.length).toBe(n + 1);
    expect(updates.at(-1)).toBe('server');
    expect(chunkDoc.getMask(fr(64), oid('ab'))).toBeDefined();
    expect(chunkDoc.deleteFrameMasks(fr(65))).toBe(1);
    expect(chunkDoc.entries().map((e) => `${e.frame}/${e.objId}`)).toEqual(['64/ab', '64/b', '66/b']);
    expect(chunkDoc.deleteMask(fr(66), oid('b'))).toBe(true);
    expect(chunkDoc.deleteMask(fr(66), oid('b'))).toBe(false);
    expect(chunkDoc.deleteObjectMasks(oid('zzz'))).toBe(0);
    expect(code(() => chunkDoc.deleteFrameMasks(fr(5)))).toBe('FRAME_OUT_OF_CHUNK');
    expect(chunkDoc.clear()).toBe(2);
    expect(chunkDoc.size).toBe(0);
  });

  it('skips and reports bad entries: foreign keys, frames of another chunk, garbled records', () => {
    const seen: InvalidRecord[] = [];
    const { chunkDoc, doc } = setup(1, { onInvalid: (r) => seen.push(r) });
    chunkDoc.setMask(fr(70), oid('a'), maskRecord());
    const raw = doc.getMap<unknown>('masks');
    raw.set('70/b', { ...maskRecord(), bbox: 'everywhere' });
    raw.set('3/a', maskRecord()); // frame of chunk 0
    raw.set('hello', maskRecord());
    raw.set('70/c', 12);
    expect(chunkDoc.masksOfFrame(fr(70))).toEqual(new Map([[oid('a'), maskRecord()]]));
    expect(seen.map((r) => r.key).sort()).toEqual(['70/b', '70/c']);
    seen.length = 0;
    expect(chunkDoc.entries().map((e) => e.objId)).toEqual(['a']);
    expect(seen.map((r) => r.key).sort()).toEqual(['3/a', '70/b', '70/c', 'hello']);
    expect(seen.every((r) => r.doc === 'masks' && r.map === 'masks' && r.issues.length > 0)).toBe(true);
    expect(chunkDoc.frames()).toEqual([70]);
    expect(chunkDoc.invalidRecords()).toHaveLength(4);
    expect(chunkDoc.getMask(fr(70), oid('b'))).toBeUndefined();
  });

  it('observes changed frame/object keys per transaction, with origin', () => {
    const { chunkDoc, doc } = setup();
    const calls: { changes: MaskChange[]; origin: unknown; local: boolean }[] = [];
    const stop = chunkDoc.observeMasks((changes, info) => calls.push({ changes: [...changes], ...info }));
    chunkDoc.setFrameMasks(
      fr(70),
      [
        [oid('a'), maskRecord()],
        [oid('b'), maskRecord()],
      ],
      'w',
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]?.origin).toBe('w');
    expect(calls[0]?.local).toBe(true);
    expect(calls[0]?.changes.sort((x, y) => x.objId.localeCompare(y.objId))).toEqual([
      { frame: 70, objId: 'a', action: 'add' },
      { frame: 70, objId: 'b', action: 'add' },
    ]);
    chunkDoc.setMask(fr(70), oid('a'), maskRecord({ area: 5 }));
    expect(calls[1]?.changes).toEqual([{ frame: 70, objId: 'a', action: 'update' }]);
    chunkDoc.deleteObjectMasks(oid('b'));
    expect(calls[2]?.changes).toEqual([{ frame: 70, objId: 'b', action: 'delete' }]);
    doc.getMap('masks').set('not-a-key', 1);
    expect(calls).toHaveLength(3);
    stop();
    chunkDoc.setMask(fr(71), oid('a'), maskRecord());
    expect(calls).toHaveLength(3);
  });

  it('uses the default origin from options', () => {
    const { chunkDoc, updates } = setup(0, { origin: 'me' });
    chunkDoc.setMask(fr(0), oid('a'), maskRecord());
    chunkDoc.setMask(fr(1), oid('a'), maskRecord(), 'other');
    expect(updates).toEqual(['me', 'other']);
  });

  it('stores a copy: later edits of the caller’s record do not leak in', () => {
    const { chunkDoc } = setup();
    const m = { ...maskRecord() } as { -readonly [K in keyof MaskRecord]: MaskRecord[K] };
    chunkDoc.setMask(fr(70), oid('a'), m);
    m.area = 1;
    expect(chunkDoc.getMask(fr(70), oid('a'))?.area).toBe(800);
  });
});
