/** Share links over HTTP (docs/api.md): create, list and revoke (owner), look up and join (anyone). */
import {
  createdLinkSchema,
  joinedLinkSchema,
  linkInfoSchema,
  linkListSchema,
  type CreateLinkBody,
  type CreatedLink,
  type JoinLinkBody,
  type JoinedLink,
  type LinkInfo,
  type SessionId,
  type ShareLink,
} from '@maskroom/shared';
import { getJson, seg, sendJson, type RequestOptions } from './http.js';

const linksOf = (sessionId: SessionId): string => `/api/sessions/${seg(sessionId)}/links`;

/** A new link; its token (and `path`, `/s/<token>`) is in this answer only. */
export const createLink = (
  sessionId: SessionId,
  body: CreateLinkBody,
  opts?: RequestOptions,
): Promise<CreatedLink> => sendJson('POST', linksOf(sessionId), body, createdLinkSchema, opts);

export async function listLinks(sessionId: SessionId, opts?: RequestOptions): Promise<ShareLink[]> {
  return (await getJson(linksOf(sessionId), linkListSchema, opts)).links;
}

/** The link, and every guest login made with it, stop working. */
export const revokeLink = (sessionId: SessionId, linkId: string, opts?: RequestOptions): Promise<void> =>
  sendJson('DELETE', `${linksOf(sessionId)}/${seg(linkId)}`, undefined, undefined, opts);

/** What a link opens; `LINK_EXPIRED` / `LINK_REVOKED` (410) or `NOT_FOUND` when it opens nothing. */
export const getLinkInfo = (token: string, opts?: RequestOptions): Promise<LinkInfo> =>
  getJson(`/api/links/${seg(token)}`, linkInfoSchema, opts);

/** Logged in: membership with the link's role; otherwise a guest login (a `displayName` is needed). */
export const joinLink = (token: string, body: JoinLinkBody, opts?: RequestOptions): Promise<JoinedLink> =>
  sendJson('POST', `/api/links/${seg(token)}/join`, body, joinedLinkSchema, opts);
