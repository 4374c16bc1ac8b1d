/**
 * Sits between one socket and Hocuspocus so that a document closed and reopened on that socket
 * keeps working: a client closes a mask chunk doc when the playhead moves away and reopens it when
 * it comes back (`HocuspocusProvider.detach()` then `attach()`, or a new provider for the name).
 * Two Hocuspocus 4.7 / provider 4.8 behaviours break that (found by `convergence.test.ts`):
 *
 * 1. The server routes every frame of a document to its open `Connection`, which handles them one
 *    after another, awaiting the hooks (our durable log awaits a database append per update). A
 *    provider's Close frame is therefore handled only after the frames before it, and the frames
 *    of the reopening (Auth, SyncStep1, updates) that arrive meanwhile are queued on the closing
 *    connection too: the Auth is ignored there ("already fully authenticated"), the connection
 *    closes, and what follows waits for an Auth that never comes. The provider believes it is
 *    synced, yet receives no change any more, and its edits never reach the server.
 * 2. A provider detached while its socket is down queues its Close frame and sends it once the
 *    socket is back, before the Auth of its re-attachment; the server queues that Close as the
 *    first frame of the new connection, which it closes as soon as it is established.
 *
 * So: a Close frame is passed on only for a document that the frames passed on so far have opened
 * (an Auth) and that the server has not closed or refused since; any other Close closes nothing and
 * is dropped. After a Close is passed on, later frames of that document are held back until the
 * server has closed that connection (it answers with a Close frame of its own) or refused it, then
 * passed on in order: they open a new connection.
 */
import { IncomingMessage, MessageType, type WebSocketLike } from '@hocuspocus/server';

/** `AuthMessageType.PermissionDenied` of `@hocuspocus/common`. */
const AUTH_PERMISSION_DENIED = 1;

export interface FrameSink {
  handleMessage(data: Uint8Array): void;
}

export class SocketFrames {
  /** The socket to hand to Hocuspocus: the real one, with the server's frames observed. */
  readonly socket: WebSocketLike;
  /** Documents (by message address) that the frames passed on have opened and not yet closed. */
  private readonly open = new Set<string>();
  /** Frames held per document until its closing connection is gone. */
  private readonly held = new Map<string, Uint8Array[]>();
  private sink: FrameSink | undefined;
  private closed = false;

  constructor(raw: WebSocketLike) {
    this.socket = {
      get readyState() {
        return raw.readyState;
      },
      send: (data) => {
        if (data instanceof Uint8Array) this.sent(data);
        raw.send(data);
      },
      close: (code, reason) => raw.close(code, reason),
    };
  }

  /** Where frames go (Hocuspocus' connection for this socket, created with `socket`). */
  deliverTo(sink: FrameSink): void {
    this.sink = sink;
  }

  /** A frame from the client. */
  push(data: Uint8Array): void {
    if (this.closed || !this.sink) return;
    const head = peek(data);
    if (head) {
      const held = this.held.get(head.address);
      if (held) {
        held.push(data);
        return;
      }
      if (head.type === MessageType.Auth) {
        this.open.add(head.address);
      } else if (head.type === MessageType.CLOSE) {
        if (!this.open.delete(head.address)) return; // closes nothing
        this.held.set(head.address, []);
      }
    }
    this.sink.handleMessage(data);
  }

  /** The socket closed: nothing held is delivered any more. */
  close(): void {
    this.closed = true;
    this.held.clear();
    this.open.clear();
  }

  /** A frame from the server: a Close or a refusal ends that document's connection. */
  private sent(data: Uint8Array): void {
    const head = peek(data, true);
    if (!head) return;
    const ended =
      head.type === MessageType.CLOSE ||
      (head.type === MessageType.Auth && head.subtype === AUTH_PERMISSION_DENIED);
    if (!ended) return;
    this.open.delete(head.address);
    // Hocuspocus sends its Close once it has forgotten the connection; pass on what waited for
    // that after the current call (still inside Hocuspocus) returns.
    if (this.held.has(head.address)) queueMicrotask(() => this.release(head.address));
  }

  private release(address: string): void {
    const frames = this.held.get(address) ?? [];
    this.held.delete(address);
    for (const frame of frames) this.push(frame);
  }
}

/** The address, message type (and for Auth frames the subtype) at the start of a frame. */
function peek(
  data: Uint8Array,
  withSubtype = false,
): { address: string; type: number; subtype?: number } | null {
  try {
    const message = new IncomingMessage(data);
    const address = message.readVarString();
    const type = message.readVarUint();
    if (withSubtype && type === MessageType.Auth) return { address, type, subtype: message.readVarUint() };
    return { address, type };
  } catch {
    return null;
  }
}
