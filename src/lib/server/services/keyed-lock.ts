/**
 * In-process serialisation per key. It is only an optimisation: correctness comes from the KV
 * versionstamp checks, but queueing same-host writes here avoids rounds of doomed commits when
 * many requests for one host arrive at once.
 */
export class KeyedLock {
  #tails = new Map<string, Promise<void>>();
  #signals = new Map<string, { promise: Promise<boolean>; resolve: (v: boolean) => void }>();

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
