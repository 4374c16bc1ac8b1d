import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { version: string };

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const clientDir = path.resolve(here, '..', '..', 'client', 'dist');
  const app = createApp({
    config,
    log,
    clientDir,
    version: pkg.version,
    health: { db: async () => null, workers: () => [] },
  });

  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shown = config.host.includes(':') ? `[${config.host}]` : config.host;
  log.info('maskroom listening', {
    url: `http://${shown}:${port}/`,
    mode: config.authMode,
    dataDir: config.dataDir,
  });

  const shutdown = (signal: string): void => {
    log.info('shutting down', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`maskroom: ${err.message}`);
    process.exit(2);
  }
  console.error('maskroom: failed to start', err);
  process.exit(1);
});
