/**
 * Assembles a running server from a `Config`: data directory, database, ffmpeg, services, HTTP.
 * `main.ts` runs it as a process; integration tests start it in-process on port 0.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_NAME_PARAM, type SessionId } from '@maskroom/shared';
import { createApp } from './app.js';
import { AuthService } from './auth/AuthService.js';
import { AuthStore } from './auth/AuthStore.js';
import { callerResolver } from './auth/caller.js';
import { SessionAccess } from './auth/SessionAccess.js';
import { LocalAuthorizer, RoleAuthorizer, type Authorizer } from './collab/access.js';
import { createCollab, type Collab } from './collab/Collab.js';
import type { Config } from './config.js';
import { DocLog, JobIndex, VideoStore, openDatabase, type Database } from './db/index.js';
import { Dispatcher } from './dispatch/Dispatcher.js';
import { LocalWorker } from './dispatch/LocalWorker.js';
import { Segmentation } from './segment/Segmentation.js';
import { ImportService } from './import/ImportService.js';
import { newId } from './ids.js';
import { resolveFfmpegTools } from './ingest/index.js';
import type { Logger } from './log.js';
import { DataDir } from './storage/DataDir.js';
import { DataDirLock } from './storage/lock.js';
import { InFlight } from './http/draining.js';
import { ServerMetrics } from './metrics/ServerMetrics.js';
import { SessionMedia } from './videos/SessionMedia.js';
import { VideoService } from './videos/VideoService.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CLIENT_DIR = path.resolve(here, '..', '..', 'client', 'dist');
/** The one user of local mode (accounts mode replaces this with the signed-in user). */
const SWEEP_INTERVAL_MS = 60_000;

export interface RunningServer {
  readonly url: string;
  readonly http: Server;
  readonly database: Database;
  readonly videos: VideoService;
  readonly collab: Collab;
  readonly dispatcher: Dispatcher;
  /** The ZeroMQ endpoint workers connect to (the real port when configured with `*` or 0). */
  readonly workerEndpoint: string;
  readonly segmentation: Segmentation;
  /** Local mode's child worker, when one was started. */
  readonly localWorker: LocalWorker | undefined;
  readonly metrics: ServerMetrics;
  /** Whether `close` has begun: new requests and sockets are refused. */
  isDraining(): boolean;
  /**
   * Graceful shutdown (DESIGN §9): refuses new requests and sockets, waits up to the configured
   * grace for running propagations and requests, hands back the propagations still running (their
   * lease lets another instance resume them), closes the sockets once every update received is in
   * the log, then the workers' socket and the database. Idempotent.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clientDir?: string;
  readonly version?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A database opened by the caller (tests); the caller closes it. */
  readonly database?: Database;
  /** Replaces the authorizer of the collaboration socket (tests: read-only callers). */
  readonly authorizer?: (store: VideoStore) => Authorizer;
  /** The clock of accounts mode (login and link expiry, rate limits); tests move it. */
  readonly clock?: () => number;
}

export async function startServer(
  config: Config,
  log: Logger,
  opts: StartOptions = {},
): Promise<RunningServer> {
  const cleanups: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;
  let draining = false;
  /** Set once the server listens: what shutdown waits for before the cleanups. */
  let drain: (() => Promise<void>) | undefined;
  const metrics = new ServerMetrics();
  const inFlight = new InFlight();
  // Idempotent: the steps run once, last started first.
  const cleanup = (): Promise<void> =>
    (closing ??= (async () => {
      draining = true;
      await drain?.().catch((e: unknown) => log.error('draining failed', { err: e }));
      for (const fn of [...cleanups].reverse())
        await fn().catch((e: unknown) => log.error('shutdown step failed', { err: e }));
    })());
  try {
    await mkdir(config.dataDir, { recursive: true });
    if (!config.databaseUrl && !opts.database) {
      const lock = await DataDirLock.acquire(config.dataDir);
      cleanups.push(() => lock.release());
    }
    const dataDir = new DataDir(config.dataDir);
    await dataDir.init();

    const env = opts.env ?? process.env;
    const tools = await resolveFfmpegTools(
      { PATH: env.PATH, FFMPEG_PATH: config.ingest.ffmpegPath, FFPROBE_PATH: config.ingest.ffprobePath },
      log,
    );
    const database =
      opts.database ??
      (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log }));
    if (!opts.database) cleanups.push(() => database.close());
    log.info('database ready', { driver: database.driver });

    const store = new VideoStore(database.db);
    const media = new SessionMedia(store);
    const auth =
      config.authMode === 'accounts'
        ? new AuthService({
            store: new AuthStore(database.db),
            signupOpen: config.signupOpen,
            ...(opts.clock ? { now: opts.clock } : {}),
          })
        : null;
    const access = new SessionAccess(store, auth?.store ?? null);
    const resolveCaller = callerResolver(auth);
    const instanceId = newId('inst');
    const collab = createCollab({
      db: database.db,
      log,
      instanceId,
      redisUrl: config.redisUrl,
      authorizer:
        opts.authorizer?.(store) ?? (auth ? new RoleAuthorizer(access) : new LocalAuthorizer(store)),
      numFramesOf: async (session) => (await media.get(session))?.numFrames ?? null,
      callerOf: (request) =>
        resolveCaller(
          request.headers.get('cookie') ?? undefined,
          new URL(request.url).searchParams.get(LOCAL_NAME_PARAM),
        ),
    });
    cleanups.push(() => collab.close());
    metrics.bind({
      db: database.db,
      collab: {
        connections: () => collab.hocuspocus.getConnectionsCount(),
        documents: () => collab.hocuspocus.getDocumentsCount(),
      },
      dispatcher: {
        queueDepths: () => dispatcher.queueDepths(),
        workerSummaries: () => dispatcher.workerSummaries(),
        get dropped() {
          return dispatcher.dropped;
        },
      },
      draining: () => draining,
    });
    const videos = new VideoService({
      store,
      dataDir,
      tools,
      config: config.ingest,
      instanceId,
      log: log.child({ component: 'videos' }),
      metrics,
      onSessionDeleted: (session) => {
        media.forget(session);
        evictSession(collab, session);
      },
    });
    const dispatcher = new Dispatcher({ log });
    const workerEndpoint = await dispatcher.start(config.workerEndpoint);
    cleanups.push(() => dispatcher.close());
    let localWorker: LocalWorker | undefined;
    if (config.localWorker) {
      const local = new LocalWorker({
        endpoint: workerEndpoint,
        backend: 'classical',
        device: 'cpu',
        python: config.python,
        log,
      });
      local.start();
      cleanups.push(() => local.stop());
      localWorker = local;
    }
    const segmentation = new Segmentation({
      dispatcher,
      docs: collab.docs,
      media,
      jobs: new JobIndex(database.db),
      dataDir,
      log,
      instanceId,
      docLog: new DocLog(database.db),
      metrics,
    });
    cleanups.push(() => segmentation.close());

    await videos.sweep();
    const sweeper = setInterval(() => {
      videos.sweep().catch((e: unknown) => log.warn('sweep failed', { err: e }));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
    cleanups.push(async () => clearInterval(sweeper));

    const app = createApp({
      config,
      log,
      clientDir: opts.clientDir ?? DEFAULT_CLIENT_DIR,
      version: opts.version ?? '0.0.0',
      health: {
        db: async () => ({ ok: await database.ping(), driver: database.driver }),
        workers: () => dispatcher.workerSummaries(),
        draining: () => draining,
      },
      metrics: { registry: metrics, token: config.metricsToken },
      lifecycle: { draining: () => draining, inFlight },
      videos: {
        store,
        service: videos,
        dataDir,
        maxUploadBytes: config.ingest.maxUploadBytes,
        access,
        visibleSessions: async (caller) =>
          caller.kind === 'local'
            ? null
            : new Set(
                caller.kind === 'guest' ? [caller.sessionId] : await auth!.store.sessionsOf(caller.user.id),
              ),
      },
      sessions: { store, segmentation, access, jobs: new JobIndex(database.db) },
      caller: resolveCaller,
      auth: { auth },
      ...(auth
        ? {
            links: {
              auth,
              access,
              store,
              disconnect: (users: ReadonlySet<string>) => collab.disconnectUsers(users),
            },
          }
        : {}),
      review: {
        access,
        docs: collab.docs,
        numFramesOf: async (s) => (await media.get(s))?.numFrames ?? null,
      },
      exports: {
        access,
        docs: collab.docs,
        store,
        dataDir,
        log: log.child({ component: 'export' }),
        metrics,
      },
      imports: {
        access,
        service: new ImportService({
          docs: collab.docs,
          reset: (session) => segmentation.reset(session),
          log: log.child({ component: 'import' }),
        }),
      },
    });

    const http = app.listen(config.port, config.host);
    http.on('upgrade', (req, socket, head) => {
      if (draining) {
        // Clients reconnect (with backoff) and the load balancer sends them to another instance.
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (!collab.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      http.once('listening', resolve);
      http.once('error', reject);
    });
    drain = async () => {
      // Stop accepting connections; idle keep-alive ones close, busy ones answer 503 to their
      // next request (refuseWhileDraining).
      http.close();
      const deadline = Date.now() + config.shutdownGraceMs;
      if (!(await segmentation.allSettled(config.shutdownGraceMs)))
        log.warn('propagations still running after the grace period: handing them back');
      if (!(await inFlight.idle(Math.max(0, deadline - Date.now()))))
        log.warn('requests still running after the grace period', { requests: inFlight.size });
    };
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (http.listening) http.close(() => resolve());
          else resolve();
          http.closeAllConnections();
        }),
    );
    const { port } = http.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      http,
      database,
      videos,
      collab,
      dispatcher,
      workerEndpoint,
      segmentation,
      localWorker,
      metrics,
      isDraining: () => draining,
      close: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Closes every open document of a deleted session (their clients get a close with a reason). */
function evictSession(collab: Collab, session: SessionId): void {
  const prefix = `session/${session}`;
  for (const name of collab.hocuspocus.documents.keys()) {
    if (name === prefix || name.startsWith(`${prefix}/`)) collab.hocuspocus.closeConnections(name);
  }
}
