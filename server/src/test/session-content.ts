/**
 * Content for collaboration tests: a session to edit (an uploaded test video), realistic edits
 * (objects in the main doc, COCO-RLE-sized masks in several chunk docs) made through the typed
 * accessors, a ledger of which edits a provider acknowledged, and checks of a document (from a
 * client or replayed from the log) against that ledger.
 */
import { openAsBlob } from 'node:fs';
import * as Y from 'yjs';
import {
  CHUNK_SIZE,
  MainDoc,
  MaskChunkDoc,
  chunkIndexOf,
  createVideoResponseSchema,
  mainDocName,
  maskChunkDocName,
  type FrameIndex,
  type MaskRecord,
  type ObjectId,
  type PixelBox,
  type SessionId,
  type UserId,
  seededRandom,
} from '@maskroom/shared';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import type { DB } from '../db/index.js';
import { DocLog } from '../db/index.js';
import type { TestClient } from './collab-client.js';
import { makeVideo, testVideoDir } from './videos.js';

/** Uploads a generated h264 test video (30 fps) and returns its session. */
export async function uploadTestSession(
  baseUrl: string,
  durationSec: number,
): Promise<{ session: SessionId; numFrames: number }> {
  const form = new FormData();
  form.append(
    'file',
    await openAsBlob(await makeVideo(testVideoDir(), 'h264-mp4', { durationSec })),
    'v.mp4',
  );
  const res = await fetch(`${baseUrl}/api/videos`, { method: 'POST', body: form });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  const body = createVideoResponseSchema.parse(await res.json());
  if (!body.video.media) throw new Error('the uploaded video is not ready');
  return { session: body.session.id, numFrames: body.video.media.numFrames };
}

/** A string shaped like a COCO compressed RLE `counts` string ('0'..'o'), of `length` chars. */
export function rleLike(rand: () => number, length: number): string {
  const codes = new Uint8Array(length);
  for (let i = 0; i < length; i++) codes[i] = 48 + Math.floor(rand() * 64);
  return Buffer.from(codes).toString('latin1');
}

export function maskRecord(rand: () => number, by: string, ref: string): MaskRecord {
  const length = 5_000 + Math.floor(rand() * 15_000);
  return {
    rle: rleLike(rand, length),
    bbox: [1, 2, 30, 40] as unknown as PixelBox,
    area: length,
    score: Math.round(rand() * 1000) / 1000,
    source: 'edit',
    ref,
    by: by as UserId,
  };
}

/** Every document of a session: the main doc and its mask chunks. */
export function sessionDocNames(session: SessionId, numFrames: number): string[] {
  const chunks = Math.ceil(numFrames / CHUNK_SIZE);
  return [mainDocName(session), ...Array.from({ length: chunks }, (_, k) => maskChunkDocName(session, k))];
}

/** What a test wrote, and which of it a provider acknowledged. */
export class Ledger {
  /** objId → the created record's class name, once acknowledged. */
  readonly objects = new Map<string, string>();
  /** objId → highest acknowledged `instanceName` sequence number. */
  readonly objectSeq = new Map<string, number>();
  /** objId → highest written sequence number (acknowledged or not). */
  readonly writtenSeq = new Map<string, number>();
  /** `${frame}/${objId}` → rle, once acknowledged. */
  readonly masks = new Map<string, string>();
  /** `${frame}/${objId}` → every rle written there, in order (acknowledged or not). */
  readonly maskHistory = new Map<string, string[]>();

  get size(): number {
    return this.objects.size + this.masks.size;
  }
}

/**
 * A client that edits one session through real providers: its objects are `<prefix>_o<n>` and its
 * masks belong to its own objects, so what it wrote is never overwritten by another client.
 */
export class SessionWriter {
  readonly providers: HocuspocusProvider[];
  private readonly rand: () => number;
  private objectCount = 0;
  /** Edits made but not yet known to be acknowledged. */
  private pending: Array<(ledger: Ledger) => void> = [];

  constructor(
    readonly client: TestClient,
    readonly session: SessionId,
    readonly numFrames: number,
    readonly prefix: string,
    seed: number,
    readonly ledger: Ledger,
  ) {
    this.rand = seededRandom(seed);
    this.providers = sessionDocNames(session, numFrames).map((n) => client.open(n));
  }

  /** Whether every provider is synced with nothing unacknowledged. */
  get settled(): boolean {
    return this.providers.every((p) => p.isSynced && p.unsyncedChanges === 0);
  }

  private main(): MainDoc {
    return new MainDoc(this.client.doc(mainDocName(this.session)));
  }

  /** One random edit: a new object, a renamed object, or a new mask (5–20 KB) on a random frame. */
  edit(): void {
    const r = this.rand();
    if (this.objectCount === 0 || r < 0.2) this.createObject();
    else if (r < 0.4) this.renameObject();
    else this.writeMask();
  }

  createObject(): void {
    const id = `${this.prefix}_o${this.objectCount++}`;
    const className = `class-${id}`;
    this.main().objects.create(id as ObjectId, {
      className,
      instanceName: 'seq-0',
      color: '#00aa00',
      createdBy: 'local' as UserId,
      createdAt: Date.now(),
    });
    this.pending.push((l) => {
      l.objects.set(id, className);
      if ((l.objectSeq.get(id) ?? -1) < 0) l.objectSeq.set(id, 0);
    });
  }

  renameObject(): void {
    const id = `${this.prefix}_o${Math.floor(this.rand() * this.objectCount)}`;
    const main = this.main();
    const current = Number(main.objects.get(id as ObjectId)?.instanceName.slice(4) ?? 0);
    const seq = current + 1;
    main.objects.update(id as ObjectId, { instanceName: `seq-${seq}` });
    this.pending.push((l) => {
      if ((l.objectSeq.get(id) ?? -1) < seq) l.objectSeq.set(id, seq);
    });
    this.ledger.writtenSeq.set(id, seq);
  }

  writeMask(): void {
    if (this.objectCount === 0) this.createObject();
    const frame = Math.floor(this.rand() * this.numFrames) as FrameIndex;
    const objId = `${this.prefix}_o${Math.floor(this.rand() * this.objectCount)}`;
    const chunk = chunkIndexOf(frame);
    const mask = maskRecord(this.rand, 'local', `${this.prefix}r${frame}`);
    new MaskChunkDoc(this.client.doc(maskChunkDocName(this.session, chunk)), chunk).setMask(
      frame,
      objId as ObjectId,
      mask,
    );
    const key = `${frame}/${objId}`;
    this.ledger.maskHistory.set(key, [...(this.ledger.maskHistory.get(key) ?? []), mask.rle]);
    this.pending.push((l) => l.masks.set(key, mask.rle));
  }

  /** Records every edit made so far as acknowledged (call only when `settled`). */
  acknowledge(): number {
    const done = this.pending;
    this.pending = [];
    for (const apply of done) apply(this.ledger);
    return done.length;
  }

  /** Edits not yet acknowledged. */
  get unacknowledged(): number {
    return this.pending.length;
  }
}

/** Polls `writer.settled` (every 10 ms); false once `stop()` says so or after `timeoutMs`. */
export async function waitSettled(
  writer: SessionWriter,
  stop: () => boolean = () => false,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (writer.settled) return true;
    if (stop() || Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Checks the documents of a session against what was acknowledged; returns the problems (empty
 * when every acknowledged edit is there). `docOf` gives the main doc or a chunk doc by name.
 */
export function missingFromDocs(
  ledger: Ledger,
  session: SessionId,
  docOf: (name: string) => Y.Doc,
): string[] {
  const problems: string[] = [];
  const objects = new MainDoc(docOf(mainDocName(session))).objects;
  for (const [id, className] of ledger.objects) {
    const rec = objects.get(id as ObjectId);
    if (!rec) {
      problems.push(`object ${id} is missing`);
      continue;
    }
    if (rec.className !== className) problems.push(`object ${id}: className ${rec.className}`);
    const seq = Number(rec.instanceName.slice(4));
    const acked = ledger.objectSeq.get(id) ?? 0;
    const written = ledger.writtenSeq.get(id) ?? acked;
    if (!(seq >= acked && seq <= Math.max(acked, written)))
      problems.push(`object ${id}: instanceName ${rec.instanceName}, acknowledged seq-${acked}`);
  }
  for (const [key, rle] of ledger.masks) {
    const [frameText, objId] = key.split('/') as [string, string];
    const frame = Number(frameText) as FrameIndex;
    const chunk = chunkIndexOf(frame);
    const got = new MaskChunkDoc(docOf(maskChunkDocName(session, chunk)), chunk).getMask(
      frame,
      objId as ObjectId,
    );
    // The acknowledged value, or one written over it since (stored, not yet acknowledged).
    const history = ledger.maskHistory.get(key) ?? [rle];
    const since = history.slice(history.lastIndexOf(rle));
    if (!got) problems.push(`mask ${key} is missing`);
    else if (!since.includes(got.rle)) problems.push(`mask ${key}: different rle (${got.rle.length} chars)`);
  }
  return problems;
}

/**
 * Rebuilds a document from the log alone (snapshot + rows), strictly: a row that does not decode
 * is an error here (the server skips such rows; none should exist), and so are updates left
 * waiting for missing dependencies (the server holds back updates that build on what it lacks).
 */
export async function replayLog(db: DB, name: string): Promise<{ doc: Y.Doc; rows: number }> {
  const loaded = await new DocLog(db).load(name);
  const doc = new Y.Doc();
  const parts = loaded.snapshot ? [loaded.snapshot, ...loaded.updates] : loaded.updates;
  parts.forEach((u, i) => {
    Y.decodeUpdate(u); // throws on a malformed row
    try {
      Y.applyUpdate(doc, u);
    } catch (error) {
      throw new Error(`${name}: log row ${i} does not apply`, { cause: error });
    }
  });
  if (doc.store.pendingStructs || doc.store.pendingDs)
    throw new Error(`${name}: the log leaves updates with missing dependencies`);
  return { doc, rows: loaded.updates.length };
}

/** Replays every document of a session; `docOf` for {@link missingFromDocs}. */
export async function replaySession(
  db: DB,
  names: readonly string[],
): Promise<{ docs: Map<string, Y.Doc>; rows: number }> {
  const docs = new Map<string, Y.Doc>();
  let rows = 0;
  for (const name of names) {
    const r = await replayLog(db, name);
    docs.set(name, r.doc);
    rows += r.rows;
  }
  return { docs, rows };
}

/** JSON of the (map) types a session document holds, empty ones left out, for comparing copies. */
export function docJson(doc: Y.Doc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [...doc.share.keys()].sort()) {
    const map = doc.getMap(key);
    if (map.size > 0) out[key] = map.toJSON();
  }
  return out;
}
