import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it lived at `file` (repo-relative) and returns the rule ids that fired. */
async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('package boundaries (DESIGN §1)', () => {
  it.each([
    ['client/src/x.ts', "import { a } from '@maskroom/server';\nexport { a };"],
    ['client/src/x.ts', "import { a } from '../../server/src/app.js';\nexport { a };"],
    ['client/src/deep/x.ts', "export { a } from '../../../server/src/app.js';"],
    ['server/src/x.ts', "import { a } from '@maskroom/client';\nexport { a };"],
    ['server/src/x.ts', "export const m = await import('../../client/src/main.js');"],
    ['shared/src/x.ts', "import { a } from '@maskroom/server';\nexport { a };"],
    ['shared/src/x.ts', "import { readFileSync } from 'node:fs';\nexport { readFileSync };"],
    ['shared/src/x.ts', "import path from 'path';\nexport { path };"],
  ])('rejects the import in %s: %s', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('maskroom/package-boundaries');
  });

  it.each([
    ['shared/src/x.ts', 'export const w = window.innerWidth;'],
    ['shared/src/x.ts', 'export const d = document.title;'],
    ['shared/src/x.ts', 'export const e = process.env;'],
    ['shared/src/x.ts', "export const b = Buffer.from('x');"],
  ])('rejects a DOM or Node global in %s: %s', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('no-restricted-globals');
  });

  it.each([
    ['client/src/x.ts', "import { rle } from '@maskroom/shared';\nexport { rle };"],
    [
      'server/src/x.ts',
      "import { rle } from '@maskroom/shared';\nimport { readFileSync } from 'node:fs';\nexport { rle, readFileSync };",
    ],
    ['shared/src/rle/x.ts', "import { encode } from './codec.js';\nexport { encode };"],
    [
      'shared/src/x.test.ts',
      "import { readFileSync } from 'node:fs';\nexport const p = process.cwd();\nexport { readFileSync };",
    ],
    ['e2e/x.ts', "import { a } from '../server/src/app.js';\nexport { a };"],
  ])('allows %s: %s', async (file, code) => {
    expect(await ruleIds(file, code)).toEqual([]);
  });
});
