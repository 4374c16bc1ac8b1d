import type { RequestHandler } from 'express';
import { MaskroomError, httpErrorBody } from '@maskroom/shared';

/** Paths still answered while draining: the load balancer's and the scraper's. */
const ALWAYS = new Set(['/api/health', '/api/metrics']);

/**
 * While the instance shuts down, new requests (on connections still open) get 503 with
 * `Retry-After` and `Connection: close`, so the client or the load balancer retries on another
 * instance (503 is what load balancers retry on; the code is the retryable `UNAVAILABLE`).
 * Requests already running are not affected.
 */
export function refuseWhileDraining(
  draining: () => boolean,
  onRefused?: (code: MaskroomError['code']) => void,
): RequestHandler {
  return (req, res, next) => {
    if (!draining() || ALWAYS.has(req.path)) return next();
    const error = new MaskroomError('UNAVAILABLE', 'this server instance is shutting down: retry', {
      details: { draining: true },
    });
    onRefused?.(error.code);
    res
      .status(error.httpStatus)
      .set({ 'Retry-After': '1', Connection: 'close' })
      .json(httpErrorBody(error, req.requestId));
  };
}

/** Counts requests being handled, so shutdown can wait for them to end. */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  readonly track: RequestHandler = (_req, res, next) => {
    this.count++;
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      this.count--;
      if (this.count === 0) for (const w of this.waiters.splice(0)) w();
    };
    res.once('finish', end);
    res.once('close', end);
    next();
  };

  get size(): number {
    return this.count;
  }

  /** Resolves when no request is in flight, or after `timeoutMs` (false then). */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(wake);
    });
  }
}
