import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MainDoc } from './MainDoc.js';
import type { MaskChange } from './MaskChunkDoc.js';
import { MaskChunkDoc } from './MaskChunkDoc.js';
import { initMainDoc } from './schemaCheck.js';
import { BOB, T0, fr, jid, jobRecord, maskRecord, metaInit, oid, objectInit } from '../test/docFixtures.js';

/** Applies every update of `a` to `b` and back, live, as a provider would (origin = 'remote'). */
function wire(a: Y.Doc, b: Y.Doc): void {
  a.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') Y.applyUpdate(b, u, 'remote');
  });
  b.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') Y.applyUpdate(a, u, 'remote');
  });
}

/** One round of state-vector sync in both directions (SyncStep1/2). */
function syncBoth(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, toB, 'remote');
  Y.applyUpdate(a, toA, 'remote');
}

function pair() {
  const a = new Y.Doc();
  initMainDoc(a, metaInit());
  const b = new Y.Doc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  return { a, b, A: new MainDoc(a), B: new MainDoc(b) };
}

describe('two docs syncing', () => {
  it('a fresh replica loads everything from encodeStateAsUpdate', () => {
    const a = new Y.Doc();
    initMainDoc(a, metaInit());
    const A = new MainDoc(a);
    A.objects.create(oid('o1'), objectInit());
    A.jobs.put(jid('j1'), jobRecord());
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(new MainDoc(b).view()).toEqual(A.view());
  });

  it('live update events carry accessor writes both ways', () => {
    const { a, b, A, B } = pair();
    wire(a, b);
    A.objects.create(oid('o1'), objectInit());
    expect(B.objects.get(oid('o1'))?.className).toBe('person');
    B.objects.update(oid('o1'), { className: 'cyclist' });
    expect(A.objects.get(oid('o1'))?.className).toBe('cyclist');
    B.jobs.put(jid('j1'), jobRecord());
    A.jobs.update(jid('j1'), { status: 'running', framesDone: 3 });
    expect(B.jobs.get(jid('j1'))).toMatchObject({ status: 'running', framesDone: 3 });
    A.objects.delete(oid('o1'));
    expect(B.objects.has(oid('o1'))).toBe(false);
    expect(B.view()).toEqual(A.view());
  });

  it('concurrent edits of different fields of one object both survive', () => {
    const { a, b, A, B } = pair();
    A.objects.create(oid('o1'), objectInit());
    syncBoth(a, b);
    // offline, concurrently
    A.objects.update(oid('o1'), { className: 'dog' });
    B.objects.update(oid('o1'), { color: '#0000ff' });
    B.objects.update(oid('o1'), { review: { status: 'approved', by: BOB, at: T0, note: '' } });
    syncBoth(a, b);
    const expected = {
      className: 'dog',
      color: '#0000ff',
      review: { status: 'approved', by: BOB, at: T0, note: '' },
    };
    expect(A.objects.get(oid('o1'))).toMatchObject(expected);
    expect(B.objects.get(oid('o1'))).toMatchObject(expected);
  });

  it('concurrent edits of the same field converge on one value', () => {
    const { a, b, A, B } = pair();
    A.objects.create(oid('o1'), objectInit());
    syncBoth(a, b);
    A.objects.update(oid('o1'), { className: 'dog' });
    B.objects.update(oid('o1'), { className: 'cat' });
    syncBoth(a, b);
    const name = A.objects.get(oid('o1'))?.className;
    expect(['dog', 'cat']).toContain(name);
    expect(B.objects.get(oid('o1'))?.className).toBe(name);
  });

  it('a delete concurrent with a field edit leaves the object deleted everywhere', () => {
    const { a, b, A, B } = pair();
    A.objects.create(oid('o1'), objectInit());
    syncBoth(a, b);
    A.objects.delete(oid('o1'));
    B.objects.update(oid('o1'), { className: 'zombie' });
    syncBoth(a, b);
    expect(A.objects.has(oid('o1'))).toBe(false);
    expect(B.objects.has(oid('o1'))).toBe(false);
    expect(A.invalidRecords()).toEqual([]);
    expect(B.invalidRecords()).toEqual([]);
  });

  it('mask chunk docs sync, and remote observers see the frame/object keys', () => {
    const server = new Y.Doc();
    const client = new Y.Doc();
    wire(server, client);
    const S = new MaskChunkDoc(server, 0, { origin: 'worker' });
    const C = new MaskChunkDoc(client, 0);
    const seen: { changes: readonly MaskChange[]; local: boolean; origin: unknown }[] = [];
    C.observeMasks((changes, info) => seen.push({ changes, ...info }));
    S.setFrameMasks(fr(5), [
      [oid('a'), maskRecord()],
      [oid('b'), maskRecord({ area: 7 })],
    ]);
    expect(C.masksOfFrame(fr(5))).toEqual(S.masksOfFrame(fr(5)));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ local: false, origin: 'remote' });
    expect(seen[0]?.changes.map((c) => `${c.frame}/${c.objId}:${c.action}`).sort()).toEqual([
      '5/a:add',
      '5/b:add',
    ]);
    C.deleteMask(fr(5), oid('a'));
    expect(S.getMask(fr(5), oid('a'))).toBeUndefined();
    expect(S.entries()).toEqual(C.entries());
  });

  it('updates can arrive out of order and still converge', () => {
    const a = new Y.Doc();
    const A = new MaskChunkDoc(a, 0);
    const updates: Uint8Array[] = [];
    a.on('update', (u: Uint8Array) => updates.push(u));
    A.setMask(fr(1), oid('x'), maskRecord());
    A.setMask(fr(1), oid('x'), maskRecord({ area: 2 }));
    A.deleteMask(fr(1), oid('x'));
    A.setMask(fr(2), oid('y'), maskRecord());
    const b = new Y.Doc();
    const B = new MaskChunkDoc(b, 0);
    for (const u of [...updates].reverse()) Y.applyUpdate(b, u);
    expect(B.entries()).toEqual(A.entries());
    expect(B.entries().map((e) => `${e.frame}/${e.objId}`)).toEqual(['2/y']);
    expect(Y.encodeStateVector(b)).toEqual(Y.encodeStateVector(a));
  });
});
