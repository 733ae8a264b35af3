/**
 * In-process serialisation per key. It is only an optimisation: correctness comes from the KV
 * versionstamp checks, but queueing same-host writes here avoids rounds of doomed commits when
 * many requests for one host arrive at once.
 */
export class KeyedLock {
  #tails = new Map<string, Promise<void>>();
  #signals = new Map<string, { promise: Promise<boolean>; resolve: (v: boolean) => void }>();
  /** Turns begun, on every key: the queue's clock (see `begunSince`). */
  #seq = 0;
  /** When each key's latest turn began, least recent first; the oldest are forgotten. */
  #begun = new Map<string, number>();
  /** Turns that began before this may have been forgotten. */
  #floor = 0;

  /** A mark of the queue's clock, for `begunSince`. */
  mark(): number {
    return this.#seq;
  }

  /**
   * Whether a turn for `key` began after `mark` — whether something in this process may have
   * changed what `key` guards since a read taken then, outside the queue. Yes when unknown (the
   * turn was forgotten).
   */
  begunSince(key: string, mark: number): boolean {
    return mark < this.#floor || (this.#begun.get(key) ?? 0) > mark;
  }

  #begin(key: string) {
    this.#begun.delete(key);
    this.#begun.set(key, ++this.#seq);
    if (this.#begun.size <= REMEMBERED) return;
    // Forget the least recent half (one key per person or rotation that was ever busy).
    for (const [k, at] of this.#begun) {
      if (this.#begun.size <= REMEMBERED / 2) break;
      this.#begun.delete(k);
      this.#floor = at;
    }
  }

  /**
   * Resolves at the next `signal(key)` (or when nothing holds or waits for `key` any more) with
   * what the signal said: whether the holder may have changed what the waiters wait on.
   */
  nextSignal(key: string): Promise<boolean> {
    let s = this.#signals.get(key);
    if (!s) {
      let resolve!: (v: boolean) => void;
      const promise = new Promise<boolean>((r) => (resolve = r));
      this.#signals.set(key, s = { promise, resolve });
    }
    return s.promise;
  }

  /**
   * Wakes everyone waiting in `nextSignal(key)`: the holder is done, and `changed` says whether
   * it may have changed what they wait on (false: it left nothing anyone would be refused by).
   */
  signal(key: string, changed = true): void {
    const s = this.#signals.get(key);
    if (!s) return;
    this.#signals.delete(key);
    s.resolve(changed);
  }

  /** Whether something holds or waits for `key` now. */
  busy(key: string): boolean {
    return this.#tails.has(key);
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.#tails.set(key, tail);
    await prev;
    this.#begin(key);
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) {
        this.#tails.delete(key);
        this.signal(key);
      }
    }
  }
}

/** Keys whose latest turn `KeyedLock` remembers at most. */
const REMEMBERED = 10_000;
