/**
 * Cross-language test vectors: named valid messages and named invalid frame lists with the code
 * each must be rejected with. The TS tests and `gpu-worker/tests/test_protocol.py` (through the
 * generated `protocol.vectors.json`) run every one of them, so both decoders must agree.
 */
import type { ProtocolErrorCode } from './framing.js';
import { MESSAGE_SPECS, type MessageType, type ProtocolMessageInput, type Sender } from './messages.js';
import type { PromptKind } from './server-messages.js';

/** One frame of an invalid vector: UTF-8 text, a JSON value (serialized), or raw bytes in hex. */
export type FrameSpec = { readonly text: string } | { readonly json: unknown } | { readonly hex: string };

export interface ValidVector {
  readonly name: string;
  readonly sender: Sender;
  readonly message: ProtocolMessageInput;
}

export interface InvalidVector {
  readonly name: string;
  readonly code: ProtocolErrorCode;
  readonly reason: string;
  /** When set, decode as the receiving side does: accept only messages from this sender. */
  readonly sender?: Sender;
  readonly frames: readonly FrameSpec[];
}

const SESSION = 'sess_01';
const REQ = 'req-0001';
const OBJ = 'obj_1';
const WORKER = 'worker-a';

type HeaderInput<T extends MessageType> = Extract<ProtocolMessageInput, { type: T }>['header'];
type PromptInput<K extends PromptKind> = Extract<HeaderInput<'prompt'>, { kind: K }>;

const hello: HeaderInput<'hello'> = {
  protocolVersion: 1,
  workerId: WORKER,
  backend: 'classical',
  device: 'cpu',
  capabilities: { points: true, box: true, text: false, propagate: true },
  maxSessions: 4,
  heartbeatIntervalMs: 1000,
};
const heartbeat: HeaderInput<'heartbeat'> = {
  workerId: WORKER,
  openSessions: [SESSION],
  busy: true,
  queued: 2,
};
const maskObject: HeaderInput<'result'>['objects'][number] = {
  objId: OBJ,
  rle: 'PPYo1`0O1N2O0O100O1000000O1N2M3O0000Oa0',
  bbox: [12, 30, 40, 22],
  area: 731,
  score: 0.93,
};
const result: HeaderInput<'result'> = {
  reqId: REQ,
  sessionId: SESSION,
  frame: 7,
  objects: [maskObject],
};
const done: HeaderInput<'done'> = { reqId: REQ, summary: { framesDone: 1, elapsedMs: 41.5 } };
const error: HeaderInput<'error'> = {
  reqId: REQ,
  code: 'OUT_OF_MEMORY',
  message: 'CUDA out of memory',
  retryable: true,
};
const open: HeaderInput<'open'> = {
  reqId: REQ,
  sessionId: SESSION,
  frames: { kind: 'dir', path: '/data/videos/v1/frames' },
  numFrames: 120,
  width: 1280,
  height: 720,
};
const promptBase = { reqId: REQ, sessionId: SESSION, frame: 0, objId: OBJ };
const promptPoints: PromptInput<'points'> = {
  ...promptBase,
  kind: 'points',
  points: [
    { x: 0.5, y: 0.25, label: 1 },
    { x: 0.1, y: 0.9, label: 0 },
  ],
};
const promptBox: PromptInput<'box'> = { ...promptBase, kind: 'box', box: [0.1, 0.2, 0.3, 0.4] };
const promptText: PromptInput<'text'> = { ...promptBase, frame: 3, kind: 'text', text: 'dog' };
const propagate: HeaderInput<'propagate'> = {
  reqId: REQ,
  sessionId: SESSION,
  direction: 'forward',
  startFrame: 0,
};

const without = (value: object, key: string): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...value };
  delete copy[key];
  return copy;
};
const with_ = (value: object, patch: Record<string, unknown>): Record<string, unknown> => ({
  ...value,
  ...patch,
});
const EMOJI = '\u{1F436}'; // 1 code point, 2 UTF-16 units: lengths count code points

const valid = (name: string, message: ProtocolMessageInput): ValidVector => ({
  name,
  sender: MESSAGE_SPECS[message.type].sender,
  message,
});

export const VALID_VECTORS: readonly ValidVector[] = [
  valid('hello classical', { type: 'hello', header: hello }),
  valid('hello sam3 on cuda', {
    type: 'hello',
    header: {
      ...hello,
      backend: 'sam3',
      device: 'cuda:0',
      capabilities: { points: true, box: true, text: true, propagate: true },
      maxSessions: 1024,
      heartbeatIntervalMs: 100,
    },
  }),
  valid('heartbeat busy', { type: 'heartbeat', header: heartbeat }),
  valid('heartbeat idle with device memory', {
    type: 'heartbeat',
    header: {
      workerId: WORKER,
      openSessions: [],
      busy: false,
      queued: 0,
      deviceMemory: { usedBytes: 4_000_000_000, totalBytes: 150_000_000_000 },
    },
  }),
  valid('result of a prompt', { type: 'result', header: result }),
  valid('result of a propagation with progress', {
    type: 'result',
    header: {
      ...result,
      frame: 42,
      objects: [maskObject, { ...maskObject, objId: 'obj_2', score: 1, bbox: [0, 0, 1920, 1080] }],
      progress: { framesDone: 43, framesTotal: 43 },
    },
  }),
  valid('result with no objects', { type: 'result', header: { ...result, objects: [] } }),
  valid('result with an empty mask and zero score', {
    type: 'result',
    header: { ...result, objects: [{ ...maskObject, bbox: [0, 0, 0, 0], score: 0, area: 0 }] },
  }),
  valid('result at the largest safe frame', {
    type: 'result',
    header: { ...result, frame: Number.MAX_SAFE_INTEGER },
  }),
  valid('done', { type: 'done', header: done }),
  valid('done without frames', {
    type: 'done',
    header: { reqId: REQ, summary: { framesDone: 0, elapsedMs: 0 } },
  }),
  valid('error for a request', { type: 'error', header: error }),
  valid('error without request, for a session', {
    type: 'error',
    header: {
      reqId: null,
      sessionId: SESSION,
      code: 'SESSION_NOT_OPEN',
      message: 'idle session closed',
      retryable: true,
    },
  }),
  valid('error cancelled with empty message', {
    type: 'error',
    header: { ...error, code: 'CANCELLED', message: '', retryable: false },
  }),
  valid('open from a directory', { type: 'open', header: open }),
  valid('open over http', {
    type: 'open',
    header: {
      ...open,
      frames: {
        kind: 'http',
        urlTemplate: 'http://10.0.0.5:8080/api/videos/v1/frames/{index}.jpg',
        token: 'wk_3f9a.b-c~d+e/f=',
      },
      numFrames: 1,
      width: 16_384,
      height: 1,
    },
  }),
  valid('prompt points', { type: 'prompt', header: promptPoints }),
  valid('prompt points on the frame edges', {
    type: 'prompt',
    header: {
      ...promptPoints,
      points: [
        { x: 0, y: 0, label: 1 },
        { x: 1, y: 1, label: 0 },
      ],
    },
  }),
  valid('prompt box', { type: 'prompt', header: promptBox }),
  valid('prompt box covering the frame', {
    type: 'prompt',
    header: { ...promptBox, box: [0, 0, 1, 1] },
  }),
  valid('prompt box whose sum exceeds 1 by rounding only', {
    type: 'prompt',
    header: { ...promptBox, box: [0.1 + 0.2, 0.6, 0.7, 0.4] },
  }),
  valid('prompt text', { type: 'prompt', header: promptText }),
  valid('prompt text of 256 code points in emoji', {
    type: 'prompt',
    header: { ...promptText, text: EMOJI.repeat(256) },
  }),
  valid('prompt text with non-ASCII and escapes', {
    type: 'prompt',
    header: { ...promptText, text: 'Spieler in Weiß "7"\n' },
  }),
  valid('propagate forward', { type: 'propagate', header: propagate }),
  valid('propagate both for two objects', {
    type: 'propagate',
    header: { ...propagate, direction: 'both', startFrame: 10, objIds: [OBJ, 'obj_2'] },
  }),
  valid('propagate forward to an end frame', {
    type: 'propagate',
    header: { ...propagate, startFrame: 5, endFrame: 9 },
  }),
  valid('propagate backward to its start frame', {
    type: 'propagate',
    header: { ...propagate, direction: 'backward', startFrame: 5, endFrame: 5 },
  }),
  valid('cancel', { type: 'cancel', header: { reqId: REQ } }),
  valid('remove_object', {
    type: 'remove_object',
    header: { reqId: REQ, sessionId: SESSION, objId: OBJ },
  }),
  valid('reset', { type: 'reset', header: { reqId: REQ, sessionId: SESSION } }),
  valid('close', { type: 'close', header: { sessionId: SESSION } }),
  valid('close with a 64-character id', {
    type: 'close',
    header: { sessionId: 'a_-Z9'.repeat(12) + 'abcd' },
  }),
];

const INVALID: ProtocolErrorCode = 'INVALID_MESSAGE';
const MISMATCH: ProtocolErrorCode = 'PROTOCOL_VERSION_MISMATCH';

const frames = (
  name: string,
  reason: string,
  specs: readonly FrameSpec[],
  code: ProtocolErrorCode = INVALID,
  sender?: Sender,
): InvalidVector =>
  sender === undefined
    ? { name, code, reason, frames: specs }
    : { name, code, reason, sender, frames: specs };

/** An invalid vector whose frames are `[type, JSON(header)]`. */
const bad = (
  name: string,
  reason: string,
  type: string,
  header: unknown,
  code: ProtocolErrorCode = INVALID,
): InvalidVector => frames(name, reason, [{ text: type }, { json: header }], code);

/** An invalid vector whose header frame is raw text. */
const badText = (
  name: string,
  reason: string,
  type: string,
  headerText: string,
  code: ProtocolErrorCode = INVALID,
): InvalidVector => frames(name, reason, [{ text: type }, { text: headerText }], code);

const close = { sessionId: SESSION };

export const INVALID_VECTORS: readonly InvalidVector[] = [
  // Framing.
  frames('no frames', 'a message needs a type and a header', []),
  frames('type only', 'a message needs a header frame', [{ text: 'close' }]),
  bad('unknown type', 'not a message type', 'helo', hello),
  bad('type in upper case', 'types are case-sensitive', 'HELLO', hello),
  bad('empty type', 'not a message type', '', close),
  bad('type with trailing space', 'types match exactly', 'close ', close),
  bad('type __proto__', 'prototype keys are not types', '__proto__', close),
  bad('type constructor', 'prototype keys are not types', 'constructor', close),
  bad('type too long', 'type frames are at most 32 bytes', 'close'.padEnd(33, '_'), close),
  frames('type not UTF-8', 'type frame must be UTF-8', [{ hex: 'ff' }, { json: close }]),
  frames('header not UTF-8', 'header must be UTF-8', [{ text: 'close' }, { hex: '7bc3287d' }]),
  frames('header with UTF-8-encoded surrogate', 'surrogates are not valid UTF-8', [
    { text: 'close' },
    { hex: '7b2273657373696f6e4964223a22eda080227d' },
  ]),
  frames('header with overlong UTF-8', 'overlong encodings are not valid UTF-8', [
    { text: 'close' },
    { hex: 'c0bb7d' },
  ]),
  frames('header with a byte-order mark', 'a BOM is not JSON whitespace', [
    { text: 'close' },
    { hex: 'efbbbf7b2273657373696f6e4964223a22735f31227d' },
  ]),
  frames('binary frame where none is allowed', 'version 1 messages carry no binary frames', [
    { text: 'close' },
    { json: close },
    { hex: '' },
  ]),
  frames(
    'hello decoded by a worker',
    'hello is sent by workers only',
    [{ text: 'hello' }, { json: hello }],
    INVALID,
    'server',
  ),
  frames(
    'open decoded by the server',
    'open is sent by the server only',
    [{ text: 'open' }, { json: open }],
    INVALID,
    'worker',
  ),
  // JSON.
  badText('empty header', 'empty is not JSON', 'close', ''),
  badText('truncated JSON', 'not JSON', 'close', '{"sessionId":"s'),
  badText('trailing garbage', 'not JSON', 'close', '{"sessionId":"s"} x'),
  badText('single quotes', 'not JSON', 'close', "{'sessionId':'s'}"),
  badText('trailing comma', 'not JSON', 'close', '{"sessionId":"s",}'),
  badText(
    'NaN literal',
    'NaN is not JSON',
    'done',
    '{"reqId":"r","summary":{"framesDone":1,"elapsedMs":NaN}}',
  ),
  badText(
    'Infinity literal',
    'Infinity is not JSON',
    'done',
    '{"reqId":"r","summary":{"framesDone":1,"elapsedMs":Infinity}}',
  ),
  badText(
    'number overflowing to infinity',
    'numbers must be finite',
    'done',
    '{"reqId":"r","summary":{"framesDone":1,"elapsedMs":1e400}}',
  ),
  badText(
    'integer literal overflowing to infinity',
    'numbers must be finite',
    'done',
    `{"reqId":"r","summary":{"framesDone":1,"elapsedMs":1${'0'.repeat(400)}}}`,
  ),
  badText(
    'raw control character in a string',
    'JSON strings escape control characters',
    'prompt',
    JSON.stringify(promptText).replace('"dog"', '"d\to\ng"'),
  ),
  badText('header is an array', 'headers are objects', 'close', '[]'),
  badText('header is null', 'headers are objects', 'close', 'null'),
  badText('header is a string', 'headers are objects', 'close', '"sess_01"'),
  badText('header is a number', 'headers are objects', 'close', '42'),
  badText(
    '__proto__ key',
    'unknown keys are rejected, __proto__ included',
    'close',
    '{"sessionId":"s","__proto__":{}}',
  ),
  // Version.
  bad('hello version 2', 'other protocol version', 'hello', { ...hello, protocolVersion: 2 }, MISMATCH),
  bad(
    'hello version 2 with new fields',
    'the version is checked before the schema',
    'hello',
    { ...hello, protocolVersion: 2, shiny: true },
    MISMATCH,
  ),
  bad('hello version 0', 'other protocol version', 'hello', { ...hello, protocolVersion: 0 }, MISMATCH),
  bad('hello version -1', 'other protocol version', 'hello', { ...hello, protocolVersion: -1 }, MISMATCH),
  badText(
    'hello version 2.0',
    'an integral float is that integer',
    'hello',
    JSON.stringify(hello).replace('"protocolVersion":1', '"protocolVersion":2.0'),
    MISMATCH,
  ),
  bad('hello version as a string', 'the version is an integer', 'hello', { ...hello, protocolVersion: '1' }),
  bad('hello version as a boolean', 'the version is an integer', 'hello', {
    ...hello,
    protocolVersion: true,
  }),
  bad('hello version 1.5', 'the version is an integer', 'hello', { ...hello, protocolVersion: 1.5 }),
  bad('hello without version', 'the version is required', 'hello', without(hello, 'protocolVersion')),
  // hello, heartbeat.
  bad('hello unknown backend', 'backend is sam3 or classical', 'hello', { ...hello, backend: 'sam2' }),
  bad('hello capabilities missing text', 'all four capabilities are required', 'hello', {
    ...hello,
    capabilities: without(hello.capabilities, 'text'),
  }),
  bad('hello extra capability', 'unknown keys are rejected', 'hello', {
    ...hello,
    capabilities: { ...hello.capabilities, mask: true },
  }),
  bad('hello maxSessions 0', 'maxSessions is positive', 'hello', { ...hello, maxSessions: 0 }),
  bad('hello heartbeat too fast', 'heartbeatIntervalMs >= 100', 'hello', {
    ...hello,
    heartbeatIntervalMs: 50,
  }),
  bad('hello empty device', 'device is non-empty', 'hello', { ...hello, device: '' }),
  bad(
    'hello typo field',
    'unknown keys are rejected',
    'hello',
    with_(without(hello, 'maxSessions'), { maxSession: 4 }),
  ),
  bad('heartbeat bad session id', 'ids match the id pattern', 'heartbeat', {
    ...heartbeat,
    openSessions: ['a b'],
  }),
  bad('heartbeat queued negative', 'counts are non-negative', 'heartbeat', { ...heartbeat, queued: -1 }),
  bad('heartbeat queued boolean', 'a boolean is not an integer', 'heartbeat', { ...heartbeat, queued: true }),
  bad('heartbeat busy as string', 'busy is a boolean', 'heartbeat', { ...heartbeat, busy: 'no' }),
  // result.
  bad('result rle with a character above o', "RLE characters are '0'..'o'", 'result', {
    ...result,
    objects: [{ ...maskObject, rle: 'PPYp' }],
  }),
  bad('result rle with a space', "RLE characters are '0'..'o'", 'result', {
    ...result,
    objects: [{ ...maskObject, rle: 'PP Y' }],
  }),
  bad('result empty rle', 'RLE is non-empty', 'result', { ...result, objects: [{ ...maskObject, rle: '' }] }),
  bad('result rle with trailing newline', 'patterns anchor at the very end', 'result', {
    ...result,
    objects: [{ ...maskObject, rle: 'PPY\n' }],
  }),
  bad('result bbox of 3 numbers', 'bbox is [x, y, w, h]', 'result', {
    ...result,
    objects: [{ ...maskObject, bbox: [1, 2, 3] }],
  }),
  bad('result bbox of 5 numbers', 'bbox is [x, y, w, h]', 'result', {
    ...result,
    objects: [{ ...maskObject, bbox: [1, 2, 3, 4, 5] }],
  }),
  bad('result negative bbox', 'bbox is non-negative', 'result', {
    ...result,
    objects: [{ ...maskObject, bbox: [-1, 2, 3, 4] }],
  }),
  bad('result fractional bbox', 'bbox is in whole pixels (pycocotools toBbox)', 'result', {
    ...result,
    objects: [{ ...maskObject, bbox: [0.5, 1.5, 2, 3] }],
  }),
  bad('result score above 1', 'score is in [0, 1]', 'result', {
    ...result,
    objects: [{ ...maskObject, score: 1.5 }],
  }),
  bad('result score below 0', 'score is in [0, 1]', 'result', {
    ...result,
    objects: [{ ...maskObject, score: -0.1 }],
  }),
  bad('result fractional area', 'area is an integer', 'result', {
    ...result,
    objects: [{ ...maskObject, area: 2.5 }],
  }),
  bad('result negative area', 'area is non-negative', 'result', {
    ...result,
    objects: [{ ...maskObject, area: -1 }],
  }),
  bad('result extra object field', 'unknown keys are rejected', 'result', {
    ...result,
    objects: [{ ...maskObject, mask: [] }],
  }),
  bad('result bad object id', 'ids match the id pattern', 'result', {
    ...result,
    objects: [{ ...maskObject, objId: 'obj/1' }],
  }),
  bad('result negative frame', 'frames are non-negative', 'result', { ...result, frame: -1 }),
  bad('result fractional frame', 'frames are integers', 'result', { ...result, frame: 1.5 }),
  bad('result frame as string', 'frames are numbers', 'result', { ...result, frame: '3' }),
  bad('result frame beyond safe integers', 'frames are safe integers', 'result', {
    ...result,
    frame: 2 ** 53,
  }),
  bad('result progress over total', 'framesDone <= framesTotal', 'result', {
    ...result,
    progress: { framesDone: 11, framesTotal: 10 },
  }),
  bad('result progress of zero frames', 'framesTotal is positive', 'result', {
    ...result,
    progress: { framesDone: 0, framesTotal: 0 },
  }),
  bad('result objects not an array', 'objects is an array', 'result', { ...result, objects: maskObject }),
  // done, error.
  bad('done without summary', 'summary is required', 'done', without(done, 'summary')),
  bad('done negative elapsed', 'elapsedMs is non-negative', 'done', {
    ...done,
    summary: { ...done.summary, elapsedMs: -1 },
  }),
  bad('error unknown code', 'codes come from the shared table', 'error', { ...error, code: 'NOPE' }),
  bad('error code in lower case', 'codes come from the shared table', 'error', {
    ...error,
    code: 'out_of_memory',
  }),
  bad('error without reqId', 'reqId is required (null when none)', 'error', without(error, 'reqId')),
  bad('error empty reqId', 'ids are non-empty', 'error', { ...error, reqId: '' }),
  bad('error without retryable', 'retryable is required', 'error', without(error, 'retryable')),
  bad('error message too long', 'messages are at most 4096 code points', 'error', {
    ...error,
    message: 'x'.repeat(4097),
  }),
  // open.
  bad('open template without placeholder', 'urlTemplate needs {index}', 'open', {
    ...open,
    frames: { kind: 'http', urlTemplate: 'http://h/frames/0.jpg', token: 't' },
  }),
  bad('open ftp template', 'frames come over http(s)', 'open', {
    ...open,
    frames: { kind: 'http', urlTemplate: 'ftp://h/{index}.jpg', token: 't' },
  }),
  bad('open token with a space', 'tokens are printable ASCII', 'open', {
    ...open,
    frames: { kind: 'http', urlTemplate: 'https://h/{index}.jpg', token: 'a b' },
  }),
  bad('open empty path', 'path is non-empty', 'open', { ...open, frames: { kind: 'dir', path: '' } }),
  bad('open dir with a token', 'unknown keys are rejected', 'open', {
    ...open,
    frames: { ...open.frames, token: 't' },
  }),
  bad('open unknown source kind', 'frames come from dir or http', 'open', {
    ...open,
    frames: { kind: 's3', path: 'b/k' },
  }),
  bad('open zero width', 'dimensions are positive', 'open', { ...open, width: 0 }),
  bad('open width too large', 'dimensions are at most 16384', 'open', { ...open, width: 16_385 }),
  bad('open zero frames', 'numFrames is positive', 'open', { ...open, numFrames: 0 }),
  bad('open without reqId', 'open is answered, so it has a reqId', 'open', without(open, 'reqId')),
  // prompt.
  bad('prompt unknown kind', 'kind is points, box or text', 'prompt', { ...promptPoints, kind: 'mask' }),
  bad('prompt without kind', 'kind is required', 'prompt', without(promptPoints, 'kind')),
  bad('prompt points and box', 'exactly one prompt kind', 'prompt', { ...promptPoints, box: [0, 0, 1, 1] }),
  bad('prompt text kind with points', 'the fields follow kind', 'prompt', { ...promptPoints, kind: 'text' }),
  bad('prompt no points', 'at least one point', 'prompt', { ...promptPoints, points: [] }),
  bad('prompt too many points', 'at most 64 points', 'prompt', {
    ...promptPoints,
    points: Array.from({ length: 65 }, () => ({ x: 0.5, y: 0.5, label: 1 })),
  }),
  bad('prompt point x above 1', 'points are normalized', 'prompt', {
    ...promptPoints,
    points: [{ x: 1.01, y: 0.5, label: 1 }],
  }),
  bad('prompt point y below 0', 'points are normalized', 'prompt', {
    ...promptPoints,
    points: [{ x: 0.5, y: -0.01, label: 1 }],
  }),
  bad('prompt point in pixels', 'points are normalized', 'prompt', {
    ...promptPoints,
    points: [{ x: 640, y: 360, label: 1 }],
  }),
  bad('prompt point label 2', 'labels are 0 or 1', 'prompt', {
    ...promptPoints,
    points: [{ x: 0.5, y: 0.5, label: 2 }],
  }),
  bad('prompt point label true', 'labels are numbers', 'prompt', {
    ...promptPoints,
    points: [{ x: 0.5, y: 0.5, label: true }],
  }),
  bad('prompt point extra field', 'unknown keys are rejected', 'prompt', {
    ...promptPoints,
    points: [{ x: 0.5, y: 0.5, label: 1, z: 0 }],
  }),
  bad('prompt box of zero width', 'box extents are positive', 'prompt', {
    ...promptBox,
    box: [0.1, 0.1, 0, 0.5],
  }),
  bad('prompt box past the right edge', 'x + w <= 1', 'prompt', { ...promptBox, box: [0.5, 0, 0.6, 0.5] }),
  bad('prompt box past the bottom edge', 'y + h <= 1', 'prompt', { ...promptBox, box: [0, 0.9, 0.5, 0.2] }),
  bad('prompt box of 5 numbers', 'box is [x, y, w, h]', 'prompt', { ...promptBox, box: [0, 0, 0.5, 0.5, 1] }),
  bad('prompt box as an object', 'box is [x, y, w, h]', 'prompt', {
    ...promptBox,
    box: { x: 0, y: 0, w: 1, h: 1 },
  }),
  bad('prompt empty text', 'text is non-empty', 'prompt', { ...promptText, text: '' }),
  bad('prompt text too long', 'text is at most 256 code points', 'prompt', {
    ...promptText,
    text: 'x'.repeat(257),
  }),
  bad('prompt text too long in emoji', 'lengths count code points on both sides', 'prompt', {
    ...promptText,
    text: EMOJI.repeat(257),
  }),
  bad('prompt without objId', 'objId is required', 'prompt', without(promptPoints, 'objId')),
  bad('prompt id with a trailing newline', 'patterns anchor at the very end', 'prompt', {
    ...promptPoints,
    objId: 'obj_1\n',
  }),
  bad('prompt id too long', 'ids are at most 64 characters', 'prompt', {
    ...promptPoints,
    objId: 'o'.repeat(65),
  }),
  bad('prompt id with non-ASCII', 'ids are ASCII', 'prompt', { ...promptPoints, objId: 'objé' }),
  // propagate and the rest.
  bad('propagate unknown direction', 'direction is forward, backward or both', 'propagate', {
    ...propagate,
    direction: 'sideways',
  }),
  bad('propagate forward ending before its start', 'forward endFrame >= startFrame', 'propagate', {
    ...propagate,
    startFrame: 5,
    endFrame: 4,
  }),
  bad('propagate backward ending after its start', 'backward endFrame <= startFrame', 'propagate', {
    ...propagate,
    direction: 'backward',
    startFrame: 5,
    endFrame: 6,
  }),
  bad('propagate both with an end frame', 'endFrame is one-directional', 'propagate', {
    ...propagate,
    direction: 'both',
    endFrame: 6,
  }),
  bad('propagate empty objIds', 'objIds is absent or non-empty', 'propagate', { ...propagate, objIds: [] }),
  bad(
    'propagate without startFrame',
    'startFrame is required',
    'propagate',
    without(propagate, 'startFrame'),
  ),
  bad('cancel without reqId', 'reqId is required', 'cancel', {}),
  bad('cancel with a session', 'unknown keys are rejected', 'cancel', { reqId: REQ, sessionId: SESSION }),
  bad('remove_object without objId', 'objId is required', 'remove_object', {
    reqId: REQ,
    sessionId: SESSION,
  }),
  bad('reset with an extra field', 'unknown keys are rejected', 'reset', {
    reqId: REQ,
    sessionId: SESSION,
    hard: true,
  }),
  bad('close with a null session', 'sessionId is a string', 'close', { sessionId: null }),
];
