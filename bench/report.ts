/** What the benches print: markdown tables and the machine's state beside the figures. */
import { loadavg } from 'node:os';

export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Milliseconds with the digits that matter ("–" for no value). */
export const formatMs = (x: number): string =>
  Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);

/** The 1, 5 and 15 minute load averages: the benches share two cores with whatever else runs. */
export const loadAverage = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

export const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));
