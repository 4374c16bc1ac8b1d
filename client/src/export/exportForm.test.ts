import { describe, expect, it } from 'vitest';
import type { ObjectId, ObjectRecord, UserId } from '@maskroom/shared';
import { initialForm, optionsFromForm, type ExportForm } from './exportForm.js';

const object = (status: 'approved' | 'pending'): ObjectRecord => ({
  className: 'car',
  instanceName: 'car',
  color: '#ff0000',
  createdBy: 'u_1' as UserId,
  createdAt: 1,
  review:
    status === 'approved'
      ? { status, by: 'u_2' as UserId, at: 2, note: '' }
      : { status, by: null, at: null, note: '' },
});
const a = 'obj_a' as ObjectId;
const b = 'obj_b' as ObjectId;
const objects = new Map([
  [a, object('approved')],
  [b, object('pending')],
]);
const form = (patch: Partial<ExportForm> = {}): ExportForm => ({ ...initialForm(30), ...patch });

describe('optionsFromForm', () => {
  it('exports every frame by default, and turns an inclusive range into an exclusive end', () => {
    const all = optionsFromForm(form(), 30, objects);
    expect(all.ok && all.options.frames).toBeUndefined();
    const some = optionsFromForm(form({ from: 3, to: 9, formats: new Set(['davis', 'coco']) }), 30, objects);
    expect(some.ok && some.options).toMatchObject({
      frames: { start: 3, end: 10 },
      formats: ['coco', 'davis'],
    });
  });

  it('merges the checked objects into one named instance, and puts all under one class', () => {
    const merged = optionsFromForm(
      form({
        mergeInstance: true,
        instanceName: ' pair ',
        checked: new Set([b, a]),
        oneClass: true,
        className: 'thing',
      }),
      30,
      objects,
    );
    expect(merged.ok && merged.options.mergeInstances).toEqual([{ name: 'pair', objIds: [a, b] }]);
    expect(merged.ok && merged.options.mergeClasses).toEqual([{ className: 'thing', objIds: [a, b] }]);
  });

  it('explains what is wrong', () => {
    const problem = (f: ExportForm, objs = objects) => {
      const r = optionsFromForm(f, 30, objs);
      return r.ok ? null : r.problem;
    };
    expect(problem(form({ formats: new Set() }))).toMatch(/format/);
    expect(problem(form({ to: 30 }))).toMatch(/0 to 29/);
    expect(problem(form({ from: 5, to: 4 }))).toMatch(/after/);
    expect(problem(form({ from: Number.NaN }))).toMatch(/0 to 29/);
    expect(problem(form({ mergeInstance: true, checked: new Set([a]) }))).toMatch(/two objects/);
    expect(problem(form({ onlyApproved: true }), new Map([[b, object('pending')]]))).toMatch(/approved/);
    expect(problem(form({ onlyApproved: true }))).toBeNull();
  });
});
