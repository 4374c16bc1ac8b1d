/**
 * Collaboration bench (issue 4 item 7), each figure beside a baseline measured in the same run:
 *
 * (a) latency: one mask written on the server (`collab.docs.writeMasks`, which resolves once the
 *     update is in the durable log) until all of `--clients` remote clients subscribed to that
 *     chunk doc have observed it; baseline: the same write through a bare Hocuspocus (no
 *     extensions, no persistence) to as many clients. The two alternate in blocks of 25 writes.
 * (c) sustained write rate: a propagation's results (`--frames` frames × `--objects` masks) into
 *     the chunk docs while `--clients` clients are subscribed to every chunk: one awaited
 *     `writeMasks` per frame (as a dispatcher writes results), and `--batch` frames per call;
 *     frames/s until the writes resolved and until every client has every mask. Baselines: the
 *     same writes through the bare Hocuspocus (same clients), and into bare Y.Docs (no server, no
 *     clients). The sides take turns chunk by chunk.
 * (d) bytes of that dataset: the durable log as written, a compacted snapshot and the encoded
 *     state against its raw RLE bytes, for chunk docs and for a single document holding it all.
 * (b) cold load of that session after a server restart (database closed and reopened, so every
 *     document comes from the database): a freshly connected client until the first chunk is
 *     usable (main doc + chunk 0 synced, frame 0's masks decoded) and until every chunk is
 *     loaded, opening every doc at once or chunk 0 first; baseline: the same data in one document
 *     (a session whose `chunkSize` is its frame count), as written (900 rows) and compacted (as
 *     the server leaves a document of ≥ 200 rows; chunk docs of ≤ 64 rows stay as written).
 *
 * The clients run in a child process (`clients.ts`) so that their work is not done on the
 * servers' event loop; timestamps on both sides come from the system's monotonic clock.
 *
 * Database: embedded PGlite in a temporary directory, or PostgreSQL when
 * `MASKROOM_BENCH_DATABASE_URL` (else `MASKROOM_TEST_DATABASE_URL`) is set (a scratch schema,
 * dropped at the end). `--fast-bytea` replaces PGlite's per-byte JavaScript bytea codec with
 * Node's hex coding for the whole run (the server change this bench proposes; see
 * `pglite-bytea.ts`); `--no-toast-compression` stores the bytea columns `STORAGE EXTERNAL` (see
 * `tuneStorage`). Steps that only prepare data (writing the single-document log, compacting)
 * always use the fast codec, so that they do not dominate the run; what they cost with the stock
 * codec is sampled on one chunk document.
 *
 *   npm run bench -- collab [--frames 900] [--objects 20] [--clients 10] [--writes 300]
 *                           [--batch 8] [--reps 1] [--seed 1] [--fast-bytea] [--no-toast-compression]
 */
import { formatMs, loadAverage, markdownTable, sleep } from '../report.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server as BareServer } from '@hocuspocus/server';
import { like, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import {
  CHUNK_SIZE,
  MainDoc,
  MaskChunkDoc,
  chunkCount,
  initMainDoc,
  mainDocName,
  maskChunkDocName,
  type FrameIndex,
  type MaskRecord,
  type ObjectId,
  type SessionId,
  type VideoId,
} from '@maskroom/shared';
import { loadConfig } from '../../server/src/config.js';
import {
  DocLog,
  VideoStore,
  docSnapshots,
  docUpdates,
  openDatabase,
  type Database,
} from '../../server/src/db/index.js';
import { newId } from '../../server/src/ids.js';
import { createLogger } from '../../server/src/log.js';
import { startServer, type RunningServer } from '../../server/src/server.js';
import { LOCAL_USER } from '../../server/src/identity/local-user.js';
import { positiveArg } from '../args.js';
import { HEIGHT, WIDTH, crossCheck, generateDataset, type Dataset } from './dataset.js';
import { Fleet } from './fleet.js';
import { fastBytea, stockBytea, useBytea } from './pglite-bytea.js';
import { now, type ColdResult } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '..', 'results');
const TARGETS = { latencyP99Ms: 50, firstChunkMs: 300, allChunksMs: 2000, framesPerSec: 300 } as const;
const WRITER = 'bench';
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

// --- small helpers -------------------------------------------------------------------------------

/** Nearest-rank percentile of `xs` (0 < p ≤ 1). */
function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}
const median = (xs: readonly number[]): number => pct(xs, 0.5);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const ms = formatMs;
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const load = loadAverage;

const table = markdownTable;

// --- database and server -------------------------------------------------------------------------

interface DbTarget {
  readonly kind: 'pglite' | 'postgres';
  readonly describe: string;
  open(): Promise<Database>;
  /** Removes what the bench created. */
  drop(): Promise<void>;
}

/**
 * `--no-toast-compression`: store the log's and the snapshots' bytes out of line without trying
 * to compress them first (Postgres `STORAGE EXTERNAL`). RLE strings do not compress by pglz's
 * standard (stored = bytes, see (d)), so the attempt is wasted work on every append.
 */
async function tuneStorage(database: Database): Promise<void> {
  await database.db.execute(sql.raw('ALTER TABLE doc_updates ALTER COLUMN update SET STORAGE EXTERNAL'));
  await database.db.execute(sql.raw('ALTER TABLE doc_snapshots ALTER COLUMN state SET STORAGE EXTERNAL'));
}

async function dbTarget(dataDir: string, fast: boolean, external: boolean): Promise<DbTarget> {
  const url = process.env.MASKROOM_BENCH_DATABASE_URL || process.env.MASKROOM_TEST_DATABASE_URL;
  if (url) {
    const schema = `bench_collab_${randomBytes(4).toString('hex')}`;
    const redacted = url.replace(/\/\/[^@/]*@/, '//…@');
    return {
      kind: 'postgres',
      describe: `PostgreSQL ${redacted} (scratch schema ${schema})${external ? ', bytea columns STORAGE EXTERNAL (--no-toast-compression)' : ''}`,
      async open() {
        const database = await openDatabase({ databaseUrl: url, dataDir, schema });
        if (external) await tuneStorage(database);
        return database;
      },
      async drop() {
        const db = await openDatabase({ databaseUrl: url, dataDir, schema });
        try {
          await db.db.execute(sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
        } finally {
          await db.close();
        }
      },
    };
  }
  return {
    kind: 'pglite',
    describe:
      `embedded PGlite in ${dataDir}/db, ${fast ? 'bench-installed Buffer hex bytea codec (--fast-bytea)' : "PGlite's own bytea codec"}` +
      `${external ? ', bytea columns STORAGE EXTERNAL (--no-toast-compression)' : ''} (set MASKROOM_BENCH_DATABASE_URL for PostgreSQL)`,
    async open() {
      const database = await openDatabase({ dataDir });
      if (fast) useBytea(database, fastBytea);
      if (external) await tuneStorage(database);
      return database;
    },
    drop: async () => {},
  };
}

/** Timings the bench collects inside the Maskroom server (bench-side wrappers, no server change). */
interface Probe {
  /** Every `DocLog.append`, ms; `appendInto` redirects them (e.g. per side of a comparison). */
  appendInto: number[];
  /** Every `DocLog.load` as [start, end]. */
  loads: Array<[number, number]>;
  /** Per document loaded: when its database read ended and when `onLoadDocument` (read + apply) did. */
  applies: Map<string, { dbEnd: number; loaded: number }>;
}

function probe(server: RunningServer): Probe {
  const p: Probe = { appendInto: [], loads: [], applies: new Map() };
  const log = server.collab.log;
  const append = log.append.bind(log);
  log.append = async (...a) => {
    const t = now();
    try {
      return await append(...a);
    } finally {
      p.appendInto.push(now() - t);
    }
  };
  const loadDoc = log.load.bind(log);
  log.load = async (...a) => {
    const t = now();
    try {
      return await loadDoc(...a);
    } finally {
      const end = now();
      p.loads.push([t, end]);
      p.applies.set(a[0], { dbEnd: end, loaded: end });
    }
  };
  // DurableLog.onLoadDocument = the read above + applying it to the document (synchronous).
  type OnLoad = (payload: { documentName: string }) => Promise<void>;
  const durable = server.collab.hocuspocus.configuration.extensions.find(
    (e) => e.constructor.name === 'DurableLog',
  ) as { onLoadDocument?: OnLoad } | undefined;
  const onLoad = durable?.onLoadDocument?.bind(durable);
  if (durable && onLoad) {
    durable.onLoadDocument = async (payload) => {
      await onLoad(payload);
      const a = p.applies.get(payload.documentName);
      if (a) a.loaded = now();
    };
  }
  return p;
}

/** Times Hocuspocus' fan-out (`broadcastUpdate`: encode once, send to each connection) of a document. */
function probeBroadcast(
  hocuspocus: RunningServer['collab']['hocuspocus'],
  name: string,
  into: number[],
): void {
  const doc = hocuspocus.documents.get(name) as unknown as
    { broadcastUpdate(u: Uint8Array): void } | undefined;
  if (!doc) throw new Error(`${name} is not loaded`);
  const original = doc.broadcastUpdate.bind(doc);
  doc.broadcastUpdate = (u) => {
    const t = now();
    original(u);
    into.push(now() - t);
  };
}

/** A ready video with its session and main doc, inserted through the stores as ingest does. */
async function createSession(
  database: Database,
  numFrames: number,
  objects: readonly ObjectId[],
  chunkSize = CHUNK_SIZE,
): Promise<SessionId> {
  const store = new VideoStore(database.db);
  const videoId = newId<VideoId>('vid');
  await store.createIngesting({
    id: videoId,
    title: 'collab bench',
    originalName: 'bench.mp4',
    createdBy: LOCAL_USER,
    instanceId: 'bench',
  });
  const sessionId = newId<SessionId>('ses');
  const doc = new Y.Doc();
  const fps = 30;
  initMainDoc(doc, {
    videoId,
    title: 'collab bench',
    width: WIDTH,
    height: HEIGHT,
    numFrames,
    fps,
    sourceFps: fps,
    durationSec: numFrames / fps,
    chunkSize,
  });
  const main = new MainDoc(doc);
  objects.forEach((id, i) =>
    main.objects.create(id, {
      className: 'thing',
      instanceName: `thing ${i + 1}`,
      color: '#3366ff',
      createdBy: LOCAL_USER,
      createdAt: Date.now(),
    }),
  );
  await store.finishIngest(
    videoId,
    {
      width: WIDTH,
      height: HEIGHT,
      numFrames,
      sourceFps: fps,
      processingFps: fps,
      durationSec: numFrames / fps,
      rotation: 0,
      codec: 'h264',
      container: 'mp4',
      vfr: false,
      sourceBytes: 0,
      framesBytes: 0,
    },
    { id: sessionId, createdBy: LOCAL_USER },
    { name: mainDocName(sessionId), update: Y.encodeStateAsUpdate(doc) },
  );
  doc.destroy();
  return sessionId;
}

function frameEntries(dataset: Dataset, f: number): Array<[ObjectId, MaskRecord]> {
  return dataset.objects.map((id, o) => [id, dataset.masks[f]![o]!]);
}

const chunkNames = (session: SessionId, frames: number): string[] =>
  Array.from({ length: chunkCount(frames) }, (_, k) => maskChunkDocName(session, k));

const framesOfChunk = (k: number, frames: number): [number, number] => [
  k * CHUNK_SIZE,
  Math.min(frames, (k + 1) * CHUNK_SIZE),
];

/** Stops the bare server (its destroy waits for every document to unload: not forever). */
async function stopBare(bare: BareServer): Promise<void> {
  await Promise.race([bare.destroy(), sleep(5_000)]);
}

// --- (a) latency ---------------------------------------------------------------------------------

interface LatencySide {
  /** Per write: until every client observed it. */
  allMs: number[];
  /** Per write and client. */
  eachMs: number[];
  /** Per write: until the write call resolved (Maskroom: durable in the log). */
  resolvedMs: number[];
}

interface LatencyResult {
  maskroom: LatencySide;
  bare: LatencySide;
  appendMs: number[];
  broadcastMs: number[];
}

async function latency(
  fleet: Fleet,
  server: RunningServer,
  serverProbe: Probe,
  bare: BareServer,
  bareUrl: string,
  session: SessionId,
  dataset: Dataset,
  clients: number,
  writes: number,
): Promise<LatencyResult> {
  const doc = maskChunkDocName(session, 0);
  for (const [group, url] of [
    ['lat-mr', server.url],
    ['lat-bare', bareUrl],
  ] as const) {
    await fleet.request(
      { type: 'open', group, url, clients, docs: [doc], watch: 'latency' },
      'opened',
      (m) => m.group === group,
    );
  }
  const bareDc = await bare.hocuspocus.openDirectConnection(doc, { writer: WRITER });
  const result: LatencyResult = {
    maskroom: { allMs: [], eachMs: [], resolvedMs: [] },
    bare: { allMs: [], eachMs: [], resolvedMs: [] },
    appendMs: [],
    broadcastMs: [],
  };
  const scratch: number[] = [];
  probeBroadcast(server.collab.hocuspocus, doc, scratch);
  const warmup = 20;
  const block = 25;
  let i = 0;
  const one = async (side: 'maskroom' | 'bare', record: boolean): Promise<void> => {
    const n = i++;
    const frame = (n % CHUNK_SIZE) as FrameIndex;
    const objId = `lat_${side === 'maskroom' ? 'm' : 'b'}${Math.floor(n / CHUNK_SIZE)}` as ObjectId;
    const mask = dataset.masks[n % dataset.frames]![n % dataset.objects.length]!;
    const key = `${frame}/${objId}`;
    const seen = fleet.seen(side === 'maskroom' ? 'lat-mr' : 'lat-bare', doc, key);
    serverProbe.appendInto = record ? result.appendMs : [];
    const t0 = now();
    if (side === 'maskroom') {
      await server.collab.docs.writeMasks(session, 0, WRITER, (m) => m.setMask(frame, objId, mask));
    } else {
      await bareDc.transact((d) => new MaskChunkDoc(d, 0).setMask(frame, objId, mask));
    }
    const resolved = now();
    const at = await seen;
    if (!record) return;
    const s = result[side];
    s.resolvedMs.push(resolved - t0);
    s.allMs.push(Math.max(...at) - t0);
    for (const t of at) s.eachMs.push(t - t0);
  };
  for (let w = 0; w < warmup; w++) {
    await one('maskroom', false);
    await one('bare', false);
  }
  scratch.length = 0; // from here on: Maskroom's recorded fan-outs
  result.broadcastMs = scratch;
  for (let b = 0; b * block < writes; b++) {
    const order = b % 2 === 0 ? (['maskroom', 'bare'] as const) : (['bare', 'maskroom'] as const);
    for (const side of order) {
      for (let w = 0; w < Math.min(block, writes - b * block); w++) {
        await one(side, true);
        await sleep(2); // writes spaced out: this is latency, not throughput
      }
    }
  }
  serverProbe.appendInto = [];
  await bareDc.disconnect();
  for (const group of ['lat-mr', 'lat-bare']) {
    await fleet.request({ type: 'close', group }, 'closed', (m) => m.group === group);
  }
  return result;
}

// --- (c) sustained write rate --------------------------------------------------------------------

type RateSideName = 'maskroom' | 'batched' | 'bare';

interface RateSide {
  /** Per chunk: first write started → every client has every mask of the chunk. */
  chunkMs: number[];
  /** Per chunk: first write started → last write resolved. */
  writeMs: number[];
  /** Per write call: its duration. */
  callMs: number[];
  appendMs: number[];
  broadcastMs: number[];
  serverCpuMs: number;
  fleetCpuMs: number;
}

interface RateResult {
  sides: Record<RateSideName, RateSide>;
  /** The same writes into bare Y.Docs (no server, no clients). */
  yjsMs: number;
  /** Encoded state of those Y.Docs (the chunk docs' content), bytes. */
  chunkStateBytes: number;
  /** Time inside the accessor (validate + set) per frame, Maskroom per-frame side. */
  accessorMs: number[];
}

async function sustained(
  fleet: Fleet,
  server: RunningServer,
  serverProbe: Probe,
  bare: BareServer,
  bareUrl: string,
  sessions: { perFrame: SessionId; batched: SessionId },
  dataset: Dataset,
  clients: number,
  batch: number,
): Promise<RateResult> {
  const frames = dataset.frames;
  const setups: Record<RateSideName, { group: string; url: string; session: SessionId }> = {
    maskroom: { group: 'rate-mr', url: server.url, session: sessions.perFrame },
    batched: { group: 'rate-mrb', url: server.url, session: sessions.batched },
    bare: { group: 'rate-bare', url: bareUrl, session: sessions.perFrame },
  };
  const empty = (): RateSide => ({
    chunkMs: [],
    writeMs: [],
    callMs: [],
    appendMs: [],
    broadcastMs: [],
    serverCpuMs: 0,
    fleetCpuMs: 0,
  });
  const sides: Record<RateSideName, RateSide> = { maskroom: empty(), batched: empty(), bare: empty() };
  for (const [name, { group, url, session }] of Object.entries(setups)) {
    const docs = [mainDocName(session), ...chunkNames(session, frames)];
    const opened = await fleet.request(
      { type: 'open', group, url, clients, docs, watch: 'count' },
      'opened',
      (m) => m.group === group,
    );
    console.log(`  ${clients} clients × ${docs.length} docs subscribed (${name}) in ${ms(opened.ms)} ms`);
    if (name !== 'bare') {
      for (const doc of docs.slice(1))
        probeBroadcast(server.collab.hocuspocus, doc, sides[name as RateSideName].broadcastMs);
    }
  }
  const bareDcs = await Promise.all(
    chunkNames(sessions.perFrame, frames).map((name) =>
      bare.hocuspocus.openDirectConnection(name, { writer: WRITER }),
    ),
  );
  const accessorMs: number[] = [];

  const runChunk = async (side: RateSideName, k: number): Promise<void> => {
    const { group, session } = setups[side];
    const name = maskChunkDocName(session, k);
    const [first, last] = framesOfChunk(k, frames);
    const size = (last - first) * dataset.objects.length;
    const complete = fleet.wait('complete', (m) => m.group === group && m.doc === name, 180_000);
    await fleet.request(
      { type: 'expect', group, doc: name, size },
      'expecting',
      (m) => m.group === group && m.doc === name,
    );
    const s = sides[side];
    serverProbe.appendInto = s.appendMs;
    const fleetCpu0 = await fleet.cpuMs();
    const cpu0 = process.cpuUsage();
    const t0 = now();
    const step = side === 'batched' ? batch : 1;
    for (let f = first; f < last; f += step) {
      const tf = now();
      if (side === 'maskroom') {
        const entries = frameEntries(dataset, f);
        await server.collab.docs.writeMasks(session, k, WRITER, (m) => {
          const t = now();
          m.setFrameMasks(f as FrameIndex, entries);
          accessorMs.push(now() - t);
        });
      } else if (side === 'batched') {
        const entries: Array<{ frame: FrameIndex; objId: ObjectId; mask: MaskRecord }> = [];
        for (let g = f; g < Math.min(last, f + step); g++) {
          for (const [objId, mask] of frameEntries(dataset, g))
            entries.push({ frame: g as FrameIndex, objId, mask });
        }
        await server.collab.docs.writeMasks(session, k, WRITER, (m) => m.setMasks(entries));
      } else {
        const entries = frameEntries(dataset, f);
        await bareDcs[k]!.transact((d) => new MaskChunkDoc(d, k).setFrameMasks(f as FrameIndex, entries));
      }
      s.callMs.push(now() - tf);
    }
    s.writeMs.push(now() - t0);
    const { at } = await complete;
    s.chunkMs.push(Math.max(...at) - t0);
    const cpu = process.cpuUsage(cpu0);
    s.serverCpuMs += (cpu.user + cpu.system) / 1000;
    s.fleetCpuMs += (await fleet.cpuMs()) - fleetCpu0;
    serverProbe.appendInto = [];
  };
  const names: RateSideName[] = ['maskroom', 'batched', 'bare'];
  for (let k = 0; k < chunkCount(frames); k++) {
    // Rotate who goes first, so that drift in this shared machine's load hits all sides alike.
    for (let j = 0; j < names.length; j++) await runChunk(names[(k + j) % names.length]!, k);
  }
  for (const dc of bareDcs) await dc.disconnect();
  for (const { group } of Object.values(setups)) {
    await fleet.request({ type: 'close', group }, 'closed', (m) => m.group === group);
  }

  // Floor: the same writes into bare Y.Docs through the same accessor (validation + Yjs).
  let yjsMs = 0;
  let chunkStateBytes = 0;
  for (let k = 0; k < chunkCount(frames); k++) {
    const doc = new Y.Doc();
    const masks = new MaskChunkDoc(doc, k);
    const [first, last] = framesOfChunk(k, frames);
    const t0 = now();
    for (let f = first; f < last; f++) masks.setFrameMasks(f as FrameIndex, frameEntries(dataset, f));
    yjsMs += now() - t0;
    chunkStateBytes += Y.encodeStateAsUpdate(doc).length;
    doc.destroy();
  }
  return { sides, yjsMs, chunkStateBytes, accessorMs };
}

// --- (d) bytes -----------------------------------------------------------------------------------

interface Bytes {
  logRows: number;
  logBytes: number;
  logStored: number;
  snapshots: number;
  snapshotBytes: number;
  snapshotStored: number;
}

async function bytesOf(database: Database, session: SessionId): Promise<Bytes> {
  const prefix = `session/${session}/masks/%`;
  const [u] = await database.db
    .select({
      rows: sql<number>`count(*)::int`,
      bytes: sql<string>`coalesce(sum(octet_length(${docUpdates.update})), 0)::bigint`,
      stored: sql<string>`coalesce(sum(pg_column_size(${docUpdates.update})), 0)::bigint`,
    })
    .from(docUpdates)
    .where(like(docUpdates.docName, prefix));
  const [s] = await database.db
    .select({
      rows: sql<number>`count(*)::int`,
      bytes: sql<string>`coalesce(sum(octet_length(${docSnapshots.state})), 0)::bigint`,
      stored: sql<string>`coalesce(sum(pg_column_size(${docSnapshots.state})), 0)::bigint`,
    })
    .from(docSnapshots)
    .where(like(docSnapshots.docName, prefix));
  return {
    logRows: Number(u?.rows ?? 0),
    logBytes: Number(u?.bytes ?? 0),
    logStored: Number(u?.stored ?? 0),
    snapshots: Number(s?.rows ?? 0),
    snapshotBytes: Number(s?.bytes ?? 0),
    snapshotStored: Number(s?.stored ?? 0),
  };
}

/**
 * Writes the single-document baseline's log straight into the database: one row per frame, the
 * very update a server write of that frame produces (the server would compact it on its own
 * schedule; written here, the state before the cold load is the same on every run). Returns the
 * rows and the document's encoded state size.
 */
async function writeSingleDocLog(
  database: Database,
  session: SessionId,
  dataset: Dataset,
): Promise<{ rows: Uint8Array[]; stateBytes: number }> {
  const name = maskChunkDocName(session, 0);
  const doc = new Y.Doc();
  const masks = new MaskChunkDoc(doc, 0, { chunkSize: dataset.frames });
  const rows: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => rows.push(u));
  for (let f = 0; f < dataset.frames; f++) masks.setFrameMasks(f as FrameIndex, frameEntries(dataset, f));
  const stateBytes = Y.encodeStateAsUpdate(doc).length;
  doc.destroy();
  const undo = useBytea(database, fastBytea);
  try {
    for (let i = 0; i < rows.length; i += 25) {
      await database.db
        .insert(docUpdates)
        .values(rows.slice(i, i + 25).map((update) => ({ docName: name, update })));
    }
  } finally {
    undo();
  }
  return { rows, stateBytes };
}

/** PGlite's bytea codec against Node's hex coding on this data: one frame's append, one chunk's load. */
function codecProfile(rows: readonly Uint8Array[]): {
  serialize: [number, number];
  parse: [number, number];
  bytes: [number, number];
} {
  const frame = rows[0]!;
  const chunk = rows.slice(0, CHUNK_SIZE).map((u) => fastBytea.serialize(u));
  const time = (fn: () => void, n: number): number => {
    const t0 = now();
    for (let i = 0; i < n; i++) fn();
    return (now() - t0) / n;
  };
  const serialize: [number, number] = [
    time(() => stockBytea.serialize(frame), 5),
    time(() => fastBytea.serialize(frame), 5),
  ];
  const parse: [number, number] = [
    time(() => chunk.forEach((h) => stockBytea.parse(h)), 1),
    time(() => chunk.forEach((h) => fastBytea.parse(h)), 1),
  ];
  return { serialize, parse, bytes: [frame.length, sum(rows.slice(0, CHUNK_SIZE).map((u) => u.length))] };
}

// --- (b) cold load -------------------------------------------------------------------------------

interface ColdSample extends ColdResult {
  layout: string;
  state: string;
  rep: number;
  /** Wall time from the first database read of this load to the last. */
  dbSpanMs: number;
  dbReads: number;
  /** Server time applying what was read to the documents (sum over documents). */
  applyMs: number;
}

async function waitUnloaded(server: RunningServer, names: readonly string[]): Promise<void> {
  const hp = server.collab.hocuspocus;
  const deadline = Date.now() + 20_000;
  while (names.some((n) => hp.documents.has(n) || hp.loadingDocuments.has(n))) {
    if (Date.now() > deadline) throw new Error('documents were not unloaded after the client left');
    await sleep(20);
  }
}

// --- the bench -----------------------------------------------------------------------------------

export async function run(args: string[]): Promise<void> {
  const frames = positiveArg(args, '--frames', 900);
  const objects = positiveArg(args, '--objects', 20);
  const clients = positiveArg(args, '--clients', 10);
  const writes = positiveArg(args, '--writes', 300);
  const batch = positiveArg(args, '--batch', 8);
  const reps = positiveArg(args, '--reps', 1);
  const seed = positiveArg(args, '--seed', 1);
  const fast = args.includes('--fast-bytea');
  const external = args.includes('--no-toast-compression');
  if (frames <= CHUNK_SIZE) throw new Error(`--frames must exceed one chunk (${CHUNK_SIZE})`);
  const started = now();
  const loadStart = load();
  console.log(
    `collab bench: ${frames} frames × ${objects} objects of ${WIDTH}×${HEIGHT}, ${clients} clients; ` +
      `node ${process.versions.node}, ${cpus().length} CPUs, load average ${loadStart}`,
  );

  const dataset = generateDataset(frames, objects, seed);
  const checkSample: Array<[number, number]> = Array.from({ length: 40 }, (_, i) => [
    (i * 37) % frames,
    (i * 7) % objects,
  ]);
  crossCheck(dataset, seed, checkSample);
  const sizes = dataset.masks.flat().map((m) => m.rle.length);
  console.log(
    `dataset: ${sizes.length} masks, RLE ${mb(dataset.rleBytes)} MB (mean ${(dataset.rleBytes / sizes.length / 1000).toFixed(2)} KB, ` +
      `p50 ${(median(sizes) / 1000).toFixed(2)} KB, max ${(Math.max(...sizes) / 1000).toFixed(2)} KB) in ${ms(dataset.generateMs)} ms; ` +
      `${checkSample.length} checked against rle.encode of the painted mask`,
  );

  const dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-bench-collab-'));
  const target = await dbTarget(dataDir, fast, external);
  console.log(`database: ${target.describe}`);
  const config = loadConfig({
    PORT: '0',
    MASKROOM_DATA_DIR: dataDir,
    MASKROOM_LOCAL_WORKER: 'off',
    MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*',
  });
  const log = createLogger('warn', { component: 'bench' });
  let database = await target.open();
  let server: RunningServer | null = null;
  let fleet: Fleet | null = null;
  const bare = new BareServer({
    quiet: true,
    stopOnSignals: false,
    address: '127.0.0.1',
    port: 0,
    websocketOptions: { maxPayload: MAX_MESSAGE_BYTES },
  });
  try {
    server = await startServer(config, log, { database, clientDir: dataDir });
    let serverProbe = probe(server);
    await bare.listen();
    const bareUrl = `http://127.0.0.1:${bare.address.port}`;
    const sessionA = await createSession(database, frames, dataset.objects);
    const sessionB = await createSession(database, frames, dataset.objects, frames);
    const sessionC = await createSession(database, frames, dataset.objects);
    const sessionD = await createSession(database, frames, dataset.objects);
    fleet = await Fleet.start();

    // (a)
    console.log(`(a) latency: ${writes} writes per side, alternating in blocks of 25…`);
    const lat = await latency(fleet, server, serverProbe, bare, bareUrl, sessionC, dataset, clients, writes);

    // (c)
    console.log(`(c) sustained writes: ${frames} frames per side, the sides taking turns chunk by chunk…`);
    const rate = await sustained(
      fleet,
      server,
      serverProbe,
      bare,
      bareUrl,
      { perFrame: sessionA, batched: sessionD },
      dataset,
      clients,
      batch,
    );
    await stopBare(bare);

    // (d) as written, and the single-document baseline's log
    const bytesA = await bytesOf(database, sessionA);
    const single = await writeSingleDocLog(database, sessionB, dataset);
    const bytesB = await bytesOf(database, sessionB);
    const codec = codecProfile(single.rows);
    console.log(
      `(d) log as written: chunk docs ${bytesA.logRows} rows, ${mb(bytesA.logBytes)} MB; single doc ${single.rows.length} rows, ${mb(bytesB.logBytes)} MB`,
    );

    // (b)
    const cold: ColdSample[] = [];
    const namesA = [mainDocName(sessionA), ...chunkNames(sessionA, frames)];
    const namesB = [mainDocName(sessionB), maskChunkDocName(sessionB, 0)];
    const restart = async (): Promise<void> => {
      await server!.close();
      server = null;
      await database.close();
      const t0 = now();
      database = await target.open();
      server = await startServer(config, log, { database, clientDir: dataDir });
      serverProbe = probe(server);
      console.log(`  server restarted (database reopened) in ${ms(now() - t0)} ms`);
    };
    const variants = [
      {
        layout: 'chunk docs, all opened at once',
        names: namesA,
        single: false,
        prefetch: 'together' as const,
      },
      {
        layout: 'chunk docs, first chunk first',
        names: namesA,
        single: false,
        prefetch: 'after-first' as const,
      },
      { layout: 'single doc (baseline)', names: namesB, single: true, prefetch: 'together' as const },
    ];
    const coldRound = async (state: string, which: typeof variants): Promise<void> => {
      await restart();
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? which : [...which].reverse();
        for (const v of order) {
          serverProbe.loads.length = 0;
          serverProbe.applies.clear();
          const { result } = await fleet!.request(
            {
              type: 'cold',
              url: server!.url,
              main: v.names[0]!,
              chunks: v.names.slice(1),
              first: { index: 0, chunk: 0, chunkSize: v.single ? frames : CHUNK_SIZE, frame: 0 },
              width: WIDTH,
              height: HEIGHT,
              prefetch: v.prefetch,
              expectMasks: frames * objects,
            },
            'cold',
          );
          const loads = serverProbe.loads;
          const dbSpanMs = loads.length
            ? Math.max(...loads.map((l) => l[1])) - Math.min(...loads.map((l) => l[0]))
            : 0;
          const applyMs = sum([...serverProbe.applies.values()].map((a) => a.loaded - a.dbEnd));
          cold.push({ ...result, layout: v.layout, state, rep, dbSpanMs, dbReads: loads.length, applyMs });
          console.log(
            `  ${state}, ${v.layout}, rep ${rep + 1}: first ${ms(result.firstMs)} ms, all ${ms(result.allMs)} ms ` +
              `(${loads.length} database reads over ${ms(dbSpanMs)} ms, applying them ${ms(applyMs)} ms)`,
          );
          await waitUnloaded(server!, v.names);
        }
      }
    };
    console.log(`(b) cold loads, ${reps} of each, after a restart, on the log as written…`);
    await coldRound('log', variants);
    const after = [await bytesOf(database, sessionA), await bytesOf(database, sessionB)];
    if (after[0]!.logRows !== bytesA.logRows || after[1]!.logRows !== bytesB.logRows) {
      throw new Error('the log changed during the cold loads (a compaction ran?)');
    }

    // Compaction. The server compacts a document once it has 200 log rows, so a chunk doc written
    // once (≤ 64 rows) stays as written and the single doc (900 rows) is compacted: that is the
    // state its cold load is measured in next. Chunk 0 is compacted too, to time one compaction
    // with the configured codec; the single doc's compaction only prepares data (fast codec).
    const docLog = new DocLog(database.db);
    let t = now();
    const compactOne = await docLog.compact(namesA[1]!);
    const compactOneMs = now() - t;
    const undo = useBytea(database, fastBytea);
    t = now();
    await docLog.compact(namesB[1]!);
    const compactSingleMs = now() - t;
    undo();
    const bytesB2 = await bytesOf(database, sessionB);
    console.log(
      `(d) compacted chunk 0 (${compactOne.merged} rows) in ${ms(compactOneMs)} ms, the single doc in ${ms(compactSingleMs)} ms` +
        (database.driver === 'pglite' && !fast ? ' (with the fast bytea codec)' : ''),
    );
    console.log(`(b) cold loads, ${reps} of each, after a restart, of the compacted single doc…`);
    await coldRound(
      'snapshot',
      variants.filter((v) => v.single),
    );

    // --- report --------------------------------------------------------------------------------
    const loadEnd = load();
    const raw = dataset.rleBytes;
    const out: string[] = [''];
    out.push(
      `collab bench — ${frames} frames × ${objects} objects (${WIDTH}×${HEIGHT}, RLE mean ${(raw / sizes.length / 1000).toFixed(2)} KB), ` +
        `${clients} clients, ${target.kind}${target.kind === 'pglite' ? (fast ? ' + fast bytea codec' : ' (stock bytea codec)') : ''}` +
        `${external ? ' + STORAGE EXTERNAL' : ''}; ` +
        `load average ${loadStart} → ${loadEnd} on ${cpus().length} CPUs`,
    );

    // (a)
    const latPass = pct(lat.maskroom.allMs, 0.99) < TARGETS.latencyP99Ms;
    const latRow = (name: string, s: LatencySide, durable: boolean, pass: string): string[] => [
      name,
      String(s.allMs.length),
      ms(median(s.allMs)),
      ms(pct(s.allMs, 0.99)),
      ms(Math.max(...s.allMs)),
      ms(median(s.eachMs)),
      durable
        ? `${ms(median(s.resolvedMs))} / ${ms(pct(s.resolvedMs, 0.99))}`
        : `${ms(median(s.resolvedMs))} (in memory)`,
      pass,
    ];
    out.push('');
    out.push(
      `(a) one mask written on the server → observed by all ${clients} clients, ms (target p99 < ${TARGETS.latencyP99Ms})`,
    );
    out.push(
      table(
        ['path', 'writes', 'p50', 'p99', 'max', 'p50 per client', 'write resolved p50 / p99', 'result'],
        [
          latRow('Maskroom writeMasks (durable log)', lat.maskroom, true, latPass ? 'pass' : 'MISS'),
          latRow('bare Hocuspocus, no persistence (baseline)', lat.bare, false, 'baseline'),
        ],
      ),
    );
    out.push(
      `Maskroom: log append p50 ${ms(median(lat.appendMs))} / p99 ${ms(pct(lat.appendMs, 0.99))} ms; ` +
        `fan-out (encode + send to ${clients}) p50 ${ms(median(lat.broadcastMs))} ms`,
    );

    // (c)
    const s = rate.sides;
    const perSec = (frameCount: number, msTotal: number): number => frameCount / (msTotal / 1000);
    const mrRate = perSec(frames, sum(s.maskroom.writeMs));
    const ratePass = mrRate >= TARGETS.framesPerSec;
    const rateRow = (name: string, side: RateSide, pass: string): string[] => [
      name,
      perSec(frames, sum(side.writeMs)).toFixed(0),
      perSec(frames, sum(side.chunkMs)).toFixed(0),
      `${ms(median(side.callMs))} / ${ms(pct(side.callMs, 0.99))}`,
      side.appendMs.length ? `${ms(median(side.appendMs))} / ${ms(pct(side.appendMs, 0.99))}` : '–',
      side.broadcastMs.length ? ms(median(side.broadcastMs)) : '–',
      `${(side.serverCpuMs / sum(side.chunkMs)).toFixed(2)} + ${(side.fleetCpuMs / sum(side.chunkMs)).toFixed(2)}`,
      `${ms(side.serverCpuMs / frames)} (${(1000 / (side.serverCpuMs / frames)).toFixed(0)})`,
      pass,
    ];
    out.push('');
    out.push(
      `(c) propagation results into chunk docs, ${objects} masks per frame, ${clients} clients subscribed to every chunk ` +
        `(target ≥ ${TARGETS.framesPerSec} frames/s, server side)`,
    );
    out.push(
      table(
        [
          'path',
          'frames/s, writes resolved',
          `frames/s, all ${clients} clients have them`,
          'per call p50 / p99 ms',
          'log append p50 / p99 ms',
          'fan-out p50 ms',
          'CPU cores used: server + clients',
          'server CPU ms/frame (frames/s per core)',
          'result',
        ],
        [
          rateRow(
            'Maskroom writeMasks, one frame per call (awaited)',
            s.maskroom,
            ratePass ? 'pass' : 'MISS',
          ),
          rateRow(
            `Maskroom writeMasks, ${batch} frames per call`,
            s.batched,
            perSec(frames, sum(s.batched.writeMs)) >= TARGETS.framesPerSec ? 'pass' : 'MISS',
          ),
          rateRow('bare Hocuspocus, one frame per transact (baseline)', s.bare, 'baseline'),
          [
            'bare Y.Docs, same accessor, no server (floor)',
            perSec(frames, rate.yjsMs).toFixed(0),
            '–',
            '–',
            '–',
            '–',
            '–',
            `${ms(rate.yjsMs / frames)} (${perSec(frames, rate.yjsMs).toFixed(0)})`,
            'floor',
          ],
        ],
      ),
    );
    out.push(
      `Maskroom per frame: accessor (validate + set) p50 ${ms(median(rate.accessorMs))} ms; log appends ` +
        `${ms(sum(s.maskroom.appendMs))} ms of ${ms(sum(s.maskroom.writeMs))} ms writing. ` +
        `${database.driver === 'pglite' ? `PGlite's bytea serializer on one frame's update (${(codec.bytes[0] / 1000).toFixed(0)} KB): ${ms(codec.serialize[0])} ms (Node hex: ${ms(codec.serialize[1])} ms)` : ''}`,
    );

    // (d)
    const ratio = (x: number): string => `${(x / raw).toFixed(3)}×`;
    const jsonBytes = sum(
      dataset.masks.flatMap((row, f) =>
        row.map((m, o) => JSON.stringify(m).length + `${f}/${dataset.objects[o]!}`.length),
      ),
    );
    out.push('');
    out.push(`(d) bytes of the (b) dataset, MB (stored = pg_column_size, after TOAST compression)`);
    out.push(
      table(
        ['what', 'bytes', 'stored', 'vs raw RLE'],
        [
          ['raw RLE counts strings', mb(raw), '–', '1.000×'],
          [
            'records as JSON (rle, bbox, area, score, source, ref, by) + keys',
            mb(jsonBytes),
            '–',
            ratio(jsonBytes),
          ],
          [
            `chunk docs: log as written (${bytesA.logRows} rows)`,
            mb(bytesA.logBytes),
            mb(bytesA.logStored),
            ratio(bytesA.logBytes),
          ],
          [
            'chunk docs: encoded state (Y.encodeStateAsUpdate)',
            mb(rate.chunkStateBytes),
            '–',
            ratio(rate.chunkStateBytes),
          ],
          [
            `single doc: log as written (${bytesB.logRows} rows)`,
            mb(bytesB.logBytes),
            mb(bytesB.logStored),
            ratio(bytesB.logBytes),
          ],
          [
            'single doc: snapshot after compaction',
            mb(bytesB2.snapshotBytes),
            mb(bytesB2.snapshotStored),
            ratio(bytesB2.snapshotBytes),
          ],
          ['single doc: encoded state', mb(single.stateBytes), '–', ratio(single.stateBytes)],
        ],
      ),
    );

    // (b)
    const coldRows: string[][] = [];
    let coldPass = true;
    for (const state of ['log', 'snapshot']) {
      for (const v of variants) {
        const xs = cold.filter((c) => c.layout === v.layout && c.state === state);
        if (xs.length === 0) continue;
        const first = median(xs.map((c) => c.firstMs));
        const all = median(xs.map((c) => c.allMs));
        const each = (f: (c: ColdSample) => number): string =>
          xs.length === 1
            ? ms(f(xs[0]!))
            : `${ms(median(xs.map(f)))} (${xs.map((c) => ms(f(c))).join(', ')})`;
        const pass = first < TARGETS.firstChunkMs && all < TARGETS.allChunksMs;
        if (!v.single) coldPass &&= pass;
        coldRows.push([
          v.layout,
          state === 'log'
            ? `log as written (${v.single ? bytesB.logRows : `≤ ${CHUNK_SIZE}`} rows/doc)`
            : 'compacted (1 snapshot/doc)',
          each((c) => c.firstMs),
          each((c) => c.allMs),
          `${median(xs.map((c) => c.dbReads))} over ${ms(median(xs.map((c) => c.dbSpanMs)))}`,
          ms(median(xs.map((c) => c.applyMs))),
          v.single ? 'baseline' : pass ? 'pass' : 'MISS',
        ]);
      }
    }
    out.push('');
    out.push(
      `(b) cold load by a fresh client after a server restart, ms${reps > 1 ? `: median (each load in turn, the first right after the restart)` : ''}; ` +
        `targets: first chunk usable < ${TARGETS.firstChunkMs}, all < ${TARGETS.allChunksMs}`,
    );
    out.push(
      table(
        [
          'layout',
          'database',
          'first chunk usable',
          'all loaded',
          'server DB reads: count over ms',
          'server applying them, ms',
          'result',
        ],
        coldRows,
      ),
    );
    if (database.driver === 'pglite') {
      out.push(
        `PGlite's bytea parser on one chunk's rows (${mb(codec.bytes[1])} MB): ${ms(codec.parse[0])} ms (Node hex: ${ms(codec.parse[1])} ms); ` +
          `compacting one chunk doc: ${ms(compactOneMs)} ms`,
      );
    }
    out.push('');
    out.push(`whole bench ${((now() - started) / 1000).toFixed(0)} s`);
    console.log(out.join('\n'));

    await mkdir(resultsDir, { recursive: true });
    await writeFile(
      path.join(resultsDir, 'collab.json'),
      JSON.stringify(
        {
          bench: 'collab',
          date: new Date().toISOString(),
          node: process.versions.node,
          cpus: cpus().length,
          loadAverage: { start: loadStart, end: loadEnd },
          database: target.kind,
          fastBytea: fast,
          storageExternal: external,
          params: { frames, objects, clients, writes, batch, reps, seed },
          targets: TARGETS,
          dataset: {
            masks: sizes.length,
            rleBytes: raw,
            meanBytes: raw / sizes.length,
            generateMs: dataset.generateMs,
          },
          latency: { ...lat, pass: latPass },
          sustained: {
            ...rate,
            framesPerSec: Object.fromEntries(
              Object.entries(s).map(([k, v]) => [
                k,
                { resolved: perSec(frames, sum(v.writeMs)), clients: perSec(frames, sum(v.chunkMs)) },
              ]),
            ),
            yjsFramesPerSec: perSec(frames, rate.yjsMs),
            pass: ratePass,
          },
          bytes: {
            rawRle: raw,
            chunks: { written: bytesA, stateBytes: rate.chunkStateBytes },
            single: { written: bytesB, compacted: bytesB2, stateBytes: single.stateBytes },
            compactMs: { oneChunk: compactOneMs, single: compactSingleMs },
          },
          pgliteByteaCodec: database.driver === 'pglite' ? codec : null,
          cold: { samples: cold, pass: coldPass },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await fleet?.stop().catch(() => undefined);
    await stopBare(bare).catch(() => undefined);
    await (server as RunningServer | null)?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    await target.drop().catch((e: unknown) => console.error('could not drop the scratch schema', e));
    await rm(dataDir, { recursive: true, force: true });
  }
}
