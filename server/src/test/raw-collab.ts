/**
 * A hand-driven client of the collaboration socket (`ws`, no provider), for sending exactly the
 * frames a test wants: well-formed, malformed, out of order. Hocuspocus frames are
 * `[varString documentName][varUint messageType][payload]`; sync payloads are y-protocols'
 * `[varUint syncType][varUint8Array update]` (research/collab.md §8).
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';

export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  SyncReply: 4,
  Stateless: 5,
  BroadcastStateless: 6,
  Close: 7,
  SyncStatus: 8,
} as const;
export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;

// --- lib0-compatible encoding ---------------------------------------------------------------------

export function varUint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

export function varBytes(bytes: Uint8Array): number[] {
  return [...varUint(bytes.length), ...bytes];
}

export function varString(s: string): number[] {
  return varBytes(new TextEncoder().encode(s));
}

export function frame(...parts: Array<number[] | Uint8Array>): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

export const authFrame = (doc: string, token = ''): Uint8Array =>
  frame(varString(doc), [MessageType.Auth, 0], varString(token), varString('raw-test'));

export const syncFrame = (doc: string, syncType: number, update: Uint8Array): Uint8Array =>
  frame(varString(doc), [MessageType.Sync, syncType], varBytes(update));

export const awarenessFrame = (doc: string, update: Uint8Array): Uint8Array =>
  frame(varString(doc), [MessageType.Awareness], varBytes(update));

// --- decoding of what the server sends ------------------------------------------------------------

export type Incoming =
  | { doc: string; type: 'sync'; syncType: number; update: Uint8Array }
  | { doc: string; type: 'awareness'; update: Uint8Array }
  | { doc: string; type: 'authenticated'; scope: string }
  | { doc: string; type: 'permission-denied'; reason: string }
  | { doc: string; type: 'close'; reason: string }
  | { doc: string; type: 'sync-status'; applied: boolean }
  | { doc: string; type: 'other'; messageType: number };

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  uint(): number {
    let n = 0;
    let mult = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('truncated varUint');
      n += (b & 0x7f) * mult;
      if (b < 0x80) return n;
      mult *= 128;
    }
  }
  bytes(): Uint8Array {
    const len = this.uint();
    if (this.pos + len > this.buf.length) throw new RangeError('truncated bytes');
    const out = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  string(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

export function decodeIncoming(data: Uint8Array): Incoming {
  const r = new Reader(data);
  const doc = r.string();
  const type = r.uint();
  switch (type) {
    case MessageType.Sync:
    case MessageType.SyncReply: {
      const syncType = r.uint();
      return { doc, type: 'sync', syncType, update: r.bytes() };
    }
    case MessageType.Awareness:
      return { doc, type: 'awareness', update: r.bytes() };
    case MessageType.Auth: {
      const auth = r.uint();
      if (auth === 2) return { doc, type: 'authenticated', scope: r.string() };
      if (auth === 1) return { doc, type: 'permission-denied', reason: r.string() };
      return { doc, type: 'other', messageType: type };
    }
    case MessageType.Close:
      return { doc, type: 'close', reason: r.string() };
    case MessageType.SyncStatus:
      return { doc, type: 'sync-status', applied: r.uint() === 1 };
    default:
      return { doc, type: 'other', messageType: type };
  }
}

// --- the socket ----------------------------------------------------------------------------------

export interface RawClosed {
  readonly code: number;
  readonly reason: string;
}

export class RawCollabSocket {
  readonly received: Incoming[] = [];
  readonly closed: Promise<RawClosed>;
  private closedWith: RawClosed | null = null;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        resolve(this.closedWith);
      });
    });
    ws.on('error', () => {}); // a reset by the server is a close here
    ws.on('message', (data: Buffer) => {
      try {
        this.received.push(decodeIncoming(new Uint8Array(data)));
      } catch {
        this.received.push({ doc: '', type: 'other', messageType: -1 });
      }
    });
  }

  static open(baseUrl: string, query = ''): Promise<RawCollabSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/collab${query}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawCollabSocket(ws)));
      ws.once('error', reject);
    });
  }

  get isClosed(): RawClosed | null {
    return this.closedWith;
  }

  send(data: Uint8Array): void {
    this.ws.send(data);
  }

  /** Sends several WebSocket messages in one write, so the server reads them in one chunk. */
  sendTogether(messages: readonly Uint8Array[]): void {
    const socket = (this.ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    for (const m of messages) this.ws.send(m);
    process.nextTick(() => socket.uncork());
  }

  /** Resolves with the first message (already received or to come) that `pick` accepts. */
  async next<T extends Incoming>(pick: (m: Incoming) => m is T, timeoutMs?: number): Promise<T>;
  async next(pick: (m: Incoming) => boolean, timeoutMs?: number): Promise<Incoming>;
  async next(pick: (m: Incoming) => boolean, timeoutMs = 10_000): Promise<Incoming> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.received.length; seen++) if (pick(this.received[seen]!)) return this.received[seen]!;
      if (Date.now() > deadline) {
        throw new Error(`no such message; received: ${JSON.stringify(this.received.map(brief))}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Sends Auth for `doc` and waits for the answer (authenticated or permission-denied). */
  async auth(doc: string, token = ''): Promise<Incoming> {
    const from = this.received.length;
    this.send(authFrame(doc, token));
    return this.next(
      (m) =>
        this.received.indexOf(m) >= from &&
        m.doc === doc &&
        (m.type === 'authenticated' || m.type === 'permission-denied'),
    );
  }

  /** Sends a sync frame and waits for its SyncStatus (or a close of the document). */
  async syncAndWait(doc: string, syncType: number, update: Uint8Array): Promise<Incoming> {
    const from = this.received.length;
    this.send(syncFrame(doc, syncType, update));
    return this.next(
      (m) =>
        this.received.indexOf(m) >= from && m.doc === doc && (m.type === 'sync-status' || m.type === 'close'),
    );
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

function brief(m: Incoming): unknown {
  switch (m.type) {
    case 'sync':
    case 'awareness':
      return { doc: m.doc, type: m.type, bytes: m.update.length };
    default:
      return m;
  }
}
