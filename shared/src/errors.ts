/**
 * The one list of error codes Maskroom speaks, shared by the HTTP API (DESIGN §6) and the worker
 * protocol (DESIGN §5). The worker learns the same table through the generated
 * `gpu-worker/maskroom_worker/protocol.schema.json`.
 *
 * `retryable` is the default answer to "may the same request succeed if sent again later or to
 * another worker?"; a worker's `error` message may override it per occurrence.
 */
import { z } from 'zod';

export interface ErrorCodeInfo {
  /** HTTP status the API answers with when this code reaches a client. */
  readonly httpStatus: number;
  /** Whether the same request may succeed when retried (later, or on another worker). */
  readonly retryable: boolean;
  /** One line for logs and docs; also the default message of a `MaskroomError`. */
  readonly description: string;
}

export const ERROR_CODES = {
  // Ingest.
  VIDEO_TOO_LONG: {
    httpStatus: 422,
    retryable: false,
    description: 'The video is longer than the configured maximum duration or frame count.',
  },
  RESOLUTION_TOO_HIGH: {
    httpStatus: 422,
    retryable: false,
    description: 'The video is wider or taller than the configured maximum resolution.',
  },
  STORAGE_FULL: {
    httpStatus: 507,
    retryable: true,
    description: 'The server has no disk space left for this upload.',
  },
  FILE_TOO_LARGE: {
    httpStatus: 413,
    retryable: false,
    description: 'The upload is larger than the configured maximum size.',
  },
  UNSUPPORTED_MEDIA: {
    httpStatus: 415,
    retryable: false,
    description: 'The upload is not a video format Maskroom can decode.',
  },
  INGEST_FAILED: {
    httpStatus: 422,
    retryable: false,
    description: 'The video could not be probed or decoded into frames.',
  },
  // Commands and prompts.
  INVALID_PROMPT: {
    httpStatus: 400,
    retryable: false,
    description: 'The prompt is malformed: bad coordinates, no or several prompt kinds, empty text.',
  },
  UNSUPPORTED_PROMPT: {
    httpStatus: 422,
    retryable: false,
    description: 'The prompt is valid but the backend cannot answer it (e.g. text on classical).',
  },
  FRAME_OUT_OF_RANGE: {
    httpStatus: 404,
    retryable: false,
    description: 'The frame index is outside [0, numFrames) of the session.',
  },
  CANCELLED: {
    httpStatus: 409,
    retryable: false,
    description: 'The request was cancelled or superseded before it finished.',
  },
  CONFLICT: {
    httpStatus: 409,
    retryable: false,
    description: 'The request conflicts with the current state of the resource.',
  },
  // Import.
  INVALID_IMPORT: {
    httpStatus: 422,
    retryable: false,
    description: 'The imported annotations are malformed: …',
  },
  // Workers.
  NO_WORKER: {
    httpStatus: 503,
    retryable: true,
    description: 'No connected worker can take the request right now.',
  },
  WORKER_LOST: {
    httpStatus: 503,
    retryable: true,
    description: 'The worker handling the request disconnected or stopped answering.',
  },
  SESSION_NOT_OPEN: {
    httpStatus: 503,
    retryable: true,
    description: 'The worker holds no model state for this session; reopen it and retry.',
  },
  SESSION_LIMIT: {
    httpStatus: 503,
    retryable: true,
    description: 'The worker already holds its maximum number of open sessions.',
  },
  OUT_OF_MEMORY: {
    httpStatus: 503,
    retryable: true,
    description: 'The worker ran out of accelerator or host memory for this request.',
  },
  TIMEOUT: {
    httpStatus: 504,
    retryable: true,
    description: 'The request did not finish within its time limit.',
  },
  // Worker protocol.
  INVALID_MESSAGE: {
    httpStatus: 400,
    retryable: false,
    description: 'A worker-protocol message is malformed: framing, encoding, JSON or schema.',
  },
  PROTOCOL_VERSION_MISMATCH: {
    httpStatus: 400,
    retryable: false,
    description: 'The peer speaks a different worker-protocol version.',
  },
  // Generic HTTP.
  INVALID_REQUEST: {
    httpStatus: 400,
    retryable: false,
    description: 'The request body, query or parameters are invalid.',
  },
  UNAUTHENTICATED: {
    httpStatus: 401,
    retryable: false,
    description: 'The request carries no valid login session or share link.',
  },
  FORBIDDEN: {
    httpStatus: 403,
    retryable: false,
    description: "The caller's role does not allow this action.",
  },
  LINK_EXPIRED: {
    httpStatus: 410,
    retryable: false,
    description: 'The share link has expired; ask the session owner for a new one.',
  },
  LINK_REVOKED: {
    httpStatus: 410,
    retryable: false,
    description: 'The share link was revoked by the session owner.',
  },
  SIGNUP_CLOSED: {
    httpStatus: 403,
    retryable: false,
    description: 'Sign-up is by invitation only: open an invitation (share) link first.',
  },
  NOT_FOUND: {
    httpStatus: 404,
    retryable: false,
    description: 'The resource does not exist or is not visible to the caller.',
  },
  RATE_LIMITED: {
    httpStatus: 429,
    retryable: true,
    description: 'Too many requests; slow down and retry later.',
  },
  UNAVAILABLE: {
    httpStatus: 503,
    retryable: true,
    description: 'This server instance is shutting down; retry (the load balancer sends you to another).',
  },
  INTERNAL: {
    httpStatus: 500,
    retryable: false,
    description: 'An unexpected server error.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code, in table order. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const errorCodeSchema = z.enum(ERROR_CODE_LIST);

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);

export interface MaskroomErrorOptions {
  /** Structured context for logs; never sent to HTTP clients. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Overrides the code's default retryability for this occurrence. */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/** An error with a Maskroom code; what HTTP handlers and the dispatcher throw and map. */
export class MaskroomError extends Error {
  override readonly name = 'MaskroomError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message?: string, options: MaskroomErrorOptions = {}) {
    super(
      message ?? ERROR_CODES[code].description,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.details = options.details;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].httpStatus;
  }
}

export const isMaskroomError = (value: unknown): value is MaskroomError => value instanceof MaskroomError;

/** The body of every HTTP error response (DESIGN §6). Lenient reader: unknown keys are dropped. */
export const httpErrorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    requestId: z.string().min(1),
  }),
});
export type HttpErrorBody = z.infer<typeof httpErrorBodySchema>;

/**
 * Builds an HTTP error body and its status from anything thrown. A `MaskroomError` keeps its code
 * and message; anything else becomes `INTERNAL` with a generic message, so internals never leak.
 */
export function httpErrorResponse(
  error: unknown,
  requestId: string,
): { status: number; body: HttpErrorBody } {
  const known = isMaskroomError(error)
    ? error
    : new MaskroomError('INTERNAL', ERROR_CODES.INTERNAL.description);
  return {
    status: known.httpStatus,
    body: { error: { code: known.code, message: known.message, requestId } },
  };
}

/** Just the body of {@link httpErrorResponse}. */
export const httpErrorBody = (error: unknown, requestId: string): HttpErrorBody =>
  httpErrorResponse(error, requestId).body;
