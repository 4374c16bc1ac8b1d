/**
 * RLE bench: the TS codec vs pycocotools on the same realistic 1920×1080 masks, in the same run.
 *
 * 1. Masks are generated once here (seeded, `masks.ts`) and written to a temp directory.
 * 2. `pycoco_bench.py` (through `tools/py.sh`, the repo's .venv) loads them and waits for timing
 *    requests on stdin.
 * 3. For each case and op, timings alternate between pycocotools and the TS codec in rounds, so
 *    drift in this shared machine's load hits both sides alike. The TS codec is also checked to
 *    give pycocotools' exact counts string and mask.
 *
 * What each side includes:
 * - encode — pycocotools: `mask.encode(F)`, `F` the mask already in the Fortran (column-major)
 *   layout it wants; Python wrapper + C scan + string coding, returns bytes.
 *   TS: `encode(mask, h, w)` from the row-major mask (as images come); returns a JS string.
 * - decode — pycocotools: `mask.decode(rle)` → a new (h, w) Fortran-order array.
 *   TS: `decode(counts, h, w)` → a new row-major `Uint8Array` (allocation included).
 * - Extra TS rows (no target): `decode` into a reused buffer, and `decodeIntoLabelMap` in both
 *   layouts (what the renderer does), against the same pycocotools decode time.
 *
 * Timing, both sides alike: warm-up, then batches of ~`batchS` each, ms/op = batch time / ops;
 * `rounds` alternations of `batchesPerRound` batches per side, each round after a short untimed
 * warm-up (at least 3 calls) on its side. The figure is each side's fastest
 * batch (the least disturbed one, as `timeit` advises); medians are in the JSON.
 * ratio = pycocotools ms / TS ms (TS speed relative to pycocotools). Targets: decode ≥ 1.0,
 * encode ≥ 0.5. Exits 0 even when a target is missed, but says so.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decode, decodeIntoLabelMap, encode } from '../../shared/src/rle/index.js';
import { benchMasks } from './masks.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const PLAN = { warmupS: 0.1, roundWarmupS: 0.01, batchS: 0.03, rounds: 5, batchesPerRound: 4 };
const TARGETS = { encode: 0.5, decode: 1.0 } as const;

interface Timing {
  /** Fastest batch, ms/op: the figure the table uses. */
  ms: number;
  medianMs: number;
  batches: number;
  opsPerBatch: number;
}

interface PyReady {
  ready: true;
  pycocotools: string;
  numpy: string;
  python: string;
  counts: Record<string, string>;
}

interface PySamples {
  samples_ms: number[];
  ops_per_batch: number;
}

interface Row {
  case: string;
  op: string;
  pycocotoolsMs: number;
  tsMs: number;
  tsMBps: number;
  ratio: number;
  target: number | null;
  pass: boolean | null;
}

function summarize(samples: number[], opsPerBatch: number): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    ms: sorted[0]!,
    medianMs: sorted[Math.floor(sorted.length / 2)]!,
    batches: sorted.length,
    opsPerBatch,
  };
}

const now = (): number => performance.now() / 1e3;

/** A timed op on the TS side, warmed up once, then sampled batch by batch. */
class TsTimer {
  private size = 1;
  readonly samples: number[] = [];

  constructor(private readonly fn: () => unknown) {
    this.warmUp(PLAN.warmupS);
    const t0 = now();
    let k = 0;
    do {
      fn();
      k++;
    } while (now() - t0 < PLAN.batchS / 4);
    this.size = Math.max(1, Math.floor(PLAN.batchS / ((now() - t0) / k)));
  }

  /** At least 3 untimed calls and `seconds` of them, as the Python side does before each round. */
  private warmUp(seconds: number): void {
    const warmEnd = now() + seconds;
    let n = 0;
    while (n < 3 || now() < warmEnd) {
      this.fn();
      n++;
    }
  }

  batches(count: number, warmupS: number): void {
    this.warmUp(warmupS);
    for (let r = 0; r < count; r++) {
      const t0 = now();
      for (let i = 0; i < this.size; i++) this.fn();
      this.samples.push(((now() - t0) / this.size) * 1e3);
    }
  }

  timing(): Timing {
    return summarize(this.samples, this.size);
  }
}

/** The pycocotools process: one JSON line per request and per answer. */
class Pycocotools {
  private readonly lines: AsyncIterableIterator<string>;
  private readonly child;

  constructor(dir: string) {
    this.child = spawn('bash', ['tools/py.sh', 'bench/rle/pycoco_bench.py', dir], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async next<T>(): Promise<T> {
    const { value, done } = await this.lines.next();
    if (done === true) throw new Error('pycocotools bench process ended early (see its error above)');
    return JSON.parse(value) as T;
  }

  async measure(
    caseName: string,
    op: 'encode' | 'decode',
    batches: number,
    warmupS: number,
  ): Promise<PySamples> {
    this.child.stdin.write(
      `${JSON.stringify({ case: caseName, op, batches, batch_s: PLAN.batchS, warmup_s: warmupS })}\n`,
    );
    return this.next<PySamples>();
  }

  close(): void {
    this.child.stdin.end();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(1) : v >= 10 ? v.toFixed(2) : v.toFixed(3));

function table(rows: Row[]): string {
  const header = [
    'case',
    'op',
    'pycocotools ms/op',
    'TS ms/op',
    'TS MB/s',
    'ratio (TS/py speed)',
    'target',
    'result',
  ];
  const body = rows.map((r) => [
    r.case,
    r.op,
    fmt(r.pycocotoolsMs),
    fmt(r.tsMs),
    r.tsMBps.toFixed(0),
    `${r.ratio.toFixed(2)}×`,
    r.target === null ? '—' : `≥ ${r.target.toFixed(1)}×`,
    r.pass === null ? '(info)' : r.pass ? 'PASS' : 'MISS',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export async function run(_args: string[]): Promise<void> {
  const started = performance.now();
  const masks = benchMasks(1);
  const dir = mkdtempSync(join(tmpdir(), 'maskroom-bench-rle-'));
  const py = (() => {
    const cases = masks.map((m) => {
      const file = `${m.name}.bin`;
      writeFileSync(join(dir, file), m.mask);
      return { name: m.name, file, height: m.height, width: m.width };
    });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases }));
    return new Pycocotools(dir);
  })();
  try {
    const ready = await py.next<PyReady>();
    console.log(
      `RLE bench: ${masks.length} masks of 1920×1080, pycocotools ${ready.pycocotools} vs the TS codec, ` +
        `${PLAN.rounds} alternating rounds of ${PLAN.batchesPerRound} × ~${PLAN.batchS * 1e3} ms batches per side…`,
    );
    const rows: Row[] = [];
    const details: Record<string, unknown>[] = [];
    let mismatches = 0;
    for (const m of masks) {
      const { height: h, width: w, mask } = m;
      const pyCounts = ready.counts[m.name];
      if (pyCounts === undefined) throw new Error(`no pycocotools result for ${m.name}`);
      const counts = encode(mask, h, w);
      const exact = counts === pyCounts && sameBytes(decode(pyCounts, h, w), mask);
      if (!exact) {
        mismatches++;
        console.error(`MISMATCH on ${m.name}: the TS codec disagrees with pycocotools`);
      }

      // Targeted ops: alternate pycocotools and TS in rounds.
      const targeted: Record<'encode' | 'decode', { py: Timing; ts: Timing }> = {} as never;
      for (const op of ['encode', 'decode'] as const) {
        const ts = new TsTimer(op === 'encode' ? () => encode(mask, h, w) : () => decode(counts, h, w));
        const pySamples: number[] = [];
        let pyOps = 0;
        for (let r = 0; r < PLAN.rounds; r++) {
          // Each round starts with a short untimed warm-up on both sides (caches, allocator).
          const got = await py.measure(
            m.name,
            op,
            PLAN.batchesPerRound,
            r === 0 ? PLAN.warmupS : PLAN.roundWarmupS,
          );
          pySamples.push(...got.samples_ms);
          pyOps = got.ops_per_batch;
          ts.batches(PLAN.batchesPerRound, PLAN.roundWarmupS);
        }
        targeted[op] = { py: summarize(pySamples, pyOps), ts: ts.timing() };
      }

      // Informational TS-only ops.
      const out = new Uint8Array(h * w);
      const labels = new Uint8Array(h * w);
      const info = (fn: () => unknown): Timing => {
        const t = new TsTimer(fn);
        t.batches(PLAN.rounds * PLAN.batchesPerRound, 0);
        return t.timing();
      };
      const decInto = info(() => decode(counts, h, w, out));
      const lmRow = info(() => decodeIntoLabelMap(counts, h, w, labels, 7, 'row-major'));
      const lmCol = info(() => decodeIntoLabelMap(counts, h, w, labels, 7, 'column-major'));

      const mb = (h * w) / 1e6;
      const row = (op: string, pyMs: number, ts: Timing, target: number | null): Row => {
        const ratio = pyMs / ts.ms;
        return {
          case: m.name,
          op,
          pycocotoolsMs: pyMs,
          tsMs: ts.ms,
          tsMBps: mb / (ts.ms / 1e3),
          ratio,
          target,
          pass: target === null ? null : ratio >= target,
        };
      };
      const pyDec = targeted.decode.py.ms;
      rows.push(
        row('encode', targeted.encode.py.ms, targeted.encode.ts, TARGETS.encode),
        row('decode', pyDec, targeted.decode.ts, TARGETS.decode),
        row('decode (reused out)', pyDec, decInto, null),
        row('labelmap row-major', pyDec, lmRow, null),
        row('labelmap column-major', pyDec, lmCol, null),
      );
      let area = 0;
      for (let i = 0; i < mask.length; i++) area += mask[i]!;
      details.push({
        case: m.name,
        description: m.description,
        height: h,
        width: w,
        coverage: area / mask.length,
        countsLength: counts.length,
        exactMatch: exact,
        pycocotools: { encode: targeted.encode.py, decode: targeted.decode.py },
        ts: {
          encode: targeted.encode.ts,
          decode: targeted.decode.ts,
          decodeReusedOut: decInto,
          labelMapRowMajor: lmRow,
          labelMapColumnMajor: lmCol,
        },
      });
    }
    py.close();

    console.log('');
    for (const d of details) {
      console.log(
        `  ${String(d.case).padEnd(13)} ${String(d.description).padEnd(44)} coverage ${((d.coverage as number) * 100).toFixed(1).padStart(5)}%  counts ${String(d.countsLength).padStart(8)} chars`,
      );
    }
    console.log('');
    console.log(table(rows));
    const targeted = rows.filter((r) => r.pass !== null);
    const missed = targeted.filter((r) => r.pass === false);
    const perSide = PLAN.rounds * PLAN.batchesPerRound;
    console.log('');
    console.log(
      `pycocotools ${ready.pycocotools} (numpy ${ready.numpy}, Python ${ready.python}) vs Node ${process.versions.node}; ` +
        `ms/op = fastest of ${perSide} batches of ~${PLAN.batchS * 1e3} ms per side; ratio = pycocotools ms / TS ms.`,
    );
    console.log(
      missed.length === 0
        ? `ALL TARGETS MET (${targeted.length}/${targeted.length}): decode ≥ ${TARGETS.decode}× and encode ≥ ${TARGETS.encode}× pycocotools.`
        : `TARGETS MISSED: ${missed.length}/${targeted.length} — ${missed.map((r) => `${r.case} ${r.op} ${r.ratio.toFixed(2)}×`).join(', ')}`,
    );
    if (mismatches > 0) console.log(`CORRECTNESS: ${mismatches} case(s) did not match pycocotools exactly.`);
    else console.log('Correctness: every TS counts string and decoded mask matched pycocotools exactly.');

    const resultsDir = join(repoRoot, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const result = {
      bench: 'rle',
      date: new Date().toISOString(),
      node: process.versions.node,
      pycocotools: ready.pycocotools,
      numpy: ready.numpy,
      python: ready.python,
      plan: PLAN,
      targets: TARGETS,
      allTargetsMet: missed.length === 0,
      exact: mismatches === 0,
      rows,
      cases: details,
      seconds: (performance.now() - started) / 1e3,
    };
    writeFileSync(join(resultsDir, 'rle.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote bench/results/rle.json (${result.seconds.toFixed(1)} s)`);
  } finally {
    py.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
