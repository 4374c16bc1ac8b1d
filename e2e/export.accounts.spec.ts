/**
 * Export from the browser in accounts mode, end to end in real Chromium: the owner segments the
 * square and propagates it; a reviewer who joined through a share link exports COCO, YOLO, PNG and
 * DAVIS from the export dialog (built in a Web Worker). The downloaded ZIP holds one COCO
 * annotation per frame whose RLE equals the server's own export of the session (same builders,
 * server-side documents), with the square's box where the fixture drew it, and every format's
 * files frame by frame. When the repository has the Python reader check, it runs on this ZIP too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { createShareLink, joinAsGuest, signUp } from './fixtures/accounts.js';
import { openSession, pagePoint, uploadSession, watchProblems } from './fixtures/page.js';
import { makeTestVideo, type TestVideo } from './fixtures/videos.js';

const base = process.env.E2E_ACCOUNTS_URL!;
test.use({ baseURL: base });

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const READER_CHECK = 'gpu-worker/tests/check_export_zip.py';

let dir: string;
let video: TestVideo;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maskroom-e2e-export-'));
  video = await makeTestVideo(dir, { frames: 12 });
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Coco {
  images: Array<{ id: number; file_name: string }>;
  annotations: Array<{ image_id: number; bbox: number[]; segmentation: { counts: string } }>;
  categories: Array<{ id: number; name: string }>;
}

const pad = (f: number): string => String(f).padStart(6, '0');

/** Each annotation as `frame → counts`, frames read from the image file names. */
function masksByFrame(coco: Coco): Map<number, string[]> {
  const frameOf = new Map(coco.images.map((i) => [i.id, Number(/(\d{6})\.\w+$/.exec(i.file_name)?.[1])]));
  const out = new Map<number, string[]>();
  for (const a of coco.annotations) {
    const f = frameOf.get(a.image_id)!;
    out.set(f, [...(out.get(f) ?? []), a.segmentation.counts]);
  }
  return out;
}

const cocoOf = (files: Record<string, Uint8Array>): Coco =>
  JSON.parse(new TextDecoder().decode(files['coco/annotations.json'])) as Coco;

test('a reviewer exports every format from the browser; the ZIP matches the server’s export', async ({
  browser,
}, testInfo) => {
  const [owner, reviewer] = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const a = await owner.newPage();
    const b = await reviewer.newPage();
    const problems = [...watchProblems(a), ...watchProblems(b)];

    await signUp(a, { email: `export-owner-${Date.now()}@example.org`, displayName: 'Olga' });
    const sessionId = await uploadSession(owner.request, video);
    await openSession(a, sessionId);

    // The owner segments the square and propagates it over the clip.
    const sq = video.normalizedCentreAt('square', 0);
    const p = await pagePoint(a, video, sq.x, sq.y);
    await a.mouse.click(p.x, p.y);
    await expect(a.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1', { timeout: 20_000 });
    await a.getByTestId('propagate').click();
    await expect(a.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(a.getByTestId('object-coverage')).toHaveText(`${video.numFrames}/${video.numFrames}`);

    // A reviewer joins through a link.
    const url = await createShareLink(a, 'reviewer');
    await a.keyboard.press('Escape');
    await b.goto(url);
    await joinAsGuest(b, 'Rita', sessionId);
    await expect(b.getByTestId('object-row')).toHaveCount(1);

    // …opens the export dialog: nothing is approved, so "only approved" is off and says why.
    await b.getByTestId('export-button').click();
    await expect(b.getByTestId('export-dialog')).toBeVisible();
    await expect(b.getByTestId('export-only-approved')).toBeDisabled();
    for (const f of ['coco', 'yolo', 'png', 'davis']) await b.getByTestId(`export-format-${f}`).check();
    const [download] = await Promise.all([b.waitForEvent('download'), b.getByTestId('export-start').click()]);
    await expect(b.getByTestId('export-done')).toBeVisible();
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const zipPath = testInfo.outputPath('browser-export.zip');
    await download.saveAs(zipPath);
    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const names = Object.keys(files);

    // One annotation per frame, each the server's own export of the same mask.
    const coco = cocoOf(files);
    expect(coco.annotations).toHaveLength(video.numFrames);
    const server = await owner.request.get(`/api/sessions/${sessionId}/export?formats=coco`);
    expect(server.status()).toBe(200);
    expect(server.headers()['content-type']).toBe('application/zip');
    const serverCoco = cocoOf(unzipSync(new Uint8Array(await server.body())));
    expect(masksByFrame(coco)).toEqual(masksByFrame(serverCoco));
    expect([...masksByFrame(coco).keys()].sort((x, y) => x - y)).toEqual([...Array(video.numFrames).keys()]);

    // The square's box on frame 0 is where the fixture drew it (within 2 px).
    const image0 = coco.images.find((i) => i.file_name.endsWith(`${pad(0)}.jpg`))!;
    const [x, y, w, h] = coco.annotations.find((an) => an.image_id === image0.id)!.bbox as [
      number,
      number,
      number,
      number,
    ];
    const want = video.bboxAt('square', 0);
    for (const [got, exp] of [
      [x, want.x],
      [y, want.y],
      [x + w, want.x + want.width],
      [y + h, want.y + want.height],
    ] as const)
      expect(Math.abs(got - exp)).toBeLessThanOrEqual(2);

    // Every other format, frame by frame.
    expect(names).toContain('yolo/classes.txt');
    expect(names).toContain('maskroom.json');
    for (let f = 0; f < video.numFrames; f++) {
      expect(names).toContain(`yolo/labels/${pad(f)}.txt`);
      expect(new TextDecoder().decode(files[`yolo/labels/${pad(f)}.txt`]).trim()).not.toBe('');
      expect(names).toContain(`davis/${pad(f)}.png`);
    }
    expect(names.filter((n) => /^png\/[^/]+\/\d{6}\.png$/.test(n))).toHaveLength(video.numFrames);

    // The formats' own readers (pycocotools, OpenCV, Pillow) on the ZIP the browser built.
    const check = spawnSync('bash', ['tools/py.sh', READER_CHECK, zipPath], { cwd: root, encoding: 'utf8' });
    expect(check.status, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout).toContain('coco: 12 annotations decode in pycocotools');
    expect(problems).toEqual([]);
  } finally {
    await Promise.all([owner.close(), reviewer.close()]);
  }
});
