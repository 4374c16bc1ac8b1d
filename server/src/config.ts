import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * Server configuration, read once from the environment (DESIGN §7: configuration only through
 * environment variables). Everything downstream takes a `Config`, never `process.env`.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).optional(),
  MASKROOM_AUTH: z.enum(['local', 'accounts']).default('local'),
  MASKROOM_SIGNUP: z.enum(['open', 'invite']).default('open'),
  MASKROOM_DATA_DIR: z.string().min(1).default('./data'),
  MASKROOM_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  DATABASE_URL: z.string().min(1).optional(),
  REDIS_URL: z.string().url().optional(),
  MASKROOM_WORKER_ENDPOINT: z.string().min(1).default('tcp://127.0.0.1:5560'),
  MASKROOM_LOCAL_WORKER: z.enum(['on', 'off', 'auto']).default('auto'),
  MASKROOM_PYTHON: z.string().min(1).optional(),
  MASKROOM_MAX_UPLOAD_MB: z.coerce.number().positive().default(2048),
  MASKROOM_MAX_DURATION_SEC: z.coerce.number().positive().default(60),
  MASKROOM_MAX_FRAMES: z.coerce.number().int().positive().default(900),
  MASKROOM_MAX_DIMENSION: z.coerce.number().int().positive().default(4096),
  MASKROOM_INGEST_CONCURRENCY: z.coerce.number().int().positive().default(2),
  FFMPEG_PATH: z.string().min(1).optional(),
  FFPROBE_PATH: z.string().min(1).optional(),
  MASKROOM_METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  MASKROOM_TRUST_PROXY: z
    .string()
    .default('loopback')
    .refine(
      isTrustProxy,
      'a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, IPs and CIDRs',
    ),
  MASKROOM_SHUTDOWN_GRACE_SEC: z.coerce.number().min(0).default(20),
});

export type AuthMode = 'local' | 'accounts';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly authMode: AuthMode;
  /** Accounts mode: anyone may sign up (`open`), or only with a share link as invitation (`invite`). */
  readonly signupOpen: boolean;
  readonly dataDir: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** PostgreSQL URL; unset = embedded PGlite under the data directory. */
  readonly databaseUrl: string | undefined;
  /** Redis URL; set when several server instances share sessions. */
  readonly redisUrl: string | undefined;
  /** Where the ZeroMQ ROUTER for workers binds. */
  readonly workerEndpoint: string;
  /** Start a `classical` worker as a child process (auto: in local mode). */
  readonly localWorker: boolean;
  readonly python: string | undefined;
  readonly ingest: IngestConfig;
  /** Bearer token that lets a scraper read `GET /api/metrics` from other machines (else loopback only). */
  readonly metricsToken: string | undefined;
  /**
   * Which proxies' `X-Forwarded-*` headers are believed (Express `trust proxy`): the client's
   * address (rate limits, metrics access) and whether it came over HTTPS (the `Secure` cookie).
   */
  readonly trustProxy: string | number;
  /** How long shutdown waits for running propagations and requests before handing them back. */
  readonly shutdownGraceMs: number;
}

export interface IngestConfig {
  readonly maxUploadBytes: number;
  readonly maxDurationSec: number;
  readonly maxFrames: number;
  /** Largest displayed width or height (either orientation). */
  readonly maxDimension: number;
  /** ffmpeg extractions at once; further uploads wait their turn. */
  readonly concurrency: number;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  // Local mode has no login, so it must not be reachable from other machines.
  const host = e.HOST ?? (e.MASKROOM_AUTH === 'local' ? '127.0.0.1' : '0.0.0.0');
  if (e.MASKROOM_AUTH === 'local' && !LOOPBACK.has(host)) {
    throw new ConfigError(
      `HOST=${host} is not a loopback address: local mode has no login and binds to loopback only; ` +
        'set MASKROOM_AUTH=accounts to serve other machines',
    );
  }
  return {
    port: e.PORT,
    host,
    authMode: e.MASKROOM_AUTH,
    signupOpen: e.MASKROOM_SIGNUP === 'open',
    dataDir: path.resolve(e.MASKROOM_DATA_DIR),
    logLevel: e.MASKROOM_LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    workerEndpoint: e.MASKROOM_WORKER_ENDPOINT,
    localWorker:
      e.MASKROOM_LOCAL_WORKER === 'on' || (e.MASKROOM_LOCAL_WORKER === 'auto' && e.MASKROOM_AUTH === 'local'),
    python: e.MASKROOM_PYTHON,
    metricsToken: e.MASKROOM_METRICS_TOKEN,
    trustProxy: /^\d+$/.test(e.MASKROOM_TRUST_PROXY)
      ? Number(e.MASKROOM_TRUST_PROXY)
      : e.MASKROOM_TRUST_PROXY,
    shutdownGraceMs: e.MASKROOM_SHUTDOWN_GRACE_SEC * 1000,
    ingest: {
      maxUploadBytes: Math.floor(e.MASKROOM_MAX_UPLOAD_MB * 1024 * 1024),
      maxDurationSec: e.MASKROOM_MAX_DURATION_SEC,
      maxFrames: e.MASKROOM_MAX_FRAMES,
      maxDimension: e.MASKROOM_MAX_DIMENSION,
      concurrency: e.MASKROOM_INGEST_CONCURRENCY,
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
    },
  };
}

const TRUST_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What Express' `trust proxy` accepts: a hop count, or names, addresses and subnets. */
function isTrustProxy(value: string): boolean {
  if (/^\d{1,3}$/.test(value)) return true;
  return value.split(',').every((part) => {
    const item = part.trim();
    if (TRUST_NAMES.has(item)) return true;
    const [address, prefix, ...rest] = item.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    const bits = Number(prefix);
    return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
  });
}
