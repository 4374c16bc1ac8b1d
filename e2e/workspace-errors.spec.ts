/**
 * Problems reach the screen with what to do: a prompt the server refuses (its code and request id,
 * kept in the error history), no worker connected (banner, disabled tools with the reason), and the
 * collaboration connection lost and re-established, with the edits made meanwhile shown as unsaved
 * and then delivered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type WebSocketRoute } from '@playwright/test';
import { openSession, uploadSession } from './fixtures/page.js';
import { makeTestVideo, type TestVideo } from './fixtures/videos.js';

let dir: string;
let video: TestVideo;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maskroom-e2e-err-'));
  video = await makeTestVideo(dir, { frames: 12 });
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a refused prompt and a missing worker are shown with the code, the request id and what to do', async ({
  page,
  request,
}) => {
  const sessionId = await uploadSession(request, video);
  // The server as it answers when its worker has gone away.
  await page.route('**/api/health', (route) =>
    route.fulfill({
      json: { ok: true, version: '0.0.0', db: { ok: true, driver: 'pglite' }, workers: [] },
    }),
  );
  await page.route('**/api/sessions/*/prompts', (route) =>
    route.fulfill({
      status: 503,
      headers: { 'x-request-id': 'req_e2e_prompt' },
      json: { error: { code: 'NO_WORKER', message: 'no worker is connected', requestId: 'req_e2e_prompt' } },
    }),
  );
  await openSession(page, sessionId, { as: 'Ada' });

  await expect(page.getByTestId('no-worker-banner')).toBeVisible();
  await expect(page.getByTestId('text-prompt')).toBeDisabled();
  await expect(page.getByTestId('text-disabled-reason')).toContainText('No segmentation worker');
  await expect(page.getByTestId('propagate')).toBeDisabled();

  const box = (await page.getByTestId('canvas-stage').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-code', 'NO_WORKER');
  await expect(banner.getByTestId('error-request-id')).toHaveText('req_e2e_prompt');
  await expect(banner).toContainText(/Start one/);

  // A second failure is counted, and the history keeps them.
  await page.mouse.click(box.x + box.width / 2 + 10, box.y + box.height / 2);
  await expect(banner).toContainText('×2');
  await banner.getByRole('button', { name: /History/ }).click();
  await expect(page.getByTestId('error-history')).toContainText('req_e2e_prompt');
});

test('the connection drops and comes back: unsaved edits are shown, then reach the others', async ({
  browser,
  request,
}) => {
  const sessionId = await uploadSession(request, video);
  const created = await request.post(`/api/sessions/${sessionId}/objects`, { data: { instanceName: 'car' } });
  expect(created.status()).toBe(201);

  const [ca, cb] = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const [a, b] = await Promise.all([ca.newPage(), cb.newPage()]);
    // Ada's socket goes through a switch the test can open.
    let cut = false;
    const live: WebSocketRoute[] = [];
    await a.routeWebSocket(/\/collab/, (ws) => {
      if (cut) {
        void ws.close({ code: 1006, reason: 'network down' }).catch(() => undefined);
        return;
      }
      ws.connectToServer();
      live.push(ws);
    });
    await openSession(a, sessionId, { as: 'Ada' });
    await openSession(b, sessionId, { as: 'Bo' });
    await expect(b.getByTestId('object-name')).toHaveValue('car');

    cut = true;
    for (const ws of live.splice(0))
      await ws.close({ code: 1006, reason: 'network down' }).catch(() => undefined);
    await expect(a.getByTestId('connection-status')).toHaveAttribute('data-state', /disconnected|connecting/);

    const name = a.getByTestId('object-name');
    await name.fill('red car');
    await name.press('Enter');
    await expect(a.getByTestId('connection-status')).toContainText(/not yet saved|Saving/);
    // Bo has not seen it: it never left Ada's browser.
    await expect(b.getByTestId('object-name')).toHaveValue('car');

    cut = false;
    await expect(a.getByTestId('connection-status')).toHaveAttribute('data-state', 'saved', {
      timeout: 20_000,
    });
    await expect(b.getByTestId('object-name')).toHaveValue('red car');
  } finally {
    await Promise.all([ca.close(), cb.close()]);
  }
});
