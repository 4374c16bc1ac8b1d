/**
 * Undo/redo of one user's own edits across the several Y.Docs of a session (the main doc and the
 * mask chunk docs). One user action may touch several docs (deleting an object removes it from
 * the main doc and its masks from every chunk), so a step is a set of Y.UndoManager stack items,
 * at most one per doc, that are undone and redone together.
 *
 * Only transactions whose origin is `history.origin` are recorded: server writes and other users'
 * edits arrive with the provider as origin and are never undone (Y.UndoManager also refuses to
 * overwrite a remote change of a map key made after ours).
 */
import * as Y from 'yjs';

type StackItem = Y.UndoManager['undoStack'][number];
type DeleteSet = StackItem['deletions'];
type StackName = 'undoStack' | 'redoStack';

export interface EditHistoryOptions {
  /** How many undo steps are kept; older ones are dropped and the content they pinned freed. */
  readonly maxSteps?: number;
}

export const DEFAULT_MAX_STEPS = 100;

/**
 * A shared type an undo scope may hold. Yjs types are invariant in their event type, so neither
 * `AbstractType<unknown>` nor a union accepts a `Y.Map<string>`; Y.UndoManager takes this too.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UndoScopeType = Y.AbstractType<any>;

/** The label of a step recorded from a write made with `origin` outside {@link EditHistory.edit}. */
export const UNLABELLED_STEP = 'Edit';

interface Tracked {
  readonly doc: Y.Doc;
  readonly um: Y.UndoManager;
  readonly onDestroy: () => void;
  /**
   * What this user deleted in items that have left both stacks (dropped, discarded or replayed).
   * Y.UndoManager restores an overwritten map value only if every newer value for that key was
   * deleted by something it still holds, and treats any other deletion as another user's change.
   * Without this record, "delete X; set X; undo; (new edit); undo" could never bring X back.
   */
  ownDeletions: DeleteSet;
}

interface Part {
  readonly tracked: Tracked;
  readonly item: StackItem;
}

interface Step {
  readonly label: string;
  readonly parts: Part[];
}

/** Origin of the empty transactions that un-pin dropped content, so nothing mistakes them for edits. */
const RELEASE_ORIGIN = Object.freeze({ kind: 'maskroom-edit-history-release' });

export class EditHistory {
  /** Pass as the transaction origin of every user edit; edits with any other origin are not undoable. */
  readonly origin: object = Object.freeze({ kind: 'maskroom-edit-history' });
  readonly maxSteps: number;
  readonly #tracked = new Map<Y.Doc, Tracked>();
  readonly #listeners = new Set<() => void>();
  #undo: Step[] = [];
  #redo: Step[] = [];
  /** The step that stack items added right now belong to (an edit, or the inverse of an undo/redo). */
  #capture: Step | null = null;
  #mode: 'idle' | 'undoing' | 'redoing' = 'idle';
  #destroyed = false;

  constructor(opts: EditHistoryOptions = {}) {
    const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) {
      throw new RangeError(`maxSteps must be a positive integer, got ${maxSteps}`);
    }
    this.maxSteps = maxSteps;
  }

  /**
   * Starts recording edits of `doc` that touch `scope` (root types of `doc`, e.g. the main doc's
   * `objects` and `prompts` maps, a chunk's `masks` map). Tracking a doc again widens its scope.
   */
  track(doc: Y.Doc, scope: readonly UndoScopeType[]): void {
    if (this.#destroyed) throw new Error('EditHistory: track() after destroy()');
    for (const type of scope) {
      if (type.doc !== doc) throw new Error('EditHistory: every scope type must belong to the tracked doc');
    }
    const existing = this.#tracked.get(doc);
    if (existing !== undefined) {
      existing.um.addToScope([...scope]);
      return;
    }
    const um = new Y.UndoManager([...scope], {
      doc,
      // Steps are delimited by edit(), not by time.
      captureTimeout: 0,
      trackedOrigins: new Set<unknown>([this.origin]),
    });
    const tracked: Tracked = {
      doc,
      um,
      onDestroy: () => this.#forget(tracked, false),
      ownDeletions: Y.createDeleteSet(),
    };
    um.on('stack-item-added', (event) => this.#onStackItemAdded(tracked, event.stackItem, event.type));
    doc.on('destroy', tracked.onDestroy);
    this.#tracked.set(doc, tracked);
  }

  /** Stops recording `doc` and forgets its part of every step (e.g. when a chunk doc is closed). */
  untrack(doc: Y.Doc): void {
    const tracked = this.#tracked.get(doc);
    if (tracked !== undefined) this.#forget(tracked, true);
  }

  /** Whether some undo or redo step still holds changes of `doc` (a reason to keep it open). */
  references(doc: Y.Doc): boolean {
    return [...this.#undo, ...this.#redo].some((s) => s.parts.some((p) => p.tracked.doc === doc));
  }

  /**
   * Runs `fn`; everything it writes with `origin` in any tracked doc, in any number of
   * transactions, becomes one step. A nested call joins the outer step. If `fn` throws, what it
   * already wrote stays (Yjs cannot roll back) and is recorded, so the user can still undo it.
   */
  edit(label: string, fn: (origin: object) => void): void {
    if (this.#mode !== 'idle') throw new Error('EditHistory: edit() inside undo() or redo()');
    if (this.#capture !== null) {
      fn(this.origin);
      return;
    }
    const step: Step = { label, parts: [] };
    this.#capture = step;
    try {
      fn(this.origin);
    } finally {
      this.#capture = null;
      this.#commit(step);
    }
  }

  /**
   * Undoes the latest step that still changes something (a step whose every change was since
   * overwritten by others is skipped, as Y.UndoManager does). Returns whether anything changed.
   */
  undo(): boolean {
    return this.#replay('undoing');
  }

  redo(): boolean {
    return this.#replay('redoing');
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  get undoLabel(): string | null {
    return this.#undo.at(-1)?.label ?? null;
  }

  get redoLabel(): string | null {
    return this.#redo.at(-1)?.label ?? null;
  }

  get undoSize(): number {
    return this.#undo.length;
  }

  get redoSize(): number {
    return this.#redo.length;
  }

  /** Calls `cb` whenever the stacks change; returns the unsubscribe function. */
  onChange(cb: () => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  /** Forgets every step, frees what they pinned and detaches from every doc. */
  destroy(): void {
    if (this.#destroyed) return;
    for (const tracked of [...this.#tracked.values()]) this.#forget(tracked, true);
    this.#undo = [];
    this.#redo = [];
    this.#listeners.clear();
    this.#destroyed = true;
  }

  #onStackItemAdded(tracked: Tracked, item: StackItem, stack: 'undo' | 'redo'): void {
    const step = this.#capture;
    if (step === null) {
      // A write made with `origin` outside edit(): a transaction touches one doc, so one part.
      this.#commit({ label: UNLABELLED_STEP, parts: [{ tracked, item }] });
      return;
    }
    const existing = step.parts.find((p) => p.tracked === tracked);
    if (existing === undefined) {
      step.parts.push({ tracked, item });
      return;
    }
    // A second transaction on the same doc within one step: fold it into the first stack item so
    // that undoing the step pops exactly one item per doc.
    existing.item.deletions = Y.mergeDeleteSets([existing.item.deletions, item.deletions]);
    existing.item.insertions = Y.mergeDeleteSets([existing.item.insertions, item.insertions]);
    removeFrom(tracked.um, stack === 'undo' ? 'undoStack' : 'redoStack', item);
  }

  #commit(step: Step): void {
    if (step.parts.length === 0) return;
    this.#undo.push(step);
    // A new edit makes the redo steps meaningless; Y.UndoManager clears the redo stack only of the
    // doc the edit touched, so clear the others' here.
    const stale = this.#redo;
    this.#redo = [];
    for (const s of stale) this.#drop(s, 'redoStack');
    this.#trim();
    this.#emit();
  }

  #trim(): void {
    while (this.#undo.length > this.maxSteps) this.#drop(this.#undo.shift() as Step, 'undoStack');
  }

  #replay(mode: 'undoing' | 'redoing'): boolean {
    if (this.#mode !== 'idle' || this.#capture !== null) {
      throw new Error('EditHistory: undo()/redo() inside edit(), undo() or redo()');
    }
    const from = mode === 'undoing' ? this.#undo : this.#redo;
    let changed = false;
    let consumed = false;
    while (!changed && from.length > 0) {
      const step = from.pop() as Step;
      consumed = true;
      const inverse: Step = { label: step.label, parts: [] };
      this.#mode = mode;
      this.#capture = inverse;
      try {
        for (let i = step.parts.length - 1; i >= 0; i--) popPart(step.parts[i] as Part, mode);
      } finally {
        this.#mode = 'idle';
        this.#capture = null;
      }
      if (inverse.parts.length > 0) {
        (mode === 'undoing' ? this.#redo : this.#undo).push(inverse);
        changed = true;
      }
    }
    if (mode === 'redoing') this.#trim();
    if (consumed) this.#emit();
    return changed;
  }

  /** Drops a step that will never be replayed and frees the deleted content its items pinned. */
  #drop(step: Step, stack: StackName): void {
    for (const { tracked, item } of step.parts) {
      removeFrom(tracked.um, stack, item);
      retire(tracked, item);
      release(tracked, item);
    }
  }

  #forget(tracked: Tracked, docAlive: boolean): void {
    if (this.#tracked.get(tracked.doc) !== tracked) return;
    this.#tracked.delete(tracked.doc);
    tracked.doc.off('destroy', tracked.onDestroy);
    const keep = (steps: Step[]): Step[] =>
      steps.flatMap((s) => {
        const parts = s.parts.filter((p) => p.tracked !== tracked);
        return parts.length === 0 ? [] : [{ label: s.label, parts }];
      });
    this.#undo = keep(this.#undo);
    this.#redo = keep(this.#redo);
    if (docAlive) {
      for (const item of [...tracked.um.undoStack, ...tracked.um.redoStack]) release(tracked, item);
    }
    tracked.um.undoStack = [];
    tracked.um.redoStack = [];
    tracked.um.destroy();
    this.#emit();
  }

  #emit(): void {
    for (const cb of [...this.#listeners]) cb();
  }
}

/**
 * Pops exactly `part.item` from its manager. Y.UndoManager keeps popping older items while the
 * popped one changes nothing, and those older items belong to other steps, so the item is popped
 * from a stack holding it alone. The rest is parked on the other stack meanwhile rather than
 * hidden: to tell this user's overwrites from other users', Yjs looks for the overwriting item's
 * deletion in both stacks, and without them it refuses to restore a value this user overwrote.
 */
function popPart(part: Part, mode: 'undoing' | 'redoing'): void {
  const { um } = part.tracked;
  const from: StackName = mode === 'undoing' ? 'undoStack' : 'redoStack';
  const to: StackName = mode === 'undoing' ? 'redoStack' : 'undoStack';
  const at = um[from].indexOf(part.item);
  if (at < 0) return;
  const parked = [
    ...um[from].filter((_, i) => i !== at),
    { deletions: part.tracked.ownDeletions, insertions: Y.createDeleteSet(), meta: new Map() },
  ];
  const before = um[to];
  um[from] = [part.item];
  um[to] = [...before, ...parked];
  try {
    if (mode === 'undoing') um.undo();
    else um.redo();
  } finally {
    // The inverse item, if any, was pushed after the parked ones.
    const added = um[to].slice(before.length + parked.length);
    um[from] = [...parked.slice(0, -1), ...um[from]];
    um[to] = [...before, ...added];
    retire(part.tracked, part.item);
  }
}

/** Remembers what an item leaving the stacks deleted (see {@link Tracked.ownDeletions}). */
function retire(tracked: Tracked, item: StackItem): void {
  tracked.ownDeletions = Y.mergeDeleteSets([tracked.ownDeletions, item.deletions]);
}

function removeFrom(um: Y.UndoManager, name: StackName, item: StackItem): void {
  const at = um[name].lastIndexOf(item);
  if (at >= 0) um[name].splice(at, 1);
}

/**
 * Un-pins what `item` deleted and garbage-collects it now. Y.UndoManager marks deleted items
 * `keep` so they can be restored, and its own `clear()` only resets the flag: the content stays in
 * memory (and in every encoded state) until reload, since Yjs collects only the delete set of the
 * transaction that deleted it. Only the items themselves are un-pinned, not their
 * parents, which a later step may still need.
 *
 * Safe for the oldest undo step and for discarded redo steps: items a remaining step restores or
 * follows were deleted after those. It assumes no other UndoManager pins the same items (one
 * EditHistory per doc).
 */
function release({ doc, um }: Tracked, item: StackItem): void {
  if (doc.isDestroyed) return;
  doc.transact((tr) => {
    Y.iterateDeletedStructs(tr, item.deletions, (struct) => {
      if (!(struct instanceof Y.Item) || !inScope(um, doc, struct)) return;
      struct.keep = false;
      // Collect inside the transaction, while the iteration has split these items from their
      // neighbours: at its end Yjs merges adjacent deleted items, and a merge with a still-pinned
      // neighbour pins the whole merged item again.
      if (doc.gc && doc.gcFilter(struct)) struct.gc(doc.store, false);
    });
  }, RELEASE_ORIGIN);
}

function inScope(um: Y.UndoManager, doc: Y.Doc, item: Y.Item): boolean {
  return um.scope.some(
    (type) => type === doc || (type instanceof Y.AbstractType && Y.isParentOf(type, item)),
  );
}
