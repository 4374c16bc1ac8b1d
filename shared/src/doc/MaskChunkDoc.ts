/**
 * Typed access to one mask chunk doc `session/<id>/masks/<k>` (DESIGN §3): the masks of frames
 * `[k*chunkSize, (k+1)*chunkSize)`, in one Y.Map keyed `"<frame>/<objId>"`. Each value is one
 * whole mask record (replaced, never patched).
 */
import type * as Y from 'yjs';
import { isIdString } from '../ids.js';
import type { FrameIndex, ObjectId } from '../ids.js';
import { changeInfo, describe, jsonEqual, readRecord, validateForWrite } from './access.js';
import type { AccessorOptions, ChangeInfo } from './access.js';
import { CHUNK_SIZE, chunkFrameRange } from './constants.js';
import type { FrameRange } from './constants.js';
import { DocError } from './errors.js';
import type { InvalidRecord } from './errors.js';
import { MASKS_MAP } from './layout.js';
import { maskKey, parseMaskKey } from './maskKeys.js';
import { maskSchema } from './records.js';
import type { MaskRecord } from './records.js';

export interface MaskChunkOptions extends AccessorOptions {
  /** The session's `meta.chunkSize` (default {@link CHUNK_SIZE}). */
  readonly chunkSize?: number;
}

export interface MaskEntry {
  readonly frame: FrameIndex;
  readonly objId: ObjectId;
  readonly mask: MaskRecord;
}

export interface MaskChange {
  readonly frame: FrameIndex;
  readonly objId: ObjectId;
  readonly action: 'add' | 'update' | 'delete';
}

export class MaskChunkDoc {
  readonly doc: Y.Doc;
  /** The chunk index k. */
  readonly chunk: number;
  readonly chunkSize: number;
  /** The frames this chunk holds. */
  readonly range: FrameRange;
  readonly #map: Y.Map<unknown>;
  readonly #options: MaskChunkOptions;

  constructor(doc: Y.Doc, chunk: number, options: MaskChunkOptions = {}) {
    const chunkSize = options.chunkSize ?? CHUNK_SIZE;
    try {
      this.range = chunkFrameRange(chunk, chunkSize);
    } catch (e) {
      throw new DocError('INVALID_ARGUMENT', e instanceof Error ? e.message : String(e), { cause: e });
    }
    this.doc = doc;
    this.chunk = chunk;
    this.chunkSize = chunkSize;
    this.#options = options;
    this.#map = doc.getMap<unknown>(MASKS_MAP);
  }

  /** Whether `frame` belongs to this chunk. */
  /** The shared type a participant's undo history covers (mask edits and deletes). */
  undoScope(): Y.Map<unknown>[] {
    return [this.doc.getMap<unknown>(MASKS_MAP)];
  }

  holds(frame: number): frame is FrameIndex {
    return Number.isSafeInteger(frame) && frame >= this.range.start && frame < this.range.end;
  }

  /** Number of stored entries (readable or not). */
  get size(): number {
    return this.#map.size;
  }

  /** Stores one mask. Prefer {@link setFrameMasks} for several objects of one frame. */
  setMask(frame: FrameIndex, objId: ObjectId, mask: MaskRecord, origin?: unknown): MaskRecord {
    const [entry] = this.setMasks([{ frame, objId, mask }], origin);
    return (entry as MaskEntry).mask;
  }

  /** Stores the masks of several objects on one frame in one transaction (one update). */
  setFrameMasks(
    frame: FrameIndex,
    masks: ReadonlyMap<ObjectId, MaskRecord> | Iterable<readonly [ObjectId, MaskRecord]>,
    origin?: unknown,
  ): MaskEntry[] {
    return this.setMasks(
      Array.from(masks, ([objId, mask]) => ({ frame, objId, mask })),
      origin,
    );
  }

  /**
   * Stores any number of masks in one transaction. Every entry is validated first; if any is
   * invalid (bad record, bad id, frame outside this chunk) nothing is written.
   */
  setMasks(entries: Iterable<MaskEntry>, origin?: unknown): MaskEntry[] {
    const checked: MaskEntry[] = [];
    for (const { frame, objId, mask } of entries) {
      this.#checkFrame(frame);
      this.#checkObjId(objId);
      checked.push({
        frame,
        objId,
        mask: validateForWrite(maskSchema, mask, `mask ${maskKey(frame, objId)}`),
      });
    }
    if (checked.length > 0) {
      this.#transact(() => {
        for (const e of checked) {
          const key = maskKey(e.frame, e.objId);
          if (!jsonEqual(this.#map.get(key), e.mask)) this.#map.set(key, e.mask);
        }
      }, origin);
    }
    return checked;
  }

  /** One object's mask on one frame, or undefined if absent, unreadable or not in this chunk. */
  getMask(frame: FrameIndex, objId: ObjectId): MaskRecord | undefined {
    if (!this.holds(frame) || !isIdString(objId)) return undefined;
    const key = maskKey(frame, objId);
    if (!this.#map.has(key)) return undefined;
    return this.#read(key, this.#map.get(key), this.#options.onInvalid);
  }

  /** The readable masks of one frame, by object. */
  masksOfFrame(frame: FrameIndex): Map<ObjectId, MaskRecord> {
    const out = new Map<ObjectId, MaskRecord>();
    if (!this.holds(frame)) return out;
    const prefix = `${frame}/`;
    for (const [key, raw] of this.#map.entries()) {
      if (!key.startsWith(prefix)) continue;
      const parsed = parseMaskKey(key);
      if (parsed === null) continue; // reported by entries()/invalidRecords()
      const mask = this.#read(key, raw, this.#options.onInvalid);
      if (mask !== undefined) out.set(parsed.objId, mask);
    }
    return out;
  }

  /** The readable masks of one object, by frame. */
  masksOfObject(objId: ObjectId): Map<FrameIndex, MaskRecord> {
    const out = new Map<FrameIndex, MaskRecord>();
    for (const e of this.entries()) if (e.objId === objId) out.set(e.frame, e.mask);
    return out;
  }

  /** Every readable mask, sorted by frame then object id; unreadable entries are reported. */
  entries(): MaskEntry[] {
    const out: MaskEntry[] = [];
    for (const [key, raw] of this.#map.entries()) {
      const entry = this.#readEntry(key, raw, this.#options.onInvalid);
      if (entry !== undefined) out.push(entry);
    }
    return out.sort(compareEntries);
  }

  /** Frames that have at least one readable mask, ascending. */
  frames(): FrameIndex[] {
    const frames = new Set<FrameIndex>();
    for (const e of this.entries()) frames.add(e.frame);
    return [...frames].sort((a, b) => a - b);
  }

  deleteMask(frame: FrameIndex, objId: ObjectId, origin?: unknown): boolean {
    if (!this.holds(frame) || !isIdString(objId)) return false;
    const key = maskKey(frame, objId);
    if (!this.#map.has(key)) return false;
    this.#transact(() => this.#map.delete(key), origin);
    return true;
  }

  /** Deletes every mask of an object in this chunk (one transaction); returns how many. */
  deleteObjectMasks(objId: ObjectId, origin?: unknown): number {
    this.#checkObjId(objId);
    return this.#deleteWhere((k) => k.objId === objId, origin);
  }

  /** Deletes every mask of a frame (one transaction); returns how many. */
  deleteFrameMasks(frame: FrameIndex, origin?: unknown): number {
    this.#checkFrame(frame);
    return this.#deleteWhere((k) => k.frame === frame, origin);
  }

  /** Deletes every entry, readable or not (session reset); returns how many. */
  clear(origin?: unknown): number {
    const n = this.#map.size;
    if (n > 0) this.#transact(() => this.#map.clear(), origin);
    return n;
  }

  /**
   * Calls `cb` once per transaction that changed masks, with the changed frame/object keys.
   * Entries whose keys are not mask keys are ignored.
   */
  observeMasks(cb: (changes: readonly MaskChange[], info: ChangeInfo) => void): () => void {
    const handler = (event: Y.YMapEvent<unknown>, tr: Y.Transaction): void => {
      const changes: MaskChange[] = [];
      for (const [key, change] of event.changes.keys) {
        const parsed = parseMaskKey(key);
        if (parsed !== null) changes.push({ ...parsed, action: change.action });
      }
      if (changes.length > 0) cb(changes, changeInfo(tr));
    };
    this.#map.observe(handler);
    return () => this.#map.unobserve(handler);
  }

  /** Every stored entry that reads skip (bad key, frame outside the chunk, bad record). */
  invalidRecords(): InvalidRecord[] {
    const found: InvalidRecord[] = [];
    for (const [key, raw] of this.#map.entries()) this.#readEntry(key, raw, (r) => found.push(r));
    return found;
  }

  #readEntry(key: string, raw: unknown, onInvalid: AccessorOptions['onInvalid']): MaskEntry | undefined {
    const parsed = parseMaskKey(key);
    if (parsed === null) {
      onInvalid?.(where(key, [`key: not "<frame>/<objId>": ${describe(key)}`]));
      return undefined;
    }
    if (!this.holds(parsed.frame)) {
      onInvalid?.(where(key, [`key: frame ${parsed.frame} is not in chunk ${this.chunk}`]));
      return undefined;
    }
    const mask = this.#read(key, raw, onInvalid);
    return mask === undefined ? undefined : { ...parsed, mask };
  }

  #read(key: string, raw: unknown, onInvalid: AccessorOptions['onInvalid']): MaskRecord | undefined {
    return readRecord(maskSchema, raw, { doc: 'masks', map: MASKS_MAP, key }, onInvalid);
  }

  #deleteWhere(pred: (key: { frame: FrameIndex; objId: ObjectId }) => boolean, origin: unknown): number {
    const keys: string[] = [];
    for (const key of this.#map.keys()) {
      const parsed = parseMaskKey(key);
      if (parsed !== null && pred(parsed)) keys.push(key);
    }
    if (keys.length > 0) this.#transact(() => keys.forEach((k) => this.#map.delete(k)), origin);
    return keys.length;
  }

  #checkFrame(frame: number): void {
    if (!Number.isSafeInteger(frame) || frame < 0) {
      throw new DocError('INVALID_ARGUMENT', `not a frame index: ${describe(frame)}`);
    }
    if (!this.holds(frame)) {
      throw new DocError(
        'FRAME_OUT_OF_CHUNK',
        `frame ${frame} is not in chunk ${this.chunk} (frames ${this.range.start}-${this.range.end - 1})`,
      );
    }
  }

  #checkObjId(objId: string): void {
    if (!isIdString(objId)) throw new DocError('INVALID_ARGUMENT', `not an object id: ${describe(objId)}`);
  }

  #transact(fn: () => void, origin: unknown): void {
    this.doc.transact(fn, origin === undefined ? (this.#options.origin ?? null) : origin);
  }
}

const where = (key: string, issues: string[]): InvalidRecord => ({
  doc: 'masks',
  map: MASKS_MAP,
  key,
  issues,
});

const compareEntries = (a: MaskEntry, b: MaskEntry): number =>
  a.frame - b.frame || (a.objId < b.objId ? -1 : a.objId > b.objId ? 1 : 0);
