/**
 * Names of the Hocuspocus documents of a session (DESIGN §3):
 * `session/<sessionId>` (main doc) and `session/<sessionId>/masks/<k>` (mask chunk k).
 */
import { isIdString } from '../ids.js';
import type { SessionId } from '../ids.js';
import { DocError } from './errors.js';

export type DocName =
  | { readonly kind: 'main'; readonly sessionId: SessionId }
  | { readonly kind: 'masks'; readonly sessionId: SessionId; readonly chunk: number };

const PREFIX = 'session';
const MASKS = 'masks';
/** A non-negative integer without leading zeros, at most 15 digits (always a safe integer). */
const CHUNK_INDEX = /^(?:0|[1-9][0-9]{0,14})$/;

const checkSessionId = (sessionId: string): void => {
  if (!isIdString(sessionId)) {
    throw new DocError('INVALID_ARGUMENT', `not a session id: ${JSON.stringify(sessionId)}`);
  }
};

export function mainDocName(sessionId: SessionId): string {
  checkSessionId(sessionId);
  return `${PREFIX}/${sessionId}`;
}

export function maskChunkDocName(sessionId: SessionId, k: number): string {
  checkSessionId(sessionId);
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new DocError('INVALID_ARGUMENT', `not a chunk index: ${k}`);
  }
  return `${PREFIX}/${sessionId}/${MASKS}/${k}`;
}

/** The name formatted back from a parsed name (inverse of {@link parseDocName}). */
export function formatDocName(name: DocName): string {
  return name.kind === 'main' ? mainDocName(name.sessionId) : maskChunkDocName(name.sessionId, name.chunk);
}

/**
 * Parses a document name strictly; anything else (extra segments, other prefixes, ids outside
 * the id charset, chunk indexes with signs, leading zeros, decimals or spaces) gives `null`.
 */
export function parseDocName(name: unknown): DocName | null {
  if (typeof name !== 'string' || name.length > 200) return null;
  const parts = name.split('/');
  if (parts[0] !== PREFIX) return null;
  const sessionId = parts[1];
  if (sessionId === undefined || !isIdString(sessionId)) return null;
  if (parts.length === 2) return { kind: 'main', sessionId: sessionId as SessionId };
  const k = parts[3];
  if (parts.length !== 4 || parts[2] !== MASKS || k === undefined || !CHUNK_INDEX.test(k)) return null;
  return { kind: 'masks', sessionId: sessionId as SessionId, chunk: Number(k) };
}
