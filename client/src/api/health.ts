/** `GET /api/health`: whether the server and its database answer, and which workers are connected. */
import { healthSchema, type Health } from '@maskroom/shared';
import { ApiError, errorFromResponse, failedRequest, identityHeaders, parseAnswer } from './http.js';

/**
 * The health body, also when the server answers 503 (its database is down: the body still says
 * which part failed). Other failures throw an `ApiError`.
 */
export async function getHealth(opts: { signal?: AbortSignal } = {}): Promise<Health> {
  const route = 'GET /api/health';
  let res: Response;
  try {
    res = await fetch('/api/health', {
      headers: { accept: 'application/json', ...identityHeaders() },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (error) {
    throw failedRequest(route, error, opts.signal);
  }
  const text = await res.text().catch(() => '');
  const requestId = res.headers.get('x-request-id');
  if (res.ok || res.status === 503) {
    try {
      return parseAnswer(route, healthSchema, text, res.status, requestId);
    } catch (error) {
      if (res.ok || !(error instanceof ApiError)) throw error;
      // A 503 that is not a health body comes from a proxy: the server itself is unreachable.
    }
  }
  throw errorFromResponse(route, res.status, text, requestId);
}

/** Whether some connected worker accepts this kind of prompt or job. */
export const anyWorkerCan = (
  health: Health,
  what: keyof Health['workers'][number]['capabilities'],
): boolean => health.workers.some((w) => w.capabilities[what]);
