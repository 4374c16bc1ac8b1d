/**
 * The bench's client fleet, run as a child process of `main.ts` (`fork`, IPC messages of
 * `protocol.ts`): groups of real `@hocuspocus/provider` clients (one WebSocket each, as a browser
 * tab has) that subscribe to documents and report when they observed what the bench wrote, and
 * one-off fresh clients that time a cold load.
 */
import { leaveBench, serveBench } from '../child.js';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import type * as Y from 'yjs';
import { MaskChunkDoc, rle, type FrameIndex } from '@maskroom/shared';
import { connectClient, whenSynced, type TestClient } from '../../server/src/test/collab-client.js';
import { now, type ColdResult, type FromFleet, type ToFleet, type WatchMode } from './protocol.js';

const MASKS = 'masks';
const OPEN_TIMEOUT_MS = 60_000;

function send(message: FromFleet): void {
  process.send?.(message);
}

interface Group {
  readonly clients: TestClient[];
  readonly watch: WatchMode;
  /** latency: `doc\nkey` → when each client saw it (undefined: not yet). */
  readonly seen: Map<string, number[]>;
  /** count: doc → expected size and when each client reached it. */
  readonly expected: Map<string, { size: number; at: (number | undefined)[] }>;
}

const groups = new Map<string, Group>();

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function checkComplete(name: string, group: Group, doc: string): void {
  const exp = group.expected.get(doc);
  if (!exp || exp.at.some((t) => t === undefined)) return;
  group.expected.delete(doc);
  send({ type: 'complete', group: name, doc, at: exp.at as number[] });
}

async function open(msg: Extract<ToFleet, { type: 'open' }>): Promise<void> {
  const t0 = now();
  const group: Group = { clients: [], watch: msg.watch, seen: new Map(), expected: new Map() };
  groups.set(msg.group, group);
  const synced: Promise<void>[] = [];
  for (let c = 0; c < msg.clients; c++) {
    const client = connectClient(msg.url, { name: `${msg.group}-${c}` });
    group.clients.push(client);
    for (const doc of msg.docs) {
      const provider = client.open(doc);
      synced.push(whenSynced(provider));
      const map = provider.document.getMap<unknown>(MASKS);
      if (msg.watch === 'latency') {
        map.observe((event) => {
          const t = now();
          for (const key of event.keysChanged) {
            const id = `${doc}\n${key}`;
            let at = group.seen.get(id);
            if (!at) group.seen.set(id, (at = new Array<number>(msg.clients).fill(0)));
            at[c] = t;
            if (at.every((x) => x > 0)) {
              group.seen.delete(id);
              send({ type: 'seen', group: msg.group, doc, key, at });
            }
          }
        });
      } else {
        map.observe(() => {
          const exp = group.expected.get(doc);
          if (!exp || exp.at[c] !== undefined || map.size < exp.size) return;
          exp.at[c] = now();
          checkComplete(msg.group, group, doc);
        });
      }
    }
  }
  await withTimeout(Promise.all(synced), OPEN_TIMEOUT_MS, `group ${msg.group} to sync`);
  send({ type: 'opened', group: msg.group, ms: now() - t0 });
}

function expect(msg: Extract<ToFleet, { type: 'expect' }>): void {
  const group = groups.get(msg.group);
  if (!group) throw new Error(`no group ${msg.group}`);
  const t = now();
  const at = group.clients.map((client) =>
    client.doc(msg.doc).getMap(MASKS).size >= msg.size ? t : undefined,
  );
  group.expected.set(msg.doc, { size: msg.size, at });
  send({ type: 'expecting', group: msg.group, doc: msg.doc });
  checkComplete(msg.group, group, msg.doc);
}

/** A fresh client loads a session: the first chunk (usable: synced and its frame decoded), then all. */
async function cold(msg: Extract<ToFleet, { type: 'cold' }>): Promise<ColdResult> {
  const t0 = now();
  const client = connectClient(msg.url, { name: 'cold' });
  try {
    const main = client.open(msg.main);
    const firstName = msg.chunks[msg.first.index]!;
    const first = client.open(firstName);
    const rest = (): HocuspocusProvider[] =>
      msg.chunks.filter((_, i) => i !== msg.first.index).map((name) => client.open(name));
    let others = msg.prefetch === 'together' ? rest() : [];
    await withTimeout(Promise.all([whenSynced(main), whenSynced(first)]), OPEN_TIMEOUT_MS, 'first chunk');
    const masks = new MaskChunkDoc(first.document, msg.first.chunk, {
      chunkSize: msg.first.chunkSize,
    }).masksOfFrame(msg.first.frame as FrameIndex);
    const out = new Uint8Array(msg.width * msg.height);
    for (const mask of masks.values()) rle.decode(mask.rle, msg.height, msg.width, out);
    const firstMs = now() - t0;
    if (msg.prefetch === 'after-first') others = rest();
    await withTimeout(Promise.all(others.map(whenSynced)), OPEN_TIMEOUT_MS, 'all chunks');
    const allMs = now() - t0;
    const total = [first, ...others].reduce((n, p) => n + (p.document as Y.Doc).getMap(MASKS).size, 0);
    if (total !== msg.expectMasks) throw new Error(`cold load: ${total} masks, expected ${msg.expectMasks}`);
    return { firstMs, allMs, masks: total, firstFrameMasks: masks.size };
  } finally {
    client.destroy();
  }
}

async function handle(msg: ToFleet): Promise<void> {
  switch (msg.type) {
    case 'open':
      return open(msg);
    case 'expect':
      return expect(msg);
    case 'close': {
      for (const client of groups.get(msg.group)?.clients ?? []) client.destroy();
      groups.delete(msg.group);
      send({ type: 'closed', group: msg.group });
      return;
    }
    case 'cold':
      send({ type: 'cold', result: await cold(msg) });
      return;
    case 'cpu': {
      const u = process.cpuUsage();
      send({ type: 'cpu', userMs: u.user / 1000, systemMs: u.system / 1000 });
      return;
    }
    case 'exit':
      for (const name of [...groups.keys()]) for (const c of groups.get(name)!.clients) c.destroy();
      leaveBench();
      return;
  }
}

serveBench<ToFleet>(handle);
