import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH, HEADLESS_WEBGL_ARGS } from '../tools/chromium.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.E2E_PORT ?? 4319);
/** The accounts-mode server's port; specs read it as `process.env.E2E_ACCOUNTS_URL`. */
const accountsPort = Number(process.env.E2E_ACCOUNTS_PORT ?? port + 1);
process.env.E2E_ACCOUNTS_URL = `http://127.0.0.1:${accountsPort}`;

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // Two cores: one browser at a time keeps timings honest.
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [...HEADLESS_WEBGL_ARGS],
    },
    trace: 'retain-on-failure',
  },
  webServer: [
    {
      command: 'node server/dist/main.js',
      cwd: root,
      url: `http://127.0.0.1:${port}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      env: {
        PORT: String(port),
        MASKROOM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'maskroom-e2e-')),
        MASKROOM_LOG_LEVEL: 'warn',
        MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*',
      },
    },
    {
      // Accounts mode, for the specs that log in and share links (`*.accounts.spec.ts`).
      command: 'node server/dist/main.js',
      cwd: root,
      url: `http://127.0.0.1:${accountsPort}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      env: {
        PORT: String(accountsPort),
        HOST: '127.0.0.1',
        MASKROOM_AUTH: 'accounts',
        MASKROOM_LOCAL_WORKER: 'on',
        MASKROOM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'maskroom-e2e-accounts-')),
        MASKROOM_LOG_LEVEL: 'warn',
        MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*',
      },
    },
  ],
});
