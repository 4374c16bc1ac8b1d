import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { makeTestVideo, type TestVideo } from './fixtures/videos.js';

/** The library, as a named participant (local mode asks for a name before showing anything). */
const HOME = '/?as=Library%20tester';

let dir: string;
let video: TestVideo;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maskroom-e2e-videos-'));
  video = await makeTestVideo(dir);
});

test.afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every upload card's (stage, phase, percent) as it changes, recorded in the page itself. */
async function recordUploadStates(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const trace: string[] = [];
    (window as unknown as { __uploadTrace: string[] }).__uploadTrace = trace;
    const snapshot = (): void => {
      for (const card of Array.from(document.querySelectorAll<HTMLElement>('[data-testid="upload-card"]'))) {
        const bar = card.querySelector('[data-testid="upload-progress"]');
        const entry = `${card.dataset.stage}|${card.dataset.phase}|${bar?.getAttribute('aria-valuenow') ?? '-'}`;
        if (trace[trace.length - 1] !== entry) trace.push(entry);
      }
    };
    new MutationObserver(snapshot).observe(document, { subtree: true, childList: true, attributes: true });
  });
}

const uploadTrace = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __uploadTrace: string[] }).__uploadTrace);

async function usedBytes(page: Page): Promise<number> {
  const usage = page.getByTestId('storage-usage');
  await expect(usage).toHaveAttribute('data-used-bytes', /^\d+$/);
  return Number(await usage.getAttribute('data-used-bytes'));
}

test('upload a video, follow its progress, rename it and delete it', async ({ page, request }) => {
  test.setTimeout(90_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await recordUploadStates(page);

  const stem = `two shapes ${Date.now()}`;
  await page.goto(HOME);
  await expect(page.getByTestId('storage-usage')).toHaveAttribute('data-used-bytes', /^\d+$/);
  await expect(page.getByTestId('storage-usage')).toContainText(/used by \d+ videos? · .+ free of .+/);
  const usedBefore = await usedBytes(page);

  // Slow the upload down so its progress is visible (a local upload is otherwise instant).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 400 * 1024,
  });

  await page.getByTestId('upload-input').setInputFiles({
    name: `${stem}.mp4`,
    mimeType: 'video/mp4',
    buffer: readFileSync(video.file),
  });
  const uploadCard = page.getByTestId('upload-card');
  await expect(uploadCard).toBeVisible();
  await expect(uploadCard.getByTestId('upload-progress')).toBeVisible();
  await expect(uploadCard.getByTestId('upload-status')).toContainText(/Uploading|Processing|frames|Reading/);

  const card = page
    .getByTestId('video-card')
    .filter({ has: page.getByTestId('video-title').getByText(stem) });
  await expect(card).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  await expect(uploadCard).toHaveCount(0);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });

  // The card went from bytes sent (some partial percent) to the server's processing.
  const trace = await uploadTrace(page);
  const sendingPercents = trace
    .filter((t) => t.startsWith('sending|'))
    .map((t) => Number(t.split('|')[2]))
    .filter((n) => Number.isFinite(n));
  expect(
    sendingPercents.some((p) => p > 0 && p < 100),
    `upload states: ${trace.join(', ')}`,
  ).toBe(true);
  expect(
    trace.some((t) => t.startsWith('processing|')),
    `upload states: ${trace.join(', ')}`,
  ).toBe(true);
  test.info().annotations.push({ type: 'upload states', description: trace.join(', ') });

  // What the library says about the video is what the fixture is.
  await expect(card.getByTestId('video-frames')).toHaveText(String(video.numFrames));
  await expect(card.getByTestId('video-resolution')).toHaveText(`${video.width}×${video.height}`);
  await expect(card.getByTestId('video-duration')).toHaveText('0:03');
  await expect(card.getByTestId('open-session')).toBeEnabled();
  await expect
    .poll(() => card.getByTestId('video-thumbnail').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBe(320);
  await expect.poll(() => usedBytes(page)).toBeGreaterThan(usedBefore);
  const videoId = await card.getAttribute('data-video-id');
  expect(videoId).toBeTruthy();
  // By id from here on: while the title is being edited, the card has no title to match.
  const mine = page.locator(`[data-testid="video-card"][data-video-id="${videoId}"]`);

  // Escape leaves the title alone; an empty title is refused on the spot.
  await mine.getByTestId('rename-video').click();
  await mine.getByTestId('rename-input').fill('not this');
  await mine.getByTestId('rename-input').press('Escape');
  await expect(mine.getByTestId('rename-input')).toHaveCount(0);
  await expect(mine.getByTestId('video-title')).toHaveText(stem);
  await mine.getByTestId('rename-video').click();
  await mine.getByTestId('rename-input').fill('   ');
  await mine.getByTestId('rename-input').press('Enter');
  await expect(mine.getByTestId('rename-error')).toBeVisible();
  await mine.getByTestId('rename-input').press('Escape');

  // Enter saves, and the new title is the server's.
  const renamed = `${stem} (renamed)`;
  await mine.getByTestId('rename-video').click();
  await mine.getByTestId('rename-input').fill(renamed);
  await mine.getByTestId('rename-input').press('Enter');
  await expect(mine.getByTestId('video-title')).toHaveText(renamed);
  await page.reload();
  await expect(mine.getByTestId('video-title')).toHaveText(renamed);

  // Deleting asks first; cancelling keeps the video.
  await mine.getByTestId('delete-video').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText(renamed);
  await page.getByTestId('cancel-delete').click();
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  await expect(mine).toHaveCount(1);
  const usedWithVideo = await usedBytes(page);

  await mine.getByTestId('delete-video').click();
  await page.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  await expect(mine).toHaveCount(0);
  await expect.poll(() => usedBytes(page)).toBeLessThan(usedWithVideo);
  await page.reload();
  await expect(page.getByTestId('storage-usage')).toHaveAttribute('data-used-bytes', /^\d+$/);
  await expect(mine).toHaveCount(0);
  expect((await request.get(`/api/videos/${videoId}`)).status()).toBe(404);

  expect(problems).toEqual([]);
});

test("a dropped file the server refuses shows the server's message, code and request id", async ({
  page,
}) => {
  await page.goto(HOME);
  await expect(page.getByTestId('upload-zone')).toBeVisible();

  // A real drop: a DataTransfer holding a text file that claims to be a video.
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['This is not a video.\n'], 'notes.mp4', { type: 'video/mp4' }));
    return dt;
  });
  await page.getByTestId('upload-zone').dispatchEvent('dragenter', { dataTransfer });
  await page.getByTestId('upload-zone').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('upload-zone').dispatchEvent('drop', { dataTransfer });

  const card = page.getByTestId('upload-card');
  await expect(card).toHaveAttribute('data-stage', 'failed', { timeout: 15_000 });
  await expect(card.getByTestId('error-code')).toHaveText('UNSUPPORTED_MEDIA');
  await expect(card.getByTestId('error-request-id')).toHaveText(/^\S+$/);
  await expect(card.getByTestId('upload-error')).not.toHaveText(/^\s*$/);
  // Sending the same file again would be refused again: no retry, only dismiss.
  await expect(card.getByTestId('upload-retry')).toHaveCount(0);
  await card.getByTestId('upload-dismiss').click();
  await expect(card).toHaveCount(0);
});

/**
 * Starts a multipart upload from outside the page and sends only the first half of the file, so
 * the video stays `ingesting` until `finish()` sends the rest.
 */
function startSlowUpload(baseURL: string, name: string, bytes: Buffer, uploadId: string) {
  const boundary = `----maskroom${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      `Content-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let finish = (): void => undefined;
  const answer = new Promise<number>((resolve, reject) => {
    const req = http.request(new URL('/api/videos', baseURL), {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + bytes.length + tail.length,
        'x-maskroom-upload-id': uploadId,
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const half = Math.floor(bytes.length / 2);
    req.write(Buffer.concat([head, bytes.subarray(0, half)]));
    finish = () => req.end(Buffer.concat([bytes.subarray(half), tail]));
  });
  return { answer, finish: () => finish() };
}

test('a video still ingesting when the page loads is followed until it is ready', async ({
  page,
  request,
}) => {
  const baseURL = test.info().project.use.baseURL;
  if (!baseURL) throw new Error('the config gives no baseURL');
  const stem = `slow upload ${Date.now()}`;
  const uploadId = `e2e-slow-${Date.now()}`;
  const upload = startSlowUpload(baseURL, `${stem}.mp4`, readFileSync(video.file), uploadId);
  await expect.poll(async () => (await request.get(`/api/uploads/${uploadId}`)).status()).toBe(200);

  await page.goto(HOME);
  const card = page
    .getByTestId('video-card')
    .filter({ has: page.getByTestId('video-title').getByText(stem) });
  await expect(card).toHaveAttribute('data-status', 'ingesting');
  await expect(card.getByTestId('ingest-progress')).toBeVisible();
  await expect(card.getByTestId('open-session')).toHaveCount(0);

  upload.finish();
  expect(await upload.answer).toBe(201);
  await expect(card).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  await expect(card.getByTestId('video-frames')).toHaveText(String(video.numFrames));
  await expect(card.getByTestId('open-session')).toBeVisible();

  const id = await card.getAttribute('data-video-id');
  expect((await request.delete(`/api/videos/${id}`)).status()).toBe(204);
});
