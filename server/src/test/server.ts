import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import type { Database } from '../db/index.js';
import { createLogger } from '../log.js';
import { startServer, type RunningServer, type StartOptions } from '../server.js';

export interface TestServer extends RunningServer {
  readonly dataDir: string;
  /** Names under `<data>/videos` and `<data>/tmp`: what an ingest left on disk. */
  leftovers(): Promise<{ videos: string[]; tmp: string[] }>;
}

/**
 * A real server on a loopback port 0 with its own temporary data directory. `env` overrides
 * configuration variables (limits, …); `database` injects a test database (else PGlite on disk).
 */
export async function startTestServer(
  opts: {
    env?: Record<string, string>;
    database?: Database;
    authorizer?: StartOptions['authorizer'];
    /** The auth clock (accounts mode's expiry and rate-limit windows). */
    clock?: StartOptions['clock'];
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-test-'));
  const config = loadConfig({
    PORT: '0',
    MASKROOM_DATA_DIR: dataDir,
    // Tests bring their own workers on a free port.
    MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*',
    MASKROOM_LOCAL_WORKER: 'off',
    // Tests close servers with work still running: do not wait the production grace period.
    MASKROOM_SHUTDOWN_GRACE_SEC: '1',
    ...opts.env,
  });
  const server = await startServer(
    config,
    createLogger(process.env.MASKROOM_TEST_LOG === '1' ? 'debug' : 'silent'),
    {
      clientDir: path.join(dataDir, 'no-client'),
      version: '0.0.0-test',
      ...(opts.database ? { database: opts.database } : {}),
      ...(opts.authorizer ? { authorizer: opts.authorizer } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    },
  );
  return {
    ...server,
    dataDir,
    async leftovers() {
      const list = (d: string) => readdir(path.join(dataDir, d)).catch(() => []);
      return { videos: await list('videos'), tmp: await list('tmp') };
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
