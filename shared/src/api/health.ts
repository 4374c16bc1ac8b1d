/**
 * `GET /api/health` (DESIGN §6), defined once: the server answers it and the client parses it.
 * A worker's summary is what the dispatcher knows of it from its `hello` and its traffic, so the
 * page can tell which prompt kinds any connected worker accepts before offering them.
 */
import { z } from 'zod';
import { countSchema } from '../fields.js';
import { capabilitiesSchema, workerBackendSchema } from '../protocol/worker-messages.js';

export const workerSummarySchema = z.strictObject({
  workerId: z.string().min(1),
  backend: workerBackendSchema,
  device: z.string(),
  capabilities: capabilitiesSchema,
  /** Sessions the worker holds open now, and at most. */
  sessions: countSchema,
  maxSessions: countSchema,
  busy: z.boolean(),
  /** Requests waiting for the worker. */
  queued: countSchema,
});
export type WorkerSummary = z.infer<typeof workerSummarySchema>;

export const healthSchema = z.strictObject({
  /** False (and HTTP 503) when the database does not answer. */
  ok: z.boolean(),
  version: z.string(),
  /** Null until a database is configured. */
  db: z.strictObject({ ok: z.boolean(), driver: z.string() }).nullable(),
  workers: z.array(workerSummarySchema),
});
export type Health = z.infer<typeof healthSchema>;
