/**
 * The metrics one server instance exposes at `GET /api/metrics` (DESIGN §9). Event counts and
 * durations are recorded by the code where they happen (through the optional `metrics` of its
 * dependencies); levels (connections, queues, workers) are read from their owners at each scrape.
 */
import { count } from 'drizzle-orm';
import type { DB } from '../db/index.js';
import { docUpdates } from '../db/schema.js';
import { Registry, type Counter, type Histogram, type Sample } from './registry.js';

/** Seconds; ingests take from under a second to minutes (upload, probe, frame extraction). */
const INGEST_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Seconds; a streamed export ZIP, a few frames to a whole session with images. */
const EXPORT_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Counting the log table scans it: scrapes in quick succession reuse the last count. */
export const LOG_ROWS_CACHE_MS = 10_000;

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** What the scrape-time gauges read; each source is optional so tests can bind only some. */
export interface MetricSources {
  readonly collab?: { connections(): number; documents(): number };
  readonly db?: DB;
  readonly dispatcher?: {
    queueDepths(): ReadonlyMap<string, number>;
    workerSummaries(): ReadonlyArray<{
      readonly workerId: string;
      readonly backend: string;
      readonly sessions: number;
      readonly maxSessions: number;
      readonly busy: boolean;
      readonly queued: number;
    }>;
    readonly dropped: ReadonlyMap<string, number>;
  };
  readonly draining?: () => boolean;
  readonly now?: () => number;
}

export class ServerMetrics {
  readonly registry = new Registry();
  /** Frames a propagation wrote into the documents; `rate()` of it is frames per second. */
  readonly framesWritten: Counter;
  readonly ingestSeconds: Histogram;
  readonly exportSeconds: Histogram;
  readonly httpErrors: Counter;
  readonly httpRequests: Counter;
  private sources: MetricSources = {};
  private logRows: { value: number; at: number } | undefined;

  constructor() {
    const r = this.registry;
    r.gauge('maskroom_collab_connections', 'Open collaboration document connections on this instance.', () =>
      this.sources.collab ? this.sources.collab.connections() : [],
    );
    r.gauge('maskroom_documents_loaded', 'Session documents loaded in memory on this instance.', () =>
      this.sources.collab ? this.sources.collab.documents() : [],
    );
    r.gauge(
      'maskroom_doc_log_rows',
      'Rows in the durable update log (doc_updates) not yet compacted; cached up to 10 s.',
      () => this.docLogRows(),
    );
    r.gauge('maskroom_queue_depth', 'Segmentation requests queued or running, per session.', () =>
      [...(this.sources.dispatcher?.queueDepths() ?? [])].map(([session, value]): Sample => ({
        labels: { session },
        value,
      })),
    );
    r.gauge('maskroom_workers', 'Segmentation workers connected to this instance.', () =>
      this.sources.dispatcher ? this.sources.dispatcher.workerSummaries().length : [],
    );
    r.gauge(
      'maskroom_worker_load',
      'Load of each connected worker: measure = sessions | max_sessions | queued | busy (0/1).',
      () =>
        (this.sources.dispatcher?.workerSummaries() ?? []).flatMap((w): Sample[] => {
          const labels = { worker: w.workerId, backend: w.backend };
          return [
            { labels: { ...labels, measure: 'sessions' }, value: w.sessions },
            { labels: { ...labels, measure: 'max_sessions' }, value: w.maxSessions },
            { labels: { ...labels, measure: 'queued' }, value: w.queued },
            { labels: { ...labels, measure: 'busy' }, value: w.busy ? 1 : 0 },
          ];
        }),
    );
    r.gauge('maskroom_worker_messages_dropped', 'Worker messages dropped, by reason (since start).', () =>
      [...(this.sources.dispatcher?.dropped ?? [])].map(([code, value]) => ({ labels: { code }, value })),
    );
    this.framesWritten = r.counter('maskroom_frames_written_total', 'Frames written by propagations.');
    this.ingestSeconds = r.histogram(
      'maskroom_ingest_seconds',
      'Duration of video ingests (upload, probe, frame extraction), by outcome.',
      INGEST_BUCKETS,
    );
    this.exportSeconds = r.histogram(
      'maskroom_export_seconds',
      'Duration of server-side exports (GET /api/sessions/:id/export), by outcome.',
      EXPORT_BUCKETS,
    );
    this.httpErrors = r.counter('maskroom_http_errors_total', 'HTTP error responses, by error code.');
    this.httpRequests = r.counter(
      'maskroom_http_requests_total',
      'HTTP requests answered, by method and status.',
    );
    r.gauge('maskroom_draining', 'Whether this instance is shutting down (1) and refusing new work.', () =>
      this.sources.draining?.() ? 1 : 0,
    );
    r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () =>
      process.memoryUsage.rss(),
    );
    r.collectedCounter(
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1e6;
      },
    );
    const started = Date.now() / 1000 - process.uptime();
    r.gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', () =>
      Math.round(started),
    );
  }

  /** Attaches the live objects the scrape-time gauges read (once the server has built them). */
  bind(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** Counts one answered HTTP request (any path; the method outside the usual ones is `other`). */
  countRequest(method: string, status: number): void {
    this.httpRequests.inc({ method: KNOWN_METHODS.has(method) ? method : 'other', status: String(status) });
  }

  async render(onError?: (name: string, error: unknown) => void): Promise<string> {
    return this.registry.render(onError);
  }

  private async docLogRows(): Promise<number | Sample[]> {
    const db = this.sources.db;
    if (!db) return [];
    const now = (this.sources.now ?? Date.now)();
    if (this.logRows && now - this.logRows.at < LOG_ROWS_CACHE_MS) return this.logRows.value;
    const [row] = await db.select({ n: count() }).from(docUpdates);
    this.logRows = { value: Number(row?.n ?? 0), at: now };
    return this.logRows.value;
  }
}
