/**
 * The collaboration endpoint: Hocuspocus on the server's HTTP port at `/collab` (one WebSocket
 * multiplexing a session's main document and its mask chunk documents), with
 * - authorization per connection and document (`Authorizer`; read-only where it says so),
 * - the durable log (`DurableLog`: acknowledged ⇒ durable),
 * - presence whose `user` is the authenticated identity (`beforeHandleAwareness`),
 * - Redis relaying between server instances when `redisUrl` is set,
 * - the server-side write API (`SessionDocs`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Hocuspocus,
  isTransactionOrigin,
  type Extension,
  type WebSocketLike,
  type onAuthenticatePayload,
} from '@hocuspocus/server';
import { Redis } from '@hocuspocus/extension-redis';
import crossws from 'crossws/adapters/node';
import {
  MaskroomError,
  chunkCount,
  checkSchema,
  presenceUserSchema,
  presenceViewSchema,
  type PresenceUser,
  type PresenceView,
  type SessionId,
} from '@maskroom/shared';
import { crossSiteReason } from '../auth/csrf.js';
import { DocLog, type DB } from '../db/index.js';
import type { Logger } from '../log.js';
import { requireDocName, type Access, type Authorizer, type Caller } from './access.js';
import { DurableLog } from './DurableLog.js';
import { PresenceDepartures } from './PresenceDepartures.js';
import { SessionDocs } from './SessionDocs.js';
import { SocketFrames } from './SocketFrames.js';

export const COLLAB_PATH = '/collab';
/** Closing a socket for a failure of ours (not a refusal): the provider reconnects with backoff. */
export const CLOSE_UNAVAILABLE = { code: 4205, reason: 'server unavailable: reconnect later' } as const;
/** Largest WebSocket message: a reconnecting client may send a whole mask chunk document. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** What every connection carries after `onAuthenticate`. */
export interface ConnectionContext {
  readonly user: PresenceUser;
  readonly access: Access;
}

export interface CollabDeps {
  readonly db: DB;
  readonly log: Logger;
  readonly authorizer: Authorizer;
  /** Frames of a session's video (null: no such session); bounds the mask chunk documents. */
  readonly numFramesOf: (session: SessionId) => Promise<number | null>;
  /**
   * Who is behind an upgrade request (local mode: the local user, named by `?name=`; accounts
   * mode: the login cookie); null when nobody valid is.
   */
  readonly callerOf: (request: Request) => Promise<Caller | null>;
  readonly instanceId: string;
  readonly redisUrl?: string | undefined;
  readonly compactAfterRows?: number;
}

export interface Collab {
  readonly hocuspocus: Hocuspocus<ConnectionContext>;
  readonly docs: SessionDocs;
  readonly log: DocLog;
  /** Handles an HTTP upgrade for `/collab`; false if the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes the connections of these users (e.g. guests whose link was revoked). */
  disconnectUsers(userIds: ReadonlySet<string>): void;
  /** Closes every socket (clients reconnect elsewhere) and the direct connections. */
  close(): Promise<void>;
}

export function createCollab(deps: CollabDeps): Collab {
  const log = deps.log.child({ component: 'collab' });
  const docLog = new DocLog(deps.db);
  const extensions: Extension[] = [
    new DurableLog({ log: docLog, logger: log, compactAfterRows: deps.compactAfterRows }),
  ];
  if (deps.redisUrl) {
    const url = new URL(deps.redisUrl);
    const redis = new Redis({
      host: url.hostname,
      port: Number(url.port || 6379),
      identifier: deps.instanceId,
      prefix: 'maskroom',
      ...(url.password ? { options: { password: decodeURIComponent(url.password) } } : {}),
    });
    // The extension loses presence departures between instances; this relays them.
    extensions.push(redis, new PresenceDepartures(redis, log));
    log.info('relaying collaboration updates through Redis', { host: url.hostname, port: url.port });
  }

  /** The socket behind each upgrade request (hooks get the request, not the socket). */
  const peerOfRequest = new WeakMap<Request, { close(code?: number, reason?: string): void }>();
  const hocuspocus = new Hocuspocus<ConnectionContext>({
    name: deps.instanceId,
    quiet: true,
    extensions,

    async onAuthenticate(payload: onAuthenticatePayload<ConnectionContext>): Promise<ConnectionContext> {
      try {
        const name = requireDocName(payload.documentName);
        const caller = await deps.callerOf(payload.request);
        if (!caller) throw new MaskroomError('UNAUTHENTICATED', 'log in or open a share link first');
        const access = await deps.authorizer.authorize(caller, name.sessionId);
        if (name.kind === 'masks') {
          const numFrames = await deps.numFramesOf(name.sessionId);
          if (numFrames === null || name.chunk >= chunkCount(numFrames)) {
            throw new MaskroomError('NOT_FOUND', `no mask chunk ${name.chunk} in this session`);
          }
        }
        if (access === 'read') payload.connectionConfig.readOnly = true;
        return { user: caller.user, access };
      } catch (error) {
        if (isRefusal(error)) {
          // Hocuspocus answers PermissionDenied with this reason; the socket stays open.
          throw Object.assign(error, { reason: `${error.code}: ${error.message}` });
        }
        // The database (or another dependency) failed: that is no answer. A PermissionDenied
        // would leave the provider unauthenticated for good, holding its edits; closing the
        // socket makes it reconnect (with backoff) and authenticate again.
        log.warn('could not authorize a document connection: closing the socket so the client retries', {
          documentName: payload.documentName.slice(0, 200),
          err: error,
        });
        peerOfRequest.get(payload.request)?.close(CLOSE_UNAVAILABLE.code, CLOSE_UNAVAILABLE.reason);
        throw error;
      }
    },

    async afterLoadDocument({ documentName, document }) {
      const name = requireDocName(documentName);
      if (name.kind === 'main') {
        // Older documents are migrated once, on the server; clients only check.
        const state = checkSchema(document, {
          migrate: true,
          origin: { source: 'local', context: { writer: 'migration' } },
        });
        if (state.state === 'migrated') log.info('migrated a session document', { documentName, ...state });
      }
    },

    async beforeHandleAwareness({ states, context, documentName, transactionOrigin }) {
      const name = requireDocName(documentName);
      // A state relayed by another instance (Redis) was cleaned there, its `user` included; it is
      // checked again here, but its `user` is kept (there is no connection context to take it from).
      const relayed = isTransactionOrigin(transactionOrigin) && transactionOrigin.source === 'redis';
      for (const [clientId, state] of states) {
        // Presence lives on the main document only; elsewhere a state is reduced to nothing.
        const user = relayed ? presenceUserSchema.safeParse(state.user).data : context?.user;
        if (name.kind !== 'main' || !user) {
          states.set(clientId, {});
          continue;
        }
        states.set(clientId, { ...presenceView(state), user });
      }
    },
  });

  const ws = crossws({
    serverOptions: { maxPayload: MAX_MESSAGE_BYTES },
    hooks: {
      open(peer) {
        // Frames go through SocketFrames, which keeps a document closed and reopened on this
        // socket working (see there).
        const frames = new SocketFrames(peer.websocket as unknown as WebSocketLike);
        const connection = hocuspocus.handleConnection(frames.socket, peer.request as Request);
        frames.deliverTo(connection);
        peers.set(peer, { connection, frames });
        peerOfRequest.set(peer.request as Request, peer);
      },
      message(peer, message) {
        peers.get(peer)?.frames.push(message.uint8Array());
      },
      close(peer, event) {
        const entry = peers.get(peer);
        entry?.frames.close();
        entry?.connection.handleClose({ code: event.code ?? 1000, reason: event.reason ?? '' });
        peers.delete(peer);
      },
      error(_peer, error) {
        log.warn('websocket error', { err: error });
      },
    },
  });
  const peers = new Map<
    object,
    { connection: ReturnType<Hocuspocus['handleConnection']>; frames: SocketFrames }
  >();
  const docs = new SessionDocs(hocuspocus, docLog, log);

  return {
    hocuspocus,
    docs,
    log: docLog,
    disconnectUsers(userIds) {
      for (const document of hocuspocus.documents.values()) {
        for (const connection of document.getConnections()) {
          if (userIds.has(connection.context.user.id))
            connection.close({ code: 4403, reason: 'access revoked' });
        }
      }
    },
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== COLLAB_PATH) return false;
      // A page of another site may not open a socket with this site's cookie.
      const crossSite = crossSiteReason(req.headers);
      if (crossSite) {
        log.warn('refused a cross-site collaboration socket', { why: crossSite });
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      void ws.handleUpgrade(req, socket, head);
      return true;
    },
    async close() {
      await docs.close();
      hocuspocus.closeConnections();
      for (const ext of extensions) await ext.onDestroy?.({ instance: hocuspocus });
    },
  };
}

/**
 * An answer to "may this caller open this document?" (bad name, no such session, no access), as
 * opposed to a failure to find out (database down: anything else, or a retryable error).
 */
function isRefusal(error: unknown): error is MaskroomError {
  return error instanceof MaskroomError && !error.retryable && error.code !== 'INTERNAL';
}

/**
 * The valid presence fields of a client's awareness state, each checked on its own: an invalid or
 * unknown field is dropped and the others are kept (a client that has only set its playhead so far
 * still shows it). `user` is never taken from here.
 */
export function presenceView(state: Readonly<Record<string, unknown>>): Partial<PresenceView> {
  const view: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(presenceViewSchema.shape)) {
    if (!Object.hasOwn(state, field)) continue;
    const parsed = schema.safeParse(state[field]);
    if (parsed.success) view[field] = parsed.data;
  }
  return view as Partial<PresenceView>;
}
