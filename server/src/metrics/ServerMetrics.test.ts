import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocLog } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { parseExposition } from './exposition.js';
import { LOG_ROWS_CACHE_MS, ServerMetrics } from './ServerMetrics.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await openPgliteTestDatabase();
}, 60_000);
afterAll(() => db?.dispose());

describe('ServerMetrics', () => {
  it('counts the update log rows, re-reading the table at most every 10 s', async () => {
    let now = 1_000_000;
    const metrics = new ServerMetrics();
    metrics.bind({ db: db.db, now: () => now });
    const rows = async () => parseExposition(await metrics.render()).value('maskroom_doc_log_rows');
    const log = new DocLog(db.db);
    const base = (await rows())!;
    await log.append('session/ses_metrics', new Uint8Array([0, 0]));
    await log.append('session/ses_metrics', new Uint8Array([0, 0]));
    expect(await rows()).toBe(base);
    now += LOG_ROWS_CACHE_MS;
    expect(await rows()).toBe(base + 2);
  });

  it('reads worker load and queue depth from the dispatcher at each scrape', async () => {
    const metrics = new ServerMetrics();
    const depths = new Map([['ses_a', 2]]);
    const worker = {
      workerId: 'w"1',
      backend: 'classical',
      sessions: 1,
      maxSessions: 4,
      busy: true,
      queued: 3,
    };
    metrics.bind({
      dispatcher: { queueDepths: () => depths, workerSummaries: () => [worker], dropped: new Map() },
    });
    let m = parseExposition(await metrics.render());
    expect(m.value('maskroom_queue_depth', { session: 'ses_a' })).toBe(2);
    const labels = { worker: 'w"1', backend: 'classical' };
    expect(m.value('maskroom_worker_load', { ...labels, measure: 'busy' })).toBe(1);
    expect(m.value('maskroom_worker_load', { ...labels, measure: 'queued' })).toBe(3);
    depths.set('ses_a', 0);
    depths.set('ses_b', 5);
    m = parseExposition(await metrics.render());
    expect(m.sum('maskroom_queue_depth')).toBe(5);
  });
});
