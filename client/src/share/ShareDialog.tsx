/**
 * The owner's share dialog: a new link with a role and an expiry (its address is shown this once,
 * with Copy), and the session's links so far with their state and Revoke.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  LINK_ROLES,
  type CreatedLink,
  type LinkRole,
  type SessionId,
  type ShareLink,
} from '@maskroom/shared';
import { createLink, listLinks, revokeLink } from '../api/links.js';
import { Dialog } from '../app/Dialog.js';
import { ErrorNote } from '../library/ErrorNote.js';
import { EXPIRY_CHOICES, ROLE_DESCRIPTIONS, linkState, relativeTime, shareUrl } from './linkState.js';
import './share.css';

export function ShareDialog({ sessionId, onClose }: { sessionId: SessionId; onClose(): void }) {
  const [role, setRole] = useState<LinkRole>('reviewer');
  const [hours, setHours] = useState<number>(EXPIRY_CHOICES[2].hours);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedLink | null>(null);
  const [copied, setCopied] = useState(false);
  const [links, setLinks] = useState<readonly ShareLink[] | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [revoking, setRevoking] = useState<string | null>(null);

  const refresh = useCallback(async (): Promise<void> => {
    try {
      const all = await listLinks(sessionId);
      setLinks([...all].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
    } catch (error) {
      setProblem(error);
    }
  }, [sessionId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const create = async (): Promise<void> => {
    setCreating(true);
    setProblem(null);
    setCopied(false);
    try {
      setCreated(await createLink(sessionId, { role, expiresInHours: hours }));
      await refresh();
    } catch (error) {
      setProblem(error);
    } finally {
      setCreating(false);
    }
  };

  const revoke = async (linkId: string): Promise<void> => {
    setRevoking(linkId);
    setProblem(null);
    try {
      await revokeLink(sessionId, linkId);
      await refresh();
    } catch (error) {
      setProblem(error);
    } finally {
      setRevoking(null);
    }
  };

  const url = created ? shareUrl(window.location.origin, created.path) : null;
  const copy = async (): Promise<void> => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // No clipboard (plain HTTP on a LAN address): leave the address selected to copy by hand.
      const field = document.querySelector<HTMLInputElement>('[data-testid="created-link-url"]');
      field?.focus();
      field?.select();
    }
  };

  const now = Date.now();
  return (
    <Dialog title="Share this session" testId="share-dialog" onClose={onClose}>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          if (!creating) void create();
        }}
      >
        <label>
          People who open the link can
          <select
            value={role}
            onChange={(e) => setRole(e.target.value as LinkRole)}
            data-testid="link-role-select"
          >
            {LINK_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}: {ROLE_DESCRIPTIONS[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          The link works for
          <select
            value={hours}
            onChange={(e) => setHours(Number(e.target.value))}
            data-testid="link-expiry-select"
          >
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.hours} value={c.hours}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={creating} data-testid="create-link">
            {creating ? 'Creating…' : 'Create link'}
          </button>
        </div>
      </form>
      {created && url && (
        <div className="created-link" data-testid="created-link" data-link-id={created.link.id}>
          <p className="form-note">
            Send this address to the people you invite. It is shown only now: copy it before closing.
          </p>
          <div className="created-link-row">
            <input
              readOnly
              value={url}
              onFocus={(e) => e.currentTarget.select()}
              aria-label="Link address"
              data-testid="created-link-url"
            />
            <button type="button" className="btn" onClick={() => void copy()} data-testid="copy-link">
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
      {problem !== null && <ErrorNote error={problem} testId="share-error" />}
      <h3 className="links-heading">Links of this session</h3>
      {links === null ? (
        <p className="form-note">Loading…</p>
      ) : links.length === 0 ? (
        <p className="form-note" data-testid="no-links">
          No links yet.
        </p>
      ) : (
        <ul className="link-list">
          {links.map((l) => {
            const state = linkState(l, now);
            return (
              <li
                key={l.id}
                className={`link-row link-${state}`}
                data-testid="link-row"
                data-link-id={l.id}
                data-state={state}
              >
                <span className="link-row-role">{l.role}</span>
                <span className="link-row-when" title={`created ${l.createdAt}, expires ${l.expiresAt}`}>
                  {state === 'revoked'
                    ? `revoked ${relativeTime(l.revokedAt!, now)}`
                    : state === 'expired'
                      ? `expired ${relativeTime(l.expiresAt, now)}`
                      : `expires ${relativeTime(l.expiresAt, now)}`}
                </span>
                {state === 'active' && (
                  <button
                    type="button"
                    className="btn btn-danger"
                    disabled={revoking === l.id}
                    onClick={() => void revoke(l.id)}
                    title="The link, and every guest who came in with it, stop working"
                    data-testid="revoke-link"
                  >
                    {revoking === l.id ? 'Revoking…' : 'Revoke'}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Dialog>
  );
}
