/**
 * The workspace in real Chromium with WebGL (SwiftShader), against the real server and its real
 * classical worker: click an object and see its mask on the canvas (read back from the GPU),
 * propagate, scrub to a later frame and see the mask there; then two people in one session, each
 * seeing the other's prompt, masks, progress, cursor and rename live; delete and undo.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openSession, pagePoint, uploadSession, watchProblems } from './fixtures/page.js';
import { makeTestVideo, type ShapeName, type TestVideo } from './fixtures/videos.js';

/** The canvas probe the workspace exposes (client/src/workspace/CanvasStage.tsx, `CanvasProbe`). */
declare global {
  interface Window {
    __maskroomCanvas?: {
      readonly rendererName: string;
      pixelAt(x: number, y: number): [number, number, number, number] | null;
    };
  }
}

let dir: string;
let video: TestVideo;
const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/screenshots');

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maskroom-e2e-ws-'));
  video = await makeTestVideo(dir);
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function clickShape(page: Page, shape: ShapeName, frame: number): Promise<void> {
  const c = video.normalizedCentreAt(shape, frame);
  const p = await pagePoint(page, video, c.x, c.y);
  await page.mouse.click(p.x, p.y);
}

type Rgba = [number, number, number, number];
const pixelAt = (page: Page, nx: number, ny: number): Promise<Rgba | null> =>
  page.evaluate(([x, y]) => window.__maskroomCanvas?.pixelAt(x!, y!) ?? null, [nx, ny]);

const hexRgb = (hex: string): [number, number, number] =>
  [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const dist = (a: readonly number[], b: readonly number[]): number =>
  Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

/**
 * Asserts an overlay is drawn at the shape's centre on the shown frame: the pixel there is far
 * from the shape's own color, which it is within 40 of without an overlay (checked by the tests,
 * which also hide the object and see the plain color come back). Hover and selection change how
 * bright the overlay is, so its exact color is not asserted.
 */
async function expectOverlay(page: Page, shape: ShapeName, frame: number): Promise<void> {
  const c = video.normalizedCentreAt(shape, frame);
  const shapeRgb = hexRgb(shape === 'square' ? '#dd2222' : '#2255ee');
  await expect
    .poll(async () => {
      const px = await pixelAt(page, c.x, c.y);
      if (!px) return 'no pixel';
      return dist(px, shapeRgb) > 30 ? 'overlay' : `no overlay: ${px.join(',')}`;
    })
    .toBe('overlay');
}

test('click an object, see its mask, propagate, scrub to a later frame and see it there', async ({
  page,
  request,
}) => {
  const problems = watchProblems(page, { consoleErrors: true });
  const sessionId = await uploadSession(request, video);
  await openSession(page, sessionId, { as: 'Ada' });
  expect(await page.evaluate(() => window.__maskroomCanvas?.rendererName ?? '')).toMatch(/webgl/i);

  // The empty frame: nothing drawn over the square.
  const sq = video.normalizedCentreAt('square', 0);
  const before = await pixelAt(page, sq.x, sq.y);
  expect(before).not.toBeNull();
  expect(dist(before!, hexRgb('#dd2222'))).toBeLessThan(40);

  await clickShape(page, 'square', 0);
  // The pending prompt shows a spinner where it was made, then the mask arrives.
  await expect(page.getByTestId('object-row')).toHaveCount(1);
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1', { timeout: 20_000 });
  await expect(page.getByTestId('prompt-mark')).toHaveAttribute('data-status', 'done');
  await expectOverlay(page, 'square', 0);
  // Away from the object nothing changed.
  const far = await pixelAt(page, 0.02, 0.95);
  expect(dist(far!, hexRgb('#606860'))).toBeLessThan(40);

  // Hiding the object (a palette change only) removes its overlay; showing it brings it back.
  await page.getByTestId('toggle-visibility').click();
  await expect.poll(async () => dist((await pixelAt(page, sq.x, sq.y))!, hexRgb('#dd2222'))).toBeLessThan(40);
  await page.getByTestId('toggle-visibility').click();
  await expectOverlay(page, 'square', 0);

  // Recoloring changes the overlay's color (green over a red square); undo restores it.
  const green = async () => (await pixelAt(page, sq.x, sq.y))![1];
  const greenBefore = await green();
  await page.getByTestId('object-row').locator('input[type="color"]').fill('#00ff00');
  await expect.poll(green).toBeGreaterThan(greenBefore + 60);
  await page.getByTestId('undo').click();
  await expect.poll(green).toBeLessThan(greenBefore + 20);

  await page.getByTestId('propagate').click();
  await expect(page.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('job-frames')).toHaveText(`${video.numFrames}/${video.numFrames}`);
  await expect(page.getByTestId('object-coverage')).toHaveText(`${video.numFrames}/${video.numFrames}`);
  await expect(page.getByTestId('coverage-track')).toHaveAttribute(
    'data-covered-frames',
    String(video.numFrames),
  );

  // Scrub: jump +10 twice with the keyboard, then step back once.
  await page.getByTestId('canvas-stage').hover();
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-rendered-frame', '19');
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-image-frame', '19');
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1');
  await expect(page).toHaveURL(/[?&]frame=19\b/);
  await expectOverlay(page, 'square', 19);
  // Where the square was on frame 0 there is no overlay any more (it moved 152 px right).
  const old = await pixelAt(page, sq.x, sq.y);
  expect(dist(old!, hexRgb('#606860'))).toBeLessThan(60);

  // A link carries the frame: reopening it lands on frame 19 with its mask.
  await page.reload();
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-rendered-frame', '19');
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1');
  expect(problems).toEqual([]);
});

async function twoPeople(browser: Browser) {
  const [ca, cb] = await Promise.all([
    browser.newContext({ viewport: { width: 1280, height: 800 } }),
    browser.newContext({ viewport: { width: 1280, height: 800 } }),
  ]);
  const [a, b] = await Promise.all([ca.newPage(), cb.newPage()]);
  return { a, b, close: () => Promise.all([ca.close(), cb.close()]) };
}

test('two people in one session see each other live: prompt, masks, progress, cursor, rename', async ({
  browser,
  request,
}) => {
  const sessionId = await uploadSession(request, video);
  const { a, b, close } = await twoPeople(browser);
  try {
    const problems = [
      ...watchProblems(a, { consoleErrors: true }),
      ...watchProblems(b, { consoleErrors: true }),
    ];
    await openSession(a, sessionId, { as: 'Ada' });
    await openSession(b, sessionId, { as: 'Bo' });
    await expect(a.getByTestId('participant')).toHaveAttribute('data-user-name', 'Bo');
    await expect(b.getByTestId('participant')).toHaveAttribute('data-user-name', 'Ada');

    // Ada clicks the disc: Bo sees the prompt mark, the object and its mask.
    await clickShape(a, 'disc', 0);
    await expect(b.getByTestId('prompt-mark')).toHaveCount(1);
    await expect(b.getByTestId('object-row')).toHaveCount(1);
    await expect(b.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1', { timeout: 20_000 });
    await expectOverlay(b, 'disc', 0);

    // Ada's cursor over the canvas shows on Bo's (same frame).
    const p = await pagePoint(a, video, 0.4, 0.6);
    await a.mouse.move(p.x, p.y);
    await a.mouse.move(p.x + 5, p.y + 5);
    await expect(b.getByTestId('remote-cursor')).toHaveAttribute('data-user-name', 'Ada');

    // Bo renames the object: Ada sees the new name.
    const name = b.getByTestId('object-name');
    await name.fill('left disc');
    await name.press('Enter');
    await expect(a.getByTestId('object-name')).toHaveValue('left disc');

    // Ada propagates: Bo watches the progress and the masks arrive on his timeline.
    await a.getByTestId('propagate').click();
    await expect(b.getByTestId('job-progress')).toHaveAttribute('data-status', /running|done/);
    await expect(b.getByTestId('job-progress')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(b.getByTestId('job-frames')).toHaveText(`${video.numFrames}/${video.numFrames}`);
    await expect(b.getByTestId('coverage-track')).toHaveAttribute(
      'data-covered-frames',
      String(video.numFrames),
    );

    // Bo follows Ada's playhead.
    await b.getByTestId('participant').click();
    await a.getByTestId('canvas-stage').hover();
    await a.keyboard.press('Shift+ArrowRight');
    await expect(b.getByTestId('canvas-stage')).toHaveAttribute('data-rendered-frame', '10');
    await expect(a.getByTestId('remote-playhead')).toHaveAttribute('data-frame', '10');
    await expectOverlay(b, 'disc', 10);

    // Bo points at the disc: Ada sees his cursor, on the frame they share.
    const d = video.normalizedCentreAt('disc', 10);
    const bp = await pagePoint(b, video, d.x + 0.05, d.y + 0.1);
    await b.mouse.move(bp.x, bp.y);
    await b.mouse.move(bp.x + 3, bp.y + 3);
    await expect(a.getByTestId('remote-cursor')).toHaveAttribute('data-user-name', 'Bo');

    if (process.env.MASKROOM_SCREENSHOTS) {
      mkdirSync(docsDir, { recursive: true });
      await a.screenshot({ path: path.join(docsDir, 'workspace-ada.png') });
      await b.screenshot({ path: path.join(docsDir, 'workspace-bo.png') });
    }

    // Undo is per person: Ada has nothing of hers to undo; Bo undoes his rename for both.
    await expect(a.getByTestId('undo')).toBeDisabled();
    await b.getByTestId('undo').click();
    await expect(a.getByTestId('object-name')).not.toHaveValue('left disc');
    await b.getByTestId('redo').click();
    await expect(a.getByTestId('object-name')).toHaveValue('left disc');

    // Ada deletes the object: gone for both, masks included; her undo brings it all back.
    await a.getByTestId('delete-object').click();
    await expect(b.getByTestId('object-row')).toHaveCount(0);
    await expect(b.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '0');
    await a.keyboard.press('Control+z');
    await expect(b.getByTestId('object-row')).toHaveCount(1);
    await expect(b.getByTestId('object-name')).toHaveValue('left disc');
    await expect(b.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1');
    await expect(b.getByTestId('coverage-track')).toHaveAttribute(
      'data-covered-frames',
      String(video.numFrames),
    );
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
});

test('a box prompt segments the object inside it; shortcuts toggle tools and list themselves', async ({
  page,
  request,
}) => {
  const problems = watchProblems(page, { consoleErrors: true });
  const sessionId = await uploadSession(request, video);
  await openSession(page, sessionId, { as: 'Ada' });

  // `?` lists the shortcuts; Escape closes the list.
  await page.getByTestId('canvas-stage').hover();
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-overlay')).toBeVisible();
  await expect(page.getByTestId('shortcuts-overlay')).toContainText(/propagate/i);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcuts-overlay')).toHaveCount(0);

  // X flips click polarity, B switches to the box tool.
  await page.keyboard.press('x');
  await expect(page.getByTestId('polarity-negative')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('x');
  await expect(page.getByTestId('polarity-negative')).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('b');
  await expect(page.getByTestId('tool-box')).toHaveAttribute('aria-pressed', 'true');

  // Drag a box a few pixels around the disc on frame 0.
  const bb = video.bboxAt('disc', 0);
  const from = await pagePoint(page, video, (bb.x - 6) / video.width, (bb.y - 6) / video.height);
  const to = await pagePoint(
    page,
    video,
    (bb.x + bb.width + 6) / video.width,
    (bb.y + bb.height + 6) / video.height,
  );
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2);
  await page.mouse.move(to.x, to.y);
  await page.mouse.up();
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1', { timeout: 20_000 });
  await expectOverlay(page, 'disc', 0);
  // The square, outside the box, is not part of it.
  const sq = video.normalizedCentreAt('square', 0);
  expect(dist((await pixelAt(page, sq.x, sq.y))!, hexRgb('#dd2222'))).toBeLessThan(40);

  // Erasing the mask on this frame is an undoable edit.
  await page.getByTestId('erase-mask').click();
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '0');
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1');
  expect(problems).toEqual([]);
});
