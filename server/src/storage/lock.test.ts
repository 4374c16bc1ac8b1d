import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, DataDirLockedError } from './lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('DataDirLock', () => {
  it('refuses while another live process holds the data directory', async () => {
    const other = spawn('sleep', ['30']);
    try {
      await writeFile(path.join(dir, 'maskroom.pid'), String(other.pid));
      await expect(DataDirLock.acquire(dir)).rejects.toThrow(DataDirLockedError);
      await expect(DataDirLock.acquire(dir)).rejects.toThrow(new RegExp(`pid ${other.pid}`));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that died, and releases it', async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    await writeFile(path.join(dir, 'maskroom.pid'), String(dead.pid));
    const lock = await DataDirLock.acquire(dir);
    expect(await readFile(path.join(dir, 'maskroom.pid'), 'utf8')).toBe(String(process.pid));
    await expect(DataDirLock.acquire(dir)).rejects.toThrow(/already serves/);
    await lock.release();
    const again = await DataDirLock.acquire(dir);
    await again.release();
  });
});
