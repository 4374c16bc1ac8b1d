import { describe, expect, it } from 'vitest';
import type { CommentId, CommentRecord, ObjectRecord, ReviewStatus } from '@maskroom/shared';
import { commentsInOrder, pinsOnFrame, summarizeReview } from './summary.js';

const object = (status: ReviewStatus): ObjectRecord => ({
  className: '',
  instanceName: '',
  color: '#ff0000',
  createdBy: 'usr_1' as ObjectRecord['createdBy'],
  createdAt: 1,
  review: { status, by: null, at: null, note: '' },
});

const comment = (frame: number, at: number, extra: Partial<CommentRecord> = {}): CommentRecord => ({
  frame: frame as CommentRecord['frame'],
  text: `c${frame}/${at}`,
  by: 'usr_1' as CommentRecord['by'],
  at,
  resolved: false,
  ...extra,
});

describe('summarizeReview', () => {
  it('counts objects by verdict and comments by whether they are resolved', () => {
    const statuses: ReviewStatus[] = ['approved', 'pending', 'rejected', 'approved', 'pending', 'pending'];
    const comments = [comment(1, 1), comment(2, 2, { resolved: true }), comment(3, 3)];
    expect(summarizeReview(statuses.map(object), comments)).toEqual({
      approved: 2,
      rejected: 1,
      pending: 3,
      openComments: 2,
      resolvedComments: 1,
    });
    expect(summarizeReview([], [])).toEqual({
      approved: 0,
      rejected: 0,
      pending: 0,
      openComments: 0,
      resolvedComments: 0,
    });
  });
});

describe('commentsInOrder', () => {
  it('orders by frame, then by time', () => {
    const map = new Map<CommentId, CommentRecord>([
      ['c1' as CommentId, comment(9, 1)],
      ['c2' as CommentId, comment(2, 50)],
      ['c3' as CommentId, comment(2, 10)],
    ]);
    expect(commentsInOrder(map).map(([id]) => id)).toEqual(['c3', 'c2', 'c1']);
  });
});

describe('pinsOnFrame', () => {
  it('keeps the comments of the frame that have a point', () => {
    const map = new Map<CommentId, CommentRecord>([
      ['a' as CommentId, comment(4, 1, { x: 0.25, y: 0.75, byName: 'Bo' })],
      ['b' as CommentId, comment(4, 2)],
      ['c' as CommentId, comment(5, 3, { x: 0.5, y: 0.5 })],
    ]);
    expect(pinsOnFrame(map, 4)).toEqual([
      { id: 'a', x: 0.25, y: 0.75, resolved: false, text: 'c4/1', byName: 'Bo' },
    ]);
    expect(pinsOnFrame(map, 6)).toEqual([]);
  });
});
