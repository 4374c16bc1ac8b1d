/**
 * The cross-language contract files, rendered from the zod schemas and the vectors. The generator
 * (`tools/gen-protocol-schema.ts`) writes them; `schema-drift.test.ts` checks the committed copies.
 * Output is deterministic: keys sorted at every level, two-space indent, trailing newline.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import {
  DEFAULT_MAX_HEADER_BYTES,
  MAX_TYPE_BYTES,
  NORMALIZED_EPSILON,
  PROTOCOL_VERSION,
} from './constants.js';
import { MESSAGE_SPECS, MESSAGE_TYPES, type MessageType } from './messages.js';
import { INVALID_VECTORS, VALID_VECTORS } from './vectors.js';

export const PROTOCOL_SCHEMA_FILE = 'gpu-worker/maskroom_worker/protocol.schema.json';
export const PROTOCOL_VECTORS_FILE = 'gpu-worker/maskroom_worker/protocol.vectors.json';
export const REGENERATE_COMMAND = 'node --import tsx tools/gen-protocol-schema.ts';

const GENERATED_NOTE = `Generated from shared/src/protocol by \`${REGENERATE_COMMAND}\`; do not edit.`;

/**
 * Rules the JSON Schema cannot state (zod `refine`s), by message type. The Python side implements
 * each by hand and its tests check it covers exactly these.
 */
export const CROSS_FIELD_RULES: Readonly<Partial<Record<MessageType, readonly string[]>>> = {
  prompt: ['box-inside-frame: box x + w <= 1 + normalizedEpsilon and y + h <= 1 + normalizedEpsilon'],
  propagate: ['end-frame-direction: endFrame >= startFrame forward, <= startFrame backward, absent for both'],
  result: ['progress-within-total: progress.framesDone <= progress.framesTotal'],
};

/** JSON with object keys sorted at every level, two-space indent and a trailing newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

export function protocolSchemaDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  for (const type of MESSAGE_TYPES) {
    const spec = MESSAGE_SPECS[type];
    messages[type] = {
      sender: spec.sender,
      maxBinaryFrames: spec.maxBinaryFrames,
      crossFieldRules: CROSS_FIELD_RULES[type] ?? [],
      header: z.toJSONSchema(spec.header, { target: 'draft-2020-12', unrepresentable: 'throw' }),
    };
  }
  return {
    $comment: GENERATED_NOTE,
    protocolVersion: PROTOCOL_VERSION,
    limits: {
      maxTypeBytes: MAX_TYPE_BYTES,
      maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
      normalizedEpsilon: NORMALIZED_EPSILON,
    },
    errorCodes: ERROR_CODES,
    messages,
  };
}

export function protocolVectorsDocument(): Record<string, unknown> {
  return {
    $comment: GENERATED_NOTE,
    protocolVersion: PROTOCOL_VERSION,
    valid: VALID_VECTORS.map((v) => ({
      name: v.name,
      sender: v.sender,
      type: v.message.type,
      header: v.message.header,
    })),
    invalid: INVALID_VECTORS,
  };
}

export const renderProtocolSchema = (): string => stableJson(protocolSchemaDocument());
export const renderProtocolVectors = (): string => stableJson(protocolVectorsDocument());
