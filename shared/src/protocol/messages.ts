/**
 * The message registry: every type, who sends it, its header schema, and the unions of whole
 * messages (`{type, header}`) per direction. On the wire the type is the first frame and the header
 * the second (see `framing.ts`); the header itself carries no `type`.
 */
import { z } from 'zod';
import {
  cancelHeaderSchema,
  closeHeaderSchema,
  openHeaderSchema,
  promptHeaderSchema,
  propagateHeaderSchema,
  removeObjectHeaderSchema,
  resetHeaderSchema,
} from './server-messages.js';
import {
  doneHeaderSchema,
  errorHeaderSchema,
  heartbeatHeaderSchema,
  helloHeaderSchema,
  resultHeaderSchema,
} from './worker-messages.js';

export type Sender = 'worker' | 'server';

const message = <T extends string, H extends z.ZodType>(type: T, header: H) =>
  z.strictObject({ type: z.literal(type), header });

export const workerMessageSchema = z.discriminatedUnion('type', [
  message('hello', helloHeaderSchema),
  message('heartbeat', heartbeatHeaderSchema),
  message('result', resultHeaderSchema),
  message('done', doneHeaderSchema),
  message('error', errorHeaderSchema),
]);
/** A message a worker sends. */
export type WorkerMessage = z.infer<typeof workerMessageSchema>;
export type WorkerMessageType = WorkerMessage['type'];

export const serverMessageSchema = z.discriminatedUnion('type', [
  message('open', openHeaderSchema),
  message('prompt', promptHeaderSchema),
  message('propagate', propagateHeaderSchema),
  message('cancel', cancelHeaderSchema),
  message('remove_object', removeObjectHeaderSchema),
  message('reset', resetHeaderSchema),
  message('close', closeHeaderSchema),
]);
/** A message the server sends. */
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ServerMessageType = ServerMessage['type'];

export const protocolMessageSchema = z.discriminatedUnion('type', [
  ...workerMessageSchema.options,
  ...serverMessageSchema.options,
]);
export type ProtocolMessage = WorkerMessage | ServerMessage;
export type MessageType = ProtocolMessage['type'];
/** A message as written by hand (ids and frames unbranded), e.g. in tests and vectors. */
export type ProtocolMessageInput = z.input<typeof protocolMessageSchema>;

export interface MessageSpec {
  readonly sender: Sender;
  readonly header: z.ZodType;
  /** Binary frames allowed after the header; none in version 1. */
  readonly maxBinaryFrames: number;
}

/** Every message type, in protocol order. */
export const MESSAGE_SPECS: Readonly<Record<MessageType, MessageSpec>> = {
  hello: { sender: 'worker', header: helloHeaderSchema, maxBinaryFrames: 0 },
  heartbeat: { sender: 'worker', header: heartbeatHeaderSchema, maxBinaryFrames: 0 },
  result: { sender: 'worker', header: resultHeaderSchema, maxBinaryFrames: 0 },
  done: { sender: 'worker', header: doneHeaderSchema, maxBinaryFrames: 0 },
  error: { sender: 'worker', header: errorHeaderSchema, maxBinaryFrames: 0 },
  open: { sender: 'server', header: openHeaderSchema, maxBinaryFrames: 0 },
  prompt: { sender: 'server', header: promptHeaderSchema, maxBinaryFrames: 0 },
  propagate: { sender: 'server', header: propagateHeaderSchema, maxBinaryFrames: 0 },
  cancel: { sender: 'server', header: cancelHeaderSchema, maxBinaryFrames: 0 },
  remove_object: { sender: 'server', header: removeObjectHeaderSchema, maxBinaryFrames: 0 },
  reset: { sender: 'server', header: resetHeaderSchema, maxBinaryFrames: 0 },
  close: { sender: 'server', header: closeHeaderSchema, maxBinaryFrames: 0 },
};

export const MESSAGE_TYPES = Object.keys(MESSAGE_SPECS) as MessageType[];

const specsByType = new Map<string, MessageSpec>(Object.entries(MESSAGE_SPECS));

/** The spec of a type name; `undefined` for unknown names (including `__proto__` and friends). */
export const messageSpec = (type: string): MessageSpec | undefined => specsByType.get(type);
