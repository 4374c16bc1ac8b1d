import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../test/collab-client.js';
import { startTestServer, type TestServer } from '../test/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { MASKROOM_LOCAL_WORKER: 'on' } });
}, 60_000);
afterAll(() => server?.close());

describe('local mode worker', () => {
  it('starts a classical worker, restarts it when it dies, and stops it with the server', async () => {
    const workers = () => server.dispatcher.workerSummaries();
    await eventually(() => workers().some((w) => w.backend === 'classical'), 30_000, 'the local worker');
    const first = server.localWorker?.pid;
    expect(first).toBeDefined();
    const firstId = workers()[0]!.workerId;
    process.kill(first!, 'SIGKILL');
    await eventually(
      () => server.localWorker?.pid !== undefined && server.localWorker.pid !== first,
      30_000,
      'a restart',
    );
    await eventually(
      () => workers().some((w) => w.workerId !== firstId),
      30_000,
      'the new worker to say hello',
    );
    const second = server.localWorker!.pid!;
    await server.close();
    expect(() => process.kill(second, 0)).toThrow();
  }, 90_000);
});
