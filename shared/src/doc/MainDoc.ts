/**
 * Typed access to a session's main doc `session/<id>` (DESIGN §3): meta, objects, prompts, jobs
 * and comments. Writes are validated before they touch the doc and throw `DocError`; reads skip
 * (and report through `onInvalid`) entries that do not parse.
 *
 * The constructor does not check the schema version: run `checkSchema` (or `initMainDoc`) once
 * when the doc is loaded.
 */
import type * as Y from 'yjs';
import type { CommentId, FrameIndex, JobId, ObjectId, PromptId } from '../ids.js';
import { changeInfo, jsonEqual, readRecord } from './access.js';
import type { AccessorOptions, ChangeInfo } from './access.js';
import { DocError } from './errors.js';
import type { InvalidRecord } from './errors.js';
import { isMainDocEmpty, type MainMapName } from './layout.js';
import { ObjectStore } from './ObjectStore.js';
import { RecordMap } from './RecordMap.js';
import { commentSchema, jobSchema, metaSchema, promptSchema } from './records.js';
import type { CommentRecord, JobRecord, MetaRecord, ObjectRecord, PromptRecord } from './records.js';

/** Meta fields that may change after `initMainDoc`. */
export type MetaPatch = Partial<Omit<MetaRecord, 'schemaVersion' | 'chunkSize'>>;

/** A plain snapshot of everything readable in the main doc (for tests, export and debugging). */
export interface MainDocView {
  readonly meta: MetaRecord | undefined;
  readonly objects: Map<ObjectId, ObjectRecord>;
  readonly prompts: Map<PromptId, PromptRecord>;
  readonly jobs: Map<JobId, JobRecord>;
  readonly comments: Map<CommentId, CommentRecord>;
}

export class MainDoc {
  readonly doc: Y.Doc;
  readonly objects: ObjectStore;
  readonly prompts: RecordMap<PromptId, PromptRecord>;
  readonly jobs: RecordMap<JobId, JobRecord>;
  readonly comments: RecordMap<CommentId, CommentRecord>;
  readonly #meta: Y.Map<unknown>;
  readonly #options: AccessorOptions;

  constructor(doc: Y.Doc, options: AccessorOptions = {}) {
    this.doc = doc;
    this.#options = options;
    this.#meta = doc.getMap<unknown>('meta');
    this.prompts = new RecordMap<PromptId, PromptRecord>({
      doc,
      map: 'prompts',
      schema: promptSchema,
      label: 'prompt',
      options,
      checkRecord: (r) => this.#checkFrame('prompt', r.frame),
    });
    this.jobs = new RecordMap<JobId, JobRecord>({
      doc,
      map: 'jobs',
      schema: jobSchema,
      label: 'job',
      options,
      checkRecord: (r) => this.#checkFrame('job', r.startFrame),
    });
    this.comments = new RecordMap<CommentId, CommentRecord>({
      doc,
      map: 'comments',
      schema: commentSchema,
      label: 'comment',
      options,
      checkRecord: (r) => this.#checkFrame('comment', r.frame),
    });
    this.objects = new ObjectStore(doc, options, this.prompts);
  }

  /**
   * The shared types a participant's undo history covers: objects (names, colors, deletes) and
   * the prompts a delete cascades to. Meta, jobs and comments are not undoable edits.
   */
  undoScope(): Y.Map<unknown>[] {
    const names: readonly MainMapName[] = ['objects', 'prompts'];
    return names.map((name) => this.doc.getMap<unknown>(name));
  }

  /** The session's meta, or undefined if missing or unreadable (reported). */
  getMeta(): MetaRecord | undefined {
    return this.#readMeta(this.#options.onInvalid);
  }

  /** The session's meta; throws `SCHEMA_MISSING` / `SCHEMA_INVALID` if there is none readable. */
  requireMeta(): MetaRecord {
    if (this.#meta.size === 0) throw new DocError('SCHEMA_MISSING', 'the main doc has no meta');
    let issues: readonly string[] = [];
    const meta = this.#readMeta((r) => (issues = r.issues));
    if (meta === undefined) {
      throw new DocError('SCHEMA_INVALID', `the main doc's meta is invalid: ${issues.join('; ')}`, {
        issues,
      });
    }
    return meta;
  }

  /**
   * Changes meta fields (e.g. `title`); schemaVersion and chunkSize are fixed. Each field is
   * validated and written on its own key, so this works even while another field is
   * (transiently) unreadable. Throws `SCHEMA_MISSING` on a doc without meta.
   */
  updateMeta(patch: MetaPatch, origin?: unknown): void {
    if (this.#meta.size === 0) throw new DocError('SCHEMA_MISSING', 'the main doc has no meta');
    const writes: [string, unknown][] = [];
    const issues: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (field === 'schemaVersion' || field === 'chunkSize' || !Object.hasOwn(metaSchema.shape, field)) {
        issues.push(`${field}: not a changeable meta field`);
        continue;
      }
      const result = metaSchema.shape[field as keyof MetaPatch].safeParse(value);
      if (!result.success) issues.push(...result.error.issues.map((i) => `${field}: ${i.message}`));
      else if (!jsonEqual(this.#meta.get(field), result.data)) writes.push([field, result.data]);
    }
    if (issues.length > 0)
      throw new DocError('INVALID_RECORD', `invalid meta update: ${issues.join('; ')}`, { issues });
    if (writes.length > 0) this.transact(() => writes.forEach(([k, v]) => this.#meta.set(k, v)), origin);
  }

  /** Calls `cb` with the changed meta keys, once per transaction. */
  observeMeta(cb: (keys: readonly string[], info: ChangeInfo) => void): () => void {
    const handler = (event: Y.YMapEvent<unknown>, tr: Y.Transaction): void => {
      cb([...event.keysChanged].sort(), changeInfo(tr));
    };
    this.#meta.observe(handler);
    return () => this.#meta.unobserve(handler);
  }

  /**
   * Runs several writes as one transaction (one update, one observer call per map). The writes
   * inside carry this transaction's origin; origins passed to them are ignored (Yjs semantics).
   */
  transact<R>(fn: () => R, origin?: unknown): R {
    let result: R | undefined;
    this.doc.transact(
      () => {
        result = fn();
      },
      origin === undefined ? (this.#options.origin ?? null) : origin,
    );
    return result as R;
  }

  /** Everything readable, as plain maps. */
  view(): MainDocView {
    return {
      meta: this.getMeta(),
      objects: this.objects.list(),
      prompts: this.prompts.list(),
      jobs: this.jobs.list(),
      comments: this.comments.list(),
    };
  }

  /** Every stored entry that reads skip, across all maps. */
  invalidRecords(): InvalidRecord[] {
    const found: InvalidRecord[] = [];
    if (this.#meta.size > 0) this.#readMeta((r) => found.push(r));
    found.push(
      ...this.objects.invalidRecords(),
      ...this.prompts.invalidRecords(),
      ...this.jobs.invalidRecords(),
      ...this.comments.invalidRecords(),
    );
    return found;
  }

  /** Whether the doc holds nothing at all (a fresh doc before `initMainDoc`). */
  isEmpty(): boolean {
    return isMainDocEmpty(this.doc);
  }

  #readMeta(onInvalid: AccessorOptions['onInvalid']): MetaRecord | undefined {
    if (this.#meta.size === 0) return undefined;
    const plain: Record<string, unknown> = {};
    for (const [k, v] of this.#meta.entries()) plain[k] = v;
    return readRecord(metaSchema, plain, { doc: 'main', map: 'meta', key: '' }, onInvalid);
  }

  #checkFrame(what: string, frame: FrameIndex): void {
    const meta = this.#readMeta(undefined);
    if (meta !== undefined && frame >= meta.numFrames) {
      throw new DocError(
        'FRAME_OUT_OF_RANGE',
        `${what} frame ${frame} is beyond the video (${meta.numFrames} frames)`,
      );
    }
  }
}
