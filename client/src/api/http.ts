/**
 * The one way the browser talks JSON to the server: every answer is parsed with its shared zod
 * schema, and every failure (a coded error body, a body that is not one, a dropped connection, a
 * response of the wrong shape) becomes an `ApiError` the UI can show as-is.
 */
import type { z } from 'zod';
import { ERROR_CODES, LOCAL_NAME_HEADER, httpErrorBodySchema, type ErrorCode } from '@maskroom/shared';

/**
 * The server's codes plus `NETWORK`, which only the client can observe: the request got no HTTP
 * answer at all (server stopped, connection dropped, a proxy in front that cannot reach it).
 */
export type ApiErrorCode = ErrorCode | 'NETWORK';

export const NETWORK_MESSAGE = 'the server does not answer';

export interface ApiErrorInit {
  readonly code: ApiErrorCode;
  readonly message: string;
  /** HTTP status; 0 when no answer came back. */
  readonly status: number;
  readonly requestId: string | null;
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  /** The server's request id, to quote when reporting a problem; null without an answer. */
  readonly requestId: string | null;
  readonly retryable: boolean;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? (init.code === 'NETWORK' ? true : ERROR_CODES[init.code].retryable);
  }
}

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

let displayName: string | null = null;

/**
 * Names this browser on every request (local mode tells browsers apart by it). The value is
 * percent-encoded UTF-8: header values must be Latin-1, and display names need not be.
 */
export function setClientIdentity(name: string | null): void {
  const trimmed = name?.trim() ?? '';
  displayName = trimmed === '' ? null : trimmed;
}

/** Headers every API request carries. */
export function identityHeaders(): Record<string, string> {
  return displayName === null ? {} : { [LOCAL_NAME_HEADER]: encodeURIComponent(displayName) };
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
}

/** `GET path`, answer parsed with `schema`. */
export function getJson<S extends z.ZodType>(
  path: string,
  schema: S,
  opts: RequestOptions = {},
): Promise<z.output<S>> {
  return request('GET', path, undefined, schema, opts);
}

export type SendMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A JSON command (`body` undefined sends none). With a schema the answer is parsed with it;
 * without one the answer's body is ignored (204 and `{ok: true}` replies).
 */
export function sendJson<S extends z.ZodType>(
  method: SendMethod,
  path: string,
  body: unknown,
  schema: S,
  opts?: RequestOptions,
): Promise<z.output<S>>;
export function sendJson(
  method: SendMethod,
  path: string,
  body?: unknown,
  schema?: undefined,
  opts?: RequestOptions,
): Promise<void>;
export async function sendJson<S extends z.ZodType>(
  method: SendMethod,
  path: string,
  body: unknown,
  schema?: S,
  opts: RequestOptions = {},
): Promise<z.output<S> | void> {
  return request(method, path, body, schema, opts);
}

async function request<S extends z.ZodType>(
  method: string,
  path: string,
  body: unknown,
  schema: S | undefined,
  opts: RequestOptions,
): Promise<z.output<S>> {
  const route = `${method} ${path}`;
  const headers: Record<string, string> = { accept: 'application/json', ...identityHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (error) {
    throw failedRequest(route, error, opts.signal);
  }
  const text = await res.text().catch(() => '');
  const requestId = res.headers.get('x-request-id');
  if (!res.ok) throw errorFromResponse(route, res.status, text, requestId);
  if (schema === undefined) return undefined as z.output<S>;
  return parseAnswer(route, schema, text, res.status, requestId);
}

/** Parses a successful answer's body with its schema; a mismatch is the server's bug (`INTERNAL`). */
export function parseAnswer<S extends z.ZodType>(
  route: string,
  schema: S,
  text: string,
  status: number,
  requestId: string | null,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ApiError({
      code: 'INTERNAL',
      message: `${route} answered something that is not JSON`,
      status,
      requestId,
      cause,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    throw new ApiError({
      code: 'INTERNAL',
      message: `${route} answered an unexpected body${where}: ${first?.message ?? 'invalid'}`,
      status,
      requestId,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * The error a failed HTTP answer stands for: the server's coded body when there is one, else a
 * code guessed from the status (a proxy's 502 page means the server is not reachable).
 */
export function errorFromResponse(
  route: string,
  status: number,
  text: string,
  requestIdHeader: string | null,
): ApiError {
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: an HTML error page from a proxy, or nothing.
  }
  const coded = httpErrorBodySchema.safeParse(json);
  if (coded.success) {
    const { code, message, requestId } = coded.data.error;
    return new ApiError({ code, message, status, requestId });
  }
  const code = codeForStatus(status);
  return new ApiError({
    code,
    message:
      code === 'NETWORK'
        ? `${NETWORK_MESSAGE} (HTTP ${status} from ${route})`
        : `${route} failed with HTTP ${status}`,
    status,
    requestId: requestIdHeader,
  });
}

function codeForStatus(status: number): ApiErrorCode {
  if (status === 502 || status === 503 || status === 504) return 'NETWORK';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'FILE_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 400 && status < 500) return 'INVALID_REQUEST';
  return 'INTERNAL';
}

/** A request that got no answer: aborted by the caller (`CANCELLED`) or a network failure. */
export function failedRequest(route: string, error: unknown, signal?: AbortSignal): ApiError {
  if (signal?.aborted || (error instanceof DOMException && error.name === 'AbortError')) {
    return new ApiError({
      code: 'CANCELLED',
      message: `${route} was cancelled`,
      status: 0,
      requestId: null,
      cause: error,
    });
  }
  return new ApiError({
    code: 'NETWORK',
    message: `${NETWORK_MESSAGE} (${route})`,
    status: 0,
    requestId: null,
    cause: error,
  });
}

/** Path segment for an id that came from outside (a URL, a document). */
export const seg = (id: string): string => encodeURIComponent(id);
