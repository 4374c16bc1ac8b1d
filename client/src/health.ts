import { useEffect, useState } from 'react';
import type { Health } from '@maskroom/shared';
import { getHealth } from './api/health.js';

export type ServerHealth =
  | { state: 'checking' }
  | { state: 'ok'; version: string; health: Health }
  | { state: 'down'; reason: string };

/**
 * Polls `GET /api/health` (parsed with the shared schema) so the page says plainly whether the
 * server answers, and which workers it has.
 */
export function useServerHealth(intervalMs = 5000): ServerHealth {
  const [health, setHealth] = useState<ServerHealth>({ state: 'checking' });
  useEffect(() => {
    let stopped = false;
    const check = async (): Promise<void> => {
      try {
        const body = await getHealth();
        if (stopped) return;
        setHealth(
          body.ok
            ? { state: 'ok', version: body.version, health: body }
            : { state: 'down', reason: 'the server reports a problem with its database' },
        );
      } catch {
        if (!stopped) setHealth({ state: 'down', reason: 'the server does not answer' });
      }
    };
    void check();
    const timer = setInterval(() => void check(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [intervalMs]);
  return health;
}
