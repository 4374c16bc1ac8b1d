import { describe, expect, it } from 'vitest';
import { signupBodySchema } from '@maskroom/shared';
import { formIssue } from './formIssue.js';

describe('formIssue', () => {
  it("names the field by its label and says the schema's complaint", () => {
    const r = signupBodySchema.safeParse({ email: 'a@b.c', password: 'short', displayName: 'Ada' });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(formIssue(r.error, { password: 'Password' }).message).toBe(
        'Password: use at least 10 characters',
      );
      expect(formIssue(r.error).message).toMatch(/^password: /);
    }
  });
});
