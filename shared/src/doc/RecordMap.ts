/**
 * A top-level Y.Map of whole records keyed by id (`prompts`, `jobs`, `comments`): each value is
 * one JSON record, replaced as a whole on update (last writer wins per record).
 */
import type * as Y from 'yjs';
import type { z } from 'zod';
import { isIdString } from '../ids.js';
import { changeInfo, describe, jsonEqual, readRecord, validateForWrite } from './access.js';
import type { AccessorOptions, ChangeInfo } from './access.js';
import { DocError } from './errors.js';
import type { InvalidRecord } from './errors.js';

export type ChangeAction = 'add' | 'update' | 'delete';

export interface RecordChange<K extends string> {
  readonly id: K;
  readonly action: ChangeAction;
}

/** Distributes over unions, so a patch of a discriminated union is a patch of one variant. */
export type RecordPatch<T> = T extends unknown ? Partial<T> : never;

export interface RecordMapInit<T> {
  readonly doc: Y.Doc;
  readonly map: string;
  readonly schema: z.ZodType<T>;
  /** Singular noun for messages ("prompt"). */
  readonly label: string;
  readonly options: AccessorOptions;
  /** Extra checks of a valid record before it is written (throws DocError). */
  readonly checkRecord?: (record: T) => void;
}

export class RecordMap<K extends string, T extends object> {
  readonly #doc: Y.Doc;
  readonly #map: Y.Map<unknown>;
  readonly #name: string;
  readonly #schema: z.ZodType<T>;
  readonly #label: string;
  readonly #options: AccessorOptions;
  readonly #checkRecord: ((record: T) => void) | undefined;

  constructor(init: RecordMapInit<T>) {
    this.#doc = init.doc;
    this.#map = init.doc.getMap<unknown>(init.map);
    this.#name = init.map;
    this.#schema = init.schema;
    this.#label = init.label;
    this.#options = init.options;
    this.#checkRecord = init.checkRecord;
  }

  get size(): number {
    return this.#map.size;
  }

  has(id: K): boolean {
    return this.#map.has(id);
  }

  /** The record, or undefined if absent or unreadable (reported). */
  get(id: K): T | undefined {
    if (!this.#map.has(id)) return undefined;
    return this.#read(id, this.#map.get(id));
  }

  /** All readable records; unreadable ones are skipped and reported. */
  list(): Map<K, T> {
    const out = new Map<K, T>();
    for (const [key, raw] of this.#map.entries()) {
      if (!isIdString(key)) {
        this.#options.onInvalid?.(this.#where(key, [`key: not an id: ${describe(key)}`]));
        continue;
      }
      const record = this.#read(key, raw);
      if (record !== undefined) out.set(key as K, record);
    }
    return out;
  }

  /** Creates or replaces a record; returns what was stored. */
  put(id: K, record: T, origin?: unknown): T {
    this.#checkId(id);
    const stored = validateForWrite(this.#schema, record, this.#label);
    this.#checkRecord?.(stored);
    if (!jsonEqual(this.#map.get(id), stored)) this.#transact(() => this.#map.set(id, stored), origin);
    return stored;
  }

  /**
   * Changes some fields of an existing record and validates the result. A key given with the
   * value `undefined` removes that optional field. Throws `NOT_FOUND` for a missing or
   * unreadable record.
   */
  update(id: K, patch: RecordPatch<T>, origin?: unknown): T {
    this.#checkId(id);
    const current = this.get(id);
    if (current === undefined) throw new DocError('NOT_FOUND', `no ${this.#label} ${id}`);
    return this.put(id, { ...current, ...patch }, origin);
  }

  /** Removes a record; returns whether there was one. */
  delete(id: K, origin?: unknown): boolean {
    if (!this.#map.has(id)) return false;
    this.#transact(() => this.#map.delete(id), origin);
    return true;
  }

  /** Calls `cb` once per transaction that changed records, with the changed ids. */
  observe(cb: (changes: readonly RecordChange<K>[], info: ChangeInfo) => void): () => void {
    const handler = (event: Y.YMapEvent<unknown>, tr: Y.Transaction): void => {
      const changes: RecordChange<K>[] = [];
      for (const [key, change] of event.changes.keys) {
        if (isIdString(key)) changes.push({ id: key as K, action: change.action });
      }
      if (changes.length > 0) cb(changes, changeInfo(tr));
    };
    this.#map.observe(handler);
    return () => this.#map.unobserve(handler);
  }

  /** Every stored entry that does not parse. */
  invalidRecords(): InvalidRecord[] {
    const found: InvalidRecord[] = [];
    for (const [key, raw] of this.#map.entries()) {
      if (!isIdString(key)) {
        found.push(this.#where(key, [`key: not an id: ${describe(key)}`]));
        continue;
      }
      readRecord(this.#schema, raw, { doc: 'main', map: this.#name, key }, (r) => found.push(r));
    }
    return found;
  }

  /**
   * Deletes every stored entry whose value has `field === value`, readable or not (for
   * cascades); returns the deleted keys.
   */
  deleteByField(field: string, value: unknown, origin?: unknown): string[] {
    const keys: string[] = [];
    for (const [key, raw] of this.#map.entries()) {
      if (typeof raw === 'object' && raw !== null && (raw as Record<string, unknown>)[field] === value)
        keys.push(key);
    }
    if (keys.length > 0) this.#transact(() => keys.forEach((k) => this.#map.delete(k)), origin);
    return keys;
  }

  #read(key: string, raw: unknown): T | undefined {
    return readRecord(this.#schema, raw, { doc: 'main', map: this.#name, key }, this.#options.onInvalid);
  }

  #where(key: string, issues: string[]): InvalidRecord {
    return { doc: 'main', map: this.#name, key, issues };
  }

  #checkId(id: string): void {
    if (!isIdString(id)) throw new DocError('INVALID_ARGUMENT', `not a ${this.#label} id: ${describe(id)}`);
  }

  #transact(fn: () => void, origin: unknown): void {
    this.#doc.transact(fn, origin === undefined ? (this.#options.origin ?? null) : origin);
  }
}
