import type { GenerationEvent, ImagePipeline } from '@perfusion/pipeline';
import { NEVER, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusBody } from '../src/index.js';
import { WorkerPool, type PoolJob, type PoolStatus } from '../src/generation/worker-pool.js';
import { api, startTestServer } from './support/demo-server.js';
import { UnetProbe } from './support/unet-probe.js';
import { TestClient } from './support/ws-client.js';

// Several clients against one worker and a queue of one (`--workers 1 --queue 1`). The probe holds
// a UNet call of the running job, so "the worker is busy" lasts exactly as long as the test needs.

describe('the queue in front of the workers', () => {
  const probe = new UnetProbe();
  let url: string;
  let stop: () => Promise<void>;
  const clients: TestClient[] = [];
  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(url);
    clients.push(client);
    return client;
  };
  const generate = (client: TestClient, steps: number): void =>
    client.send({ type: 'generate', request: { prompt: 'a harbour at night', steps, scheduler: 'ddim', previews: false } });

  beforeAll(async () => {
    const started = await startTestServer({ workers: 1, queue: 1, pipeline: probe.options });
    ({ stop } = started);
    url = started.server.url;
  });
  afterEach(async () => {
    probe.release();
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await stop?.();
  });

  it('queues the second client, answers the third "busy" at once, and serves it once there is room', async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    probe.holdAt(probe.calls + 1);
    generate(a, 2);
    expect(await a.until('queued')).toEqual({ type: 'queued', position: 1 });
    await a.until('start');

    generate(b, 2);
    expect(await b.until('queued')).toEqual({ type: 'queued', position: 1 });
    generate(c, 2);
    const busy = await c.until('busy');
    expect(busy.message).toMatch(/busy: 1 generation running and 1 waiting.*try again/);
    expect(c.all('queued')).toHaveLength(0);
    expect((await api<StatusBody>(`${url}/api/status`)).body).toMatchObject({ workers: { total: 1, busy: 1 }, queue: { waiting: 1, capacity: 1 } });

    probe.release();
    await a.until('done');
    await b.until('done');
    expect(b.all('start')).toHaveLength(1);
    // The socket stayed open: the refused client simply asks again.
    generate(c, 2);
    await c.until('done');
    expect((await api<StatusBody>(`${url}/api/status`)).body).toMatchObject({ workers: { total: 1, busy: 0 }, queue: { waiting: 0, capacity: 1 } });
  });

  it('cancels the generation of a client that disconnects and gives its worker to the next one', async () => {
    const [leaving, waiting] = [await connect(), await connect()];
    const before = probe.calls;
    probe.holdAt(before + 2);
    generate(leaving, 200);
    await leaving.until('step');
    await probe.callsReached(before + 2); // the leaving client's second UNet call runs (held)
    generate(waiting, 3);
    await waiting.until('queued');

    await leaving.close();
    probe.release();
    await waiting.until('done');
    // The call running when the client left was the last of its 200: the next client's 3 followed.
    expect(probe.calls - before).toBe(2 + 3);
  });

  it('takes a queued job out of the line when its client stops or leaves', async () => {
    const [running, queued] = [await connect(), await connect()];
    const before = probe.calls;
    probe.holdAt(before + 1);
    generate(running, 2);
    await running.until('start');
    generate(queued, 2);
    await queued.until('queued');
    queued.send({ type: 'stop' });
    await queued.until('stopped');
    expect((await api<StatusBody>(`${url}/api/status`)).body.queue.waiting).toBe(0);

    probe.release();
    await running.until('done');
    expect(queued.all('start')).toHaveLength(0);
    expect(probe.calls - before).toBe(2);
  });
});

/** A pipeline that never finishes (jobs below decide when they end). */
const idlePipeline: ImagePipeline = {
  generate: (): Observable<GenerationEvent> => NEVER,
  release: async () => {},
};

/** A job whose run lasts until {@link finish}; records the positions it is told and the pool's status after its run. */
class FakeJob implements PoolJob {
  readonly positions: number[] = [];
  started = false;
  statusAfterRun: PoolStatus | undefined;
  pool: WorkerPool | undefined;
  private end!: () => void;
  private readonly ended = new Promise<void>((resolve) => (this.end = resolve));

  onPosition(position: number): void {
    this.positions.push(position);
  }
  run(): Promise<void> {
    this.started = true;
    return this.ended;
  }
  afterRun(): void {
    this.statusAfterRun = this.pool?.status;
  }
  async finish(): Promise<void> {
    this.end();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('WorkerPool', () => {
  it('tells each waiting job its place, moves it up as jobs start, and refuses jobs beyond the capacity', async () => {
    const pool = new WorkerPool([idlePipeline, idlePipeline], 2);
    const jobs = Array.from({ length: 5 }, () => new FakeJob());
    const tickets = jobs.map((job) => pool.submit(job));
    expect(tickets.map((t) => t !== undefined)).toEqual([true, true, true, true, false]);
    expect(jobs.map((j) => j.started)).toEqual([true, true, false, false, false]);
    expect(pool.status).toEqual({ workers: { total: 2, busy: 2 }, queue: { waiting: 2, capacity: 2 } });

    await jobs[1]!.finish();
    expect(jobs[2]!.started).toBe(true);
    expect(jobs[3]!.positions).toEqual([2, 1]);
    expect(pool.status.queue.waiting).toBe(1);
  });

  it('takes a withdrawn job out of the line and moves the ones behind it up', () => {
    const pool = new WorkerPool([idlePipeline], 3);
    const [running, first, second, third] = Array.from({ length: 4 }, () => new FakeJob());
    pool.submit(running!);
    const ticket = pool.submit(first!);
    pool.submit(second!);
    pool.submit(third!);
    ticket!.withdraw();
    expect(second!.positions).toEqual([2, 1]);
    expect(third!.positions).toEqual([3, 2]);
    expect(pool.status.queue.waiting).toBe(2);
    ticket!.withdraw(); // twice: no effect
    expect(pool.status.queue.waiting).toBe(2);
  });

  it('with no queue, takes jobs only while a worker is free', async () => {
    const pool = new WorkerPool([idlePipeline], 0);
    const [a, b] = [new FakeJob(), new FakeJob()];
    a.pool = pool;
    expect(pool.submit(a)).toBeDefined();
    expect(pool.submit(b)).toBeUndefined();
    await a.finish();
    // The job hears that it ended only once its worker is free again.
    expect(a.statusAfterRun?.workers).toEqual({ total: 1, busy: 0 });
    expect(pool.submit(b)).toBeDefined();
    expect(b.started).toBe(true);
  });
});
