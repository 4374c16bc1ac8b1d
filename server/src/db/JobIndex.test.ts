import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobId, SessionId } from '@maskroom/shared';
import { JobIndex } from './JobIndex.js';
import { openPgliteTestDatabase, type TestDatabase } from './testing.js';

let db: TestDatabase;
let index: JobIndex;
let n = 0;
const job = (): JobId => `job_lease${n++}` as JobId;
const SESSION = 'ses_leases' as SessionId;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await openPgliteTestDatabase();
  // Jobs alone, without the videos and sessions their foreign key wants (one connection: it sticks).
  await db.db.execute(sql`set session_replication_role = replica`);
  index = new JobIndex(db.db);
}, 30_000);
afterAll(() => db?.dispose());

describe('job leases', () => {
  it('a held lease is renewed by its owner only, and is not taken over', async () => {
    const id = job();
    await index.record(id, SESSION, { owner: 'a', ms: 5_000 });
    expect(await index.sessionOf(id)).toBe(SESSION);
    expect(await index.renew(id, 'a', 5_000)).toBe(true);
    expect(await index.renew(id, 'b', 5_000)).toBe(false);
    expect(await index.claimExpired('b', 5_000)).toBeNull();
  });

  it('an expired lease goes to exactly one of several claimants, who then hold it', async () => {
    const id = job();
    await index.record(id, SESSION, { owner: 'a', ms: 50 });
    await sleep(120);
    const claims = await Promise.all(['b', 'c', 'd'].map((o) => index.claimExpired(o, 5_000)));
    const won = claims.flatMap((c, i) => (c ? [{ c, owner: ['b', 'c', 'd'][i]! }] : []));
    expect(won).toHaveLength(1);
    expect(won[0]!.c).toEqual({ id, session: SESSION });
    expect(await index.renew(id, 'a', 5_000), 'the old owner lost it').toBe(false);
    expect(await index.renew(id, won[0]!.owner, 5_000)).toBe(true);
  });

  it('released jobs are never taken over; handed-back ones at once; exclusions are honoured', async () => {
    const done = job();
    const handed = job();
    await index.record(done, SESSION, { owner: 'a', ms: 50 });
    await index.record(handed, SESSION, { owner: 'a', ms: 60_000 });
    await index.release(done, 'a');
    await index.release(handed, 'a', { expire: true });
    await sleep(120);
    expect(await index.claimExpired('b', 5_000, [handed])).toBeNull();
    expect(await index.claimExpired('b', 5_000)).toEqual({ id: handed, session: SESSION });
    expect(await index.claimExpired('c', 5_000)).toBeNull();
  });

  it('a job recorded without a lease is never taken over', async () => {
    await index.record(job(), SESSION);
    expect(await index.claimExpired('b', 5_000)).toBeNull();
  });
});
