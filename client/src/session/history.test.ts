import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { seededRandom } from '@maskroom/shared';
import { EditHistory } from './history.js';

/** A session-like set of docs: the main doc's undoable maps and two mask chunk docs. */
function session(history: EditHistory) {
  const main = new Y.Doc();
  const chunks = [new Y.Doc(), new Y.Doc()];
  history.track(main, [main.getMap('objects'), main.getMap('prompts')]);
  for (const c of chunks) history.track(c, [c.getMap('masks')]);
  return {
    main,
    chunks,
    objects: main.getMap<unknown>('objects'),
    prompts: main.getMap<unknown>('prompts'),
    masks: chunks.map((c) => c.getMap<unknown>('masks')),
  };
}

/** Two replicas kept in sync by relaying every update, like a provider would (origin = the relay). */
function linked(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const relay = { relay: true };
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== relay && Y.applyUpdate(b, u, relay));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== relay && Y.applyUpdate(a, u, relay));
  return [a, b];
}

/** JSON with sorted keys: map key order depends on how entries were restored, not on content. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

/** A value that stands for one mask's RLE string. */
const bigValue = (i: number, size = 20_000): string =>
  `${i}:`.padEnd(size, String.fromCharCode(97 + (i % 26)));

describe('EditHistory', () => {
  it('undoes and redoes an own edit', () => {
    const h = new EditHistory();
    const s = session(h);
    h.edit('Create object', (origin) => s.main.transact(() => s.objects.set('o1', { name: 'car' }), origin));
    expect(h.canUndo).toBe(true);
    expect(h.undoLabel).toBe('Create object');

    expect(h.undo()).toBe(true);
    expect(s.objects.has('o1')).toBe(false);
    expect(h.canUndo).toBe(false);
    expect(h.redoLabel).toBe('Create object');

    expect(h.redo()).toBe(true);
    expect(s.objects.get('o1')).toEqual({ name: 'car' });
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe(true);
    expect(s.objects.has('o1')).toBe(false);
  });

  it('ignores writes without its origin', () => {
    const h = new EditHistory();
    const s = session(h);
    s.objects.set('server', 1); // origin null: a local writer that is not the user
    s.main.transact(() => s.objects.set('other', 2), { someone: 'else' });
    expect(h.canUndo).toBe(false);
    expect(h.undo()).toBe(false);
    expect(s.objects.toJSON()).toEqual({ server: 1, other: 2 });
  });

  it('never undoes a concurrent edit of another client', () => {
    const [a, b] = linked();
    const ha = new EditHistory();
    const hb = new EditHistory();
    ha.track(a, [a.getMap('masks')]);
    hb.track(b, [b.getMap('masks')]);

    ha.edit('A paints', (o) => a.transact(() => a.getMap('masks').set('1/a', 'A1'), o));
    hb.edit('B paints', (o) => b.transact(() => b.getMap('masks').set('1/b', 'B1'), o));
    // B overwrites a key A wrote: A's undo must not clobber it.
    hb.edit('B repaints', (o) => b.transact(() => b.getMap('masks').set('1/a', 'B2'), o));
    expect(a.getMap('masks').toJSON()).toEqual({ '1/a': 'B2', '1/b': 'B1' });
    expect(ha.undoSize).toBe(1);

    ha.undo();
    expect(a.getMap('masks').toJSON()).toEqual({ '1/a': 'B2', '1/b': 'B1' });
    expect(b.getMap('masks').toJSON()).toEqual({ '1/a': 'B2', '1/b': 'B1' });

    hb.undo();
    hb.undo();
    expect(b.getMap('masks').toJSON()).toEqual({ '1/a': 'A1' });
    expect(a.getMap('masks').toJSON()).toEqual({ '1/a': 'A1' });
  });

  it('undoes a step spanning the main doc and two chunk docs atomically', () => {
    const h = new EditHistory();
    const s = session(h);
    h.edit('Add car', (o) => {
      s.main.transact(() => s.objects.set('car', { name: 'car' }), o);
      s.chunks[0]?.transact(() => s.masks[0]?.set('1/car', 'm1'), o);
      s.chunks[1]?.transact(() => s.masks[1]?.set('70/car', 'm70'), o);
    });
    h.edit('Delete car', (o) => {
      s.main.transact(() => {
        s.objects.delete('car');
        s.prompts.delete('p-car');
      }, o);
      s.chunks.forEach((c, i) => c.transact(() => s.masks[i]?.clear(), o));
    });
    expect(h.undoSize).toBe(2);
    expect(s.objects.size + (s.masks[0]?.size ?? 0) + (s.masks[1]?.size ?? 0)).toBe(0);

    expect(h.undo()).toBe(true);
    expect(s.objects.get('car')).toEqual({ name: 'car' });
    expect(s.masks[0]?.get('1/car')).toBe('m1');
    expect(s.masks[1]?.get('70/car')).toBe('m70');
    expect(h.undoLabel).toBe('Add car');

    expect(h.redo()).toBe(true);
    expect(s.objects.size + (s.masks[0]?.size ?? 0) + (s.masks[1]?.size ?? 0)).toBe(0);

    h.undo();
    h.undo();
    expect(s.objects.size + (s.masks[0]?.size ?? 0) + (s.masks[1]?.size ?? 0)).toBe(0);
    expect(h.canUndo).toBe(false);
    expect(h.redoSize).toBe(2);
  });

  it('makes several transactions on one doc inside edit() a single step', () => {
    const h = new EditHistory();
    const s = session(h);
    s.main.transact(() => s.objects.set('keep', 0), h.origin); // a step of its own, outside edit()
    h.edit('Batch', (o) => {
      for (let i = 0; i < 5; i++) s.main.transact(() => s.objects.set(`o${i}`, i), o);
      h.edit('nested', () => s.chunks[0]?.transact(() => s.masks[0]?.set('0/o0', 'm'), o));
    });
    expect(h.undoSize).toBe(2);
    h.undo();
    expect(s.objects.toJSON()).toEqual({ keep: 0 });
    expect(s.masks[0]?.size).toBe(0);
    h.redo();
    expect(s.objects.size).toBe(6);
    expect(s.masks[0]?.get('0/o0')).toBe('m');
  });

  it('clears the redo steps of every doc on a new edit', () => {
    const h = new EditHistory();
    const s = session(h);
    h.edit('A', (o) => s.chunks[0]?.transact(() => s.masks[0]?.set('1/a', 'x'), o));
    h.edit('B', (o) => s.chunks[1]?.transact(() => s.masks[1]?.set('65/b', 'y'), o));
    h.undo();
    h.undo();
    expect(h.redoSize).toBe(2);
    h.edit('C', (o) => s.main.transact(() => s.objects.set('c', 1), o));
    expect(h.canRedo).toBe(false);
    expect(h.redo()).toBe(false);
    for (const c of s.chunks) {
      const um = c.getMap('masks');
      expect(um.size).toBe(0);
    }
    expect(h.undoLabel).toBe('C');
  });

  it('skips a step that no longer changes anything and undoes the one below', () => {
    const [a, b] = linked();
    const h = new EditHistory();
    h.track(a, [a.getMap('masks')]);
    h.edit('First', (o) => a.transact(() => a.getMap('masks').set('k1', 1), o));
    h.edit('Second', (o) => a.transact(() => a.getMap('masks').set('k2', 1), o));
    b.getMap('masks').set('k2', 'theirs'); // remote overwrite: "Second" has nothing left to undo
    expect(h.undo()).toBe(true);
    expect(a.getMap('masks').toJSON()).toEqual({ k2: 'theirs' });
    expect(h.canUndo).toBe(false);
  });

  it('restores a deleted value whose later re-creation was undone before a new edit', () => {
    // A plain Y.UndoManager cannot: the re-created value, deleted by an undo whose redo item was
    // cleared, looks like another user's change, and the older delete becomes unundoable.
    const h = new EditHistory();
    const s = session(h);
    h.edit('Create', (o) => s.main.transact(() => s.objects.set('b', 'X'), o));
    h.edit('Delete', (o) => s.main.transact(() => s.objects.delete('b'), o));
    h.edit('Re-create', (o) => s.main.transact(() => s.objects.set('b', 'Y'), o));
    h.undo();
    h.edit('Other', (o) => s.chunks[0]?.transact(() => s.masks[0]?.set('1/x', 'm'), o));
    h.edit('Other', (o) => s.main.transact(() => s.objects.set('x', 1), o));
    h.undo();
    h.undo();
    expect(h.undo()).toBe(true);
    expect(s.objects.toJSON()).toEqual({ b: 'X' });
    expect(h.undoLabel).toBe('Create');
  });

  it('notifies listeners and stops after unsubscribe', () => {
    const h = new EditHistory();
    const s = session(h);
    let calls = 0;
    const off = h.onChange(() => calls++);
    h.edit('x', (o) => s.main.transact(() => s.objects.set('x', 1), o));
    h.undo();
    h.redo();
    expect(calls).toBe(3);
    off();
    h.undo();
    expect(calls).toBe(3);
  });

  it('forgets an untracked doc but keeps the other parts of its steps', () => {
    const h = new EditHistory();
    const s = session(h);
    h.edit('Add', (o) => {
      s.main.transact(() => s.objects.set('car', 1), o);
      s.chunks[1]?.transact(() => s.masks[1]?.set('70/car', 'm'), o);
    });
    h.edit('Mask only', (o) => s.chunks[1]?.transact(() => s.masks[1]?.set('71/car', 'm'), o));
    expect(h.references(s.chunks[1] as Y.Doc)).toBe(true);
    s.chunks[1]?.destroy(); // closing a chunk doc untracks it
    expect(h.references(s.chunks[1] as Y.Doc)).toBe(false);
    expect(h.undoSize).toBe(1);
    h.undo();
    expect(s.objects.size).toBe(0);
    // Writes to a forgotten doc are no longer recorded.
    h.untrack(s.chunks[0] as Y.Doc);
    h.edit('Nothing tracked', (o) => s.chunks[0]?.transact(() => s.masks[0]?.set('1/x', 'm'), o));
    expect(h.canUndo).toBe(false);
  });

  it('keeps at most maxSteps steps', () => {
    const h = new EditHistory({ maxSteps: 3 });
    const s = session(h);
    for (let i = 0; i < 10; i++) h.edit(`set ${i}`, (o) => s.main.transact(() => s.objects.set('v', i), o));
    expect(h.undoSize).toBe(3);
    expect(h.undo() && h.undo() && h.undo()).toBe(true);
    expect(s.objects.get('v')).toBe(6);
    expect(h.undo()).toBe(false);
    expect(s.objects.get('v')).toBe(6);
    expect(h.redo() && h.redo() && h.redo()).toBe(true);
    expect(s.objects.get('v')).toBe(9);
    expect(h.redo()).toBe(false);
  });

  it('frees the content pinned by dropped steps', () => {
    // Each step overwrites one large mask value; undo pins the overwritten value. Without a bound
    // every old value stays in the doc's state; with one, only the last maxSteps do.
    const overwrites = 30;
    const size = 20_000;
    const stateSize = (maxSteps: number): number => {
      const h = new EditHistory({ maxSteps });
      const doc = new Y.Doc(); // gc: true, the default
      const masks = doc.getMap<string>('masks');
      h.track(doc, [masks]);
      for (let i = 0; i < overwrites; i++) {
        h.edit('paint', (o) => doc.transact(() => masks.set('1/o', bigValue(i, size)), o));
      }
      expect(h.undoSize).toBe(Math.min(maxSteps, overwrites));
      return Y.encodeStateAsUpdate(doc).byteLength;
    };
    const unbounded = stateSize(1000);
    const bounded = stateSize(3);
    expect(unbounded).toBeGreaterThan(overwrites * size);
    // The live value plus the 3 values the kept steps can restore.
    expect(bounded).toBeGreaterThan(4 * size);
    expect(bounded).toBeLessThan(5 * size);
  });

  it('still undoes correctly after older steps were freed', () => {
    const h = new EditHistory({ maxSteps: 2 });
    const doc = new Y.Doc();
    const masks = doc.getMap<string>('masks');
    h.track(doc, [masks]);
    for (let i = 0; i < 6; i++)
      h.edit('paint', (o) => doc.transact(() => masks.set('k', bigValue(i, 100)), o));
    h.undo();
    h.undo();
    expect(masks.get('k')).toBe(bigValue(3, 100));
    h.redo();
    expect(masks.get('k')).toBe(bigValue(4, 100));
  });

  it('frees what destroy() and discarded redo steps pinned', () => {
    const doc = new Y.Doc();
    const masks = doc.getMap<string>('masks');
    const h = new EditHistory();
    h.track(doc, [masks]);
    for (let i = 0; i < 10; i++) h.edit('paint', (o) => doc.transact(() => masks.set('k', bigValue(i)), o));
    const pinned = Y.encodeStateAsUpdate(doc).byteLength;
    h.destroy();
    const freed = Y.encodeStateAsUpdate(doc).byteLength;
    expect(pinned).toBeGreaterThan(10 * 20_000);
    expect(freed).toBeLessThan(2 * 20_000);
    expect(() => h.track(doc, [masks])).toThrow();
  });

  it('rejects scope types of another doc and undo() inside edit()', () => {
    const h = new EditHistory();
    const a = new Y.Doc();
    const b = new Y.Doc();
    expect(() => h.track(a, [b.getMap('masks')])).toThrow();
    h.track(a, [a.getMap('masks')]);
    expect(() => h.edit('bad', () => h.undo())).toThrow();
    expect(() => new EditHistory({ maxSteps: 0 })).toThrow(RangeError);
  });

  it('matches a snapshot model over random edits, undos and redos (nested maps, several docs)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const maxSteps = 1 + Math.floor(rnd() * 6);
      const h = new EditHistory({ maxSteps });
      const s = session(h);
      const ids = ['a', 'b', 'c', 'd'];
      const state = (): unknown => [s.objects.toJSON(), ...s.masks.map((m) => m.toJSON())];
      // history[at] is the state the docs must show; edits truncate what lies after it.
      let history = [canonical(state())];
      let at = 0;
      for (let op = 0; op < 300; op++) {
        const r = rnd();
        if (r < 0.2) {
          const undone = h.undo();
          expect(undone).toBe(at > 0);
          if (undone) at--;
        } else if (r < 0.3) {
          const redone = h.redo();
          expect(redone).toBe(at < history.length - 1);
          if (redone) at++;
        } else {
          const id = pick(ids);
          const chunk = Math.floor(rnd() * 2);
          const key = `${chunk * 64 + Math.floor(rnd() * 3)}/${id}`;
          h.edit('random', (o) => {
            const obj = s.objects.get(id);
            if (r < 0.45 || !(obj instanceof Y.Map)) {
              s.main.transact(() => {
                const fields = new Y.Map<unknown>();
                fields.set('name', `${id}${op}`);
                s.objects.set(id, fields);
              }, o);
            } else if (r < 0.6) {
              s.main.transact(() => obj.set(pick(['name', 'color']), `${op}`), o);
            } else if (r < 0.7) {
              s.main.transact(() => s.objects.delete(id), o);
              s.chunks.forEach((c, i) =>
                c.transact(() => {
                  for (const k of [...(s.masks[i]?.keys() ?? [])])
                    if (k.endsWith(`/${id}`)) s.masks[i]?.delete(k);
                }, o),
              );
            } else if (r < 0.9) {
              s.chunks[chunk]?.transact(() => s.masks[chunk]?.set(key, bigValue(op, 200)), o);
            } else {
              s.chunks[chunk]?.transact(() => s.masks[chunk]?.delete(key), o);
            }
          });
          const now = canonical(state());
          if (now !== history[at]) {
            history = [...history.slice(0, at + 1), now].slice(-(maxSteps + 1));
            at = history.length - 1;
          }
        }
        expect(canonical(state()), `seed ${seed} op ${op}`).toBe(history[at]);
        expect(h.undoSize).toBe(at);
      }
      // What was freed is gone for good, but a replica built from the state still agrees.
      const copy = new Y.Doc();
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(s.main));
      expect(copy.getMap('objects').toJSON()).toEqual(s.objects.toJSON());
    }
  });
});
