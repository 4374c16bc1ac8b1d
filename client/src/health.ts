import { useEffect, useState } from 'react';

export type ServerHealth =
  | { state: 'checking' }
  | { state: 'ok'; version: string; workers: number }
  | { state: 'down'; reason: string };

interface HealthBody {
  ok: boolean;
  version: string;
  workers: unknown[];
}

/** Polls `GET /api/health` so the page says plainly whether the server answers. */
export function useServerHealth(intervalMs = 5000): ServerHealth {
  const [health, setHealth] = useState<ServerHealth>({ state: 'checking' });
  useEffect(() => {
    let stopped = false;
    const check = async (): Promise<void> => {
      try {
        const res = await fetch('/api/health', { headers: { accept: 'application/json' } });
        const body = (await res.json()) as HealthBody;
        if (stopped) return;
        setHealth(
          body.ok
            ? { state: 'ok', version: body.version, workers: body.workers.length }
            : { state: 'down', reason: `the server reports a problem (HTTP ${res.status})` },
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
