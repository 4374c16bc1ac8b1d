/**
 * The review-link flow in accounts mode, end to end in real Chromium: the owner signs up, uploads,
 * creates a reviewer link in the share dialog; a second browser opens the link as a guest, watches
 * the owner's mask arrive live, approves the object and leaves a pinned comment that the owner sees;
 * the reviewer's prompt and edit controls are disabled, and the server refuses the same calls made
 * directly with the reviewer's cookie.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createShareLink, joinAsGuest, signUp } from './fixtures/accounts.js';
import { openSession, pagePoint, uploadSession, watchProblems } from './fixtures/page.js';
import { makeTestVideo, type TestVideo } from './fixtures/videos.js';

const base = process.env.E2E_ACCOUNTS_URL!;
test.use({ baseURL: base });

let dir: string;
let video: TestVideo;

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'maskroom-e2e-review-'));
  video = await makeTestVideo(dir, { frames: 12 });
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the owner shares a review link; the reviewer sees masks live, approves and comments, and cannot edit', async ({
  browser,
}) => {
  const [owner, reviewer] = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const a = await owner.newPage();
    const b = await reviewer.newPage();
    const problems = [...watchProblems(a), ...watchProblems(b)];

    // The owner signs up through the page.
    await signUp(a, { email: `owner-${Date.now()}@example.org`, displayName: 'Olga' });

    // …uploads (with her cookie) and opens the session.
    const sessionId = await uploadSession(owner.request, video);
    await openSession(a, sessionId);

    // A reviewer link from the share dialog.
    const url = await createShareLink(a, 'reviewer');
    expect(url).toMatch(new RegExp(`^${base}/s/[a-z2-7]{24}\\.[a-z2-7]{52}$`));
    await expect(a.getByTestId('link-row')).toHaveAttribute('data-state', 'active');
    await a.keyboard.press('Escape');

    // The reviewer opens it as a guest.
    await b.goto(url);
    await expect(b.getByTestId('link-role')).toContainText('reviewer');
    await joinAsGuest(b, 'Rita', sessionId);
    await expect(b.getByTestId('canvas-stage')).toHaveAttribute('data-image-frame', '0');
    await expect(b.getByTestId('role-banner')).toBeVisible();

    // The owner segments the square: the reviewer sees the mask arrive live.
    const sq = video.normalizedCentreAt('square', 0);
    const p = await pagePoint(a, video, sq.x, sq.y);
    await a.mouse.click(p.x, p.y);
    await expect(b.getByTestId('object-row')).toHaveCount(1);
    await expect(b.getByTestId('canvas-stage')).toHaveAttribute('data-mask-count', '1', { timeout: 20_000 });

    // The reviewer's prompt and edit controls are disabled; a click on the canvas prompts nothing.
    await expect(b.getByTestId('text-prompt')).toBeDisabled();
    await expect(b.getByTestId('propagate')).toBeDisabled();
    await expect(b.getByTestId('delete-object')).toHaveCount(0);
    await expect(b.getByTestId('object-name')).not.toBeEditable();
    const d = video.normalizedCentreAt('disc', 0);
    const q = await pagePoint(b, video, d.x, d.y);
    await b.mouse.click(q.x, q.y);
    await expect(a.getByTestId('object-row')).toHaveCount(1);

    // …and the server refuses the same actions made directly with the reviewer's cookie.
    const objId = await b.getByTestId('object-row').getAttribute('data-obj-id');
    const prompt = await reviewer.request.post(`/api/sessions/${sessionId}/prompts`, {
      data: { frame: 0, points: [{ x: d.x, y: d.y, label: 1 }] },
    });
    expect(prompt.status()).toBe(403);
    expect(((await prompt.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect((await reviewer.request.delete(`/api/sessions/${sessionId}/objects/${objId}`)).status()).toBe(403);
    expect(
      (
        await reviewer.request.post(`/api/sessions/${sessionId}/propagations`, {
          data: { direction: 'forward' },
        })
      ).status(),
    ).toBe(403);
    expect(
      (
        await reviewer.request.post(`/api/sessions/${sessionId}/links`, {
          data: { role: 'editor', expiresInHours: 1 },
        })
      ).status(),
    ).toBe(403);

    // The reviewer approves the object with a note: the owner sees it live.
    await b.getByTestId('review-note').fill('clean edges');
    await b.getByTestId('approve-object').click();
    await expect(a.getByTestId('review-status')).toHaveAttribute('data-status', 'approved');
    await expect(a.getByTestId('review-summary')).toHaveAttribute('data-approved', '1');

    // …and pins a comment on the frame: the owner sees it and resolves it.
    await b.getByTestId('tool-comment').click();
    const c = await pagePoint(b, video, 0.5, 0.8);
    await b.mouse.click(c.x, c.y);
    await b.getByTestId('comment-input').fill('check the shadow here');
    await b.getByTestId('comment-input').press('Enter');
    await expect(a.getByTestId('comment-item')).toContainText('check the shadow here');
    await expect(a.getByTestId('comment-pin')).toHaveCount(1);
    await expect(a.getByTestId('review-summary')).toHaveAttribute('data-open-comments', '1');
    await a.getByTestId('resolve-comment').click();
    await expect(b.getByTestId('comment-item')).toHaveAttribute('data-resolved', 'true');

    // Revoking the link shuts the reviewer out.
    await a.getByTestId('share-button').click();
    await a.getByTestId('revoke-link').click();
    await expect(a.getByTestId('link-row')).toHaveAttribute('data-state', 'revoked');
    expect((await reviewer.request.get(`/api/sessions/${sessionId}`)).status()).toBe(401);
    await b.goto(url);
    await expect(b.getByTestId('link-error')).toHaveAttribute('data-code', 'LINK_REVOKED');
    expect(problems).toEqual([]);
  } finally {
    await Promise.all([owner.close(), reviewer.close()]);
  }
});
