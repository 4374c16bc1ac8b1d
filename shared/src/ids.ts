/**
 * Branded identifiers and coordinate spaces.
 *
 * Maskroom mixes several integer and point spaces that are all plain numbers at runtime; a brand
 * makes passing one where another is expected a compile error (frame index vs. time, object id
 * vs. prompt id, normalized vs. pixel coordinates).
 */

declare const brand: unique symbol;
/** `T` tagged with a compile-time-only brand `B`. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 0-based index of an extracted frame (not a timestamp). */
export type FrameIndex = Brand<number, 'FrameIndex'>;
/** Media time in milliseconds from the start of the video. */
export type MediaTimeMs = Brand<number, 'MediaTimeMs'>;

export type SessionId = Brand<string, 'SessionId'>;
export type VideoId = Brand<string, 'VideoId'>;
export type ObjectId = Brand<string, 'ObjectId'>;
export type PromptId = Brand<string, 'PromptId'>;
export type JobId = Brand<string, 'JobId'>;
export type CommentId = Brand<string, 'CommentId'>;
export type UserId = Brand<string, 'UserId'>;
export type WorkerId = Brand<string, 'WorkerId'>;
/** Id of one request on the worker protocol (a prompt or a propagation). */
export type RequestId = Brand<string, 'RequestId'>;

/** A point in normalized frame coordinates: x and y in [0, 1] of the frame's width and height. */
export type NormalizedPoint = Brand<{ readonly x: number; readonly y: number }, 'NormalizedPoint'>;
/** A point in pixels of the full-size frame. */
export type PixelPoint = Brand<{ readonly x: number; readonly y: number }, 'PixelPoint'>;

/** A box `[x, y, w, h]` in normalized frame coordinates. */
export type NormalizedBox = Brand<readonly [number, number, number, number], 'NormalizedBox'>;
/** A box `[x, y, w, h]` in pixels of the full-size frame (pycocotools' `toBbox` convention). */
export type PixelBox = Brand<readonly [number, number, number, number], 'PixelBox'>;

export const asFrameIndex = (n: number): FrameIndex => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a frame index: ${n}`);
  return n as FrameIndex;
};

/** Brands an id string after checking it is a non-empty, URL- and key-safe token. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const isIdString = (s: unknown): s is string => typeof s === 'string' && ID_PATTERN.test(s);
export const ID_PATTERN_SOURCE = ID_PATTERN.source;
