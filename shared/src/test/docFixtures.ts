/**
 * Valid example records for the tests in this folder (not exported from the package).
 */
import type { CommentId, FrameIndex, JobId, ObjectId, PixelBox, PromptId, UserId, VideoId } from '../ids.js';
import type { ObjectInit } from '../doc/ObjectStore.js';
import type { CommentRecord, JobRecord, MaskRecord, PromptRecord } from '../doc/records.js';
import type { PromptPoint } from '../fields.js';
import type { MetaInit } from '../doc/schemaCheck.js';

export const T0 = 1_700_000_000_000;
export const ALICE = 'alice' as UserId;
export const BOB = 'bob' as UserId;

export const oid = (s: string): ObjectId => s as ObjectId;
export const pid = (s: string): PromptId => s as PromptId;
export const jid = (s: string): JobId => s as JobId;
export const cid = (s: string): CommentId => s as CommentId;
export const fr = (n: number): FrameIndex => n as FrameIndex;

export const metaInit = (over: Partial<MetaInit> = {}): MetaInit => ({
  videoId: 'vid1' as VideoId,
  title: 'street',
  width: 1920,
  height: 1080,
  numFrames: 300,
  fps: 30,
  sourceFps: 29.97,
  durationSec: 10,
  ...over,
});

export const objectInit = (over: Partial<ObjectInit> = {}): ObjectInit => ({
  className: 'person',
  instanceName: 'runner',
  color: '#ff8800',
  createdBy: ALICE,
  createdAt: T0,
  ...over,
});

export const pointsPrompt = (
  objId: ObjectId,
  frame: number,
  over: Partial<PromptRecord> = {},
): PromptRecord =>
  ({
    kind: 'points',
    points: [{ x: 0.25, y: 0.5, label: 1 } as PromptPoint, { x: 0.3, y: 0.55, label: 0 } as PromptPoint],
    objId,
    frame: fr(frame),
    by: ALICE,
    at: T0,
    status: 'queued',
    ...over,
  }) as PromptRecord;

export const jobRecord = (over: Partial<JobRecord> = {}): JobRecord => ({
  kind: 'propagate',
  direction: 'forward',
  startFrame: fr(0),
  status: 'queued',
  framesDone: 0,
  framesTotal: 300,
  by: ALICE,
  at: T0,
  ...over,
});

export const commentRecord = (over: Partial<CommentRecord> = {}): CommentRecord => ({
  frame: fr(10),
  text: 'the left edge is off',
  by: BOB,
  at: T0,
  resolved: false,
  ...over,
});

export const maskRecord = (over: Partial<MaskRecord> = {}): MaskRecord => ({
  rle: 'PPb2d0l0Ub0',
  bbox: [10, 20, 30, 40] as unknown as PixelBox,
  area: 800,
  score: 0.93,
  source: 'prompt',
  ref: 'p1',
  by: ALICE,
  ...over,
});
