/**
 * Wire framing: a message is the multipart `[type, header-json, ...binary]` — the type name in
 * ASCII, the header as UTF-8 JSON, then binary frames (none in version 1).
 *
 * `decodeMessage` is the trust boundary: it never throws, whatever the frames hold, and checks in
 * this order (the Python side follows the same order, so both name the same code):
 * frame list → type frame → sender → binary count → header size → UTF-8 → JSON → object →
 * `hello` version (`PROTOCOL_VERSION_MISMATCH`) → schema and cross-field rules.
 */
import type { z } from 'zod';
import { MaskroomError } from '../errors.js';
import { DEFAULT_MAX_HEADER_BYTES, MAX_TYPE_BYTES, PROTOCOL_VERSION } from './constants.js';
import {
  messageSpec,
  type ProtocolMessage,
  type ProtocolMessageInput,
  type Sender,
  type ServerMessage,
  type WorkerMessage,
} from './messages.js';
import { utf8DecodeStrict, utf8Encode } from './text.js';

/** The codes a decode failure can carry. */
export type ProtocolErrorCode = 'INVALID_MESSAGE' | 'PROTOCOL_VERSION_MISMATCH';

export type DecodeResult<M extends ProtocolMessage = ProtocolMessage> =
  | { readonly ok: true; readonly message: M; readonly binary: Uint8Array[] }
  | { readonly ok: false; readonly code: ProtocolErrorCode; readonly message: string };

export interface DecodeOptions {
  /** Accept only messages this side sends (the server decodes with `sender: 'worker'`). */
  readonly sender?: Sender;
  /** Header frame limit in bytes (default {@link DEFAULT_MAX_HEADER_BYTES}). */
  readonly maxHeaderBytes?: number;
}

/** Formats the first zod issue as `path: message`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/**
 * Validates a message and frames it. Throws `MaskroomError('INVALID_MESSAGE')` when the message
 * does not satisfy its schema: sending it would be this side's bug.
 */
export function encodeMessage(msg: ProtocolMessageInput, binary: readonly Uint8Array[] = []): Uint8Array[] {
  const spec = messageSpec(msg.type);
  if (spec === undefined) throw new MaskroomError('INVALID_MESSAGE', `unknown type ${msg.type}`);
  const parsed = spec.header.safeParse(msg.header);
  if (!parsed.success) {
    throw new MaskroomError('INVALID_MESSAGE', `${msg.type} header: ${describeIssue(parsed.error)}`);
  }
  if (binary.length > spec.maxBinaryFrames) {
    throw new MaskroomError('INVALID_MESSAGE', `${msg.type} takes no binary frames`);
  }
  return [utf8Encode(msg.type), utf8Encode(JSON.stringify(parsed.data)), ...binary];
}

const fail = (message: string, code: ProtocolErrorCode = 'INVALID_MESSAGE') =>
  ({ ok: false, code, message }) as const;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Decodes and validates received frames; never throws. */
export function decodeMessage(
  frames: unknown,
  options: DecodeOptions & { readonly sender: 'worker' },
): DecodeResult<WorkerMessage>;
export function decodeMessage(
  frames: unknown,
  options: DecodeOptions & { readonly sender: 'server' },
): DecodeResult<ServerMessage>;
export function decodeMessage(frames: unknown, options?: DecodeOptions): DecodeResult;
export function decodeMessage(frames: unknown, options: DecodeOptions = {}): DecodeResult {
  if (!Array.isArray(frames)) return fail('frames must be an array');
  if (frames.length < 2) return fail(`expected [type, header, ...binary], got ${frames.length} frame(s)`);
  if (!frames.every((f) => f instanceof Uint8Array)) return fail('every frame must be bytes');
  const [typeFrame, headerFrame, ...binary] = frames as Uint8Array[];
  if (typeFrame === undefined || headerFrame === undefined) return fail('missing frames');

  if (typeFrame.length > MAX_TYPE_BYTES) return fail('type frame too long');
  const type = utf8DecodeStrict(typeFrame);
  if (type === undefined) return fail('type frame is not UTF-8');
  const spec = messageSpec(type);
  if (spec === undefined) return fail(`unknown message type ${JSON.stringify(type)}`);
  if (options.sender !== undefined && spec.sender !== options.sender) {
    return fail(`${type} is sent by the ${spec.sender}, not the ${options.sender}`);
  }
  if (binary.length > spec.maxBinaryFrames) {
    return fail(`${type} takes at most ${spec.maxBinaryFrames} binary frame(s), got ${binary.length}`);
  }

  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (headerFrame.length > maxHeaderBytes) {
    return fail(`${type} header is ${headerFrame.length} bytes, over the ${maxHeaderBytes} limit`);
  }
  const text = utf8DecodeStrict(headerFrame);
  if (text === undefined) return fail(`${type} header is not UTF-8`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    return fail(`${type} header is not JSON`);
  }
  if (!isPlainObject(header)) return fail(`${type} header must be a JSON object`);

  if (type === 'hello' && Object.hasOwn(header, 'protocolVersion')) {
    const version = header.protocolVersion;
    if (Number.isInteger(version) && version !== PROTOCOL_VERSION) {
      return fail(
        `protocol version ${String(version)} is not ${PROTOCOL_VERSION}`,
        'PROTOCOL_VERSION_MISMATCH',
      );
    }
  }

  const parsed = spec.header.safeParse(header);
  if (!parsed.success) return fail(`${type} header: ${describeIssue(parsed.error)}`);
  // The spec's schema is the header schema of `type`, so this pair is a valid ProtocolMessage.
  const message = { type, header: parsed.data } as ProtocolMessage;
  return { ok: true, message, binary };
}
