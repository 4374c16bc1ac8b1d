/**
 * Presence departures between server instances (DESIGN §9), beside Hocuspocus' Redis extension.
 *
 * The extension relays awareness, but a participant who leaves one instance stays visible on the
 * others until y-protocols' 30 s timeout, for two reasons (Hocuspocus 4.7, found by
 * `presence.test.ts`):
 * - the receiving instance passes a relayed update through the awareness hook's scratch copy,
 *   which re-encodes only the clients that still have a state, so a removal is dropped;
 * - when the last connection of a document on an instance closes, the extension's publish (one
 *   event-loop turn later) finds no connection left and sends nothing.
 * So this extension publishes each departure itself, on the document's channel in the extension's
 * framing, and applies departures it receives straight to the document's awareness.
 */
import {
  IncomingMessage,
  MessageType,
  OutgoingMessage,
  isTransactionOrigin,
  type Extension,
  type Hocuspocus,
  type onAwarenessUpdatePayload,
  type onConfigurePayload,
} from '@hocuspocus/server';
import type { Redis } from '@hocuspocus/extension-redis';
import { removeAwarenessStates } from 'y-protocols/awareness';
import type { Logger } from '../log.js';

export class PresenceDepartures implements Extension {
  private instance: Hocuspocus | undefined;
  private readonly framePrefix: Buffer;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {
    // The Redis extension's framing: [identifier length][identifier][Hocuspocus message].
    const id = Buffer.from(redis.configuration.identifier, 'utf8');
    this.framePrefix = Buffer.concat([Buffer.from([id.length]), id]);
    redis.sub.on('messageBuffer', this.onRelayed);
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  async onAwarenessUpdate({
    documentName,
    awareness,
    removed,
    transactionOrigin,
  }: onAwarenessUpdatePayload): Promise<void> {
    if (removed.length === 0) return;
    if (isTransactionOrigin(transactionOrigin) && transactionOrigin.source === 'redis') return;
    // Removed clients have no state: they are encoded as null, with their last clock.
    const message = new OutgoingMessage(documentName)
      .createAwarenessUpdateMessage(awareness, removed)
      .toUint8Array();
    const channel = `${this.redis.configuration.prefix}:${documentName}`;
    try {
      await this.redis.pub.publish(channel, Buffer.concat([this.framePrefix, message]));
    } catch (error) {
      this.logger.warn('could not relay a presence departure', { documentName, err: error });
    }
  }

  private readonly onRelayed = (_channel: Buffer, data: Buffer): void => {
    try {
      const idLength = data[0] ?? 0;
      if (data.subarray(0, idLength + 1).equals(this.framePrefix)) return; // our own
      const message = new IncomingMessage(data.subarray(idLength + 1));
      const documentName = message.readVarString();
      if (message.readVarUint() !== MessageType.Awareness) return;
      const document = this.instance?.documents.get(documentName);
      if (!document) return;
      // y-protocols' awareness update: count, then (clientID, clock, JSON state) per client.
      const update = new IncomingMessage(message.readVarUint8Array());
      const connectedHere = new Set<number>();
      for (const { clients } of document.connections.values())
        for (const id of clients as Set<number>) connectedHere.add(id);
      const gone: number[] = [];
      for (let n = update.readVarUint(); n > 0; n--) {
        const clientId = update.readVarUint();
        const clock = update.readVarUint();
        const state = update.readVarString();
        const known = document.awareness.meta.get(clientId);
        // A departure applies to what it departs from (same or older clock), and never to a
        // client that is connected to this instance (it moved here).
        if (state === 'null' && known && known.clock <= clock && !connectedHere.has(clientId))
          gone.push(clientId);
      }
      if (gone.length > 0) removeAwarenessStates(document.awareness, gone, { source: 'redis' });
    } catch (error) {
      this.logger.warn('could not read a relayed awareness update', { err: error });
    }
  };
}
