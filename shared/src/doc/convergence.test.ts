/**
 * Seeded random operations on several replicas of a session (main doc + two mask chunk docs)
 * exchanging updates over a simulated network that reorders, drops (then resends) and
 * duplicates messages; afterwards every replica must read the same thing.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CommentId, JobId, ObjectId, PromptId, UserId } from '../ids.js';
import { isDocError } from './errors.js';
import { MainDoc } from './MainDoc.js';
import { MaskChunkDoc } from './MaskChunkDoc.js';
import type { PromptRecord } from './records.js';
import { MASK_SOURCES, PROMPT_STATUSES, REVIEW_STATUSES } from './records.js';
import { initMainDoc } from './schemaCheck.js';
import { seededRandom } from '../random.js';
import { T0, fr, maskRecord, metaInit } from '../test/docFixtures.js';

const CHUNK_SIZE = 8;
const NUM_FRAMES = 16; // two chunks
const NET = Symbol('net');

function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

type DocKey = 'main' | 'c0' | 'c1';
interface Message {
  readonly doc: DocKey;
  readonly to: number;
  readonly update: Uint8Array;
}

interface Replica {
  readonly docs: Record<DocKey, Y.Doc>;
  readonly main: MainDoc;
  readonly chunks: readonly [MaskChunkDoc, MaskChunkDoc];
  readonly user: UserId;
}

class Network {
  readonly pending: Message[] = [];
  readonly dropped: Message[] = [];
  /** Every update ever produced, per doc, for the merged-updates check. */
  readonly all: Record<DocKey, Uint8Array[]> = { main: [], c0: [], c1: [] };
  delivered = 0;
  duplicated = 0;

  constructor(
    readonly replicas: Replica[],
    readonly rng: Rng,
  ) {
    replicas.forEach((r, from) => {
      for (const key of ['main', 'c0', 'c1'] as const) {
        r.docs[key].on('update', (update: Uint8Array, origin: unknown) => {
          if (origin === NET) return;
          this.all[key].push(update);
          replicas.forEach((_, to) => {
            if (to !== from) this.pending.push({ doc: key, to, update });
          });
        });
      }
    });
  }

  #apply(m: Message): void {
    Y.applyUpdate((this.replicas[m.to] as Replica).docs[m.doc], m.update, NET);
    this.delivered++;
  }

  /** One random network event. */
  step(): void {
    const r = this.rng;
    if (this.pending.length > 0) {
      const i = r.int(this.pending.length);
      const m = this.pending[i] as Message;
      const roll = r.next();
      if (roll < 0.55) {
        this.pending.splice(i, 1);
        this.#apply(m); // deliver (in random order)
      } else if (roll < 0.65) {
        this.#apply(m); // duplicate: deliver now and again later
        this.duplicated++;
      } else if (roll < 0.8) {
        this.pending.splice(i, 1);
        this.dropped.push(m); // lost for now
      }
    }
    if (this.dropped.length > 0 && r.chance(0.1)) {
      const [m] = this.dropped.splice(r.int(this.dropped.length), 1);
      this.pending.push(m as Message); // resent
    }
  }

  /** Resend everything dropped and deliver everything, in random order, with some duplicates. */
  flush(): void {
    this.pending.push(...this.dropped.splice(0));
    while (this.pending.length > 0) {
      const [m] = this.pending.splice(this.rng.int(this.pending.length), 1);
      this.#apply(m as Message);
      if (this.rng.chance(0.05)) this.#apply(m as Message);
    }
  }
}

function makeReplicas(n: number): Replica[] {
  const origin = new Y.Doc();
  initMainDoc(origin, metaInit({ numFrames: NUM_FRAMES }), NET);
  const seed = Y.encodeStateAsUpdate(origin);
  return Array.from({ length: n }, (_, i) => {
    const docs = { main: new Y.Doc(), c0: new Y.Doc(), c1: new Y.Doc() };
    Y.applyUpdate(docs.main, seed, NET);
    const origin = { replica: i };
    return {
      docs,
      main: new MainDoc(docs.main, { origin }),
      chunks: [
        new MaskChunkDoc(docs.c0, 0, { chunkSize: CHUNK_SIZE, origin }),
        new MaskChunkDoc(docs.c1, 1, { chunkSize: CHUNK_SIZE, origin }),
      ] as const,
      user: `u${i}` as UserId,
    };
  });
}

const OBJ = ['o0', 'o1', 'o2', 'o3', 'o4'] as ObjectId[];
const PROMPTS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'] as PromptId[];
const JOBS = ['j0', 'j1', 'j2'] as JobId[];
const COMMENTS = ['c0', 'c1', 'c2'] as CommentId[];
const COLORS = ['#ff0000', '#00ff00', '#0000ff', '#123abc'];
const WORDS = ['person', 'dog', 'car', 'ball', 'tree'];

/** One random accessor operation; returns its name (for stats). */
function randomOp(rep: Replica, r: Rng, t: number): string {
  const { main, chunks, user } = rep;
  const frame = fr(r.int(NUM_FRAMES));
  const chunk = chunks[frame < CHUNK_SIZE ? 0 : 1];
  const objId = r.pick(OBJ);
  const roll = r.int(15);
  switch (roll) {
    case 0:
    case 1:
      main.objects.create(objId, {
        className: r.pick(WORDS),
        instanceName: `#${r.int(9)}`,
        color: r.pick(COLORS),
        createdBy: user,
        createdAt: T0 + t,
      });
      return 'createObject';
    case 2:
    case 3: {
      const patch: Record<string, unknown> = {};
      if (r.chance(0.5)) patch.className = r.pick(WORDS);
      if (r.chance(0.5)) patch.instanceName = `#${r.int(9)}`;
      if (r.chance(0.5)) patch.color = r.pick(COLORS);
      if (r.chance(0.3)) patch.review = { status: r.pick(REVIEW_STATUSES), by: user, at: T0 + t, note: '' };
      main.objects.update(objId, patch);
      return 'updateObject';
    }
    case 4:
      // what the server does for DELETE /objects/:id: object + prompts, then its masks
      main.objects.delete(objId);
      chunks.forEach((c) => c.deleteObjectMasks(objId));
      return 'deleteObject';
    case 5: {
      const common = { objId, frame, by: user, at: T0 + t, status: 'queued' } as const;
      const kind = r.int(3);
      const record =
        kind === 0
          ? { ...common, kind: 'points', points: [{ x: r.next(), y: r.next(), label: r.int(2) }] }
          : kind === 1
            ? { ...common, kind: 'box', box: [0.1, 0.1, 0.1 + 0.8 * r.next(), 0.5] }
            : { ...common, kind: 'text', text: r.pick(WORDS) };
      main.prompts.put(r.pick(PROMPTS), record as unknown as PromptRecord);
      return 'putPrompt';
    }
    case 6:
      main.prompts.update(r.pick(PROMPTS), { status: r.pick(PROMPT_STATUSES) });
      return 'updatePrompt';
    case 7:
      main.jobs.put(r.pick(JOBS), {
        kind: 'propagate',
        direction: r.pick(['forward', 'backward', 'both'] as const),
        startFrame: frame,
        status: 'queued',
        framesDone: 0,
        framesTotal: NUM_FRAMES,
        by: user,
        at: T0 + t,
      });
      return 'putJob';
    case 8:
      main.jobs.update(r.pick(JOBS), { status: 'running', framesDone: r.int(NUM_FRAMES + 1) });
      return 'updateJob';
    case 9:
      if (r.chance(0.7)) {
        main.comments.put(r.pick(COMMENTS), {
          frame,
          text: r.pick(WORDS),
          by: user,
          at: T0 + t,
          resolved: false,
        });
        return 'putComment';
      }
      main.comments.update(r.pick(COMMENTS), { resolved: true });
      return 'resolveComment';
    case 10:
      main.comments.delete(r.pick(COMMENTS));
      return 'deleteComment';
    case 11:
    case 12: {
      const entries = OBJ.filter(() => r.chance(0.4)).map(
        (o) =>
          [
            o,
            maskRecord({ area: r.int(1000), score: r.next(), source: r.pick(MASK_SOURCES), by: user }),
          ] as const,
      );
      chunk.setFrameMasks(frame, entries);
      return 'setFrameMasks';
    }
    case 13:
      chunk.deleteFrameMasks(frame);
      return 'deleteFrameMasks';
    default:
      main.transact(() => {
        main.updateMeta({ title: r.pick(WORDS) });
        main.comments.put(r.pick(COMMENTS), {
          frame,
          text: 'batch',
          by: user,
          at: T0 + t,
          resolved: r.chance(0.5),
        });
      });
      return 'batch';
  }
}

/** A replica's whole readable state as sorted plain data. */
function snapshot(rep: Replica) {
  const sorted = <V>(m: Map<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const v = rep.main.view();
  return {
    meta: v.meta,
    objects: sorted(v.objects),
    prompts: sorted(v.prompts),
    jobs: sorted(v.jobs),
    comments: sorted(v.comments),
    masks: rep.chunks.map((c) => c.entries()),
  };
}

function run(seed: number, replicaCount: number, steps: number) {
  const r = prng(seed);
  const replicas = makeReplicas(replicaCount);
  const net = new Network(replicas, r);
  const stats = new Map<string, number>();
  let rejected = 0;
  for (let t = 0; t < steps; t++) {
    if (r.chance(0.6)) {
      try {
        const op = randomOp(r.pick(replicas), r, t);
        stats.set(op, (stats.get(op) ?? 0) + 1);
      } catch (e) {
        // expected refusals: the replica does not (yet) know the record it tries to change
        if (!isDocError(e, 'NOT_FOUND') && !isDocError(e, 'ALREADY_EXISTS')) throw e;
        rejected++;
      }
    }
    net.step();
    if (r.chance(0.01)) net.flush();
  }
  net.flush();
  return { replicas, net, stats, rejected };
}

describe('convergence under random operations and a lossy, reordering, duplicating network', () => {
  it.each([1, 2, 3, 42, 1337, 20240601])('seed %i: 4 replicas converge', (seed) => {
    const { replicas, net, stats, rejected } = run(seed, 4, 600);

    // the run exercised what it claims to
    const applied = [...stats.values()].reduce((a, b) => a + b, 0);
    expect(applied).toBeGreaterThan(200);
    expect(stats.size).toBeGreaterThanOrEqual(12);
    expect(net.duplicated).toBeGreaterThan(0);
    expect(rejected).toBeLessThan(applied);

    const [first, ...rest] = replicas.map(snapshot);
    expect(first).toBeDefined();
    for (const s of rest) expect(s).toEqual(first);
    // something survives, so the equality above compares real content
    expect((first?.objects.length ?? 0) + (first?.masks.flat().length ?? 0)).toBeGreaterThan(0);

    for (const key of ['main', 'c0', 'c1'] as const) {
      const sv = Y.encodeStateVector(replicas[0]!.docs[key]);
      for (const rep of replicas) {
        expect(Y.encodeStateVector(rep.docs[key])).toEqual(sv);
        expect(rep.docs[key].store.pendingStructs).toBeNull();
        expect(rep.docs[key].toJSON()).toEqual(replicas[0]!.docs[key].toJSON());
      }
    }
    // no concurrent interleaving produced a record that reads reject
    for (const rep of replicas) {
      expect(rep.main.invalidRecords()).toEqual([]);
      expect(rep.chunks.flatMap((c) => c.invalidRecords())).toEqual([]);
    }

    // a doc rebuilt from the merged log of all updates reads the same
    const rebuilt = { main: new Y.Doc(), c0: new Y.Doc(), c1: new Y.Doc() };
    Y.applyUpdate(rebuilt.main, Y.encodeStateAsUpdate(replicas[0]!.docs.main)); // initial meta
    for (const key of ['main', 'c0', 'c1'] as const) {
      if (net.all[key].length > 0) Y.applyUpdate(rebuilt[key], Y.mergeUpdates(net.all[key]));
    }
    const rebuiltReplica: Replica = {
      docs: rebuilt,
      main: new MainDoc(rebuilt.main),
      chunks: [
        new MaskChunkDoc(rebuilt.c0, 0, { chunkSize: CHUNK_SIZE }),
        new MaskChunkDoc(rebuilt.c1, 1, { chunkSize: CHUNK_SIZE }),
      ],
      user: 'x' as UserId,
    };
    expect(snapshot(rebuiltReplica)).toEqual(first);
  });

  it('the check catches divergence (a replica that missed a message differs)', () => {
    const replicas = makeReplicas(2);
    const [a, b] = replicas as [Replica, Replica];
    const lost: Uint8Array[] = [];
    a.docs.main.on('update', (u: Uint8Array) => lost.push(u));
    a.main.objects.create('o1' as ObjectId, {
      className: 'x',
      instanceName: '',
      color: '#000000',
      createdBy: a.user,
      createdAt: T0,
    });
    expect(snapshot(b)).not.toEqual(snapshot(a));
    for (const u of lost) Y.applyUpdate(b.docs.main, u, NET);
    expect(snapshot(b)).toEqual(snapshot(a));
  });
});
