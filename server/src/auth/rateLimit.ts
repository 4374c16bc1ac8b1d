/**
 * Log-in failures counted per account and per address in a sliding window. Over either limit,
 * log-in answers `RATE_LIMITED` (with when to retry) even for the right password, so guessing
 * gains nothing. In memory: each server instance counts its own (behind a sticky load balancer, a
 * client's attempts reach one instance).
 */
import { MaskroomError } from '@maskroom/shared';

export const WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 30;

export class LoginRateLimiter {
  readonly #byAccount = new Map<string, number[]>();
  readonly #byAddress = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Throws `RATE_LIMITED` while the account or the address is over its limit. */
  check(account: string, address: string): void {
    const wait = Math.max(
      this.#wait(this.#byAccount, account, MAX_FAILURES_PER_ACCOUNT),
      this.#wait(this.#byAddress, address, MAX_FAILURES_PER_ADDRESS),
    );
    if (wait > 0) {
      const retryAfterSec = Math.ceil(wait / 1000);
      throw new MaskroomError('RATE_LIMITED', `too many failed log-ins; try again in ${retryAfterSec} s`, {
        details: { retryAfterSec },
      });
    }
  }

  failed(account: string, address: string): void {
    this.#push(this.#byAccount, account);
    this.#push(this.#byAddress, address);
  }

  succeeded(account: string): void {
    this.#byAccount.delete(account);
  }

  /** Milliseconds until `key` is under `max` failures again (0 = now). */
  #wait(map: Map<string, number[]>, key: string, max: number): number {
    const list = this.#recent(map, key);
    if (list.length < max) return 0;
    return list[list.length - max]! + WINDOW_MS - this.now();
  }

  #recent(map: Map<string, number[]>, key: string): number[] {
    const since = this.now() - WINDOW_MS;
    const list = (map.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) map.delete(key);
    else map.set(key, list);
    return list;
  }

  #push(map: Map<string, number[]>, key: string): void {
    const list = this.#recent(map, key);
    list.push(this.now());
    map.set(key, list);
    // Bound memory under a flood of distinct keys: forget the stalest.
    if (map.size > 100_000) map.delete(map.keys().next().value!);
  }
}
