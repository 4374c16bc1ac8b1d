import { describe, expect, it } from 'vitest';
import type { SessionId } from '../ids.js';
import { DocError } from './errors.js';
import { formatDocName, mainDocName, maskChunkDocName, parseDocName } from './names.js';

const S = 'sess_01-AB' as SessionId;

describe('doc names', () => {
  it('formats the main and chunk names', () => {
    expect(mainDocName(S)).toBe('session/sess_01-AB');
    expect(maskChunkDocName(S, 0)).toBe('session/sess_01-AB/masks/0');
    expect(maskChunkDocName(S, 12)).toBe('session/sess_01-AB/masks/12');
  });

  it('refuses to format bad ids and chunk indexes', () => {
    for (const bad of ['', 'a/b', 'a b', 'é', 'x'.repeat(65)]) {
      expect(() => mainDocName(bad as SessionId)).toThrow(DocError);
    }
    for (const k of [-1, 1.5, Number.NaN]) {
      expect(() => maskChunkDocName(S, k)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('parses what it formats', () => {
    expect(parseDocName('session/sess_01-AB')).toEqual({ kind: 'main', sessionId: S });
    expect(parseDocName('session/sess_01-AB/masks/0')).toEqual({ kind: 'masks', sessionId: S, chunk: 0 });
    expect(parseDocName('session/a/masks/907')).toEqual({ kind: 'masks', sessionId: 'a', chunk: 907 });
    expect(parseDocName(`session/${'x'.repeat(64)}`)).toEqual({ kind: 'main', sessionId: 'x'.repeat(64) });
  });

  it.each([
    '',
    'session',
    'session/',
    'session//masks/0',
    '/session/a',
    'session/a/',
    'Session/a',
    'sessions/a',
    'session/a b',
    'session/a.b',
    'session/ä',
    `session/${'x'.repeat(65)}`,
    'session/a/masks',
    'session/a/masks/',
    'session/a/masks/01',
    'session/a/masks/00',
    'session/a/masks/-1',
    'session/a/masks/+1',
    'session/a/masks/1.0',
    'session/a/masks/1e3',
    'session/a/masks/ 1',
    'session/a/masks/1 ',
    'session/a/masks/0x1',
    'session/a/masks/١',
    'session/a/masks/1/',
    'session/a/masks/1/x',
    'session/a/mask/1',
    'session/a/MASKS/1',
    'session/a/objects/1',
    'session/a\n',
    'session/a/masks/1\n',
    'session/a\u0000',
    'session/a/masks/9999999999999999',
  ])('rejects %j', (name) => {
    expect(parseDocName(name)).toBeNull();
  });

  it('rejects non-strings', () => {
    for (const v of [undefined, null, 1, {}, ['session', 'a']]) expect(parseDocName(v)).toBeNull();
  });

  it('round-trips or rejects random names built from the grammar pieces', () => {
    // seeded LCG so failures reproduce
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = [
      'session',
      'masks',
      'a',
      'Z9',
      '_',
      '-',
      '0',
      '1',
      '07',
      '42',
      '/',
      '',
      ' ',
      '.',
      '%2F',
      'é',
      'x'.repeat(64),
    ];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const n = 1 + rand(6);
      let name = '';
      for (let j = 0; j < n; j++) name += pieces[rand(pieces.length)];
      if (rand(2) === 0) name = `session/${name}`;
      const parsed = parseDocName(name);
      if (parsed !== null) {
        accepted++;
        expect(formatDocName(parsed)).toBe(name);
      }
    }
    // the generator must actually produce some valid names for the round-trip to mean anything
    expect(accepted).toBeGreaterThan(50);
  });
});
