import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE_LIST } from '../errors.js';
import {
  PROTOCOL_SCHEMA_FILE,
  PROTOCOL_VECTORS_FILE,
  REGENERATE_COMMAND,
  protocolSchemaDocument,
  renderProtocolSchema,
  renderProtocolVectors,
  stableJson,
} from './contract.js';
import { MESSAGE_TYPES } from './messages.js';
import { PROTOCOL_VERSION } from './constants.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const committed = (file: string): string => {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return '';
  }
};

describe('committed protocol contract', () => {
  it.each([
    [PROTOCOL_SCHEMA_FILE, renderProtocolSchema],
    [PROTOCOL_VECTORS_FILE, renderProtocolVectors],
  ])('%s matches the zod schemas', (file, render) => {
    const upToDate = committed(file) === render();
    expect(upToDate, `${file} is out of date: run \`${REGENERATE_COMMAND}\``).toBe(true);
  });

  it('renders deterministically', () => {
    expect(renderProtocolSchema()).toBe(renderProtocolSchema());
    expect(renderProtocolVectors()).toBe(renderProtocolVectors());
    expect(renderProtocolSchema().endsWith('}\n')).toBe(true);
  });

  it('holds the version, the error table and one JSON Schema per message type', () => {
    const doc = JSON.parse(renderProtocolSchema()) as {
      protocolVersion: number;
      errorCodes: Record<string, unknown>;
      messages: Record<string, { header: { $schema: string } }>;
    };
    expect(doc.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(Object.keys(doc.errorCodes).sort()).toEqual([...ERROR_CODE_LIST].sort());
    expect(Object.keys(doc.messages).sort()).toEqual([...MESSAGE_TYPES].sort());
    for (const type of MESSAGE_TYPES) {
      expect(doc.messages[type]?.header.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
    expect(stableJson(protocolSchemaDocument())).toBe(renderProtocolSchema());
  });

  it('sorts keys at every level', () => {
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(
      '{\n  "a": [\n    {\n      "c": 2,\n      "d": 1\n    }\n  ],\n  "b": 1\n}\n',
    );
  });
});
