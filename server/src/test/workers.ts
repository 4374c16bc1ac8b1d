/**
 * Real segmentation workers for integration tests: `python -m maskroom_worker` processes
 * (classical backend) connected over real ZeroMQ to a test server's dispatcher.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolvePython } from '../dispatch/LocalWorker.js';
import type { RunningServer } from '../server.js';

const run = promisify(execFile);

export interface TestWorker {
  readonly id: string;
  readonly process: ChildProcess;
  /** SIGKILL, as a crash would. */
  kill(): void;
  stop(): Promise<void>;
}

export async function startWorker(
  server: RunningServer,
  id: string,
  opts: { heartbeatMs?: number; maxSessions?: number } = {},
): Promise<TestWorker> {
  const args = [
    '-m',
    'maskroom_worker',
    '--endpoint',
    server.workerEndpoint,
    '--backend',
    'classical',
    '--device',
    'cpu',
    '--worker-id',
    id,
  ];
  if (opts.heartbeatMs !== undefined) args.push('--heartbeat-ms', String(opts.heartbeatMs));
  if (opts.maxSessions !== undefined) args.push('--max-sessions', String(opts.maxSessions));
  const child = spawn(resolvePython(process.env.MASKROOM_PYTHON), args, {
    stdio: ['ignore', 'ignore', process.env.MASKROOM_TEST_LOG === '1' ? 'inherit' : 'ignore'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const deadline = Date.now() + 30_000;
  while (!server.dispatcher.workerSummaries().some((w) => w.workerId === id)) {
    if (child.exitCode !== null)
      throw new Error(`worker ${id} exited with ${child.exitCode} before saying hello`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${id} did not say hello within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    id,
    process: child,
    kill: () => child.kill('SIGKILL'),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A test video with something to segment: a red square gliding over a noisy blue-grey
 * background (320×240, 30 fps). Returns the path and where the square is on frame 0.
 */
export async function makeSegmentableVideo(
  dir: string,
  seconds = 2,
): Promise<{ file: string; click: { x: number; y: number } }> {
  const file = path.join(dir, `square-${seconds}s.mp4`);
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=0x50607a:s=320x240:r=30:d=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `color=c=0xdd2222:s=64x64:r=30:d=${seconds}`,
    '-filter_complex',
    "[0]noise=alls=25:allf=t+u[bg];[bg][1]overlay=x='40+t*50':y=90:shortest=1",
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    file,
  ]);
  return { file, click: { x: (40 + 32) / 320, y: (90 + 32) / 240 } };
}
