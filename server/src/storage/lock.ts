import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * An exclusive claim on a data directory by one process. The embedded database (PGlite) must
 * never be opened by two processes at once; it has no lock of its own.
 */
/** Lock files held by this process (a pid file alone cannot tell two servers in one process apart). */
const heldHere = new Set<string>();

export class DataDirLock {
  private constructor(private readonly file: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const file = path.resolve(dataDir, 'maskroom.pid');
    if (heldHere.has(file)) {
      throw new DataDirLockedError(
        `this process already serves ${dataDir}: set MASKROOM_DATA_DIR to another folder`,
      );
    }
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new DataDirLockedError(
          `another Maskroom process (pid ${holder}) is using ${dataDir}: stop it, or set MASKROOM_DATA_DIR to another folder`,
        );
      }
      // The holder died without cleaning up: take the lock over.
      await writeFile(file, String(process.pid));
    }
    heldHere.add(file);
    return new DataDirLock(file);
  }

  async release(): Promise<void> {
    heldHere.delete(this.file);
    await rm(this.file, { force: true });
  }
}

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
