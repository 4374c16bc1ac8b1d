import { describe, expect, it } from 'vitest';
import { MaskroomError } from '@maskroom/shared';
import { IngestQueue } from './queue.js';

/** A task the test finishes by hand. */
function gate<T = void>() {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('IngestQueue', () => {
  it('runs at most `concurrency` tasks at once, the rest in arrival order', async () => {
    const queue = new IngestQueue({ concurrency: 2 });
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let active = 0;
    let maxActive = 0;
    const runs = gates.map((g, i) =>
      queue.run(async () => {
        started.push(i);
        active++;
        maxActive = Math.max(maxActive, active);
        await g.promise;
        active--;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([queue.running, queue.waiting]).toEqual([2, 2]);
    gates[1]?.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.open();
    gates[2]?.open();
    gates[3]?.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(maxActive).toBe(2);
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('defaults to two at a time and honours a configured limit', async () => {
    expect(new IngestQueue().concurrency).toBe(2);
    const one = new IngestQueue({ concurrency: 1 });
    const g = gate();
    const first = one.run(() => g.promise);
    let secondStarted = false;
    const second = one.run(async () => {
      secondStarted = true;
    });
    await tick();
    expect(secondStarted).toBe(false);
    g.open();
    await Promise.all([first, second]);
    expect(secondStarted).toBe(true);
    expect(() => new IngestQueue({ concurrency: 0 })).toThrow(RangeError);
  });

  it('cancels a queued task: it never starts, rejects with CANCELLED and frees its place', async () => {
    const queue = new IngestQueue({ concurrency: 1 });
    const g = gate();
    const first = queue.run(() => g.promise);
    const controller = new AbortController();
    let cancelledStarted = false;
    const cancelled = queue.run(
      async () => {
        cancelledStarted = true;
      },
      { signal: controller.signal },
    );
    const third = queue.run(async () => 'third');
    await tick();
    expect(queue.waiting).toBe(2);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(queue.waiting).toBe(1);
    g.open();
    await first;
    expect(await third).toBe('third');
    expect(cancelledStarted).toBe(false);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const queue = new IngestQueue();
    let ran = false;
    const error = await queue
      .run(
        async () => {
          ran = true;
        },
        { signal: AbortSignal.abort() },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaskroomError);
    expect((error as MaskroomError).code).toBe('CANCELLED');
    expect(ran).toBe(false);
  });

  it('hands a running task the signal, and a failing or throwing task still frees its slot', async () => {
    const queue = new IngestQueue({ concurrency: 1 });
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    await queue.run(
      async (signal) => {
        seen = signal;
      },
      { signal: controller.signal },
    );
    expect(seen).toBe(controller.signal);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      queue.run(() => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    expect(queue.running).toBe(0);
    const starts: string[] = [];
    await queue.run(async () => 'ok', { onStart: () => starts.push('started') });
    expect(starts).toEqual(['started']);
  });
});
