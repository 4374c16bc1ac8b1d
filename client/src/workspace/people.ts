/** Whose color is whose: a participant here shows their presence color; anyone else the stable hash of their id. */
import { colorForUser, type UserId } from '@maskroom/shared';
import type { Participant } from '../session/presence.js';

export function colorOfUser(userId: UserId | string, participants: readonly Participant[]): string {
  return participants.find((p) => p.user.id === userId)?.user.color ?? colorForUser(userId);
}

export function nameOfUser(
  userId: UserId | string,
  participants: readonly Participant[],
  me: { id: string; name: string } | null,
): string {
  if (me && me.id === userId) return 'you';
  return participants.find((p) => p.user.id === userId)?.user.name ?? 'someone';
}
