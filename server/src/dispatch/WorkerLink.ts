/**
 * The server's end of the worker protocol (DESIGN §5): a ZeroMQ ROUTER that workers' DEALERs
 * connect to. Every incoming message is validated against the protocol in `shared`; anything
 * invalid (wrong version, bad JSON, unknown type, oversized) is dropped and counted, never
 * passed on. Outgoing messages are validated too (`encodeMessage`).
 */
import { Router } from 'zeromq';
import { decodeMessage, encodeMessage, type ServerMessage, type WorkerMessage } from '@maskroom/shared';
import type { Logger } from '../log.js';

/** Largest message a worker may send; ZeroMQ drops the connection of a peer that exceeds it. */
export const MAX_WORKER_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A worker's ZeroMQ routing id, as text (workers set a printable one). */
export type PeerId = string & { readonly __peer: unique symbol };

export interface WorkerLinkEvents {
  message(peer: PeerId, message: WorkerMessage): void;
  /** An invalid message was dropped. */
  rejected(peer: PeerId, code: string, reason: string): void;
}

export class WorkerLink {
  private readonly socket = new Router({
    maxMessageSize: MAX_WORKER_MESSAGE_BYTES,
    mandatory: false,
    linger: 0,
  });
  private readonly peers = new Map<PeerId, Buffer>();
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly events: WorkerLinkEvents,
    private readonly log: Logger,
  ) {}

  async bind(endpoint: string): Promise<string> {
    await this.socket.bind(endpoint);
    this.loop = this.receive();
    return this.socket.lastEndpoint ?? endpoint;
  }

  /** Sends a validated message to a worker; false if the worker is unknown or gone. */
  async send(peer: PeerId, message: ServerMessage): Promise<boolean> {
    const routing = this.peers.get(peer);
    if (!routing || this.closed) return false;
    const frames = encodeMessage(message);
    try {
      await this.socket.send([routing, ...frames]);
      return true;
    } catch (error) {
      this.log.warn('send to worker failed', { peer, type: message.type, err: error });
      return false;
    }
  }

  private async receive(): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await this.socket.receive();
      } catch (error) {
        if (this.closed) return;
        this.log.error('worker socket receive failed', { err: error });
        continue;
      }
      const [routing, ...rest] = frames;
      if (!routing) continue;
      const peer = routing.toString('latin1') as PeerId;
      const decoded = decodeMessage(
        rest.map((f) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength)),
        { sender: 'worker' },
      );
      if (!decoded.ok) {
        this.log.warn('dropped an invalid worker message', {
          peer: printable(peer),
          code: decoded.code,
          reason: decoded.message,
        });
        this.events.rejected(peer, decoded.code, decoded.message);
        continue;
      }
      this.peers.set(peer, routing);
      try {
        this.events.message(peer, decoded.message);
      } catch (error) {
        this.log.error('handling a worker message failed', {
          peer: printable(peer),
          type: decoded.message.type,
          err: error,
        });
      }
    }
  }

  forget(peer: PeerId): void {
    this.peers.delete(peer);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket.close();
    await this.loop?.catch(() => undefined);
  }
}

/** A routing id safe to log (workers choose their own). */
export function printable(peer: string): string {
  return peer.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
}
