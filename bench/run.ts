/**
 * Benchmark runner: `npm run bench -- <name> [args...]` (= `node --import tsx bench/run.ts <name>`).
 *
 * Each bench lives in `bench/<name>/main.ts` and exports `run(args: string[]): Promise<void>`;
 * it prints a table beside a baseline measured in the same run and writes JSON to
 * `bench/results/<name>.json`. Without a name, or with an unknown one, this lists the benches.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Bench {
  run(args: string[]): Promise<void>;
}

const benchRoot = dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(benchRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(benchRoot, d.name, 'main.ts')))
    .map((d) => d.name)
    .sort();
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = available();
  if (name === undefined || name === '--help' || name === '-h' || !names.includes(name)) {
    if (name !== undefined && name !== '--help' && name !== '-h') console.error(`unknown bench: ${name}`);
    console.log('usage: npm run bench -- <name> [args...]');
    console.log(`available benches: ${names.join(', ') || '(none)'}`);
    return name === undefined || name === '--help' || name === '-h' ? 0 : 1;
  }
  const mod = (await import(pathToFileURL(join(benchRoot, name, 'main.ts')).href)) as Partial<Bench>;
  if (typeof mod.run !== 'function') {
    console.error(`bench/${name}/main.ts does not export run(args)`);
    return 1;
  }
  await mod.run(rest);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
