import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SCHEMA_VERSION } from './constants.js';
import { MainDoc } from './MainDoc.js';
import type { MainDocMigration } from './migrations.js';
import { MAIN_DOC_MIGRATIONS, planMigrations } from './migrations.js';
import { checkSchema, initMainDoc } from './schemaCheck.js';
import { metaInit, oid, objectInit } from '../test/docFixtures.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `not a DocError: ${String(e)}`;
  }
  return undefined;
};

function sessionDoc(): Y.Doc {
  const doc = new Y.Doc();
  initMainDoc(doc, metaInit());
  const main = new MainDoc(doc);
  main.objects.create(oid('o1'), objectInit());
  main.objects.create(oid('o2'), objectInit({ className: 'car' }));
  return doc;
}

/** A fake v1 → v2 step: every object gets a `hidden: false` field. */
const addHidden: MainDocMigration = {
  name: 'AddObjectHidden',
  from: 1,
  up: (doc) => {
    for (const value of doc.getMap<unknown>('objects').values()) {
      if (value instanceof Y.Map) value.set('hidden', false);
    }
  },
};
/** A fake v2 → v3 step that depends on v2's field. */
const renameHidden: MainDocMigration = {
  name: 'RenameHiddenToVisible',
  from: 2,
  up: (doc) => {
    for (const value of doc.getMap<unknown>('objects').values()) {
      if (value instanceof Y.Map) {
        value.set('visible', value.get('hidden') === false);
        value.delete('hidden');
      }
    }
  },
};

describe('initMainDoc', () => {
  it('writes meta with the current version and the default chunk size', () => {
    const doc = new Y.Doc();
    const updates: unknown[] = [];
    doc.on('update', (_u: Uint8Array, origin: unknown) => updates.push(origin));
    const meta = initMainDoc(doc, metaInit(), 'server');
    expect(meta).toEqual({ ...metaInit(), schemaVersion: SCHEMA_VERSION, chunkSize: 64 });
    expect(doc.getMap('meta').toJSON()).toEqual(meta);
    expect(updates).toEqual(['server']);
    expect(initMainDoc(new Y.Doc(), { ...metaInit(), chunkSize: 32 }).chunkSize).toBe(32);
  });

  it('refuses a second init, a doc with stray content, and bad meta', () => {
    expect(code(() => initMainDoc(sessionDoc(), metaInit()))).toBe('ALREADY_INITIALIZED');
    const stray = new Y.Doc();
    stray.getMap('comments').set('c', 1);
    expect(code(() => initMainDoc(stray, metaInit()))).toBe('SCHEMA_MISSING');
    const fresh = new Y.Doc();
    expect(code(() => initMainDoc(fresh, metaInit({ width: 0 })))).toBe('INVALID_RECORD');
    expect(fresh.getMap('meta').size).toBe(0);
    // the caller cannot smuggle in a different version
    const sneaky = new Y.Doc();
    initMainDoc(sneaky, { ...metaInit(), schemaVersion: 99 } as never);
    expect(sneaky.getMap('meta').get('schemaVersion')).toBe(SCHEMA_VERSION);
  });
});

describe('checkSchema', () => {
  it('reports an empty doc as empty, and a current one as current', () => {
    expect(checkSchema(new Y.Doc())).toEqual({ state: 'empty' });
    const result = checkSchema(sessionDoc());
    expect(result).toEqual({
      state: 'current',
      version: SCHEMA_VERSION,
      meta: { ...metaInit(), schemaVersion: SCHEMA_VERSION, chunkSize: 64 },
    });
  });

  it('gives clear errors for missing or garbled meta', () => {
    const noMeta = new Y.Doc();
    noMeta.getMap('objects').set('o', new Y.Map());
    expect(code(() => checkSchema(noMeta))).toBe('SCHEMA_MISSING');

    const noVersion = sessionDoc();
    noVersion.getMap('meta').delete('schemaVersion');
    expect(code(() => checkSchema(noVersion))).toBe('SCHEMA_MISSING');

    for (const bad of ['1', 0, -1, 1.5, null, { v: 1 }]) {
      const doc = sessionDoc();
      doc.getMap('meta').set('schemaVersion', bad);
      expect(code(() => checkSchema(doc))).toBe('SCHEMA_INVALID');
    }

    const garbled = sessionDoc();
    garbled.getMap('meta').set('numFrames', 'many');
    let issues: readonly string[] = [];
    try {
      checkSchema(garbled);
    } catch (e) {
      expect((e as { code: string }).code).toBe('SCHEMA_INVALID');
      issues = (e as { issues: readonly string[] }).issues;
    }
    expect(issues.join()).toContain('numFrames');
  });

  it('refuses a doc from a newer version and leaves it alone', () => {
    const doc = sessionDoc();
    doc.getMap('meta').set('schemaVersion', SCHEMA_VERSION + 1);
    const before = Y.encodeStateAsUpdate(doc);
    expect(code(() => checkSchema(doc))).toBe('SCHEMA_TOO_NEW');
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it('migrates an older doc through the named steps and emits one update with the origin', () => {
    const doc = sessionDoc();
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    const updates: { update: Uint8Array; origin: unknown }[] = [];
    doc.on('update', (update: Uint8Array, origin: unknown) => updates.push({ update, origin }));

    const result = checkSchema(doc, { migrations: [addHidden], targetVersion: 2, origin: 'migration' });
    expect(result).toMatchObject({ state: 'migrated', from: 1, version: 2, steps: ['AddObjectHidden'] });
    expect(doc.getMap('meta').get('schemaVersion')).toBe(2);
    const o1 = doc.getMap('objects').get('o1') as Y.Map<unknown>;
    expect(o1.get('hidden')).toBe(false);
    expect(o1.get('className')).toBe('person');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.origin).toBe('migration');

    // the migration travels to other replicas like any update
    Y.applyUpdate(replica, updates[0]!.update);
    expect(replica.getMap('objects').toJSON()).toEqual(doc.getMap('objects').toJSON());
    expect(replica.getMap('meta').get('schemaVersion')).toBe(2);

    // now current: a second check changes nothing
    expect(checkSchema(doc, { migrations: [addHidden], targetVersion: 2 }).state).toBe('current');
    expect(updates).toHaveLength(1);
  });

  it('chains several steps in order', () => {
    const doc = sessionDoc();
    const result = checkSchema(doc, { migrations: [renameHidden, addHidden], targetVersion: 3 });
    expect(result).toMatchObject({ state: 'migrated', from: 1, version: 3 });
    expect(result.state === 'migrated' && result.steps).toEqual(['AddObjectHidden', 'RenameHiddenToVisible']);
    const o2 = doc.getMap('objects').get('o2') as Y.Map<unknown>;
    expect(o2.get('visible')).toBe(true);
    expect(o2.has('hidden')).toBe(false);
  });

  it('does not migrate when told not to', () => {
    const doc = sessionDoc();
    expect(code(() => checkSchema(doc, { migrations: [addHidden], targetVersion: 2, migrate: false }))).toBe(
      'SCHEMA_TOO_OLD',
    );
    expect(doc.getMap('meta').get('schemaVersion')).toBe(1);
  });

  it('refuses a gap in the table', () => {
    const doc = sessionDoc();
    expect(code(() => checkSchema(doc, { migrations: [addHidden], targetVersion: 3 }))).toBe(
      'MIGRATION_MISSING',
    );
    expect(code(() => planMigrations(1, 2, [addHidden, { ...addHidden, name: 'Dup' }]))).toBe(
      'MIGRATION_MISSING',
    );
    expect(doc.getMap('meta').get('schemaVersion')).toBe(1);
  });

  it('leaves the doc untouched when a step throws or breaks meta', () => {
    const doc = sessionDoc();
    const updates: unknown[] = [];
    doc.on('update', () => updates.push(1));
    const sv = Y.encodeStateVector(doc);
    const throwing: MainDocMigration = {
      name: 'Explode',
      from: 2,
      up: () => {
        throw new Error('boom');
      },
    };
    let message = '';
    try {
      checkSchema(doc, { migrations: [addHidden, throwing], targetVersion: 3 });
    } catch (e) {
      expect((e as { code: string }).code).toBe('MIGRATION_FAILED');
      message = (e as Error).message;
    }
    expect(message).toContain('Explode');
    expect(message).toContain('boom');
    const breaking: MainDocMigration = {
      name: 'DropWidth',
      from: 1,
      up: (d) => d.getMap('meta').delete('width'),
    };
    expect(code(() => checkSchema(doc, { migrations: [breaking], targetVersion: 2 }))).toBe(
      'MIGRATION_FAILED',
    );
    expect(updates).toHaveLength(0);
    expect(Y.encodeStateVector(doc)).toEqual(sv);
    expect((doc.getMap('objects').get('o1') as Y.Map<unknown>).has('hidden')).toBe(false);
  });

  it('ships a table that reaches the current version from every older one', () => {
    for (let v = 1; v < SCHEMA_VERSION; v++) expect(() => planMigrations(v, SCHEMA_VERSION)).not.toThrow();
    expect(MAIN_DOC_MIGRATIONS.every((s) => s.from >= 1 && s.from < SCHEMA_VERSION)).toBe(true);
    expect(planMigrations(SCHEMA_VERSION, SCHEMA_VERSION)).toEqual([]);
  });
});
