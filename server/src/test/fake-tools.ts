/** Stand-ins for ffmpeg in tests of failure paths the real binary cannot be made to take on cue. */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes an executable `/bin/sh` script `dir/name` and returns its path. The script's last
 * argument (ffmpeg's output) is in `$LAST` and its folder in `$OUTDIR`.
 */
export async function fakeTool(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  const script = ['#!/bin/sh', 'for LAST in "$@"; do :; done', 'OUTDIR=$(dirname "$LAST")', body, ''].join(
    '\n',
  );
  await writeFile(file, script);
  await chmod(file, 0o755);
  return file;
}

/** Whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
