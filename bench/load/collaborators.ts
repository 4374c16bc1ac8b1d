/**
 * The load bench's collaborators, run as a child process of `main.ts` (`fork`, IPC messages of
 * `protocol.ts`): per session, a group of real `@hocuspocus/provider` clients (one WebSocket each,
 * as a browser tab has) on the session's main doc. Each renames its own object and moves its
 * playhead and cursor at random intervals; every client notes when it sees the others' edits.
 *
 * A rename is named `c<sender>#<seq>` and a presence update carries `frame = seq`, so a receiver
 * knows which edit it sees; seeing `seq` also accounts for earlier ones it skipped (presence
 * states replace each other). An edit counts as acknowledged when its provider's unsynced count
 * returns to zero after it (the server acknowledges only what is in the durable log).
 */
import { leaveBench, serveBench } from '../child.js';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { MainDoc, seededRandom, type FrameIndex, type ObjectId } from '@maskroom/shared';
import { connectClient, whenSynced, type TestClient } from '../../server/src/test/collab-client.js';
import { now } from '../collab/protocol.js';
import type {
  AckedEdit,
  EditRates,
  FromCollaborators,
  GroupCheck,
  GroupLatency,
  GroupSpec,
  ToCollaborators,
} from './protocol.js';

const OPEN_TIMEOUT_MS = 60_000;
/** How long a stopped group waits for its last edits to reach everyone before calling them unseen. */
const DRAIN_MS = 15_000;
const SETTLE_MS = 20_000;

function send(message: FromCollaborators): void {
  process.send?.(message);
}

const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));

interface Member {
  readonly index: number;
  readonly client: TestClient;
  readonly provider: HocuspocusProvider;
  readonly main: MainDoc;
  readonly objId: ObjectId;
  /** Sent but not yet acknowledged. */
  pending: AckedEdit[];
  readonly acked: AckedEdit[];
  renameSeq: number;
  presenceSeq: number;
  timers: NodeJS.Timeout[];
}

/** Edits of one kind in flight: who sent what when, and what each receiver has seen. */
class Tracker {
  readonly each: number[] = [];
  readonly all: number[] = [];
  /** `sender * 2^20 + seq` → send time and how many others saw it. */
  private readonly sent = new Map<number, { t0: number; seen: number }>();
  /** `[receiver * n + sender]`: the highest seq the receiver has seen from the sender. */
  private readonly lastSeen: Int32Array;
  count = 0;

  constructor(private readonly n: number) {
    this.lastSeen = new Int32Array(n * n);
  }

  sending(sender: number, seq: number): void {
    this.count++;
    this.sent.set(sender * 2 ** 20 + seq, { t0: now(), seen: 0 });
  }

  seen(receiver: number, sender: number, seq: number): void {
    const t = now();
    const slot = receiver * this.n + sender;
    for (let s = this.lastSeen[slot]! + 1; s <= seq; s++) {
      const key = sender * 2 ** 20 + s;
      const entry = this.sent.get(key);
      if (!entry) continue;
      this.each.push(t - entry.t0);
      if (++entry.seen === this.n - 1) {
        this.all.push(t - entry.t0);
        this.sent.delete(key);
      }
    }
    if (seq > this.lastSeen[slot]!) this.lastSeen[slot] = seq;
  }

  get inFlight(): number {
    return this.sent.size;
  }
}

interface Group {
  readonly spec: GroupSpec;
  readonly members: Member[];
  renames: Tracker;
  presence: Tracker;
  running: boolean;
}

const groups = new Map<string, Group>();

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const RENAME = /^c(\d+)#(\d+)$/;

async function open(spec: GroupSpec, clients: number): Promise<void> {
  if (spec.objects.length < clients) throw new Error(`group ${spec.group}: fewer objects than clients`);
  const t0 = now();
  const group: Group = {
    spec,
    members: [],
    renames: new Tracker(clients),
    presence: new Tracker(clients),
    running: false,
  };
  groups.set(spec.group, group);
  /** Awareness client id → member index, to tell whose presence a receiver sees. */
  const senderOf = new Map<number, number>();
  for (let i = 0; i < clients; i++) {
    const client = connectClient(spec.url, { name: `${spec.group}-${i}` });
    const provider = client.open(spec.doc);
    const member: Member = {
      index: i,
      client,
      provider,
      main: new MainDoc(provider.document),
      objId: spec.objects[i] as ObjectId,
      pending: [],
      acked: [],
      renameSeq: 0,
      presenceSeq: 0,
      timers: [],
    };
    group.members.push(member);
    provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      if (number !== 0 || member.pending.length === 0) return;
      member.acked.push(...member.pending);
      member.pending = [];
    });
    provider.document.getMap<unknown>('objects').observeDeep((events, txn) => {
      if (txn.local || !group.running) return;
      for (const event of events) {
        if (!(event instanceof Y.YMapEvent) || !event.keysChanged.has('instanceName')) continue;
        const name: unknown = event.target.get('instanceName');
        const m = typeof name === 'string' ? RENAME.exec(name) : null;
        if (m) group.renames.seen(i, Number(m[1]), Number(m[2]));
      }
    });
    const awareness = provider.awareness;
    if (!awareness) throw new Error('the provider has no awareness');
    senderOf.set(awareness.clientID, i);
    awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }, origin: unknown) => {
      if (origin === 'local' || !group.running) return;
      for (const id of [...added, ...updated]) {
        const sender = senderOf.get(id);
        if (sender === undefined || sender === i) continue;
        const frame: unknown = awareness.getStates().get(id)?.frame;
        if (typeof frame === 'number') group.presence.seen(i, sender, frame);
      }
    });
  }
  await withTimeout(
    Promise.all(group.members.map((m) => whenSynced(m.provider))),
    OPEN_TIMEOUT_MS,
    `group ${spec.group} to sync`,
  );
  send({ type: 'opened', group: spec.group, ms: now() - t0 });
}

function start(group: Group, rates: EditRates, seed: number): void {
  group.renames = new Tracker(group.members.length);
  group.presence = new Tracker(group.members.length);
  group.running = true;
  for (const member of group.members) {
    const rand = seededRandom(seed * 1000 + member.index);
    // Exponential gaps: a Poisson process at the given rate.
    const gap = (perSec: number): number => (-Math.log(1 - rand()) / perSec) * 1000;
    const rename = (): void => {
      const seq = ++member.renameSeq;
      const name = `c${member.index}#${seq}`;
      group.renames.sending(member.index, seq);
      member.main.objects.update(member.objId, { instanceName: name });
      const doc = member.provider.document;
      member.pending.push({
        objId: member.objId,
        name,
        clientId: doc.clientID,
        clock: Y.getState(doc.store, doc.clientID),
      });
    };
    const presence = (): void => {
      const seq = ++member.presenceSeq;
      group.presence.sending(member.index, seq);
      member.provider.awareness?.setLocalState({
        frame: seq as FrameIndex,
        cursor: { x: rand(), y: rand() },
        selectedObjId: member.objId,
        following: null,
      });
    };
    const loop = (perSec: number, edit: () => void): void => {
      if (perSec <= 0) return;
      const next = (): void => {
        if (!group.running) return;
        edit();
        member.timers.push(setTimeout(next, gap(perSec)));
      };
      member.timers.push(setTimeout(next, gap(perSec)));
    };
    loop(rates.renamesPerSec, rename);
    loop(rates.presencePerSec, presence);
  }
  send({ type: 'started', group: group.spec.group });
}

async function stop(group: Group): Promise<GroupLatency> {
  for (const m of group.members) {
    m.timers.forEach(clearTimeout);
    m.timers = [];
  }
  const deadline = now() + DRAIN_MS;
  while ((group.renames.inFlight > 0 || group.presence.inFlight > 0) && now() < deadline) await sleep(50);
  group.running = false;
  return {
    renameEach: group.renames.each,
    renameAll: group.renames.all,
    presenceEach: group.presence.each,
    presenceAll: group.presence.all,
    renames: group.renames.count,
    renamesAcked: group.members.reduce((n, m) => n + m.acked.length, 0),
    presenceSent: group.presence.count,
    renamesUnseen: group.renames.inFlight,
    presenceUnseen: group.presence.inFlight,
  };
}

/** Every acknowledged edit in every client's document, and every object named by its last one. */
async function check(group: Group): Promise<GroupCheck> {
  const deadline = now() + SETTLE_MS;
  const unsettled = (): boolean =>
    group.members.some((m) => !m.provider.isSynced || m.provider.unsyncedChanges > 0 || m.pending.length > 0);
  while (unsettled() && now() < deadline) await sleep(50);
  const acked = group.members.flatMap((m) => m.acked);
  const finalNames: Record<string, string> = {};
  for (const m of group.members) {
    const last = m.acked.at(-1);
    if (last) finalNames[last.objId] = last.name;
  }
  const count = (): { missing: number; wrongNames: number } => {
    let missing = 0;
    let wrongNames = 0;
    for (const m of group.members) {
      const doc = m.provider.document;
      for (const e of acked) if (Y.getState(doc.store, e.clientId) < e.clock) missing++;
      const objects = m.main.objects;
      if (Object.entries(finalNames).some(([id, name]) => objects.get(id as ObjectId)?.instanceName !== name))
        wrongNames++;
    }
    return { missing, wrongNames };
  };
  let result = count();
  // The last edits may still be on their way to some receivers: give them until the deadline.
  while ((result.missing > 0 || result.wrongNames > 0) && now() < deadline) {
    await sleep(100);
    result = count();
  }
  return {
    group: group.spec.group,
    acked,
    finalNames,
    ...result,
    unacked: group.members.reduce((n, m) => n + m.pending.length, 0),
  };
}

function groupOf(name: string): Group {
  const group = groups.get(name);
  if (!group) throw new Error(`no group ${name}`);
  return group;
}

async function handle(msg: ToCollaborators): Promise<void> {
  switch (msg.type) {
    case 'open':
      return open(msg.spec, msg.clients);
    case 'start':
      return start(groupOf(msg.group), msg.rates, msg.seed);
    case 'stop':
      send({ type: 'stopped', group: msg.group, latency: await stop(groupOf(msg.group)) });
      return;
    case 'check':
      send({ type: 'checked', check: await check(groupOf(msg.group)) });
      return;
    case 'close': {
      for (const m of groups.get(msg.group)?.members ?? []) m.client.destroy();
      groups.delete(msg.group);
      send({ type: 'closed', group: msg.group });
      return;
    }
    case 'cpu': {
      const u = process.cpuUsage();
      send({ type: 'cpu', userMs: u.user / 1000, systemMs: u.system / 1000 });
      return;
    }
    case 'exit':
      for (const g of groups.values()) for (const m of g.members) m.client.destroy();
      leaveBench();
      return;
  }
}

serveBench<ToCollaborators>(handle);
