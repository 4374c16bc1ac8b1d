import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MaskroomError } from '@maskroom/shared';
import { ConfigError, loadConfig } from './config.js';
import { DataDirVersionError } from './db/index.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';
import { DataDirLockedError } from './storage/lock.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { version: string };

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log, { version: pkg.version });
  log.info('maskroom listening', { url: `${server.url}/`, mode: config.authMode, dataDir: config.dataDir });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, graceMs: config.shutdownGraceMs });
    // The grace period covers propagations and requests; the rest (sockets, log, database) is quick.
    setTimeout(() => {
      log.error('shutdown took too long: exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 15_000).unref();
    server.close().then(
      () => {
        log.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // Start-up problems a user can fix get one clear line, not a stack trace.
  if (
    err instanceof ConfigError ||
    err instanceof DataDirLockedError ||
    err instanceof DataDirVersionError ||
    err instanceof MaskroomError
  ) {
    console.error(`maskroom: ${err.message}`);
    process.exit(2);
  }
  console.error('maskroom: failed to start', err);
  process.exit(1);
});
