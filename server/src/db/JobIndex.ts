import { and, eq, sql } from 'drizzle-orm';
import type { JobId, SessionId } from '@maskroom/shared';
import type { DB } from './client.js';
import { mapErrors } from './errors.js';
import { jobs } from './schema.js';

/**
 * Job id → session, for looking a job up by id alone; and the leases that say which server
 * instance runs a job. Lease times are the database's clock (`now()`), the one clock every
 * instance shares.
 */
export class JobIndex {
  constructor(private readonly db: DB) {}

  /** Records a job; with `lease`, `owner` holds it for `ms` from now. */
  async record(id: JobId, session: SessionId, lease?: { owner: string; ms: number }): Promise<void> {
    await mapErrors('record job', () =>
      this.db.insert(jobs).values({
        id,
        sessionId: session,
        ...(lease ? { ownerInstance: lease.owner, leaseUntil: leaseEnd(lease.ms) } : {}),
      }),
    );
  }

  async sessionOf(id: JobId): Promise<SessionId | null> {
    const [row] = await this.db.select({ sessionId: jobs.sessionId }).from(jobs).where(eq(jobs.id, id));
    return (row?.sessionId as SessionId | undefined) ?? null;
  }

  /** Extends `owner`'s lease on a job; false when it no longer holds it (another instance took over). */
  async renew(id: JobId, owner: string, ms: number): Promise<boolean> {
    const rows = await mapErrors('renew job lease', () =>
      this.db
        .update(jobs)
        .set({ leaseUntil: leaseEnd(ms) })
        .where(and(eq(jobs.id, id), eq(jobs.ownerInstance, owner), sql`${jobs.leaseUntil} is not null`))
        .returning({ id: jobs.id }),
    );
    return rows.length > 0;
  }

  /**
   * Ends `owner`'s lease: `expire` leaves it expired, so that another instance takes the job over
   * at once (a shutdown handing work back); otherwise the job is over and nobody will.
   */
  async release(id: JobId, owner: string, opts: { expire?: boolean } = {}): Promise<void> {
    await mapErrors('release job lease', () =>
      this.db
        .update(jobs)
        .set({ leaseUntil: opts.expire ? sql`now() - interval '1 millisecond'` : null })
        .where(and(eq(jobs.id, id), eq(jobs.ownerInstance, owner))),
    );
  }

  /**
   * Takes over one job whose lease has expired, if any: atomically, so that of several instances
   * looking at once exactly one gets it. `except` are jobs the caller must not take (its own).
   */
  async claimExpired(
    owner: string,
    ms: number,
    except: readonly JobId[] = [],
  ): Promise<{ id: JobId; session: SessionId } | null> {
    const exclude =
      except.length > 0
        ? sql`and ${jobs.id} not in (${sql.join(
            except.map((id) => sql`${id}`),
            sql`, `,
          )})`
        : sql``;
    const rows = await mapErrors('claim job lease', () =>
      this.db
        .update(jobs)
        .set({ ownerInstance: owner, leaseUntil: leaseEnd(ms) })
        .where(
          sql`${jobs.id} = (select ${jobs.id} from ${jobs} where ${jobs.leaseUntil} < now() ${exclude}
            order by ${jobs.leaseUntil} limit 1 for update skip locked)`,
        )
        .returning({ id: jobs.id, sessionId: jobs.sessionId }),
    );
    const row = rows[0];
    return row ? { id: row.id as JobId, session: row.sessionId as SessionId } : null;
  }
}

function leaseEnd(ms: number) {
  return sql`now() + make_interval(secs => ${ms / 1000})`;
}
