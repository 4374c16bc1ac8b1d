/**
 * Export bench (issue 8): `--frames` × `--objects` moving ellipses at `--width`×`--height`
 * (default 900 × 20 at 1280×720) exported as COCO + YOLO + PNG into one ZIP
 *
 * 1. by the shared builders (`exportZip`) in a Web Worker of headless Chromium (Debian's, driven by
 *    Playwright; the page and worker bundled by Vite), timed from the page's postMessage to the
 *    worker's answer with the finished ZIP Blob — after a warm-up export of a few frames;
 * 2. by a Python reference exporter (`reference.py`: pycocotools, cv2.findContours, cv2.imencode,
 *    zipfile) on the same RLEs, in the same run.
 *
 * Both read RLEs prepared once (encoded by the shared codec before any timing) and build the ZIP
 * in memory. Target: ours < 10 s and no slower than the reference. Exits 0 when a target is
 * missed (and says so).
 *
 *   npm run bench -- export [--quick] [--frames 900] [--objects 20] [--width 1280] [--height 720]
 *                           [--runs 2] [--no-reference]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CHROMIUM_PATH } from '../../tools/chromium.js';
import { positiveArg } from '../args.js';
import { launchBenchBrowser, openBenchPage, type BenchBrowser } from '../browser.js';
import { makeDataset } from './dataset.js';
import type { BenchRun, ExportBenchApi } from './protocol.js';

declare const window: { readonly __exportBench?: ExportBenchApi };

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const TARGET_S = 10;
const WARMUP_FRAMES = 30;

interface Options {
  frames: number;
  objects: number;
  width: number;
  height: number;
  runs: number;
  reference: boolean;
}

function parseArgs(args: string[]): Options {
  const quick = args.includes('--quick');
  const num = (name: string, fallback: number): number => positiveArg(args, name, fallback);
  return {
    frames: num('--frames', quick ? 90 : 900),
    objects: num('--objects', 20),
    width: num('--width', 1280),
    height: num('--height', 720),
    runs: num('--runs', quick ? 1 : 2),
    reference: !args.includes('--no-reference'),
  };
}

interface ReferenceResult {
  ms: number;
  bytes: number;
  files: number;
  annotations: number;
  versions: Record<string, string>;
}

async function runReference(datasetPath: string): Promise<ReferenceResult> {
  const { stdout } = await promisify(execFile)(
    'bash',
    [path.join(repoRoot, 'tools/py.sh'), path.join(here, 'reference.py'), datasetPath],
    { cwd: repoRoot, maxBuffer: 1 << 20, timeout: 30 * 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ReferenceResult;
}

const s = (ms: number): string => (ms / 1e3).toFixed(2);
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

export async function run(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  let bench: BenchBrowser | null = null;
  try {
    const t = performance.now();
    const dataset = makeDataset(opts.width, opts.height, opts.frames, opts.objects);
    const prepareMs = performance.now() - t;
    const datasetJson = JSON.stringify(dataset);
    const chars = dataset.masks.reduce((n, row) => n + row.reduce((m, c) => m + (c?.length ?? 0), 0), 0);
    const masks = dataset.masks.reduce((n, row) => n + row.filter((c) => c !== null).length, 0);

    bench = await launchBenchBrowser({ name: 'export', pageRoot: path.join(here, 'page') });
    const { browser, url, buildMs } = bench;
    const datasetPath = path.join(bench.dir, 'dataset.json');
    writeFileSync(datasetPath, datasetJson);
    const page = await openBenchPage(browser, url, { readyGlobal: '__exportBench' });
    console.log(
      `Export bench: ${opts.frames} frames × ${opts.objects} objects at ${opts.width}×${opts.height}, ` +
        `${masks} masks (${(chars / masks).toFixed(0)} RLE chars each) prepared in ${s(prepareMs)} s; ` +
        `page bundled by Vite in ${s(buildMs)} s; Chromium ${browser.version()}.`,
    );

    const datasetUrl = `${url}dataset.json`;
    const warmup = await page.evaluate((r) => window.__exportBench!.run(r), {
      datasetUrl,
      frames: Math.min(WARMUP_FRAMES, opts.frames),
    });
    const runs: BenchRun[] = [];
    for (let k = 0; k < opts.runs; k++) {
      runs.push(
        await page.evaluate((r) => window.__exportBench!.run(r), { datasetUrl, frames: opts.frames }),
      );
    }
    await bench.closeBrowser();

    const reference = opts.reference ? await runReference(datasetPath) : null;
    const ours = Math.min(...runs.map((r) => r.endToEndMs));
    const best = runs.find((r) => r.endToEndMs === ours)!;
    const rows: [string, string, string][] = [
      ['end to end, s (best of runs)', s(ours), reference ? s(reference.ms) : '—'],
      ['all runs, s', runs.map((r) => s(r.endToEndMs)).join(', '), reference ? s(reference.ms) : '—'],
      ['ZIP size, MB', mb(best.zipBytes), reference ? mb(reference.bytes) : '—'],
      ['longest stretch without progress, ms', best.maxProgressGapMs.toFixed(0), '—'],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(22, ...rows.map((r) => r[1].length));
    console.log('');
    console.log(`| ${'metric'.padEnd(w0)} | ${'Web Worker (Chromium)'.padStart(w1)} | Python reference |`);
    console.log(`| ${'-'.repeat(w0)} | ${'-'.repeat(w1 - 1)}: | ---------------: |`);
    for (const [m, a, b] of rows) console.log(`| ${m.padEnd(w0)} | ${a.padStart(w1)} | ${b.padStart(16)} |`);
    console.log(
      `\nDataset fetch + parse in the worker (once, untimed): ${s(warmup.loadMs)} s; ` +
        `warm-up export of ${Math.min(WARMUP_FRAMES, opts.frames)} frames: ${s(warmup.endToEndMs)} s.`,
    );
    const underTarget = ours < TARGET_S * 1e3;
    const noSlower = reference === null ? null : ours <= reference.ms;
    console.log(
      `Target < ${TARGET_S} s: ${underTarget ? 'met' : 'MISSED'}` +
        (noSlower === null
          ? ' (reference not run).'
          : `; no slower than the reference: ${noSlower ? 'yes' : 'NO'} ` +
            `(${(reference!.ms / ours).toFixed(2)}× its speed).`),
    );

    mkdirSync(path.join(here, '..', 'results'), { recursive: true });
    const out = path.join(here, '..', 'results', 'export.json');
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          bench: 'export',
          date: new Date().toISOString(),
          chromium: CHROMIUM_PATH,
          params: opts,
          dataset: { masks, meanRleChars: chars / masks, prepareMs },
          ours: { runs, warmup },
          reference,
          targets: { seconds: TARGET_S, underTarget, noSlowerThanReference: noSlower },
        },
        null,
        2,
      )}\n`,
    );
    console.log(`Results: ${path.relative(repoRoot, out)}`);
  } finally {
    await bench?.close();
  }
}
