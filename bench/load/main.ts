/**
 * Load bench (issue 9 item 4): one real server, one real classical worker, simulated
 * collaborators on loopback, each figure beside a baseline measured in the same run.
 *
 * - baseline: 2 collaborators in one session, no propagation (renaming as often as they move, so
 *   that two clients make enough renames for a p99);
 * - phase 1: `--clients` collaborators in ONE session while propagations run back to back in it;
 * - phase 2: `--sessions` sessions at once, each with `--session-clients` collaborators and its
 *   own propagations running back to back.
 *
 * Each collaborator (a real `@hocuspocus/provider` over `ws`, in a child process: see
 * `collaborators.ts`) renames its own object (`--renames-per-sec`, on average) and moves its
 * playhead and cursor (`--presence-per-sec`) for `--seconds`. Reported per scenario: update
 * latency (edit on one client → seen by each other client, and by all of them), the server's
 * CPU and RSS (it runs in this process, which otherwise only drives the run; sampled from /proc),
 * the worker's and the clients' CPU, propagation frames/s, and lost updates: acknowledged renames
 * missing from some client's document or from the session's durable log in the database, or an
 * object whose final name is not its last acknowledged rename. Lost updates must be 0.
 *
 * Database: embedded PGlite, or a scratch PostgreSQL database when `MASKROOM_BENCH_DATABASE_URL`
 * (else `MASKROOM_TEST_DATABASE_URL`) is set. Sessions: a synthetic video (`--video-seconds`).
 *
 *   npm run bench -- load [--clients 50] [--sessions 5] [--session-clients 10] [--seconds 20]
 *                         [--renames-per-sec 0.2] [--presence-per-sec 2] [--video-seconds 4] [--seed 1]
 */
import { formatMs, loadAverage, markdownTable, sleep } from '../report.js';
import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import {
  LOCAL_NAME_HEADER,
  MainDoc,
  createVideoResponseSchema,
  createdObjectSchema,
  jobResponseSchema,
  mainDocName,
  promptResponseSchema,
  type JobId,
  type ObjectId,
  type SessionId,
} from '@maskroom/shared';
import { DocLog } from '../../server/src/db/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../../server/src/test/pg-scratch.js';
import { startTestServer, type TestServer } from '../../server/src/test/server.js';
import { makeSegmentableVideo, startWorker, type TestWorker } from '../../server/src/test/workers.js';
import { positiveArg } from '../args.js';
import { now } from '../collab/protocol.js';
import { startCrew, type Crew } from './crew.js';
import { ProcSampler, type ProcSummary } from './procstat.js';
import type { EditRates, GroupCheck, GroupLatency } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '..', 'results');
/** How long a phase waits for the propagations it started to finish after the edits stop. */
const JOB_DRAIN_MS = 60_000;

// --- small helpers -------------------------------------------------------------------------------

/** Nearest-rank percentile of `xs` (0 < p ≤ 1). */
function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}
const ms = formatMs;
const mb = (bytes: number): string => (Number.isNaN(bytes) ? '–' : (bytes / 1e6).toFixed(0));
const pc = (x: number): string => (Number.isNaN(x) ? '–' : x.toFixed(0));
const load = loadAverage;

const table = markdownTable;

// --- sessions through the HTTP API, as the browser makes them --------------------------------------

interface Session {
  readonly id: SessionId;
  readonly numFrames: number;
  /** The prompted object that propagations track. */
  readonly tracked: ObjectId;
  /** One object per collaborator. */
  readonly objects: ObjectId[];
}

async function api<T>(
  server: TestServer,
  method: string,
  route: string,
  parse: (body: unknown) => T,
  body?: unknown,
  who?: string,
): Promise<T> {
  const res = await fetch(`${server.url}/api${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(who ? { [LOCAL_NAME_HEADER]: who } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return parse(await res.json());
}

async function createSession(
  server: TestServer,
  video: { file: string; click: { x: number; y: number } },
  collaborators: number,
  group: string,
): Promise<Session> {
  const form = new FormData();
  form.append('file', await openAsBlob(video.file), 'square.mp4');
  const res = await fetch(`${server.url}/api/videos`, { method: 'POST', body: form });
  if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
  const created = createVideoResponseSchema.parse(await res.json());
  const id = created.session.id;
  const { objId } = await api(
    server,
    'POST',
    `/sessions/${id}/prompts`,
    (b) => promptResponseSchema.parse(b),
    {
      frame: 0,
      points: [{ ...video.click, label: 1 }],
    },
  );
  const objects: ObjectId[] = [];
  for (let i = 0; i < collaborators; i++) {
    const who = `${group}-${i}`;
    const o = await api(
      server,
      'POST',
      `/sessions/${id}/objects`,
      (b) => createdObjectSchema.parse(b),
      { className: 'thing', instanceName: `object of ${who}` },
      who,
    );
    objects.push(o.objId);
  }
  return { id, numFrames: created.video.media?.numFrames ?? 0, tracked: objId, objects };
}

// --- propagations run back to back while the collaborators edit ----------------------------------

interface PropagationStats {
  jobs: number;
  frames: number;
  /** Sum of the jobs' durations, ms (start request to done). */
  busyMs: number;
  failed: number;
  /** Why the first failed job failed. */
  firstError?: string;
}

async function runJob(
  server: TestServer,
  session: Session,
): Promise<{ frames: number; ok: boolean; error?: string }> {
  const { jobId } = await api(
    server,
    'POST',
    `/sessions/${session.id}/propagations`,
    (b) => b as { jobId: JobId },
    { direction: 'forward', startFrame: 0, objIds: [session.tracked] },
  );
  const deadline = now() + JOB_DRAIN_MS;
  for (;;) {
    const { job } = await api(server, 'GET', `/jobs/${jobId}`, (b) => jobResponseSchema.parse(b));
    if (job.status === 'done') return { frames: job.framesDone, ok: true };
    if (job.status === 'failed' || job.status === 'cancelled')
      return { frames: job.framesDone, ok: false, error: `${job.status}: ${job.error ?? ''}` };
    if (now() > deadline) throw new Error(`propagation ${jobId} did not finish within ${JOB_DRAIN_MS} ms`);
    await sleep(100);
  }
}

/** Propagations one after another until `until()` says stop (the one running then finishes). */
async function propagateWhile(
  server: TestServer,
  session: Session,
  until: () => boolean,
): Promise<PropagationStats> {
  const stats: PropagationStats = { jobs: 0, frames: 0, busyMs: 0, failed: 0 };
  while (!until()) {
    const t0 = now();
    const r = await runJob(server, session);
    stats.busyMs += now() - t0;
    stats.jobs++;
    stats.frames += r.frames;
    if (!r.ok) {
      stats.failed++;
      stats.firstError ??= r.error;
      // A failing job must not turn into a busy loop of requests.
      await sleep(500);
    }
  }
  return stats;
}

// --- the durable log ----------------------------------------------------------------------------

/** Acknowledged edits missing from the session's main doc as rebuilt from the database. */
async function checkDatabase(
  server: TestServer,
  session: Session,
  check: GroupCheck,
): Promise<{ missing: number; wrongNames: number }> {
  const loaded = await new DocLog(server.database.db).load(mainDocName(session.id));
  const doc = new Y.Doc();
  if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot);
  for (const u of loaded.updates) Y.applyUpdate(doc, u);
  const missing = check.acked.filter((e) => Y.getState(doc.store, e.clientId) < e.clock).length;
  const objects = new MainDoc(doc).objects;
  const wrongNames = Object.entries(check.finalNames).filter(
    ([id, name]) => objects.get(id as ObjectId)?.instanceName !== name,
  ).length;
  doc.destroy();
  return { missing, wrongNames };
}

// --- one scenario -------------------------------------------------------------------------------

interface ScenarioResult {
  readonly name: string;
  readonly sessions: number;
  readonly clientsPerSession: number;
  readonly propagation: boolean;
  readonly seconds: number;
  readonly rates: EditRates;
  /** The server's event loop (this process) over the scenario: how late its timers ran. */
  readonly serverLoopDelayMs: { p50: number; p99: number; max: number };
  readonly latency: {
    renameEach: number[];
    renameAll: number[];
    presenceEach: number[];
    presenceAll: number[];
  };
  readonly counts: Omit<GroupLatency, 'renameEach' | 'renameAll' | 'presenceEach' | 'presenceAll'>;
  readonly lost: {
    clientMissing: number;
    clientWrongNames: number;
    dbMissing: number;
    dbWrongNames: number;
    unacked: number;
    total: number;
  };
  readonly propagations: PropagationStats & { framesPerSec: number };
  readonly procs: Record<string, ProcSummary>;
  readonly openMs: number;
}

interface Env {
  server: TestServer;
  crew: Crew;
  sampler: ProcSampler;
  seed: number;
}

async function scenario(
  env: Env,
  name: string,
  sessions: readonly Session[],
  clientsPerSession: number,
  propagation: boolean,
  seconds: number,
  rates: EditRates,
): Promise<ScenarioResult> {
  const { server, crew, sampler } = env;
  const groups = sessions.map((s, k) => ({ session: s, group: `${name}-${k}` }));
  const t0 = now();
  for (const { session, group } of groups) {
    await crew.request(
      {
        type: 'open',
        spec: { group, url: server.url, doc: mainDocName(session.id), objects: session.objects },
        clients: clientsPerSession,
      },
      'opened',
      (m) => m.group === group,
    );
  }
  const openMs = now() - t0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const from = sampler.mark();
  for (const [k, { group }] of groups.entries()) {
    await crew.request(
      { type: 'start', group, rates, seed: env.seed * 100 + k },
      'started',
      (m) => m.group === group,
    );
  }
  const endAt = from + seconds * 1000;
  const jobs = propagation
    ? groups.map(({ session }) => propagateWhile(server, session, () => now() >= endAt))
    : [];
  await sleep(Math.max(0, endAt - now()));
  const latencies = await Promise.all(
    groups.map(({ group }) =>
      crew.request({ type: 'stop', group }, 'stopped', (m) => m.group === group, 60_000),
    ),
  );
  const props = await Promise.all(jobs);
  const to = sampler.mark();
  loop.disable();
  const lost = { clientMissing: 0, clientWrongNames: 0, dbMissing: 0, dbWrongNames: 0, unacked: 0, total: 0 };
  for (const { session, group } of groups) {
    const { check } = await crew.request(
      { type: 'check', group },
      'checked',
      (m) => m.check.group === group,
      60_000,
    );
    const db = await checkDatabase(server, session, check);
    lost.clientMissing += check.missing;
    lost.clientWrongNames += check.wrongNames;
    lost.dbMissing += db.missing;
    lost.dbWrongNames += db.wrongNames;
    lost.unacked += check.unacked;
    await crew.request({ type: 'close', group }, 'closed', (m) => m.group === group);
  }
  lost.total = lost.clientMissing + lost.clientWrongNames + lost.dbMissing + lost.dbWrongNames;
  const all = latencies.map((l) => l.latency);
  const flat = (f: (l: GroupLatency) => number[]): number[] => all.flatMap(f);
  const total = (f: (l: GroupLatency) => number): number => all.reduce((n, l) => n + f(l), 0);
  const prop: PropagationStats = {
    jobs: props.reduce((n, p) => n + p.jobs, 0),
    frames: props.reduce((n, p) => n + p.frames, 0),
    busyMs: props.reduce((n, p) => n + p.busyMs, 0),
    failed: props.reduce((n, p) => n + p.failed, 0),
  };
  const firstError = props.find((p) => p.firstError !== undefined)?.firstError;
  if (firstError !== undefined) prop.firstError = firstError;
  return {
    name,
    sessions: sessions.length,
    clientsPerSession,
    propagation,
    seconds,
    rates,
    serverLoopDelayMs: {
      p50: loop.percentile(50) / 1e6,
      p99: loop.percentile(99) / 1e6,
      max: loop.max / 1e6,
    },
    latency: {
      renameEach: flat((l) => l.renameEach),
      renameAll: flat((l) => l.renameAll),
      presenceEach: flat((l) => l.presenceEach),
      presenceAll: flat((l) => l.presenceAll),
    },
    counts: {
      renames: total((l) => l.renames),
      renamesAcked: total((l) => l.renamesAcked),
      presenceSent: total((l) => l.presenceSent),
      renamesUnseen: total((l) => l.renamesUnseen),
      presenceUnseen: total((l) => l.presenceUnseen),
    },
    lost,
    propagations: { ...prop, framesPerSec: prop.frames / ((to - from) / 1000) },
    procs: Object.fromEntries(['server', 'worker', 'clients'].map((p) => [p, sampler.window(p, from, to)])),
    openMs,
  };
}

// --- the run ------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<void> {
  const clients = positiveArg(args, '--clients', 50);
  const parallel = positiveArg(args, '--sessions', 5);
  const sessionClients = positiveArg(args, '--session-clients', 10);
  const seconds = positiveArg(args, '--seconds', 20);
  const rates: EditRates = {
    renamesPerSec: positiveArg(args, '--renames-per-sec', 0.2, { fractional: true }),
    presencePerSec: positiveArg(args, '--presence-per-sec', 2, { fractional: true }),
  };
  const videoSeconds = positiveArg(args, '--video-seconds', 4);
  const seed = positiveArg(args, '--seed', 1);
  const started = now();
  const loadStart = load();

  const dir = await mkdtemp(path.join(tmpdir(), 'maskroom-load-'));
  const pgUrl = process.env.MASKROOM_BENCH_DATABASE_URL || process.env.MASKROOM_TEST_DATABASE_URL;
  let scratch: ScratchDatabase | undefined;
  let server: TestServer | undefined;
  let worker: TestWorker | undefined;
  let crew: Crew | undefined;
  let sampler: ProcSampler | undefined;
  try {
    if (pgUrl) scratch = await createScratchDatabase(pgUrl, 'mr_load');
    server = await startTestServer({ env: scratch ? { DATABASE_URL: scratch.url } : {} });
    // Every session of the run open at once on the one worker (its default is 4), so phase 2's five
    // sessions all propagate rather than queue for a slot.
    worker = await startWorker(server, 'w-load', { maxSessions: 8 });
    const video = await makeSegmentableVideo(dir, videoSeconds);
    crew = await startCrew();
    const workerPid = worker.process.pid;
    if (workerPid === undefined) throw new Error('the worker has no pid');
    sampler = new ProcSampler({ server: process.pid, worker: workerPid, clients: crew.pid });
    const database = scratch ? 'PostgreSQL (scratch database)' : 'embedded PGlite';
    console.log(
      `load bench: ${database}; ${cpus().length} CPUs, load average ${loadStart}; creating ${2 + parallel} sessions…`,
    );

    let t = now();
    const baseSession = await createSession(server, video, 2, 'base');
    const oneSession = await createSession(server, video, clients, 'one');
    const manySessions: Session[] = [];
    for (let k = 0; k < parallel; k++)
      manySessions.push(await createSession(server, video, sessionClients, `many${k}`));
    console.log(`  sessions ready in ${ms(now() - t)} ms (${oneSession.numFrames} frames each)`);

    const env: Env = { server, crew, sampler, seed };
    const results: ScenarioResult[] = [];
    const runOne = async (
      name: string,
      sessions: readonly Session[],
      perSession: number,
      propagation: boolean,
      edits: EditRates,
    ): Promise<void> => {
      t = now();
      const r = await scenario(env, name, sessions, perSession, propagation, seconds, edits);
      results.push(r);
      console.log(
        `  ${r.name}: ${r.counts.renames} renames, ${r.counts.presenceSent} presence updates, ` +
          `${r.propagations.jobs} propagations; lost ${r.lost.total}; ${ms((now() - t) / 1000)} s`,
      );
      if (r.propagations.firstError) console.log(`    a propagation failed: ${r.propagations.firstError}`);
    };
    // Two clients at the others' rename rate would make a handful of renames: too few for a p99.
    // They rename as often as they move (the server is idle either way).
    const baseRates: EditRates = {
      ...rates,
      renamesPerSec: Math.max(rates.renamesPerSec, rates.presencePerSec),
    };
    await runOne('baseline', [baseSession], 2, false, baseRates);
    await runOne('one-session', [oneSession], clients, true, rates);
    await runOne('many-sessions', manySessions, sessionClients, true, rates);

    // --- report ----------------------------------------------------------------------------------
    const loadEnd = load();
    const out: string[] = [''];
    out.push(
      `load bench — ${database}; each collaborator: ${rates.renamesPerSec} renames/s (baseline: ${baseRates.renamesPerSec}) and ${rates.presencePerSec} presence updates/s on average, ` +
        `${seconds} s per scenario; video ${oneSession.numFrames} frames; load average ${loadStart} → ${loadEnd} on ${cpus().length} CPUs`,
    );
    out.push('');
    out.push(
      'Update latency, ms: an edit on one client until each other client saw it (p50 / p99), and until all had (p99)',
    );
    const latRow = (r: ScenarioResult): string[] => [
      r.name === 'baseline'
        ? 'baseline: 1 session × 2, no propagation'
        : `${r.sessions} session${r.sessions > 1 ? 's' : ''} × ${r.clientsPerSession}, propagating`,
      `${r.counts.renamesAcked} / ${r.counts.renames}`,
      `${ms(pct(r.latency.renameEach, 0.5))} / ${ms(pct(r.latency.renameEach, 0.99))}`,
      ms(pct(r.latency.renameAll, 0.99)),
      String(r.counts.presenceSent),
      `${ms(pct(r.latency.presenceEach, 0.5))} / ${ms(pct(r.latency.presenceEach, 0.99))}`,
      ms(pct(r.latency.presenceAll, 0.99)),
      String(r.counts.renamesUnseen + r.counts.presenceUnseen),
      String(r.lost.total),
    ];
    out.push(
      table(
        [
          'scenario',
          'renames acked / made',
          'rename p50 / p99',
          'rename all-seen p99',
          'presence updates',
          'presence p50 / p99',
          'presence all-seen p99',
          'edits never seen by all',
          'lost updates',
        ],
        results.map(latRow),
      ),
    );
    out.push('');
    out.push('Resources over each scenario (CPU: % of one core, mean / peak over 0.5 s; RSS: MB peak)');
    const procRow = (r: ScenarioResult): string[] => {
      const p = (name: string): ProcSummary => r.procs[name]!;
      return [
        r.name,
        `${pc(p('server').cpuMeanPct)} / ${pc(p('server').cpuPeakPct)}`,
        mb(p('server').rssPeakBytes),
        `${ms(r.serverLoopDelayMs.p99)} / ${ms(r.serverLoopDelayMs.max)}`,
        `${pc(p('worker').cpuMeanPct)} / ${pc(p('worker').cpuPeakPct)}`,
        mb(p('worker').rssPeakBytes),
        pc(p('clients').cpuMeanPct),
        mb(p('clients').rssPeakBytes),
        r.propagation ? `${r.propagations.jobs} (${r.propagations.failed} failed)` : '–',
        r.propagation ? r.propagations.framesPerSec.toFixed(0) : '–',
      ];
    };
    out.push(
      table(
        [
          'scenario',
          'server CPU %',
          'server RSS MB',
          'server event-loop delay p99 / max ms',
          'worker CPU %',
          'worker RSS MB',
          'clients CPU %',
          'clients RSS MB',
          'propagations',
          'frames/s',
        ],
        results.map(procRow),
      ),
    );
    out.push('');
    out.push(
      'Lost updates: acknowledged renames missing from a client / from the database log, objects misnamed in a client / in the database: ' +
        results
          .map(
            (r) =>
              `${r.name} ${r.lost.clientMissing}/${r.lost.dbMissing}, ${r.lost.clientWrongNames}/${r.lost.dbWrongNames} (unacknowledged at the end: ${r.lost.unacked})`,
          )
          .join('; '),
    );
    for (const r of results)
      if (r.propagations.firstError)
        out.push(
          `${r.name}: ${r.propagations.failed} propagations failed, first: ${r.propagations.firstError}`,
        );
    const lostTotal = results.reduce((n, r) => n + r.lost.total, 0);
    out.push(
      `${lostTotal === 0 ? 'pass' : 'FAIL'}: ${lostTotal} lost updates; whole bench ${ms((now() - started) / 1000)} s`,
    );
    console.log(out.join('\n'));

    await mkdir(resultsDir, { recursive: true });
    const summary = (xs: number[]): Record<string, number> => ({
      n: xs.length,
      p50: pct(xs, 0.5),
      p90: pct(xs, 0.9),
      p99: pct(xs, 0.99),
      max: xs.length ? Math.max(...xs) : NaN,
    });
    await writeFile(
      path.join(resultsDir, 'load.json'),
      JSON.stringify(
        {
          bench: 'load',
          date: new Date().toISOString(),
          node: process.versions.node,
          cpus: cpus().length,
          loadAverage: { start: loadStart, end: loadEnd },
          database: scratch ? 'postgres' : 'pglite',
          params: { clients, sessions: parallel, sessionClients, seconds, rates, videoSeconds, seed },
          numFrames: oneSession.numFrames,
          scenarios: results.map((r) => ({
            ...r,
            latency: Object.fromEntries(Object.entries(r.latency).map(([k, v]) => [k, summary(v)])),
          })),
          lostUpdates: lostTotal,
          pass: lostTotal === 0,
        },
        null,
        2,
      ) + '\n',
    );
    // run.ts sets the exit code from its own result: a failure has to be thrown.
    if (lostTotal > 0) throw new Error(`${lostTotal} acknowledged updates were lost`);
  } finally {
    sampler?.stop();
    await crew?.stop().catch(() => undefined);
    await worker?.stop().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await scratch?.drop().catch((e: unknown) => console.error('could not drop the scratch database', e));
    await rm(dir, { recursive: true, force: true });
  }
}
