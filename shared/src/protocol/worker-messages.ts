/**
 * Headers of the messages a worker sends to the server (DESIGN §5).
 *
 * Every request the server sends with a `reqId` is answered exactly once by `done` or `error`
 * for that `reqId`; `prompt` and `propagate` send their masks as `result`s before it. `cancel` and
 * `close` are not answered; a cancelled request ends with `error` code `CANCELLED` (or with `done`
 * when it had already finished).
 */
import { z } from 'zod';
import { errorCodeSchema } from '../errors.js';
import { MAX_DEVICE_LENGTH, MAX_MESSAGE_LENGTH, MAX_SESSIONS_LIMIT, PROTOCOL_VERSION } from './constants.js';
import {
  countSchema,
  frameIndexSchema,
  requestIdSchema,
  sessionIdSchema,
  workerIdSchema,
} from '../fields.js';
import { maskObjectSchema, progressSchema } from './fields.js';

export const workerBackendSchema = z.enum(['sam3', 'classical']);
export type WorkerBackend = z.infer<typeof workerBackendSchema>;

export const capabilitiesSchema = z.strictObject({
  points: z.boolean(),
  box: z.boolean(),
  text: z.boolean(),
  propagate: z.boolean(),
});
export type Capabilities = z.infer<typeof capabilitiesSchema>;

/** First message of a worker (and again after it reconnects). */
export const helloHeaderSchema = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  workerId: workerIdSchema,
  backend: workerBackendSchema,
  /** Where the model runs: `cuda:0`, `cpu`, … */
  device: z.string().min(1).max(MAX_DEVICE_LENGTH),
  capabilities: capabilitiesSchema,
  /** Sessions the worker can hold open at once. */
  maxSessions: z.int().positive().max(MAX_SESSIONS_LIMIT),
  /** How often it sends `heartbeat`; silence for three intervals means dead. */
  heartbeatIntervalMs: z.int().min(100).max(60_000),
});
export type HelloHeader = z.infer<typeof helloHeaderSchema>;

export const heartbeatHeaderSchema = z.strictObject({
  workerId: workerIdSchema,
  /** Sessions whose model state the worker holds now (idle ones may have been closed). */
  openSessions: z.array(sessionIdSchema).max(MAX_SESSIONS_LIMIT),
  /** Whether the compute thread is running a request. */
  busy: z.boolean(),
  /** Requests waiting behind the running one. */
  queued: countSchema,
  /** Accelerator memory, when the backend can tell. */
  deviceMemory: z.strictObject({ usedBytes: countSchema, totalBytes: countSchema }).optional(),
});
export type HeartbeatHeader = z.infer<typeof heartbeatHeaderSchema>;

/** The masks of one frame for a `prompt` or `propagate` request. */
export const resultHeaderSchema = z.strictObject({
  reqId: requestIdSchema,
  sessionId: sessionIdSchema,
  frame: frameIndexSchema,
  /** Every object with a non-empty mask on this frame. */
  objects: z.array(maskObjectSchema),
  /** Propagations only: frames finished so far (this one included) of the planned total. */
  progress: progressSchema.optional(),
});
export type ResultHeader = z.infer<typeof resultHeaderSchema>;

export const doneHeaderSchema = z.strictObject({
  reqId: requestIdSchema,
  summary: z.strictObject({
    /** Frames for which a `result` was sent (0 for requests without masks). */
    framesDone: countSchema,
    /** Wall time on the worker, from dequeue to finish. */
    elapsedMs: z.number().nonnegative(),
  }),
});
export type DoneHeader = z.infer<typeof doneHeaderSchema>;

export const errorHeaderSchema = z.strictObject({
  /** The failed request, or null for an error not tied to one. */
  reqId: requestIdSchema.nullable(),
  /** The session concerned, when there is one (e.g. an idle session the worker closed). */
  sessionId: sessionIdSchema.optional(),
  code: errorCodeSchema,
  message: z.string().max(MAX_MESSAGE_LENGTH),
  retryable: z.boolean(),
});
export type ErrorHeader = z.infer<typeof errorHeaderSchema>;
