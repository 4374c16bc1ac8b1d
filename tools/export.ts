/**
 * `npm run export -- --session <id> --out file.zip [--formats coco,yolo] [--data-dir ./data]
 * [--only-approved] [--images]`: a session's export ZIP from the database, without a server.
 * The options are documented in docs/export.md and by `npm run export -- --help`.
 */
import { runExportCli } from '../server/src/export/cli.js';

process.exitCode = await runExportCli(process.argv.slice(2), process.env, {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
