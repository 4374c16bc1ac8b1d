/**
 * Writes the worker-protocol contract the Python worker reads and tests against:
 *   gpu-worker/maskroom_worker/protocol.schema.json   (JSON Schema per message, version, error codes)
 *   gpu-worker/maskroom_worker/protocol.vectors.json  (valid and invalid test vectors)
 * Both are committed; `shared/src/protocol/schema-drift.test.ts` fails when they are stale.
 *
 *   node --import tsx tools/gen-protocol-schema.ts           # write
 *   node --import tsx tools/gen-protocol-schema.ts --check   # exit 1 if a file is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PROTOCOL_SCHEMA_FILE,
  PROTOCOL_VECTORS_FILE,
  REGENERATE_COMMAND,
  renderProtocolSchema,
  renderProtocolVectors,
} from '../shared/src/protocol/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const outputs: ReadonlyArray<readonly [string, string]> = [
  [PROTOCOL_SCHEMA_FILE, renderProtocolSchema()],
  [PROTOCOL_VECTORS_FILE, renderProtocolVectors()],
];

let stale = 0;
for (const [file, text] of outputs) {
  const path = join(root, file);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    console.log(`up to date  ${file}`);
  } else if (check) {
    stale += 1;
    console.error(`stale       ${file}  (run: ${REGENERATE_COMMAND})`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote       ${file}`);
  }
}
process.exitCode = stale === 0 ? 0 : 1;
