/**
 * The storage contract: one suite that every driver must pass (run by `pglite.test.ts` and
 * `postgres.test.ts`). One database per registration, shared by its tests, so each test uses
 * its own ids and measures global figures (list, totals) relative to what it created.
 */
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { MaskroomError, mainDocName, maskChunkDocName } from '@maskroom/shared';
import type { SessionId, UserId, VideoId } from '@maskroom/shared';
import { DocLog } from './DocLog.js';
import { docSnapshots, docUpdates, videos } from './schema.js';
import type { TestDatabase } from './testing.js';
import { VideoStore } from './VideoStore.js';
import type { VideoMeta } from './VideoStore.js';

let counter = 0;
/** A unique id for this run (ids are `[A-Za-z0-9_-]`). */
const uid = (prefix: string): string => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;
const vid = (): VideoId => uid('v') as VideoId;
const sid = (): SessionId => uid('s') as SessionId;
const USER = 'local' as UserId;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const META: VideoMeta = {
  width: 1080,
  height: 1920,
  numFrames: 300,
  sourceFps: 29.97,
  processingFps: 15,
  durationSec: 20.02,
  rotation: 90,
  codec: 'h264',
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  vfr: false,
  sourceBytes: 6_000_000_000, // over 2^32: bigint columns must carry it
  framesBytes: 123_456_789,
};

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<MaskroomError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${code} error, but it resolved`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MaskroomError);
  expect((error as MaskroomError).code).toBe(code);
  return error as MaskroomError;
}

function bytes(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

export function registerStoreContract(name: string, factory: () => Promise<TestDatabase>): void {
  describe(`storage contract: ${name}`, () => {
    let database: TestDatabase;
    let store: VideoStore;
    let log: DocLog;

    beforeAll(async () => {
      database = await factory();
      store = new VideoStore(database.db);
      log = new DocLog(database.db);
    }, 60_000);
    afterAll(async () => {
      await database?.dispose();
    });

    /** Count of log rows of one document, read directly. */
    async function rowsOf(docName: string): Promise<number> {
      return database.db.$count(docUpdates, eq(docUpdates.docName, docName));
    }

    async function readyVideo(opts: { session?: SessionId; docs?: boolean } = {}) {
      const id = vid();
      const session = opts.session ?? sid();
      await store.createIngesting({
        id,
        title: 't',
        originalName: 'a.mp4',
        createdBy: USER,
        instanceId: 'i1',
      });
      const done = await store.finishIngest(
        id,
        META,
        { id: session, createdBy: USER },
        { name: mainDocName(session), update: Uint8Array.of(1, 2, 3) },
      );
      return { id, sid: session, video: done.video };
    }

    it('answers ping', async () => {
      expect(await database.ping()).toBe(true);
    });

    describe('DocLog', () => {
      it('round-trips arbitrary bytes, zeros, every byte value and the empty update as plain Uint8Arrays', async () => {
        const doc = mainDocName(sid());
        const everyByte = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
        const samples = [
          Uint8Array.of(0),
          Uint8Array.of(0, 0, 0, 1, 0),
          everyByte,
          bytes(4096),
          new Uint8Array(0),
          // A view into a larger buffer must store only its own bytes.
          new Uint8Array(Uint8Array.of(9, 8, 7, 6, 5).buffer, 1, 3),
        ];
        for (const s of samples) await log.append(doc, s);
        const loaded = await log.load(doc);
        expect(loaded.snapshot).toBeNull();
        expect(loaded.updates).toHaveLength(samples.length);
        loaded.updates.forEach((u, i) => {
          expect(u.constructor).toBe(Uint8Array);
          expect(Array.from(u)).toEqual(Array.from(samples[i]!));
        });
        expect(Array.from(loaded.updates[5]!)).toEqual([8, 7, 6]);
      });

      it('stores and loads a 1 MiB update intact', async () => {
        const doc = mainDocName(sid());
        const big = bytes(1 << 20);
        big[0] = 0;
        big[big.length - 1] = 0;
        await log.append(doc, big);
        const { updates } = await log.load(doc);
        expect(updates).toHaveLength(1);
        expect(updates[0]!.byteLength).toBe(1 << 20);
        expect(Buffer.from(updates[0]!).equals(Buffer.from(big))).toBe(true);
      });

      it('returns increasing row ids and loads only the named document, in id order', async () => {
        const a = mainDocName(sid());
        const b = maskChunkDocName(sid(), 0);
        const ids = [];
        for (let i = 0; i < 5; i++) {
          ids.push(await log.append(a, Uint8Array.of(i)));
          await log.append(b, Uint8Array.of(100 + i));
        }
        for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
        expect((await log.load(a)).updates.map((u) => u[0])).toEqual([0, 1, 2, 3, 4]);
        expect((await log.load(b)).updates.map((u) => u[0])).toEqual([100, 101, 102, 103, 104]);
        expect(await log.load(mainDocName(sid()))).toEqual({ snapshot: null, updates: [] });
      });

      it('keeps concurrent appends, each once, loaded in row-id order', async () => {
        const doc = mainDocName(sid());
        const other = mainDocName(sid());
        const n = 40;
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            Promise.all([log.append(doc, Uint8Array.of(i, 0, i)), log.append(other, Uint8Array.of(255))]),
          ),
        );
        const ids = results.map(([id]) => id);
        expect(new Set(ids).size).toBe(n);
        const expected = ids
          .map((id, i) => ({ id, i }))
          .sort((x, y) => x.id - y.id)
          .map(({ i }) => [i, 0, i]);
        const { updates } = await log.load(doc);
        expect(updates.map((u) => Array.from(u))).toEqual(expected);
        expect((await log.load(other)).updates).toHaveLength(n);
      });

      it('loads the snapshot plus every row not merged into it', async () => {
        const doc = mainDocName(sid());
        for (let i = 0; i < 4; i++) await log.append(doc, Uint8Array.of(i));
        await database.db
          .insert(docSnapshots)
          .values({ docName: doc, state: Uint8Array.of(0, 0xff, 0), lastUpdateId: 0 });
        const loaded = await log.load(doc);
        expect(loaded.snapshot && Array.from(loaded.snapshot)).toEqual([0, 0xff, 0]);
        expect(loaded.snapshot?.constructor).toBe(Uint8Array);
        expect(loaded.updates.map((u) => u[0])).toEqual([0, 1, 2, 3]);
      });

      it('compacts real Yjs updates into one snapshot that loads to the same state', async () => {
        const doc = mainDocName(sid());
        const source = new Y.Doc();
        const updates: Uint8Array[] = [];
        source.on('update', (u: Uint8Array) => updates.push(u));
        const map = source.getMap<string>('m');
        for (let i = 0; i < 30; i++) map.set(`k${i % 7}`, 'x'.repeat(i * 10));
        map.delete('k3');
        for (const u of updates) await log.append(doc, u);
        expect(await log.pending(doc)).toMatchObject({ rows: updates.length });

        const result = await log.compact(doc);
        expect(result.merged).toBe(updates.length);
        expect(await log.pending(doc)).toEqual({ rows: 0, bytes: 0 });
        // Overwritten values are garbage: the snapshot is smaller than the log it replaced.
        expect(result.snapshotBytes).toBeLessThan(updates.reduce((n, u) => n + u.length, 0));

        map.set('after', 'compaction');
        await log.append(doc, updates[updates.length - 1]!);
        const loaded = await log.load(doc);
        const copy = new Y.Doc();
        Y.applyUpdate(copy, loaded.snapshot!);
        for (const u of loaded.updates) Y.applyUpdate(copy, u);
        expect(copy.getMap('m').toJSON()).toEqual(map.toJSON());
        expect(Object.keys(copy.getMap('m').toJSON()).sort()).toEqual([
          'after',
          'k0',
          'k1',
          'k2',
          'k4',
          'k5',
          'k6',
        ]);

        // A second compaction folds the later row in; with nothing new it is a no-op.
        expect((await log.compact(doc)).merged).toBe(1);
        expect((await log.compact(doc)).merged).toBe(0);
      });

      it('keeps appends that race a compaction (nothing merged is lost, nothing unmerged deleted)', async () => {
        const doc = mainDocName(sid());
        const source = new Y.Doc();
        const updates: Uint8Array[] = [];
        source.on('update', (u: Uint8Array) => updates.push(u));
        for (let i = 0; i < 60; i++) source.getMap<number>('m').set(`k${i}`, i);
        const appends = (async () => {
          for (const u of updates) await log.append(doc, u);
        })();
        const compactions = (async () => {
          for (let i = 0; i < 5; i++) {
            await log.compact(doc);
            await sleep(2);
          }
        })();
        await Promise.all([appends, compactions]);
        const loaded = await log.load(doc);
        const copy = new Y.Doc();
        if (loaded.snapshot) Y.applyUpdate(copy, loaded.snapshot);
        for (const u of loaded.updates) Y.applyUpdate(copy, u);
        expect(copy.getMap('m').size).toBe(60);
      });

      it('rejects an empty document name', async () => {
        await expect(log.append('', Uint8Array.of(1))).rejects.toThrow(/non-empty/);
      });
    });

    describe('VideoStore: ingest', () => {
      it('creates an ingesting video with defaults and refuses a duplicate or malformed id', async () => {
        const id = vid();
        const before = Date.now();
        const v = await store.createIngesting({
          id,
          title: 'Clip ünïcødé',
          originalName: '../weird name.mp4',
          createdBy: USER,
          instanceId: 'inst-A',
        });
        expect(v).toMatchObject({
          id,
          title: 'Clip ünïcødé',
          originalName: '../weird name.mp4',
          status: 'ingesting',
          phase: 'uploading',
          framesDone: 0,
          framesTotal: null,
          bytesReceived: 0,
          createdBy: USER,
          instanceId: 'inst-A',
          meta: null,
        });
        expect(v.createdAt).toBeInstanceOf(Date);
        expect(v.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
        expect(v.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
        expect(await store.get(id)).toEqual(v);
        await rejectsWith(
          store.createIngesting({ id, title: 'x', originalName: 'x', createdBy: USER, instanceId: 'i' }),
          'CONFLICT',
        );
        await rejectsWith(
          store.createIngesting({
            id: 'bad/id' as VideoId,
            title: 'x',
            originalName: 'x',
            createdBy: USER,
            instanceId: 'i',
          }),
          'INVALID_REQUEST',
        );
        expect(await store.get('bad/id' as VideoId)).toBeNull();
      });

      it("finds a video by the client's upload id; the same upload id twice is a CONFLICT", async () => {
        const uploadId = uid('u');
        const id = vid();
        const base = { title: 't', originalName: 'a.mp4', createdBy: USER, instanceId: 'i1' };
        await store.createIngesting({ ...base, id, uploadId });
        expect((await store.getByUploadId(uploadId))?.id).toBe(id);
        expect(await store.getByUploadId(uid('u'))).toBeNull();
        expect(await store.getByUploadId('../etc')).toBeNull();
        await rejectsWith(store.createIngesting({ ...base, id: vid(), uploadId }), 'CONFLICT');
        await rejectsWith(
          store.createIngesting({ ...base, id: vid(), uploadId: 'bad id!' }),
          'INVALID_REQUEST',
        );
      });

      it('updates progress, keeps omitted fields, bumps updated_at; NOT_FOUND and CONFLICT otherwise', async () => {
        const id = vid();
        const created = await store.createIngesting({
          id,
          title: 't',
          originalName: 'a.mp4',
          createdBy: USER,
          instanceId: 'i',
        });
        await sleep(5);
        const p1 = await store.updateProgress(id, { phase: 'uploading', bytesReceived: 5_000_000_000 });
        expect(p1.bytesReceived).toBe(5_000_000_000);
        expect(p1.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
        const p2 = await store.updateProgress(id, { phase: 'extracting', framesDone: 10, framesTotal: 300 });
        expect(p2).toMatchObject({
          phase: 'extracting',
          framesDone: 10,
          framesTotal: 300,
          bytesReceived: 5_000_000_000,
        });
        expect(await store.get(id)).toEqual(p2);
        await rejectsWith(store.updateProgress(vid(), { phase: 'probing' }), 'NOT_FOUND');
        const { id: readyId } = await readyVideo();
        await rejectsWith(store.updateProgress(readyId, { phase: 'extracting' }), 'CONFLICT');
        expect((await store.get(readyId))?.phase).toBe('ready');
      });

      it('finishes an ingest: ready video with metadata, its session, and the initial document update', async () => {
        const id = vid();
        const session = sid();
        await store.createIngesting({
          id,
          title: 't',
          originalName: 'a.mp4',
          createdBy: USER,
          instanceId: 'i',
        });
        const update = bytes(300);
        const done = await store.finishIngest(
          id,
          META,
          { id: session, createdBy: USER },
          { name: mainDocName(session), update },
        );
        expect(done.video).toMatchObject({
          id,
          status: 'ready',
          phase: 'ready',
          framesDone: 300,
          framesTotal: 300,
          meta: META,
        });
        expect(done.session).toMatchObject({ id: session, videoId: id, createdBy: USER });
        expect(done.session.createdAt).toBeInstanceOf(Date);
        expect(await store.get(id)).toEqual(done.video);
        expect(await store.getSession(session)).toEqual(done.session);
        expect(await store.sessionOfVideo(id)).toEqual(done.session);
        expect(await store.getSession(sid())).toBeNull();
        expect(await store.sessionOfVideo(vid())).toBeNull();
        const loaded = await log.load(mainDocName(session));
        expect(loaded.updates.map((u) => Array.from(u))).toEqual([Array.from(update)]);
      });

      it('finishIngest is all-or-nothing: a taken session id leaves the video ingesting and writes no document row', async () => {
        const first = await readyVideo();
        const id = vid();
        await store.createIngesting({
          id,
          title: 't',
          originalName: 'a.mp4',
          createdBy: USER,
          instanceId: 'i',
        });
        const docRowsBefore = await rowsOf(mainDocName(first.sid));
        expect(docRowsBefore).toBe(1);
        await rejectsWith(
          store.finishIngest(
            id,
            META,
            { id: first.sid, createdBy: USER },
            { name: mainDocName(first.sid), update: Uint8Array.of(7) },
          ),
          'CONFLICT',
        );
        const after = await store.get(id);
        expect(after).toMatchObject({ status: 'ingesting', phase: 'uploading', meta: null });
        expect(await store.sessionOfVideo(id)).toBeNull();
        expect(await rowsOf(mainDocName(first.sid))).toBe(docRowsBefore);
        // The first session still belongs to its own video.
        expect((await store.getSession(first.sid))?.videoId).toBe(first.id);
      });

      it('finishIngest is all-or-nothing on invalid metadata too (check constraint → INVALID_REQUEST)', async () => {
        const id = vid();
        const session = sid();
        await store.createIngesting({
          id,
          title: 't',
          originalName: 'a.mp4',
          createdBy: USER,
          instanceId: 'i',
        });
        const broken = { ...META, codec: null } as unknown as VideoMeta;
        await rejectsWith(
          store.finishIngest(
            id,
            broken,
            { id: session, createdBy: USER },
            { name: mainDocName(session), update: Uint8Array.of(1) },
          ),
          'INVALID_REQUEST',
        );
        expect((await store.get(id))?.status).toBe('ingesting');
        expect(await store.getSession(session)).toBeNull();
        expect(await rowsOf(mainDocName(session))).toBe(0);
      });

      it('finishIngest refuses an unknown video, a finished one, and a document of another session', async () => {
        const session = sid();
        await rejectsWith(
          store.finishIngest(
            vid(),
            META,
            { id: session, createdBy: USER },
            { name: mainDocName(session), update: Uint8Array.of(1) },
          ),
          'NOT_FOUND',
        );
        expect(await store.getSession(session)).toBeNull();
        expect(await rowsOf(mainDocName(session))).toBe(0);

        const ready = await readyVideo();
        const s2 = sid();
        await rejectsWith(
          store.finishIngest(
            ready.id,
            META,
            { id: s2, createdBy: USER },
            { name: mainDocName(s2), update: Uint8Array.of(1) },
          ),
          'CONFLICT',
        );
        expect(await store.getSession(s2)).toBeNull();
        expect(await rowsOf(mainDocName(s2))).toBe(0);

        const id = vid();
        await store.createIngesting({
          id,
          title: 't',
          originalName: 'a.mp4',
          createdBy: USER,
          instanceId: 'i',
        });
        const s3 = sid();
        await rejectsWith(
          store.finishIngest(
            id,
            META,
            { id: s3, createdBy: USER },
            { name: mainDocName(sid()), update: Uint8Array.of(1) },
          ),
          'INTERNAL',
        );
        expect((await store.get(id))?.status).toBe('ingesting');
      });

      it('lists stale ingests and deletes only ingesting videos (guarded by updated_at)', async () => {
        const old = vid();
        await store.createIngesting({
          id: old,
          title: 't',
          originalName: 'a',
          createdBy: USER,
          instanceId: 'dead',
        });
        await sleep(30);
        const cut = new Date();
        await sleep(30);
        const fresh = vid();
        await store.createIngesting({
          id: fresh,
          title: 't',
          originalName: 'a',
          createdBy: USER,
          instanceId: 'live',
        });
        const ready = await readyVideo();

        const stale = (await store.staleIngests(cut)).map((v) => v.id);
        expect(stale).toContain(old);
        expect(stale).not.toContain(fresh);
        expect(stale).not.toContain(ready.id);
        const all = (await store.staleIngests(new Date(Date.now() + 60_000))).map((v) => v.id);
        expect(all).toEqual(expect.arrayContaining([old, fresh]));
        expect(all).not.toContain(ready.id);

        // Progress made after the cut protects the video from a guarded delete.
        await store.updateProgress(old, { phase: 'probing' });
        expect((await store.staleIngests(cut)).map((v) => v.id)).not.toContain(old);
        expect(await store.deleteIngesting(old, { updatedBefore: cut })).toBe(false);
        expect(await store.get(old)).not.toBeNull();

        expect(await store.deleteIngesting(old)).toBe(true);
        expect(await store.get(old)).toBeNull();
        expect(await store.deleteIngesting(old)).toBe(false);
        expect(await store.deleteIngesting(ready.id)).toBe(false);
        expect((await store.get(ready.id))?.status).toBe('ready');
      });
    });

    describe('VideoStore: library', () => {
      it('lists newest first, optionally by status', async () => {
        const ids: VideoId[] = [];
        for (let i = 0; i < 4; i++) {
          const id = vid();
          await store.createIngesting({
            id,
            title: `n${i}`,
            originalName: 'a',
            createdBy: USER,
            instanceId: 'i',
          });
          ids.push(id);
          await sleep(3);
        }
        const listed = (await store.list()).map((v) => v.id).filter((id) => ids.includes(id));
        expect(listed).toEqual([...ids].reverse());
        const all = await store.list();
        for (let i = 1; i < all.length; i++) {
          expect(all[i - 1]!.createdAt.getTime()).toBeGreaterThanOrEqual(all[i]!.createdAt.getTime());
        }
        const ready = await readyVideo();
        const readyOnly = await store.list({ status: 'ready' });
        expect(readyOnly.map((v) => v.id)).toContain(ready.id);
        expect(readyOnly.every((v) => v.status === 'ready' && v.meta !== null)).toBe(true);
        expect((await store.list({ status: 'ingesting' })).map((v) => v.id)).toEqual(
          expect.arrayContaining(ids),
        );
      });

      it('maps videos to their sessions in one call', async () => {
        const ready = vid();
        const ingesting = vid();
        const session = sid();
        const base = { title: 't', originalName: 'a.mp4', createdBy: USER, instanceId: 'i1' };
        await store.createIngesting({ ...base, id: ready });
        await store.createIngesting({ ...base, id: ingesting });
        const update = new Uint8Array([1, 2, 3]);
        await store.finishIngest(
          ready,
          META,
          { id: session, createdBy: USER },
          { name: mainDocName(session), update },
        );
        const map = await store.sessionIdsOf([ready, ingesting, vid()]);
        expect([...map]).toEqual([[ready, session]]);
        expect((await store.sessionIdsOf([])).size).toBe(0);
      });

      it('renames and bumps updated_at; NOT_FOUND for an unknown video', async () => {
        const { id, video } = await readyVideo();
        await sleep(5);
        const renamed = await store.rename(id, 'New “title”');
        expect(renamed.title).toBe('New “title”');
        expect(renamed.updatedAt.getTime()).toBeGreaterThan(video.updatedAt.getTime());
        expect(renamed.meta).toEqual(META);
        expect((await store.get(id))?.title).toBe('New “title”');
        await rejectsWith(store.rename(vid(), 'x'), 'NOT_FOUND');
      });

      it('delete removes exactly the session, its documents and snapshots, and the video; twice is fine', async () => {
        // Session ids chosen so that sloppy matching would hit the neighbours: `_` is a LIKE
        // wildcard (matches `X`), and a bare prefix would match `<sid>x`.
        const base = uid('d');
        const victim = `${base}_a` as SessionId;
        const wildcardTwin = `${base}Xa` as SessionId;
        const prefixTwin = `${victim}x` as SessionId;
        const target = await readyVideo({ session: victim });
        await readyVideo({ session: wildcardTwin });
        await readyVideo({ session: prefixTwin });

        const victimDocs = [mainDocName(victim), maskChunkDocName(victim, 0), maskChunkDocName(victim, 12)];
        const keptDocs = [
          mainDocName(wildcardTwin),
          maskChunkDocName(wildcardTwin, 0),
          mainDocName(prefixTwin),
          maskChunkDocName(prefixTwin, 0),
          `session/${victim}x/masks/3`,
          `other/${victim}`,
        ];
        for (const d of [...victimDocs, ...keptDocs]) {
          await log.append(d, Uint8Array.of(1));
          await database.db
            .insert(docSnapshots)
            .values({ docName: d, state: Uint8Array.of(2), lastUpdateId: 0 })
            .onConflictDoNothing();
        }
        const keptCounts = await Promise.all(keptDocs.map(rowsOf));

        expect(await store.delete(target.id)).toBe(victim);
        expect(await store.get(target.id)).toBeNull();
        expect(await store.getSession(victim)).toBeNull();
        expect(await store.sessionOfVideo(target.id)).toBeNull();
        for (const d of victimDocs) {
          expect(await rowsOf(d)).toBe(0);
          expect(await log.load(d)).toEqual({ snapshot: null, updates: [] });
        }
        expect(await Promise.all(keptDocs.map(rowsOf))).toEqual(keptCounts);
        for (const d of keptDocs) expect((await log.load(d)).snapshot).not.toBeNull();
        expect(await store.getSession(wildcardTwin)).not.toBeNull();
        expect(await store.getSession(prefixTwin)).not.toBeNull();

        expect(await store.delete(target.id)).toBeNull();
        expect(await store.delete(vid())).toBeNull();
      });

      it('deletes an ingesting video that has no session yet', async () => {
        const id = vid();
        await store.createIngesting({ id, title: 't', originalName: 'a', createdBy: USER, instanceId: 'i' });
        expect(await store.delete(id)).toBeNull();
        expect(await store.get(id)).toBeNull();
      });

      it('totals count every video and sum the sizes of ready ones', async () => {
        const before = await store.totals();
        await store.createIngesting({
          id: vid(),
          title: 't',
          originalName: 'a',
          createdBy: USER,
          instanceId: 'i',
        });
        await readyVideo();
        await readyVideo();
        const after = await store.totals();
        expect(after.videos - before.videos).toBe(3);
        expect(after.sourceBytes - before.sourceBytes).toBe(2 * META.sourceBytes);
        expect(after.framesBytes - before.framesBytes).toBe(2 * META.framesBytes);
        expect(typeof after.videos).toBe('number');
        expect(typeof after.sourceBytes).toBe('number');
      });

      it('the schema enforces status/phase consistency even for raw writes', async () => {
        const id = vid();
        await store.createIngesting({ id, title: 't', originalName: 'a', createdBy: USER, instanceId: 'i' });
        await expect(
          database.db.update(videos).set({ status: 'ready', phase: 'ready' }).where(eq(videos.id, id)),
        ).rejects.toThrow();
        await expect(
          database.db.execute(sql`update videos set phase = 'bogus' where id = ${id}`),
        ).rejects.toThrow();
        expect((await store.get(id))?.phase).toBe('uploading');
      });
    });
  });
}
