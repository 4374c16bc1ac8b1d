import { describe, expect, expectTypeOf, it } from 'vitest';
import { MaskroomError } from '../errors.js';
import type { SessionId } from '../ids.js';
import { PROTOCOL_VERSION } from './constants.js';
import { decodeMessage, encodeMessage } from './framing.js';
import type { ServerMessage, WorkerMessage } from './messages.js';
import { seededRandom as prng } from '../random.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const close = { type: 'close', header: { sessionId: 'sess_1' } } as const;

describe('encodeMessage', () => {
  it('frames [type, header-json]', () => {
    const frames = encodeMessage(close);
    expect(frames.map((f) => new TextDecoder().decode(f))).toEqual(['close', '{"sessionId":"sess_1"}']);
  });

  it('throws INVALID_MESSAGE for a message that breaks its schema', () => {
    const attempt = () => encodeMessage({ type: 'close', header: { sessionId: 'no spaces' } });
    expect(attempt).toThrow(MaskroomError);
    expect(attempt).toThrow(/sessionId/);
    try {
      attempt();
    } catch (error) {
      expect((error as MaskroomError).code).toBe('INVALID_MESSAGE');
    }
  });

  it('throws for unknown types and for binary frames version 1 does not allow', () => {
    expect(() => encodeMessage({ type: 'nope', header: {} } as never)).toThrow(MaskroomError);
    expect(() => encodeMessage(close, [new Uint8Array(1)])).toThrow(/binary/);
  });

  it('accepts branded values', () => {
    const sessionId = 'sess_2' as SessionId;
    expect(encodeMessage({ type: 'reset', header: { reqId: 'r1', sessionId } })).toHaveLength(2);
  });
});

describe('decodeMessage', () => {
  it('narrows to the sender’s union', () => {
    const fromWorker = decodeMessage([], { sender: 'worker' });
    if (fromWorker.ok) expectTypeOf(fromWorker.message).toEqualTypeOf<WorkerMessage>();
    const fromServer = decodeMessage([], { sender: 'server' });
    if (fromServer.ok) expectTypeOf(fromServer.message).toEqualTypeOf<ServerMessage>();
  });

  it('accepts Node Buffers and returns branded, typed headers', () => {
    const decoded = decodeMessage([Buffer.from('close'), Buffer.from('{"sessionId":"s_1"}')], {
      sender: 'server',
    });
    expect(decoded.ok).toBe(true);
    if (decoded.ok && decoded.message.type === 'close') {
      expectTypeOf(decoded.message.header.sessionId).toEqualTypeOf<SessionId>();
      expect(decoded.message.header.sessionId).toBe('s_1');
    }
  });

  it('rejects non-arrays and non-byte frames without throwing', () => {
    for (const input of [
      undefined,
      null,
      'close',
      42,
      {},
      new Uint8Array(3),
      [utf8('close'), '{}'],
      [utf8('close'), null],
    ]) {
      const decoded = decodeMessage(input);
      expect(decoded).toMatchObject({ ok: false, code: 'INVALID_MESSAGE' });
    }
  });

  it('enforces the header size limit before decoding', () => {
    const frames = encodeMessage(close);
    expect(decodeMessage(frames, { maxHeaderBytes: 10 })).toMatchObject({
      ok: false,
      code: 'INVALID_MESSAGE',
    });
    expect(decodeMessage(frames, { maxHeaderBytes: frames[1]?.length ?? 0 }).ok).toBe(true);
  });

  it('names the failing field', () => {
    const decoded = decodeMessage([
      utf8('prompt'),
      utf8(
        '{"reqId":"r","sessionId":"s","frame":0,"objId":"o","kind":"points","points":[{"x":2,"y":0,"label":1}]}',
      ),
    ]);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.message).toMatch(/points\.0\.x/);
  });

  it('checks the hello version before the rest of the schema', () => {
    const decoded = decodeMessage([
      utf8('hello'),
      utf8(JSON.stringify({ protocolVersion: PROTOCOL_VERSION + 1, anything: 1 })),
    ]);
    expect(decoded).toMatchObject({ ok: false, code: 'PROTOCOL_VERSION_MISMATCH' });
  });

  it('never throws on random frames (seeded fuzz)', () => {
    const random = prng(0x5eed);
    const pieces = [
      'hello',
      'result',
      'prompt',
      'close',
      '{',
      '}',
      '[',
      '"',
      ':',
      ',',
      'null',
      '1e999',
      '"reqId"',
      '"sessionId"',
      '"s"',
      '\\u0000',
      '\uFFFF',
      '__proto__',
    ];
    for (let i = 0; i < 5000; i++) {
      const count = Math.floor(random() * 5);
      const frames: Uint8Array[] = [];
      for (let f = 0; f < count; f++) {
        if (random() < 0.5) {
          const bytes = new Uint8Array(Math.floor(random() * 40));
          for (let b = 0; b < bytes.length; b++) bytes[b] = Math.floor(random() * 256);
          frames.push(bytes);
        } else {
          let text = '';
          const n = Math.floor(random() * 8);
          for (let p = 0; p < n; p++) text += pieces[Math.floor(random() * pieces.length)] ?? '';
          frames.push(utf8(text));
        }
      }
      const decoded = decodeMessage(frames);
      if (!decoded.ok) expect(['INVALID_MESSAGE', 'PROTOCOL_VERSION_MISMATCH']).toContain(decoded.code);
    }
  });

  it('survives deeply nested and huge JSON', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(decodeMessage([utf8('close'), utf8(deep)])).toMatchObject({ ok: false, code: 'INVALID_MESSAGE' });
    const nestedUnknown = `{"sessionId":"s","x":${deep}}`;
    expect(decodeMessage([utf8('close'), utf8(nestedUnknown)])).toMatchObject({
      ok: false,
      code: 'INVALID_MESSAGE',
    });
    const many = JSON.stringify({
      reqId: 'r',
      sessionId: 's',
      frame: 0,
      objects: Array.from({ length: 20_000 }, (_, i) => ({
        objId: `o${i}`,
        rle: 'PPYo1',
        bbox: [0, 0, 1, 1],
        area: 1,
        score: 1,
      })),
    });
    expect(decodeMessage([utf8('result'), utf8(many)], { sender: 'worker' }).ok).toBe(true);
  });
});
