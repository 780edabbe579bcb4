/**
 * Coalesces alerts per workflow (issue 15). During an alert storm many alerts hit the same
 * incident; sent one by one, each is a durable write and a workflow task, and the signals to one
 * workflow serialize on its mutable state anyway. So per key (the workflow ID) at most one call
 * is in flight; alerts for that key arriving meanwhile queue, and when the call returns (success
 * or failure) the queued ones go out together as the next call.
 *
 * A caller's promise settles with the outcome of the call that carried ITS item: resolved only once
 * that call succeeded (so the API never acknowledges an alert a crash could still lose), rejected
 * with that call's error otherwise, for every item in it.
 *
 * Pure: no Temporal here. The sender (src/use-cases/open-incident.ts) does the call.
 */

/** One call's worth: items of one kind for one key, in arrival order. */
export interface Batch<T> {
  key: string;
  kind: string;
  items: T[];
}

export interface CoalescerOptions<T, R> {
  /** Sends one batch in one call. */
  send: (batch: Batch<T>) => Promise<R>;
  /**
   * Items of different kinds never share a call (a firing batch may start an incident, a resolved
   * one must not); the queue still keeps arrival order across kinds.
   */
  kindOf: (item: T) => string;
  /** Bytes the item adds to the call's payload. */
  sizeOf: (item: T) => number;
  /** At most this many items per call (≥ 1). */
  maxItems: number;
  /** At most this many bytes of items per call; one item larger than this still goes, alone. */
  maxBytes: number;
}

/** What a caller gets back: the carrying call's result and where its item sat in that call. */
export interface Delivered<R> {
  result: R;
  /** 0 for the first (earliest) item of its call. */
  index: number;
  batchSize: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (delivered: Delivered<R>) => void;
  reject: (error: unknown) => void;
}

export class KeyedCoalescer<T, R> {
  /** A key is present exactly while a call for it is in flight; its array holds the waiting items. */
  private readonly queues = new Map<string, Pending<T, R>[]>();

  constructor(private readonly options: CoalescerOptions<T, R>) {
    if (options.maxItems < 1) throw new Error('maxItems must be at least 1');
  }

  /** Keys with a call in flight (for tests and metrics). */
  get inFlight(): number {
    return this.queues.size;
  }

  submit(key: string, item: T): Promise<Delivered<R>> {
    return new Promise((resolve, reject) => {
      const pending = { item, resolve, reject };
      const queue = this.queues.get(key);
      if (queue) {
        queue.push(pending);
        return;
      }
      // Nothing in flight for this key: this item goes at once, alone (no waiting for company:
      // a quiet alert pays no latency for coalescing).
      const fresh = [pending];
      this.queues.set(key, fresh);
      void this.drain(key, fresh);
    });
  }

  private async drain(key: string, queue: Pending<T, R>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = this.take(queue);
      const items = batch.map((p) => p.item);
      try {
        const result = await this.options.send({ key, kind: this.options.kindOf(items[0]!), items });
        batch.forEach((p, index) => p.resolve({ result, index, batchSize: batch.length }));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.queues.delete(key);
  }

  /** Removes and returns the next call's items: a leading run of one kind, within both bounds. */
  private take(queue: Pending<T, R>[]): Pending<T, R>[] {
    const { kindOf, sizeOf, maxItems, maxBytes } = this.options;
    const kind = kindOf(queue[0]!.item);
    let bytes = sizeOf(queue[0]!.item);
    let count = 1;
    while (count < queue.length && count < maxItems) {
      const next = queue[count]!.item;
      if (kindOf(next) !== kind || bytes + sizeOf(next) > maxBytes) break;
      bytes += sizeOf(next);
      count++;
    }
    return queue.splice(0, count);
  }
}

/**
 * The "opened" rule for signal-with-start batches: of the alerts in the call that started the
 * workflow, exactly one says it opened the incident, the first (earliest queued) one. Every other
 * alert, in that call or any other, deduplicated. So each new incident gets exactly one "opened"
 * answer, as when every alert was its own call.
 */
export const openedIncident = (delivered: Delivered<{ started: boolean }>): boolean =>
  delivered.index === 0 && delivered.result.started;
