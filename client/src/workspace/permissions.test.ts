import { describe, expect, it } from 'vitest';
import { ROLES } from '@maskroom/shared';
import { deniedReason, permissionsOf, roleBannerText } from './permissions.js';

describe('permissionsOf', () => {
  it('lets owners and editors edit, reviewers review, and only owners share', () => {
    const table = Object.fromEntries(ROLES.map((r) => [r, permissionsOf(r)]));
    expect(ROLES.filter((r) => table[r]!.edit)).toEqual(['owner', 'editor']);
    expect(ROLES.filter((r) => table[r]!.review)).toEqual(['owner', 'reviewer']);
    expect(ROLES.filter((r) => table[r]!.comment)).toEqual(['owner', 'editor', 'reviewer']);
    expect(ROLES.filter((r) => table[r]!.resolve)).toEqual(['owner', 'editor']);
    expect(ROLES.filter((r) => table[r]!.manage)).toEqual(['owner']);
  });
});

describe('deniedReason', () => {
  it('names the role and the action when it is not allowed, and is null when it is', () => {
    expect(deniedReason('reviewer', 'edit')).toBe(
      'As a reviewer you cannot change masks, objects or prompts.',
    );
    expect(deniedReason('editor', 'review')).toBe('As an editor you cannot approve or reject objects.');
    expect(deniedReason('owner', 'manage')).toBeNull();
    expect(deniedReason('editor', 'edit')).toBeNull();
  });
});

describe('roleBannerText', () => {
  it('explains read-only roles and says nothing to those who edit', () => {
    expect(roleBannerText('owner')).toBeNull();
    expect(roleBannerText('editor')).toBeNull();
    expect(roleBannerText('reviewer')).toMatch(/^You are reviewing: approve or reject objects and comment/);
    expect(roleBannerText('viewer')).toMatch(/^You are viewing/);
  });
});
