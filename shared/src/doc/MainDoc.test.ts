import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { InvalidRecord } from './errors.js';
import { MainDoc } from './MainDoc.js';
import type { ObjectChange } from './ObjectStore.js';
import type { RecordChange } from './RecordMap.js';
import type { PromptRecord } from './records.js';
import { PENDING_REVIEW } from './records.js';
import { initMainDoc } from './schemaCheck.js';
import {
  ALICE,
  BOB,
  T0,
  cid,
  commentRecord,
  fr,
  jid,
  jobRecord,
  metaInit,
  oid,
  objectInit,
  pid,
  pointsPrompt,
} from '../test/docFixtures.js';

/** A fresh initialized main doc, plus a counter of the doc's update events. */
function setup(options: ConstructorParameters<typeof MainDoc>[1] = {}) {
  const doc = new Y.Doc();
  initMainDoc(doc, metaInit());
  const main = new MainDoc(doc, options);
  const updates: { origin: unknown }[] = [];
  doc.on('update', (_u: Uint8Array, origin: unknown) => updates.push({ origin }));
  return { doc, main, updates };
}

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `not a DocError: ${String(e)}`;
  }
  return undefined;
};

describe('MainDoc meta', () => {
  it('reads meta written by initMainDoc', () => {
    const { main } = setup();
    expect(main.requireMeta()).toEqual({ ...metaInit(), schemaVersion: 1, chunkSize: 64 });
    expect(main.getMeta()?.numFrames).toBe(300);
  });

  it('has no meta on a fresh doc', () => {
    const main = new MainDoc(new Y.Doc());
    expect(main.getMeta()).toBeUndefined();
    expect(main.isEmpty()).toBe(true);
    expect(code(() => main.requireMeta())).toBe('SCHEMA_MISSING');
  });

  it('reports garbled meta instead of returning it', () => {
    const doc = new Y.Doc();
    initMainDoc(doc, metaInit());
    doc.getMap('meta').set('width', 'wide');
    const seen: InvalidRecord[] = [];
    const main = new MainDoc(doc, { onInvalid: (r) => seen.push(r) });
    expect(main.getMeta()).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ doc: 'main', map: 'meta', key: '' });
    expect(seen[0]?.issues.join()).toContain('width');
    expect(code(() => main.requireMeta())).toBe('SCHEMA_INVALID');
  });

  it('updates the title, writing only the changed key, and refuses fixed or bad fields', () => {
    const { main, updates } = setup();
    const keys: string[][] = [];
    main.observeMeta((k) => keys.push([...k]));
    main.updateMeta({ title: 'renamed' });
    expect(main.requireMeta().title).toBe('renamed');
    expect(keys).toEqual([['title']]);
    main.updateMeta({ title: 'renamed' });
    expect(updates).toHaveLength(1);
    expect(code(() => main.updateMeta({ schemaVersion: 2 } as never))).toBe('INVALID_RECORD');
    expect(code(() => main.updateMeta({ chunkSize: 32 } as never))).toBe('INVALID_RECORD');
    expect(code(() => main.updateMeta({ width: -5 }))).toBe('INVALID_RECORD');
    expect(code(() => main.updateMeta({ title: 'x', bogus: 1 } as never))).toBe('INVALID_RECORD');
    expect(code(() => main.updateMeta({ toString: 'x' } as never))).toBe('INVALID_RECORD');
    expect(main.requireMeta().width).toBe(1920);
    expect(main.requireMeta().title).toBe('renamed');
    expect(updates).toHaveLength(1);
    expect(code(() => new MainDoc(new Y.Doc()).updateMeta({ title: 'x' }))).toBe('SCHEMA_MISSING');
  });

  it('updates a meta field even while another field is unreadable', () => {
    const { main, doc } = setup();
    doc.getMap('meta').delete('fps');
    main.updateMeta({ title: 'still works' });
    expect(doc.getMap('meta').get('title')).toBe('still works');
  });
});

describe('MainDoc objects', () => {
  it('creates, reads and lists objects with a pending review by default', () => {
    const { main } = setup();
    const stored = main.objects.create(oid('o1'), objectInit());
    expect(stored.review).toEqual(PENDING_REVIEW);
    main.objects.create(oid('o2'), objectInit({ className: 'car', color: '#00ff00' }));
    expect(main.objects.get(oid('o1'))).toEqual({ ...objectInit(), review: PENDING_REVIEW });
    expect([...main.objects.list().keys()].sort()).toEqual(['o1', 'o2']);
    expect(main.objects.get(oid('nope'))).toBeUndefined();
    expect(main.doc.getMap('objects').get('o1')).toBeInstanceOf(Y.Map);
  });

  it('refuses duplicates, bad ids and bad records without touching the doc', () => {
    const { main, updates } = setup();
    main.objects.create(oid('o1'), objectInit());
    expect(updates).toHaveLength(1);
    expect(code(() => main.objects.create(oid('o1'), objectInit()))).toBe('ALREADY_EXISTS');
    expect(code(() => main.objects.create(oid('bad id'), objectInit()))).toBe('INVALID_ARGUMENT');
    expect(code(() => main.objects.create(oid('o2'), objectInit({ color: 'blue' })))).toBe('INVALID_RECORD');
    expect(updates).toHaveLength(1);
    expect(main.objects.has(oid('o2'))).toBe(false);
  });

  it('updates only the fields that changed', () => {
    const { main, doc, updates } = setup();
    main.objects.create(oid('o1'), objectInit());
    const fields = doc.getMap('objects').get('o1') as Y.Map<unknown>;
    const keysChanged: string[][] = [];
    fields.observe((e) => keysChanged.push([...e.keysChanged].sort()));
    main.objects.update(oid('o1'), { className: 'person', instanceName: 'walker', color: '#112233' });
    expect(keysChanged).toEqual([['color', 'instanceName']]);
    main.objects.update(oid('o1'), { instanceName: 'walker' });
    expect(updates).toHaveLength(2);
    const review = { status: 'approved', by: BOB, at: T0 + 5, note: 'good' } as const;
    main.objects.update(oid('o1'), { review });
    expect(main.objects.get(oid('o1'))).toEqual({
      ...objectInit(),
      instanceName: 'walker',
      color: '#112233',
      review,
    });
  });

  it('rejects bad updates atomically', () => {
    const { main, updates } = setup();
    main.objects.create(oid('o1'), objectInit());
    expect(code(() => main.objects.update(oid('o1'), { instanceName: 'x', color: 'nope' }))).toBe(
      'INVALID_RECORD',
    );
    expect(code(() => main.objects.update(oid('o1'), { createdBy: BOB } as never))).toBe('INVALID_RECORD');
    expect(code(() => main.objects.update(oid('o1'), { review: { status: 'approved' } as never }))).toBe(
      'INVALID_RECORD',
    );
    expect(code(() => main.objects.update(oid('missing'), { className: 'x' }))).toBe('NOT_FOUND');
    expect(main.objects.get(oid('o1'))?.instanceName).toBe('runner');
    expect(updates).toHaveLength(1);
  });

  it('deletes an object with its prompts in one transaction', () => {
    const { main, updates } = setup();
    main.objects.create(oid('o1'), objectInit());
    main.objects.create(oid('o2'), objectInit());
    main.prompts.put(pid('p1'), pointsPrompt(oid('o1'), 1));
    main.prompts.put(pid('p2'), pointsPrompt(oid('o2'), 1));
    main.prompts.put(pid('p3'), pointsPrompt(oid('o1'), 2));
    main.doc.getMap('prompts').set('p4', { objId: 'o1', garbage: true });
    const before = updates.length;
    expect(main.objects.delete(oid('o1'))).toBe(true);
    expect(updates.length).toBe(before + 1);
    expect(main.objects.has(oid('o1'))).toBe(false);
    expect([...main.prompts.list().keys()]).toEqual(['p2']);
    expect(main.doc.getMap('prompts').has('p4')).toBe(false);
    expect(main.objects.delete(oid('o1'))).toBe(false);
  });

  it('skips and reports unreadable objects but returns the rest', () => {
    const { main, doc } = setup();
    const seen: InvalidRecord[] = [];
    const reader = new MainDoc(doc, { onInvalid: (r) => seen.push(r) });
    main.objects.create(oid('good'), objectInit());
    const objects = doc.getMap<unknown>('objects');
    objects.set('plain', { ...objectInit(), review: PENDING_REVIEW });
    const bad = new Y.Map<unknown>();
    objects.set('badcolor', bad);
    for (const [k, v] of Object.entries({ ...objectInit(), review: PENDING_REVIEW })) bad.set(k, v);
    bad.set('color', 42);
    objects.set('bad key!', new Y.Map());
    const list = reader.objects.list();
    expect([...list.keys()]).toEqual(['good']);
    expect(seen.map((r) => r.key).sort()).toEqual(['bad key!', 'badcolor', 'plain']);
    expect(seen.find((r) => r.key === 'badcolor')?.issues.join()).toContain('color');
    expect(reader.objects.get(oid('badcolor'))).toBeUndefined();
    expect(
      main
        .invalidRecords()
        .map((r) => `${r.map}:${r.key}`)
        .sort(),
    ).toEqual(['objects:bad key!', 'objects:badcolor', 'objects:plain']);
    // an unreadable object can be repaired field by field
    main.objects.update(oid('badcolor'), { color: '#000000' });
    expect(main.objects.get(oid('badcolor'))?.color).toBe('#000000');
  });

  it('observes adds, field updates and deletes with the right keys', () => {
    const { main, doc } = setup();
    const calls: { changes: ObjectChange[]; origin: unknown; local: boolean }[] = [];
    const stop = main.objects.observe((changes, info) => calls.push({ changes: [...changes], ...info }));
    main.objects.create(oid('o1'), objectInit(), 'me');
    expect(calls.at(-1)).toEqual({ changes: [{ id: 'o1', action: 'add' }], origin: 'me', local: true });
    main.objects.update(oid('o1'), { className: 'dog', color: '#123456' });
    expect(calls.at(-1)?.changes).toEqual([{ id: 'o1', action: 'update', fields: ['className', 'color'] }]);
    main.objects.create(oid('o2'), objectInit());
    main.transact(() => {
      main.objects.update(oid('o2'), { instanceName: 'b' });
      main.objects.delete(oid('o1'));
    });
    expect(calls.at(-1)?.changes).toEqual(
      expect.arrayContaining([
        { id: 'o1', action: 'delete' },
        { id: 'o2', action: 'update', fields: ['instanceName'] },
      ]),
    );
    expect(calls.at(-1)?.changes).toHaveLength(2);
    const n = calls.length;
    stop();
    main.objects.update(oid('o2'), { instanceName: 'c' });
    expect(calls).toHaveLength(n);
    // remote changes arrive with the applier's origin and local = false
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const remote = new MainDoc(other);
    const remoteCalls: { changes: readonly ObjectChange[]; local: boolean; origin: unknown }[] = [];
    remote.objects.observe((changes, info) => remoteCalls.push({ changes, ...info }));
    const sv = Y.encodeStateVector(other);
    main.objects.update(oid('o2'), { color: '#abcdef' });
    main.objects.create(oid('o3'), objectInit());
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc, sv), 'provider');
    expect(remoteCalls).toHaveLength(1);
    expect(remoteCalls[0]?.local).toBe(false);
    expect(remoteCalls[0]?.origin).toBe('provider');
    expect([...(remoteCalls[0]?.changes ?? [])].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'o2', action: 'update', fields: ['color'] },
      { id: 'o3', action: 'add' },
    ]);
  });
});

describe('MainDoc prompts, jobs, comments', () => {
  it('puts, gets, lists, updates status and deletes prompts', () => {
    const { main } = setup();
    const p = pointsPrompt(oid('o1'), 5);
    main.prompts.put(pid('p1'), p);
    expect(main.prompts.get(pid('p1'))).toEqual(p);
    main.prompts.update(pid('p1'), { status: 'failed', error: 'worker died' });
    expect(main.prompts.get(pid('p1'))).toMatchObject({ status: 'failed', error: 'worker died' });
    main.prompts.update(pid('p1'), { status: 'running', error: undefined });
    const back = main.prompts.get(pid('p1'));
    expect(back?.status).toBe('running');
    expect(back !== undefined && 'error' in back).toBe(false);
    expect(main.prompts.list().size).toBe(1);
    expect(main.prompts.delete(pid('p1'))).toBe(true);
    expect(main.prompts.delete(pid('p1'))).toBe(false);
    expect(main.prompts.get(pid('p1'))).toBeUndefined();
  });

  it('stores box and text prompts', () => {
    const { main } = setup();
    const common = { objId: oid('o1'), frame: fr(0), by: ALICE, at: T0, status: 'queued' } as const;
    main.prompts.put(pid('b'), {
      ...common,
      kind: 'box',
      box: [0.1, 0.1, 0.5, 0.5],
    } as unknown as PromptRecord);
    main.prompts.put(pid('t'), { ...common, kind: 'text', text: 'player in red' });
    expect(main.prompts.get(pid('b'))).toMatchObject({ kind: 'box', box: [0.1, 0.1, 0.5, 0.5] });
    expect(main.prompts.get(pid('t'))).toMatchObject({ kind: 'text', text: 'player in red' });
  });

  it('rejects bad prompts, bad ids, out-of-range frames and updates of missing prompts', () => {
    const { main, updates } = setup();
    expect(
      code(() => main.prompts.put(pid('p1'), { ...pointsPrompt(oid('o1'), 1), points: [] } as PromptRecord)),
    ).toBe('INVALID_RECORD');
    expect(code(() => main.prompts.put(pid('p 1'), pointsPrompt(oid('o1'), 1)))).toBe('INVALID_ARGUMENT');
    expect(code(() => main.prompts.put(pid('p1'), pointsPrompt(oid('o1'), 300)))).toBe('FRAME_OUT_OF_RANGE');
    expect(code(() => main.prompts.update(pid('nope'), { status: 'done' }))).toBe('NOT_FOUND');
    main.prompts.put(pid('p1'), pointsPrompt(oid('o1'), 299));
    expect(code(() => main.prompts.update(pid('p1'), { status: 'bogus' as never }))).toBe('INVALID_RECORD');
    expect(main.prompts.get(pid('p1'))?.status).toBe('queued');
    expect(updates).toHaveLength(1);
  });

  it('does not alias caller objects or returned records', () => {
    const { main } = setup();
    const p = pointsPrompt(oid('o1'), 1) as Extract<PromptRecord, { kind: 'points' }>;
    main.prompts.put(pid('p1'), p);
    (p.points as unknown as { x: number }[])[0]!.x = 0.99;
    const got = main.prompts.get(pid('p1')) as Extract<PromptRecord, { kind: 'points' }>;
    expect(got.points[0]?.x).toBe(0.25);
    (got as { status: string }).status = 'done';
    expect(main.prompts.get(pid('p1'))?.status).toBe('queued');
  });

  it('tracks job progress and skips no-op writes', () => {
    const { main, updates } = setup();
    main.jobs.put(jid('j1'), jobRecord());
    main.jobs.update(jid('j1'), { status: 'running', workerId: 'w1' as never, framesDone: 10 });
    expect(main.jobs.get(jid('j1'))).toMatchObject({ status: 'running', workerId: 'w1', framesDone: 10 });
    const n = updates.length;
    main.jobs.update(jid('j1'), { framesDone: 10 });
    expect(updates.length).toBe(n);
    expect(code(() => main.jobs.update(jid('j1'), { framesDone: 301 }))).toBe('INVALID_RECORD');
    expect(code(() => main.jobs.put(jid('j2'), jobRecord({ startFrame: fr(300) })))).toBe(
      'FRAME_OUT_OF_RANGE',
    );
    main.jobs.update(jid('j1'), { status: 'done', framesDone: 300 });
    expect(main.jobs.get(jid('j1'))?.status).toBe('done');
  });

  it('resolves comments', () => {
    const { main } = setup();
    main.comments.put(cid('c1'), commentRecord({ x: 0.1, y: 0.2, objId: oid('o1') }));
    main.comments.update(cid('c1'), { resolved: true });
    expect(main.comments.get(cid('c1'))).toEqual(
      commentRecord({ x: 0.1, y: 0.2, objId: oid('o1'), resolved: true }),
    );
    expect(code(() => main.comments.update(cid('c1'), { x: undefined }))).toBe('INVALID_RECORD');
  });

  it('skips unreadable records in lists and reports them', () => {
    const { main, doc } = setup();
    const seen: string[] = [];
    const reader = new MainDoc(doc, { onInvalid: (r) => seen.push(`${r.map}:${r.key}`) });
    main.jobs.put(jid('j1'), jobRecord());
    doc.getMap('jobs').set('j2', { ...jobRecord(), framesDone: 'lots' });
    doc.getMap('jobs').set('j3', 'not a record');
    doc.getMap('jobs').set('j 4', jobRecord());
    expect([...reader.jobs.list().keys()]).toEqual(['j1']);
    expect(seen.sort()).toEqual(['jobs:j 4', 'jobs:j2', 'jobs:j3']);
    expect(reader.jobs.get(jid('j2'))).toBeUndefined();
    expect(code(() => reader.jobs.update(jid('j2'), { framesDone: 1 }))).toBe('NOT_FOUND');
    expect(main.invalidRecords()).toHaveLength(3);
  });

  it('observes record changes with ids and actions', () => {
    const { main } = setup();
    const calls: RecordChange<string>[][] = [];
    main.prompts.observe((changes) => calls.push([...changes]));
    main.prompts.put(pid('p1'), pointsPrompt(oid('o1'), 1));
    main.prompts.update(pid('p1'), { status: 'done' });
    main.transact(() => {
      main.prompts.put(pid('p2'), pointsPrompt(oid('o1'), 2));
      main.prompts.delete(pid('p1'));
    });
    expect(calls).toEqual([
      [{ id: 'p1', action: 'add' }],
      [{ id: 'p1', action: 'update' }],
      expect.arrayContaining([
        { id: 'p1', action: 'delete' },
        { id: 'p2', action: 'add' },
      ]),
    ]);
  });
});

describe('MainDoc origins and transactions', () => {
  it('uses the default origin, lets a call override it, and batches with transact', () => {
    const LOCAL = { user: 'alice' };
    const { main, updates } = setup({ origin: LOCAL });
    main.objects.create(oid('o1'), objectInit());
    main.prompts.put(pid('p1'), pointsPrompt(oid('o1'), 1), 'server');
    const result = main.transact(() => {
      main.objects.update(oid('o1'), { className: 'a' });
      main.comments.put(cid('c1'), commentRecord());
      main.jobs.put(jid('j1'), jobRecord());
      return 7;
    }, 'batch');
    expect(result).toBe(7);
    expect(updates.map((u) => u.origin)).toEqual([LOCAL, 'server', 'batch']);
  });

  it('lets an UndoManager track only the accessor origin', () => {
    const LOCAL = { user: 'alice' };
    const { main, doc } = setup({ origin: LOCAL });
    const um = new Y.UndoManager([doc.getMap('objects'), doc.getMap('prompts')], {
      trackedOrigins: new Set([LOCAL]),
    });
    main.objects.create(oid('o1'), objectInit());
    um.stopCapturing();
    main.prompts.put(pid('p1'), pointsPrompt(oid('o1'), 1), 'server');
    main.objects.update(oid('o1'), { className: 'renamed' });
    um.undo();
    expect(main.objects.get(oid('o1'))?.className).toBe('person');
    expect(main.prompts.has(pid('p1'))).toBe(true);
  });
});
