import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './framing.js';
import {
  MESSAGE_SPECS,
  MESSAGE_TYPES,
  protocolMessageSchema,
  serverMessageSchema,
  workerMessageSchema,
} from './messages.js';
import { INVALID_VECTORS, VALID_VECTORS, type FrameSpec } from './vectors.js';

const toBytes = (spec: FrameSpec): Uint8Array => {
  if ('text' in spec) return new TextEncoder().encode(spec.text);
  if ('hex' in spec) return Uint8Array.from(Buffer.from(spec.hex, 'hex'));
  return new TextEncoder().encode(JSON.stringify(spec.json));
};

describe('protocol vectors', () => {
  it('have unique names and cover every message type', () => {
    const names = [...VALID_VECTORS, ...INVALID_VECTORS].map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(VALID_VECTORS.map((v) => v.message.type))).toEqual(new Set(MESSAGE_TYPES));
    for (const v of VALID_VECTORS) expect(v.sender).toBe(MESSAGE_SPECS[v.message.type].sender);
    expect(INVALID_VECTORS.some((v) => v.code === 'PROTOCOL_VERSION_MISMATCH')).toBe(true);
  });

  describe.each(VALID_VECTORS.map((v) => [v.name, v] as const))('valid: %s', (_name, vector) => {
    it('passes the zod schemas', () => {
      expect(protocolMessageSchema.safeParse(vector.message).success).toBe(true);
      const direction = vector.sender === 'worker' ? workerMessageSchema : serverMessageSchema;
      expect(direction.safeParse(vector.message).success).toBe(true);
    });

    it('round-trips through encodeMessage and decodeMessage', () => {
      const frames = encodeMessage(vector.message);
      expect(frames).toHaveLength(2);
      expect(new TextDecoder().decode(frames[0])).toBe(vector.message.type);
      const decoded = decodeMessage(frames, { sender: vector.sender });
      expect(decoded).toEqual({ ok: true, message: vector.message, binary: [] });
    });

    it('is refused when it arrives from the wrong side', () => {
      const other = vector.sender === 'worker' ? 'server' : 'worker';
      const decoded = decodeMessage(encodeMessage(vector.message), { sender: other });
      expect(decoded.ok).toBe(false);
    });
  });

  describe.each(INVALID_VECTORS.map((v) => [v.name, v] as const))('invalid: %s', (_name, vector) => {
    it(`is rejected with its code`, () => {
      const frames = vector.frames.map(toBytes);
      const decoded =
        vector.sender === undefined
          ? decodeMessage(frames)
          : decodeMessage(frames, { sender: vector.sender });
      expect(decoded.ok, vector.reason).toBe(false);
      if (!decoded.ok) {
        expect(decoded.code, decoded.message).toBe(vector.code);
        expect(decoded.message.length).toBeGreaterThan(0);
      }
    });

    it('fails the zod schema too when it is well-formed JSON of a known type', () => {
      const [typeSpec, headerSpec, ...rest] = vector.frames;
      if (
        typeSpec === undefined ||
        !('text' in typeSpec) ||
        headerSpec === undefined ||
        !('json' in headerSpec)
      )
        return;
      if (rest.length > 0 || vector.sender !== undefined || !MESSAGE_TYPES.includes(typeSpec.text as never))
        return;
      expect(protocolMessageSchema.safeParse({ type: typeSpec.text, header: headerSpec.json }).success).toBe(
        false,
      );
    });
  });
});
