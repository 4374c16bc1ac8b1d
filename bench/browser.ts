/**
 * What the browser benches share: their page bundled by Vite into a temporary directory, served on
 * 127.0.0.1 by a tiny `node:http` server, and opened in the project's headless Chromium (driven by
 * Playwright) with the page's errors echoed to the terminal.
 */
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { CHROMIUM_PATH, HEADLESS_WEBGL_ARGS } from '../tools/chromium.js';

/** The project's flags, plus those that keep a hidden or occluded page's timers and frames unthrottled. */
export const BENCH_CHROMIUM_ARGS: readonly string[] = [
  ...HEADLESS_WEBGL_ARGS,
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export interface BenchBrowserOptions {
  /** Names the temporary directory (`maskroom-bench-<name>-…`). */
  readonly name: string;
  /** The Vite root of the page (its `index.html`). */
  readonly pageRoot: string;
  /** Chromium's flags; `BENCH_CHROMIUM_ARGS` by default. */
  readonly args?: readonly string[];
}

export interface BenchBrowser {
  readonly browser: Browser;
  /** The served bundle's root URL, ending in `/`. */
  readonly url: string;
  /** The bundle's directory: files written there later are served too. */
  readonly dir: string;
  /** How long Vite took to bundle the page. */
  readonly buildMs: number;
  /** Closes the browser only, leaving the directory and its server (idempotent). */
  closeBrowser(): Promise<void>;
  /** Closes the browser and the server and removes the directory (idempotent). */
  close(): Promise<void>;
}

async function bundle(root: string, outDir: string): Promise<void> {
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: 'warn',
    resolve: { conditions: [...defaultClientConditions, '@maskroom/source'] },
    // Module workers, so a page's worker can import the shared code like the page does.
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 10_000,
    },
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

/** Bundles and serves the page and launches Chromium; whatever was started is undone on failure. */
export async function launchBenchBrowser(opts: BenchBrowserOptions): Promise<BenchBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
  const dir = mkdtempSync(path.join(tmpdir(), `maskroom-bench-${opts.name}-`));
  let server: Server | null = null;
  let browser: Browser | null = null;
  const closeBrowser = async (): Promise<void> => {
    const b = browser;
    browser = null;
    await b?.close();
  };
  const close = async (): Promise<void> => {
    try {
      await closeBrowser();
    } finally {
      server?.close();
      server = null;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const t = performance.now();
    await bundle(opts.pageRoot, dir);
    const buildMs = performance.now() - t;
    const served = await serve(dir);
    server = served.server;
    const launched = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...(opts.args ?? BENCH_CHROMIUM_ARGS)],
    });
    browser = launched;
    return { browser: launched, url: served.url, dir, buildMs, closeBrowser, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export interface OpenPageOptions {
  /** The global the page defines once its bench API is ready. */
  readonly readyGlobal: string;
  readonly viewport?: { width: number; height: number };
  /** Console errors and warnings to keep off the terminal (known noise). */
  readonly ignoreConsole?: (text: string) => boolean;
}

/** A new page at `url`, its uncaught errors and console errors echoed, once `readyGlobal` exists. */
export async function openBenchPage(browser: Browser, url: string, opts: OpenPageOptions): Promise<Page> {
  const context = await browser.newContext({
    ...(opts.viewport ? { viewport: opts.viewport } : {}),
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    if (opts.ignoreConsole?.(msg.text())) return;
    console.error(`[page ${msg.type()}] ${msg.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(
    (name) => (globalThis as Record<string, unknown>)[name] !== undefined,
    opts.readyGlobal,
  );
  return page;
}
