/**
 * A small Prometheus registry: counters, gauges (set, or read when scraped) and histograms with
 * fixed buckets, rendered in the text exposition format 0.0.4. Enough for one process's own
 * metrics without a dependency.
 */

export type Labels = Readonly<Record<string, string>>;

/** One sample of a gauge read at scrape time. */
export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and line feed (exposition format). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed only. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const names = Object.keys(labels).sort();
  for (const n of names) if (!LABEL_NAME.test(n) || n.startsWith('__')) throw new Error(`bad label ${n}`);
  return names.map((n) => `${n}="${escapeLabelValue(labels[n]!)}"`).join(',');
}

const series = (name: string, key: string, value: number): string =>
  `${name}${key ? `{${key}}` : ''} ${formatValue(value)}`;

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
  }

  abstract samples(): Promise<string[]>;

  async render(): Promise<string> {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`]
      .concat(await this.samples())
      .join('\n');
  }
}

export class Counter extends Metric {
  private readonly values = new Map<string, number>();

  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error(`a counter only goes up (${by})`);
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels?: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  async samples(): Promise<string[]> {
    return [...this.values].map(([key, v]) => series(this.name, key, v));
  }
}

export type Collect = () => number | readonly Sample[] | Promise<number | readonly Sample[]>;

/**
 * A gauge set by its owner, or read from `collect` at every scrape. Typed `counter`, it exposes a
 * total kept elsewhere (e.g. the process's CPU time).
 */
export class Gauge extends Metric {
  private readonly values = new Map<string, number>();

  constructor(
    name: string,
    help: string,
    private readonly collect?: Collect,
    type: 'gauge' | 'counter' = 'gauge',
  ) {
    super(name, help, type);
  }

  set(value: number, labels?: Labels): void {
    this.values.set(labelKey(labels), value);
  }

  async samples(): Promise<string[]> {
    if (!this.collect) return [...this.values].map(([key, v]) => series(this.name, key, v));
    const got = await this.collect();
    const list: readonly Sample[] = typeof got === 'number' ? [{ value: got }] : got;
    return list.map((s) => series(this.name, labelKey(s.labels), s.value));
  }
}

interface HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  private readonly buckets: readonly number[];
  private readonly values = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, buckets: readonly number[]) {
    super(name, help, 'histogram');
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(value: number, labels?: Labels): void {
    if (labels && 'le' in labels) throw new Error('"le" is reserved for histogram buckets');
    const key = labelKey(labels);
    let s = this.values.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.values.set(key, s);
    }
    // Non-cumulative here; rendering accumulates.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  /** Starts a timer; the returned function observes the seconds elapsed. */
  startTimer(): (labels?: Labels) => number {
    const start = process.hrtime.bigint();
    return (labels) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.observe(seconds, labels);
      return seconds;
    };
  }

  count(labels?: Labels): number {
    return this.values.get(labelKey(labels))?.count ?? 0;
  }

  async samples(): Promise<string[]> {
    const out: string[] = [];
    for (const [key, s] of this.values) {
      const prefix = key ? `${key},` : '';
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i]!;
        out.push(series(`${this.name}_bucket`, `${prefix}le="${formatValue(b)}"`, cumulative));
      });
      out.push(series(`${this.name}_bucket`, `${prefix}le="+Inf"`, s.count));
      out.push(series(`${this.name}_sum`, key, s.sum));
      out.push(series(`${this.name}_count`, key, s.count));
    }
    return out;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  register<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }

  gauge(name: string, help: string, collect?: Collect): Gauge {
    return this.register(new Gauge(name, help, collect));
  }

  /** A counter whose total is read at each scrape from where it is kept. */
  collectedCounter(name: string, help: string, collect: Collect): Gauge {
    return this.register(new Gauge(name, help, collect, 'counter'));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }

  /** The exposition text; a gauge whose reading fails is left out (and the rest still served). */
  async render(onError?: (name: string, error: unknown) => void): Promise<string> {
    const parts: string[] = [];
    for (const m of this.metrics.values()) {
      try {
        parts.push(await m.render());
      } catch (error) {
        onError?.(m.name, error);
      }
    }
    return `${parts.join('\n')}\n`;
  }
}

/** The content type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
