import { describe, expect, it } from 'vitest';
import { healthSchema } from '@maskroom/shared';

const worker = {
  workerId: 'w-classical-1',
  backend: 'classical',
  device: 'cpu',
  capabilities: { points: true, box: true, text: false, propagate: true },
  sessions: 1,
  maxSessions: 4,
  busy: false,
  queued: 0,
};
const body = { ok: true, version: '0.1.0', db: { ok: true, driver: 'pglite' }, workers: [worker] };

describe('healthSchema', () => {
  it('reads a health body with its workers and their capabilities', () => {
    const health = healthSchema.parse(body);
    expect(health.workers[0]?.capabilities.text).toBe(false);
    expect(health.db?.driver).toBe('pglite');
  });

  it('accepts a server without a database and without workers', () => {
    expect(healthSchema.parse({ ...body, db: null, workers: [] }).workers).toEqual([]);
  });

  it.each([
    ['an unknown backend', { ...body, workers: [{ ...worker, backend: 'magic' }] }],
    [
      'capabilities without propagate',
      { ...body, workers: [{ ...worker, capabilities: { points: true, box: true, text: false } }] },
    ],
    ['a negative queue', { ...body, workers: [{ ...worker, queued: -1 }] }],
    ['a missing version', { ok: true, db: null, workers: [] }],
    ['an unexpected field', { ...body, extra: 1 }],
  ])('rejects %s', (_what, bad) => {
    expect(healthSchema.safeParse(bad).success).toBe(false);
  });
});
