/**
 * The `objects` map of the main doc: objId → nested Y.Map with one key per field, so that
 * concurrent edits of different fields of one object (a rename and a recolor, say) both survive.
 */
import * as Y from 'yjs';
import { isIdString } from '../ids.js';
import type { ObjectId, PromptId } from '../ids.js';
import { changeInfo, compact, describe, jsonEqual, readRecord, validateForWrite } from './access.js';
import type { AccessorOptions, ChangeInfo } from './access.js';
import { DocError } from './errors.js';
import type { InvalidRecord } from './errors.js';
import { OBJECT_MUTABLE_FIELDS, PENDING_REVIEW, objectSchema } from './records.js';
import type { ObjectPatch, ObjectRecord, PromptRecord, Review } from './records.js';
import type { RecordMap } from './RecordMap.js';

/** A new object's fields; `review` defaults to pending. */
export type ObjectInit = Omit<ObjectRecord, 'review'> & { readonly review?: Review };

export interface ObjectChange {
  readonly id: ObjectId;
  /** `add` also covers an object replaced as a whole; `update` = some fields changed. */
  readonly action: 'add' | 'update' | 'delete';
  /** For `update`: the fields that changed. */
  readonly fields?: readonly string[];
}

const MAP = 'objects';
const MUTABLE = new Set<string>(OBJECT_MUTABLE_FIELDS);

export class ObjectStore {
  readonly #doc: Y.Doc;
  readonly #map: Y.Map<unknown>;
  readonly #options: AccessorOptions;
  readonly #prompts: RecordMap<PromptId, PromptRecord>;

  constructor(doc: Y.Doc, options: AccessorOptions, prompts: RecordMap<PromptId, PromptRecord>) {
    this.#doc = doc;
    this.#map = doc.getMap<unknown>(MAP);
    this.#options = options;
    this.#prompts = prompts;
  }

  get size(): number {
    return this.#map.size;
  }

  has(id: ObjectId): boolean {
    return this.#map.has(id);
  }

  /** The object, or undefined if absent or unreadable (reported). */
  get(id: ObjectId): ObjectRecord | undefined {
    if (!this.#map.has(id)) return undefined;
    return this.#read(id, this.#map.get(id), this.#options.onInvalid);
  }

  /** All readable objects; unreadable ones are skipped and reported. */
  list(): Map<ObjectId, ObjectRecord> {
    const out = new Map<ObjectId, ObjectRecord>();
    for (const [key, raw] of this.#map.entries()) {
      if (!isIdString(key)) {
        this.#options.onInvalid?.(where(key, [`key: not an id: ${describe(key)}`]));
        continue;
      }
      const record = this.#read(key, raw, this.#options.onInvalid);
      if (record !== undefined) out.set(key as ObjectId, record);
    }
    return out;
  }

  /** Creates an object; throws `ALREADY_EXISTS` if the id is taken. Returns what was stored. */
  create(id: ObjectId, init: ObjectInit, origin?: unknown): ObjectRecord {
    checkId(id);
    const record = validateForWrite(objectSchema, { review: PENDING_REVIEW, ...init }, 'object');
    if (this.#map.has(id)) throw new DocError('ALREADY_EXISTS', `object ${id} already exists`);
    const fields = new Y.Map<unknown>();
    this.#transact(() => {
      this.#map.set(id, fields);
      for (const [k, v] of Object.entries(record)) fields.set(k, v);
    }, origin);
    return record;
  }

  /**
   * Changes some mutable fields (className, instanceName, color, review). Each field is its own
   * key, so concurrent updates of different fields merge. Unchanged fields are not written.
   * Throws `NOT_FOUND` if the object does not exist here.
   */
  update(id: ObjectId, patch: ObjectPatch, origin?: unknown): void {
    checkId(id);
    const fields = this.#map.get(id);
    if (!(fields instanceof Y.Map)) throw new DocError('NOT_FOUND', `no object ${id}`);
    const writes: [string, unknown][] = [];
    const issues: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (!MUTABLE.has(field)) {
        issues.push(`${field}: not a mutable object field`);
        continue;
      }
      const result = objectSchema.shape[field as keyof ObjectPatch].safeParse(value);
      if (!result.success) {
        issues.push(...result.error.issues.map((i) => `${[field, ...i.path].join('.')}: ${i.message}`));
      } else if (!jsonEqual(fields.get(field), result.data)) {
        writes.push([field, compact(result.data)]);
      }
    }
    if (issues.length > 0) {
      throw new DocError('INVALID_RECORD', `invalid object update: ${issues.join('; ')}`, { issues });
    }
    if (writes.length > 0) this.#transact(() => writes.forEach(([k, v]) => fields.set(k, v)), origin);
  }

  /**
   * Deletes an object and, in the same transaction, its prompts (so a failover replay does not
   * resurrect it). Its masks live in the chunk docs: delete them with
   * `MaskChunkDoc.deleteObjectMasks`. Returns whether the object existed.
   */
  delete(id: ObjectId, origin?: unknown): boolean {
    if (!this.#map.has(id)) return false;
    this.#transact(() => {
      this.#map.delete(id);
      this.#prompts.deleteByField('objId', id, origin);
    }, origin);
    return true;
  }

  /**
   * Calls `cb` once per transaction that changed objects: added, deleted, or fields updated
   * (with the field names). Nested field changes are observed too.
   */
  observe(cb: (changes: readonly ObjectChange[], info: ChangeInfo) => void): () => void {
    const handler = (events: Y.YEvent<Y.AbstractType<unknown>>[], tr: Y.Transaction): void => {
      const whole = new Map<string, 'add' | 'delete'>();
      const fieldChanges = new Map<string, Set<string>>();
      for (const event of events) {
        if (event.target === this.#map) {
          for (const [key, change] of event.changes.keys) {
            whole.set(key, change.action === 'delete' ? 'delete' : 'add');
          }
        } else if (event.target instanceof Y.Map && event.path.length === 1) {
          const key = event.path[0];
          if (typeof key !== 'string') continue;
          const set = fieldChanges.get(key) ?? new Set<string>();
          for (const field of event.changes.keys.keys()) set.add(field);
          fieldChanges.set(key, set);
        }
      }
      const changes: ObjectChange[] = [];
      for (const [key, action] of whole) if (isIdString(key)) changes.push({ id: key as ObjectId, action });
      for (const [key, set] of fieldChanges) {
        if (whole.has(key) || !isIdString(key)) continue;
        changes.push({ id: key as ObjectId, action: 'update', fields: [...set].sort() });
      }
      if (changes.length > 0) cb(changes, changeInfo(tr));
    };
    this.#map.observeDeep(handler);
    return () => this.#map.unobserveDeep(handler);
  }

  /** Every stored object that does not parse. */
  invalidRecords(): InvalidRecord[] {
    const found: InvalidRecord[] = [];
    for (const [key, raw] of this.#map.entries()) {
      if (!isIdString(key)) found.push(where(key, [`key: not an id: ${describe(key)}`]));
      else this.#read(key, raw, (r) => found.push(r));
    }
    return found;
  }

  #read(key: string, raw: unknown, onInvalid: AccessorOptions['onInvalid']): ObjectRecord | undefined {
    if (!(raw instanceof Y.Map)) {
      onInvalid?.(
        where(key, [`(record): expected a nested Y.Map, got ${raw === null ? 'null' : typeof raw}`]),
      );
      return undefined;
    }
    const plain: Record<string, unknown> = {};
    for (const [k, v] of (raw as Y.Map<unknown>).entries()) plain[k] = v;
    return readRecord(objectSchema, plain, { doc: 'main', map: MAP, key }, onInvalid);
  }

  #transact(fn: () => void, origin: unknown): void {
    this.#doc.transact(fn, origin === undefined ? (this.#options.origin ?? null) : origin);
  }
}

const where = (key: string, issues: string[]): InvalidRecord => ({ doc: 'main', map: MAP, key, issues });

function checkId(id: string): void {
  if (!isIdString(id)) throw new DocError('INVALID_ARGUMENT', `not an object id: ${describe(id)}`);
}
