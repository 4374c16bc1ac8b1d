/** Who is here: names and colors, the frame each is on, and following one's playhead. */
import type { UserId } from '@maskroom/shared';
import type { Participant } from '../session/presence.js';

export interface PresenceBarProps {
  readonly me: { name: string; color: string } | null;
  readonly participants: readonly Participant[];
  readonly following: UserId | null;
  onFollow(userId: UserId | null): void;
}

export function PresenceBar(props: PresenceBarProps) {
  return (
    <div className="presence-bar" aria-label="People here" data-testid="presence-bar">
      {props.me && (
        <span className="person me" style={{ borderColor: props.me.color }} title="You">
          <span className="dot" style={{ background: props.me.color }} />
          {props.me.name} (you)
        </span>
      )}
      {props.participants.map((p) => {
        const following = props.following === p.user.id;
        return (
          <button
            type="button"
            key={p.clientId}
            className={`person${following ? ' following' : ''}`}
            style={{ borderColor: p.user.color }}
            data-testid="participant"
            data-user-name={p.user.name}
            title={following ? `Stop following ${p.user.name}` : `Follow ${p.user.name}'s playhead`}
            onClick={() => props.onFollow(following ? null : p.user.id)}
          >
            <span className="dot" style={{ background: p.user.color }} />
            {p.user.name} <span className="where">@{p.frame}</span>
            {following && <span className="tag">following</span>}
          </button>
        );
      })}
    </div>
  );
}
