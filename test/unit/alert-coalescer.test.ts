import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Batch, type Delivered, KeyedCoalescer, openedIncident } from '../../src/api/alert-coalescer';

// The coalescer around a fake sender (the fake stands for the Temporal call, the dependency; the
// code under test is everything around it). The fake models signal-with-start: the first
// successful call per key starts the workflow, later ones land on it.

interface Item {
  id: number;
  kind: 'firing' | 'resolved';
  bytes?: number;
}

/** A sender whose calls stay open until the test settles them, in order. */
class FakeServer {
  readonly calls: (Batch<Item> & { settle: (error?: Error) => void })[] = [];
  private readonly started = new Set<string>();
  private waiters: (() => void)[] = [];
  maxInFlightPerKey = 0;
  private inFlight = new Map<string, number>();

  send = (batch: Batch<Item>): Promise<{ started: boolean }> => {
    const now = (this.inFlight.get(batch.key) ?? 0) + 1;
    this.inFlight.set(batch.key, now);
    this.maxInFlightPerKey = Math.max(this.maxInFlightPerKey, now);
    return new Promise((resolve, reject) => {
      this.calls.push({
        ...batch,
        settle: (error) => {
          this.inFlight.set(batch.key, this.inFlight.get(batch.key)! - 1);
          if (error) return reject(error);
          const started = batch.kind === 'firing' && !this.started.has(batch.key);
          if (started) this.started.add(batch.key);
          resolve({ started });
        },
      });
      for (const wake of this.waiters.splice(0)) wake();
    });
  };

  /** Resolves once `n` calls have been made. */
  async callsMade(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((wake) => this.waiters.push(wake));
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function coalescer(server: FakeServer, maxItems = 100, maxBytes = 1_000) {
  return new KeyedCoalescer<Item, { started: boolean }>({
    send: server.send,
    kindOf: (item) => item.kind,
    sizeOf: (item) => item.bytes ?? 10,
    maxItems,
    maxBytes,
  });
}

describe('alert coalescer', () => {
  it('sends the first alert at once, queues the rest while it is in flight, then sends them as one batch', async () => {
    const server = new FakeServer();
    const c = coalescer(server);
    const first = c.submit('wf-a', { id: 0, kind: 'firing' });
    await server.callsMade(1);
    assert.deepEqual(
      server.calls[0]!.items.map((i) => i.id),
      [0],
    );
    const rest = [1, 2, 3, 4].map((id) => c.submit('wf-a', { id, kind: 'firing' }));
    await tick();
    assert.equal(server.calls.length, 1, 'nothing more goes while a call for the key is in flight');
    server.calls[0]!.settle();
    assert.equal((await first).index, 0);
    await server.callsMade(2);
    assert.deepEqual(
      server.calls[1]!.items.map((i) => i.id),
      [1, 2, 3, 4],
    );
    server.calls[1]!.settle();
    const delivered = await Promise.all(rest);
    assert.deepEqual(
      delivered.map((d) => [d.index, d.batchSize]),
      [
        [0, 4],
        [1, 4],
        [2, 4],
        [3, 4],
      ],
    );
    assert.equal(c.inFlight, 0, 'the key is released once its queue is empty');
    assert.equal(server.maxInFlightPerKey, 1);
  });

  it('answers no request before the call carrying its own alert returned', async () => {
    const server = new FakeServer();
    const c = coalescer(server);
    const answered = new Set<number>();
    const submit = (id: number) =>
      c.submit('wf-a', { id, kind: 'firing' }).then((d) => {
        answered.add(id);
        return d;
      });
    const all = [0, 1, 2].map(submit);
    await server.callsMade(1);
    server.calls[0]!.settle();
    await server.callsMade(2);
    await tick();
    assert.deepEqual([...answered], [0], 'alerts 1 and 2 ride on the second call, still in flight');
    server.calls[1]!.settle();
    await Promise.all(all);
    assert.deepEqual([...answered].sort(), [0, 1, 2]);
  });

  it('keeps keys independent: one call in flight per key, several keys at once', async () => {
    const server = new FakeServer();
    const c = coalescer(server);
    const a = c.submit('wf-a', { id: 0, kind: 'firing' });
    const b = c.submit('wf-b', { id: 1, kind: 'firing' });
    await server.callsMade(2);
    assert.deepEqual(server.calls.map((call) => call.key).sort(), ['wf-a', 'wf-b']);
    assert.equal(c.inFlight, 2);
    for (const call of server.calls) call.settle();
    await Promise.all([a, b]);
  });

  it('bounds a batch by count; the overflow goes in the next call', async () => {
    const server = new FakeServer();
    const c = coalescer(server, 3);
    const all = [0, 1, 2, 3, 4, 5, 6].map((id) => c.submit('wf-a', { id, kind: 'firing' }));
    for (let n = 1; n <= 3; n++) {
      await server.callsMade(n);
      server.calls[n - 1]!.settle();
    }
    await Promise.all(all);
    assert.deepEqual(
      server.calls.map((call) => call.items.map((i) => i.id)),
      [[0], [1, 2, 3], [4, 5, 6]],
    );
  });

  it('bounds a batch by bytes, and still sends one item larger than the bound, alone', async () => {
    const server = new FakeServer();
    const c = coalescer(server, 100, 100);
    const sizes = [10, 40, 40, 40, 500, 30];
    const all = sizes.map((bytes, id) => c.submit('wf-a', { id, kind: 'firing', bytes }));
    for (let n = 1; n <= 5; n++) {
      await server.callsMade(n);
      const call = server.calls[n - 1]!;
      if (call.items.length > 1)
        assert.ok(call.items.reduce((sum, i) => sum + i.bytes!, 0) <= 100, `call ${n} over the byte bound`);
      call.settle();
    }
    await Promise.all(all);
    assert.deepEqual(
      server.calls.map((call) => call.items.map((i) => i.id)),
      [[0], [1, 2], [3], [4], [5]],
    );
  });

  it('never mixes kinds in one call and keeps arrival order across them', async () => {
    const server = new FakeServer();
    const c = coalescer(server);
    const kinds: Item['kind'][] = ['firing', 'firing', 'firing', 'resolved', 'resolved', 'firing'];
    const all = kinds.map((kind, id) => c.submit('wf-a', { id, kind }));
    for (let n = 1; n <= 4; n++) {
      await server.callsMade(n);
      server.calls[n - 1]!.settle();
    }
    await Promise.all(all);
    assert.deepEqual(
      server.calls.map((call) => [call.kind, call.items.map((i) => i.id)]),
      [
        ['firing', [0]],
        ['firing', [1, 2]],
        ['resolved', [3, 4]],
        ['firing', [5]],
      ],
    );
  });

  it('fails every request whose alert was in a failed call, and goes on with the queued ones', async () => {
    const server = new FakeServer();
    const c = coalescer(server);
    const first = c.submit('wf-a', { id: 0, kind: 'firing' });
    await server.callsMade(1);
    const batch = [1, 2, 3].map((id) => c.submit('wf-a', { id, kind: 'firing' }));
    const failure = new Error('UNAVAILABLE: server down');
    server.calls[0]!.settle(failure);
    await assert.rejects(first, failure);
    await server.callsMade(2);
    const later = c.submit('wf-a', { id: 4, kind: 'firing' });
    server.calls[1]!.settle(failure);
    for (const request of batch) await assert.rejects(request, failure);
    await server.callsMade(3);
    assert.deepEqual(
      server.calls[2]!.items.map((i) => i.id),
      [4],
    );
    server.calls[2]!.settle();
    // The failed calls started nothing: the call that succeeded opened the incident.
    assert.equal(openedIncident(await later), true);
    assert.equal(c.inFlight, 0);
  });

  it('fails the callers when the sender throws before returning a promise', async () => {
    const c = new KeyedCoalescer<Item, { started: boolean }>({
      send: () => {
        throw new Error('encode failed');
      },
      kindOf: (item) => item.kind,
      sizeOf: () => 1,
      maxItems: 10,
      maxBytes: 100,
    });
    await assert.rejects(c.submit('wf-a', { id: 0, kind: 'firing' }), /encode failed/);
    assert.equal(c.inFlight, 0);
  });

  it('says "opened" for exactly one alert per new incident under a concurrent burst', async () => {
    const server = new FakeServer();
    const c = coalescer(server, 7);
    const keys = 13;
    const total = 500;
    const results: Promise<Delivered<{ started: boolean }>>[] = [];
    // The first call of every third key fails, so the call that starts those incidents is a
    // batch of several alerts: only its first may say "opened".
    const seen = new Set<string>();
    let settled = 0;
    const settleOpen = () => {
      const open = server.calls.slice(settled);
      settled = server.calls.length;
      for (const call of open.reverse()) {
        const first = !seen.has(call.key);
        seen.add(call.key);
        call.settle(first && Number(call.key.slice(3)) % 3 === 0 ? new Error('failed') : undefined);
      }
    };
    // A burst arriving in waves while calls are in flight, settled newest first.
    for (let id = 0; id < total; id++) {
      const request = c.submit(`wf-${id % keys}`, { id, kind: 'firing' });
      request.catch(() => undefined); // read below with allSettled
      results.push(request);
      if (id % 37 === 0) {
        await tick();
        settleOpen();
      }
    }
    while (c.inFlight > 0) {
      await tick();
      settleOpen();
    }
    const outcomes = await Promise.allSettled(results);
    const delivered = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failed = outcomes.length - delivered.length;
    assert.equal(failed, Math.ceil(keys / 3), 'one failed single-alert first call per third key');
    assert.equal(delivered.filter(openedIncident).length, keys);
    const startingBatches = delivered.filter((d) => openedIncident(d)).map((d) => d.batchSize);
    assert.ok(
      startingBatches.some((size) => size > 1),
      `some incidents were started by a batch (${startingBatches.join(',')})`,
    );
    assert.equal(
      server.calls.reduce((sum, call) => sum + call.items.length, 0),
      total,
      'every alert rode on exactly one call',
    );
    assert.ok(server.calls.length < total / 2, `coalesced into ${server.calls.length} calls`);
    assert.ok(server.calls.every((call) => call.items.length <= 7));
    assert.equal(server.maxInFlightPerKey, 1);
  });

  it('never says "opened" for a resolved batch', async () => {
    const server = new FakeServer();
    const c = coalescer(server);
    const resolved = c.submit('wf-a', { id: 0, kind: 'resolved' });
    await server.callsMade(1);
    server.calls[0]!.settle();
    assert.equal(openedIncident(await resolved), false);
  });
});
