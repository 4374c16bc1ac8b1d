import { describe, expect, it } from 'vitest';
import { presenceUserSchema, userIdSchema } from '@maskroom/shared';
import { LOCAL_USER, localUser, nameFromHeader } from './local-user.js';

describe('localUser', () => {
  it('gives the same id to the same name, whatever its case and surrounding blanks', () => {
    expect(localUser('Alice').id).toBe(localUser('  alice ').id);
    expect(localUser('Alice').name).toBe('Alice');
  });

  it('tells different names apart, each with a valid id and color', () => {
    const names = ['Alice', 'Bob', 'Carol', 'Dan', 'Eve', 'Frank'];
    const ids = new Set(names.map((n) => localUser(n).id));
    expect(ids.size).toBe(names.length);
    for (const n of names) {
      const user = localUser(n);
      expect(userIdSchema.safeParse(user.id).success).toBe(true);
      expect(presenceUserSchema.safeParse(user).success).toBe(true);
    }
  });

  it('falls back to the one local user without a usable name', () => {
    for (const raw of [null, undefined, '', '   ', '\u0000\u0007']) {
      expect(localUser(raw)).toMatchObject({ id: LOCAL_USER, name: 'Local user' });
    }
  });

  it('cuts overlong names to the presence limit', () => {
    const user = localUser('x'.repeat(500));
    expect(presenceUserSchema.safeParse(user).success).toBe(true);
  });
});

describe('nameFromHeader', () => {
  it('decodes the percent-encoded UTF-8 a browser sends, and keeps a malformed value literal', () => {
    expect(nameFromHeader(encodeURIComponent('Zoë 山田'))).toBe('Zoë 山田');
    expect(nameFromHeader('100%')).toBe('100%');
    expect(nameFromHeader(undefined)).toBeNull();
  });
});
