/**
 * Helpers for the collaboration tests that compare documents across clients, server instances and
 * the durable log: a seeded PRNG, an uploaded session, plain comparable views of a session's
 * documents, a replay of the log, and the Redis service target (like `postgresTestTarget`).
 */
import { openAsBlob } from 'node:fs';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  MainDoc,
  MaskChunkDoc,
  createVideoResponseSchema,
  type MainDocView,
  type SessionId,
} from '@maskroom/shared';
import { DocLog, type DB } from '../db/index.js';
import { connectClient, type TestClient } from './collab-client.js';
import { makeVideo, testVideoDir } from './videos.js';
import { serviceTarget, type ServiceTarget } from './service-target.js';

// --- seeded randomness ---------------------------------------------------------------------------

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast, and the same sequence for the same seed on every machine. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)]!, chance: (p) => next() < p };
}

// --- sessions ------------------------------------------------------------------------------------

export interface UploadedSession {
  readonly session: SessionId;
  readonly numFrames: number;
}

/** Uploads a small generated video (`durationSec` at 30 fps, 160×120) and returns its session. */
export async function uploadSession(baseUrl: string, durationSec = 3): Promise<UploadedSession> {
  const file = await makeVideo(testVideoDir(), 'h264-mp4', { durationSec });
  const form = new FormData();
  form.append('file', await openAsBlob(file), 'collab.mp4');
  const res = await fetch(`${baseUrl}/api/videos`, { method: 'POST', body: form });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`upload failed: HTTP ${res.status} ${await res.text()}`);
  }
  const body = createVideoResponseSchema.parse(await res.json());
  const numFrames = body.video.media?.numFrames;
  if (numFrames === undefined) throw new Error('the uploaded video has no frame count');
  return { session: body.session.id, numFrames };
}

// --- comparable views ----------------------------------------------------------------------------

/** Sorted `[key, value]` pairs of a map, so that equal maps compare equal whatever their order. */
const sortedEntries = <K extends string | number, V>(m: ReadonlyMap<K, V>): [K, V][] =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** A state vector as a plain sorted object (client id → clock). */
export function stateVectorOf(doc: Y.Doc): Record<string, number> {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
  return Object.fromEntries(sortedEntries(new Map([...sv].map(([c, k]) => [String(c), k]))));
}

export interface DocSnapshot {
  /** What the typed accessors read (main: `MainDoc.view()`; chunk: `MaskChunkDoc.entries()`). */
  readonly view: unknown;
  /** The raw Yjs content of every top-level type the accessors use (`toJSON`). */
  readonly json: unknown;
  /** Which updates the doc has seen: equal vectors = nothing is missing on either side. */
  readonly stateVector: Record<string, number>;
}

const MAIN_MAPS = ['meta', 'objects', 'prompts', 'jobs', 'comments'] as const;

function plainMainView(v: MainDocView): unknown {
  return {
    meta: v.meta,
    objects: sortedEntries(v.objects),
    prompts: sortedEntries(v.prompts),
    jobs: sortedEntries(v.jobs),
    comments: sortedEntries(v.comments),
  };
}

/** Accessor view, raw JSON and state vector of a main doc. */
export function mainSnapshot(doc: Y.Doc): DocSnapshot {
  const main = new MainDoc(doc);
  return {
    view: plainMainView(main.view()),
    json: Object.fromEntries(MAIN_MAPS.map((m) => [m, doc.getMap(m).toJSON()])),
    stateVector: stateVectorOf(doc),
  };
}

/** Accessor view, raw JSON and state vector of mask chunk doc `chunk`. */
export function chunkSnapshot(doc: Y.Doc, chunk: number): DocSnapshot {
  const masks = new MaskChunkDoc(doc, chunk);
  return {
    view: masks.entries(),
    json: doc.getMap('masks').toJSON(),
    stateVector: stateVectorOf(doc),
  };
}

/** The snapshot of `name` in `doc`, main or chunk by its name. */
export function snapshotOf(name: string, doc: Y.Doc): DocSnapshot {
  const m = /\/masks\/(\d+)$/.exec(name);
  return m ? chunkSnapshot(doc, Number(m[1])) : mainSnapshot(doc);
}

// --- the durable log -----------------------------------------------------------------------------

/** A fresh Y.Doc rebuilt from the log alone (snapshot + unmerged rows), as a server load does. */
export async function replayLog(db: DB, name: string): Promise<Y.Doc> {
  const loaded = await new DocLog(db).load(name);
  const doc = new Y.Doc();
  Y.transact(doc, () => {
    if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot);
    for (const u of loaded.updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

// --- clients -------------------------------------------------------------------------------------

/**
 * Points a client's socket at another server (what a load balancer does after a failover). The
 * provider reads the URL on every (re)connection attempt.
 */
export function retarget(client: TestClient, baseUrl: string, name?: string): void {
  client.socket.configuration.url = `${baseUrl.replace(/^http/, 'ws')}/collab${
    name ? `?name=${encodeURIComponent(name)}` : ''
  }`;
}

/**
 * `ws` with an error listener of its own. The provider removes its listeners from a socket before
 * closing it, and `ws` (unlike a browser's WebSocket) reports closing a socket that is still
 * connecting as an 'error' event: with no listener left, that is an uncaught exception in the test
 * process. Tests that disconnect and reconnect at random hit it; browsers never do.
 */
class QuietWebSocket extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols);
    this.on('error', () => {});
  }
}

/** `connectClient`, for tests that disconnect and reconnect clients at random (see QuietWebSocket). */
export function connectRestlessClient(baseUrl: string, opts: { name?: string } = {}): TestClient {
  const client = connectClient(baseUrl, opts);
  client.socket.configuration.WebSocketPolyfill = QuietWebSocket as unknown as typeof globalThis.WebSocket;
  return client;
}

/** One line per open document of a client: attached, synced, unsynced changes; and its socket status. */
export function describeClient(client: TestClient, names: readonly string[]): string {
  const docs = names.map((n) => {
    const p = client.open(n);
    return `${n.replace(/^session\/[^/]+/, '') || 'main'}: attached=${p.isAttached} auth=${p.isAuthenticated} synced=${p.isSynced} unsynced=${p.unsyncedChanges}`;
  });
  return `socket ${client.socket.status}; ${docs.join('; ')}`;
}

/**
 * Reconnects a client whose socket was disconnected with `socket.disconnect()`. The provider's
 * `connect()` does nothing while its status still says connected, which it does until the closing
 * socket's close event: called right after `disconnect()` it would be lost, and the client would
 * stay offline for good. So this waits for the close first.
 */
export async function reconnect(client: TestClient): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (client.socket.status === 'connected' && client.socket.webSocket?.readyState !== WebSocket.OPEN) {
    if (Date.now() > deadline) throw new Error('the socket did not finish closing');
    await new Promise((r) => setTimeout(r, 5));
  }
  void client.socket.connect();
}

/** Drops the client's TCP connection without a close handshake (a network failure); it reconnects. */
export function dropConnection(client: TestClient): void {
  const ws = client.socket.webSocket as unknown as { terminate?: () => void; close: () => void } | null;
  if (!ws) return;
  if (ws.terminate) ws.terminate();
  else ws.close();
}

// --- Redis ---------------------------------------------------------------------------------------

export const TEST_REDIS_URL_VAR = 'MASKROOM_TEST_REDIS_URL';

export type { ServiceTarget };

/** Where the Redis tests run (see `serviceTarget`). */
export function redisTestTarget(env: NodeJS.ProcessEnv = process.env): ServiceTarget {
  return serviceTarget(TEST_REDIS_URL_VAR, 'Redis', env);
}
