import { eq } from 'drizzle-orm';
import type { JobId, SessionId } from '@maskroom/shared';
import type { DB } from './client.js';
import { mapErrors } from './errors.js';
import { jobs } from './schema.js';

/** Job id → session, for looking a job up by id alone. */
export class JobIndex {
  constructor(private readonly db: DB) {}

  async record(id: JobId, session: SessionId): Promise<void> {
    await mapErrors('record job', () => this.db.insert(jobs).values({ id, sessionId: session }));
  }

  async sessionOf(id: JobId): Promise<SessionId | null> {
    const [row] = await this.db.select({ sessionId: jobs.sessionId }).from(jobs).where(eq(jobs.id, id));
    return (row?.sessionId as SessionId | undefined) ?? null;
  }
}
