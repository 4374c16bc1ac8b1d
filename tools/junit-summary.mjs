// Sums JUnit XML reports (pytest, vitest, Playwright) into one closing line per runner and a total.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`${path.basename(file, '.xml')}: no report (the stage did not run to the end)`);
    failed += 1;
    continue;
  }
  const xml = readFileSync(file, 'utf8');
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
  let p = 0,
    f = 0,
    s = 0;
  for (const c of cases) {
    const head = c.slice(0, c.indexOf('>') + 1);
    if (head.endsWith('/>')) p += 1;
    else if (/<(failure|error)\b/.test(c)) f += 1;
    else if (/<skipped\b/.test(c)) s += 1;
    else p += 1;
  }
  console.log(`${path.basename(file, '.xml')}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log(`Total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
