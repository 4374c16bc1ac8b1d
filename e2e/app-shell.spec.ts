import { expect, test } from '@playwright/test';

test('the app loads in a real browser and reports the server as ready', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));

  await page.goto('/');
  await expect(page).toHaveTitle('Maskroom');
  await expect(page.getByRole('heading', { name: 'Maskroom' })).toBeVisible();
  // The status line is driven by a live GET /api/health from the page.
  await expect(page.getByTestId('server-status')).toHaveText(/^Server ready \(v\d+\.\d+\.\d+\)$/);
  expect(problems).toEqual([]);
});

test('a client-side route is served the app, an unknown API path a coded error', async ({
  page,
  request,
}) => {
  await page.goto('/videos/some-video?frame=12');
  await expect(page.getByRole('heading', { name: 'Maskroom' })).toBeVisible();

  const res = await request.get('/api/no-such-thing');
  expect(res.status()).toBe(404);
  const body = (await res.json()) as { error: { code: string; requestId: string } };
  expect(body.error.code).toBe('NOT_FOUND');
  expect(body.error.requestId).toBe(res.headers()['x-request-id']);
});
