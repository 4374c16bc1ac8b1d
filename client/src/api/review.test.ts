import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommentId, ObjectId, SessionId } from '@maskroom/shared';
import { addComment, resolveComment, reviewObject } from './review.js';
import { getLinkInfo, revokeLink } from './links.js';

type Call = { method: string | undefined; url: string; body: unknown };

function stubFetch(answer: Response): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    calls.push({
      method: init.method,
      url,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    });
    return Promise.resolve(answer.clone());
  });
  return calls;
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const ses = 'ses_1' as SessionId;

afterEach(() => vi.unstubAllGlobals());

describe('review API', () => {
  it('posts a verdict and returns the stored review', async () => {
    const review = { status: 'rejected', by: 'usr_2', at: 1000, note: 'leaks', byName: 'Bo' };
    const calls = stubFetch(json(200, { review }));
    await expect(
      reviewObject(ses, 'obj_1' as ObjectId, { status: 'rejected', note: 'leaks' }),
    ).resolves.toEqual(review);
    expect(calls[0]).toEqual({
      method: 'POST',
      url: '/api/sessions/ses_1/objects/obj_1/review',
      body: { status: 'rejected', note: 'leaks' },
    });
  });

  it('posts a comment and returns its id', async () => {
    const calls = stubFetch(json(201, { commentId: 'cmt_9' }));
    await expect(addComment(ses, { frame: 3 as never, x: 0.5, y: 0.25, text: 'edge' })).resolves.toBe(
      'cmt_9',
    );
    expect(calls[0]?.url).toBe('/api/sessions/ses_1/comments');
  });

  it('patches a comment resolved or open', async () => {
    const calls = stubFetch(json(200, { ok: true }));
    await resolveComment(ses, 'cmt_9' as CommentId, false);
    expect(calls[0]).toEqual({
      method: 'PATCH',
      url: '/api/sessions/ses_1/comments/cmt_9',
      body: { resolved: false },
    });
  });
});

describe('links API', () => {
  it('puts the token in the path escaped', async () => {
    const calls = stubFetch(
      json(200, {
        sessionId: 'ses_1',
        role: 'reviewer',
        videoTitle: 'clip',
        expiresAt: '2030-01-01T00:00:00.000Z',
      }),
    );
    await expect(getLinkInfo('a/b?c')).resolves.toMatchObject({ role: 'reviewer' });
    expect(calls[0]?.url).toBe('/api/links/a%2Fb%3Fc');
  });

  it('revokes by link id', async () => {
    const calls = stubFetch(new Response(null, { status: 204 }));
    await revokeLink(ses, 'lnk_1');
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/api/sessions/ses_1/links/lnk_1' });
  });
});
