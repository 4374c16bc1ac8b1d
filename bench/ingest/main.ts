/**
 * Ingest benchmark: seconds to ingest a 60 s 1080p30 clip through Maskroom (HTTP upload →
 * ffprobe → extraction with progress → thumbnail → database) against the bare ffmpeg command
 * doing the same extraction (`ffmpeg -i clip -vf fps=15 -q:v 2 …%06d.jpg`), measured in the same
 * run, alternating, median of `--runs` (default 3). Target: overhead ≤ 10 %.
 *
 *   npm run bench -- ingest [--runs N] [--duration S]
 */
import { execFile } from 'node:child_process';
import { existsSync, openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createVideoResponseSchema } from '@maskroom/shared';
import { loadConfig } from '../../server/src/config.js';
import { createLogger } from '../../server/src/log.js';
import { startServer } from '../../server/src/server.js';
import { positiveArg } from '../args.js';

const exec = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '..', 'results');
const TARGET_OVERHEAD = 0.1;

async function makeClip(durationSec: number): Promise<string> {
  const file = path.join(resultsDir, 'cache', `clip-1080p30-${durationSec}s.mp4`);
  if (existsSync(file)) return file;
  await mkdir(path.dirname(file), { recursive: true });
  console.log(
    `generating a ${durationSec} s 1080p30 h264 clip (once; cached in ${path.relative(process.cwd(), file)})…`,
  );
  const tmp = `${file}.part.mp4`;
  await exec('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=1920x1080:rate=30:duration=${durationSec}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${durationSec}`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    tmp,
  ]);
  await exec('mv', [tmp, file]);
  return file;
}

async function timeBare(clip: string, fps: number): Promise<number> {
  const out = await mkdtemp(path.join(tmpdir(), 'bench-bare-'));
  try {
    const t0 = performance.now();
    await exec('ffmpeg', [
      '-v',
      'error',
      '-i',
      clip,
      '-vf',
      `fps=${fps}`,
      '-q:v',
      '2',
      '-start_number',
      '0',
      path.join(out, '%06d.jpg'),
    ]);
    const ms = performance.now() - t0;
    const n = (await readdir(out)).length;
    return record('bare', ms, n);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function timeMaskroom(clip: string): Promise<{ ms: number; fps: number }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-maskroom-'));
  const config = loadConfig({
    PORT: '0',
    MASKROOM_DATA_DIR: dataDir,
    MASKROOM_MAX_UPLOAD_MB: '4096',
    MASKROOM_LOCAL_WORKER: 'off',
    MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*',
  });
  const server = await startServer(config, createLogger('warn'), { clientDir: dataDir });
  try {
    const form = new FormData();
    form.append('file', await openAsBlob(clip), path.basename(clip));
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/videos`, { method: 'POST', body: form });
    const body = createVideoResponseSchema.parse(await res.json());
    const ms = performance.now() - t0;
    const media = body.video.media!;
    record('maskroom', ms, media.numFrames);
    return { ms, fps: media.processingFps };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const samples: Array<{ what: string; ms: number; frames: number }> = [];
function record(what: string, ms: number, frames: number): number {
  samples.push({ what, ms, frames });
  console.log(`  ${what.padEnd(9)} ${(ms / 1000).toFixed(2).padStart(7)} s  (${frames} frames)`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function run(args: string[]): Promise<void> {
  const runs = positiveArg(args, '--runs', 3, { fractional: true });
  const duration = positiveArg(args, '--duration', 60, { fractional: true });
  const clip = await makeClip(duration);
  // The first Maskroom run also tells the processing fps the bare command must use.
  console.log(`ingesting ${path.basename(clip)}: ${runs} runs each, alternating`);
  const ours: number[] = [];
  const bare: number[] = [];
  let fps = 0;
  for (let i = 0; i < runs; i++) {
    const m = await timeMaskroom(clip);
    ours.push(m.ms);
    fps = m.fps;
    bare.push(await timeBare(clip, fps));
  }
  const oursMed = median(ours);
  const bareMed = median(bare);
  const overhead = oursMed / bareMed - 1;
  const pass = overhead <= TARGET_OVERHEAD;
  console.log('');
  console.log(
    '| clip | processing fps | bare ffmpeg (s) | Maskroom ingest (s) | overhead | target | result |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(
    `| ${duration} s 1080p30 h264 | ${fps} | ${(bareMed / 1000).toFixed(2)} | ${(oursMed / 1000).toFixed(2)} | ${(overhead * 100).toFixed(1)} % | ≤ ${TARGET_OVERHEAD * 100} % | ${pass ? 'pass' : 'MISS'} |`,
  );
  await mkdir(resultsDir, { recursive: true });
  await writeFile(
    path.join(resultsDir, 'ingest.json'),
    JSON.stringify(
      {
        bench: 'ingest',
        date: new Date().toISOString(),
        durationSec: duration,
        processingFps: fps,
        runs,
        samples,
        bareMedianMs: bareMed,
        maskroomMedianMs: oursMed,
        overhead,
        target: TARGET_OVERHEAD,
        pass,
      },
      null,
      2,
    ) + '\n',
  );
}
