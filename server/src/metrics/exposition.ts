/**
 * A reader of the Prometheus text format, strict enough for tests to check what the server
 * exposes: every sample line must parse, and every sample must belong to a declared metric.
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly ParsedSample[];
  /** The value of the sample with exactly these labels (undefined if absent). */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** The sum over every sample of `name` whose labels include `labels`. */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  const n = Number(v);
  if (Number.isNaN(n)) throw new Error(`bad value ${v}`);
  return n;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!name || !type || types.has(name)) throw new Error(`bad or repeated TYPE line: ${line}`);
      types.set(name, type);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[3].length) {
        const l = LABEL.exec(m[3]);
        if (!l) throw new Error(`bad labels: ${line}`);
        labels[l[1]!] = unescape(l[2]!);
      }
    }
    const name = m[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(family)) throw new Error(`sample of an undeclared metric: ${line}`);
    samples.push({ name, labels, value: parseValue(m[4]!) });
  }
  const matches = (have: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>) =>
    Object.entries(want).every(([k, v]) => have[k] === v);
  return {
    types,
    samples,
    value(name, labels = {}) {
      return samples.find(
        (s) =>
          s.name === name &&
          matches(s.labels, labels) &&
          Object.keys(s.labels).length === Object.keys(labels).length,
      )?.value;
    },
    sum(name, labels = {}) {
      return samples
        .filter((s) => s.name === name && matches(s.labels, labels))
        .reduce((a, s) => a + s.value, 0);
    },
  };
}
