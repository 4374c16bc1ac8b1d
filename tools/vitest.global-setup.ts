/**
 * Vitest global setup: makes sure the pycocotools RLE test vectors exist before any suite runs,
 * so `npx vitest run` works on its own.
 *
 * The vectors (`$MASKROOM_VECTORS_DIR/rle.json.gz`, default `<repo>/.vectors/rle.json.gz`,
 * git-ignored) are written by the pytest `gpu-worker/tests/test_rle_vectors.py`, which runs the
 * real pycocotools. When the file is missing, or older than that pytest file, this runs the pytest
 * itself through `tools/py.sh` (the repo's .venv). If that fails, the whole run fails: the RLE
 * suites are never skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const generator = 'gpu-worker/tests/test_rle_vectors.py';

/** Where the vectors live; a relative MASKROOM_VECTORS_DIR is taken from the repo root. */
export function vectorsFile(): string {
  return resolve(root, process.env.MASKROOM_VECTORS_DIR || '.vectors', 'rle.json.gz');
}

function isFresh(file: string): boolean {
  if (!existsSync(file)) return false;
  return statSync(file).mtimeMs >= statSync(join(root, generator)).mtimeMs;
}

export default function setup(): void {
  const file = vectorsFile();
  if (isFresh(file)) return;
  const why = existsSync(file) ? 'older than its generator' : 'missing';
  console.log(`[vitest setup] ${file} is ${why}; generating it with pycocotools (${generator})`);
  const args = ['tools/py.sh', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', generator];
  const result = spawnSync('bash', args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(
      `Generating the RLE test vectors failed (bash ${args.join(' ')} → ` +
        `${result.error?.message ?? `exit ${String(result.status ?? result.signal)}`}). ` +
        'The RLE suites need the real pycocotools: set up the .venv (see README) and rerun.',
    );
  }
  if (!existsSync(file)) {
    throw new Error(`${generator} passed but did not write ${file}`);
  }
}
