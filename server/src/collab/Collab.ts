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
  presenceViewSchema,
  type PresenceUser,
  type SessionId,
} from '@maskroom/shared';
import { DocLog, type DB } from '../db/index.js';
import type { Logger } from '../log.js';
import { requireDocName, type Access, type Authorizer, type Caller } from './access.js';
import { DurableLog } from './DurableLog.js';
import { SessionDocs } from './SessionDocs.js';

export const COLLAB_PATH = '/collab';
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
  /** Who is behind an upgrade request (local mode: the local user, named by `?name=`). */
  readonly callerOf: (request: Request) => Promise<Caller>;
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
    extensions.push(
      new Redis({
        host: url.hostname,
        port: Number(url.port || 6379),
        identifier: deps.instanceId,
        prefix: 'maskroom',
        ...(url.password ? { options: { password: decodeURIComponent(url.password) } } : {}),
      }),
    );
    log.info('relaying collaboration updates through Redis', { host: url.hostname, port: url.port });
  }

  const hocuspocus = new Hocuspocus<ConnectionContext>({
    name: deps.instanceId,
    quiet: true,
    extensions,

    async onAuthenticate(payload: onAuthenticatePayload<ConnectionContext>): Promise<ConnectionContext> {
      const name = requireDocName(payload.documentName);
      const caller = await deps.callerOf(payload.request);
      const access = await deps.authorizer.authorize(caller, name.sessionId);
      if (name.kind === 'masks') {
        const numFrames = await deps.numFramesOf(name.sessionId);
        if (numFrames === null || name.chunk >= chunkCount(numFrames)) {
          throw new MaskroomError('NOT_FOUND', `no mask chunk ${name.chunk} in this session`);
        }
      }
      if (access === 'read') payload.connectionConfig.readOnly = true;
      return { user: caller.user, access };
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

    async beforeHandleAwareness({ states, context, documentName }) {
      const name = requireDocName(documentName);
      for (const [clientId, state] of states) {
        // Presence lives on the main document only; elsewhere a state is reduced to nothing.
        if (name.kind !== 'main' || !context) {
          states.set(clientId, {});
          continue;
        }
        const view = presenceViewSchema.safeParse(
          Object.fromEntries(Object.entries(state).filter(([k]) => k !== 'user')),
        );
        states.set(clientId, view.success ? { ...view.data, user: context.user } : { user: context.user });
      }
    },
  });

  const ws = crossws({
    serverOptions: { maxPayload: MAX_MESSAGE_BYTES },
    hooks: {
      open(peer) {
        const connection = hocuspocus.handleConnection(
          peer.websocket as unknown as WebSocketLike,
          peer.request as Request,
        );
        peers.set(peer, connection);
      },
      message(peer, message) {
        peers.get(peer)?.handleMessage(message.uint8Array());
      },
      close(peer, event) {
        peers.get(peer)?.handleClose({ code: event.code ?? 1000, reason: event.reason ?? '' });
        peers.delete(peer);
      },
      error(_peer, error) {
        log.warn('websocket error', { err: error });
      },
    },
  });
  const peers = new Map<object, ReturnType<Hocuspocus['handleConnection']>>();
  const docs = new SessionDocs(hocuspocus, docLog, log);

  return {
    hocuspocus,
    docs,
    log: docLog,
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== COLLAB_PATH) return false;
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
