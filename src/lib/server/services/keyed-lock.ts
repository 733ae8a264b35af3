/**
 * In-process serialisation per key. It is only an optimisation: correctness comes from the KV
 * versionstamp checks, but queueing same-host writes here avoids rounds of doomed commits when
 * many requests for one host arrive at once.
 */
export class KeyedLock {
  #tails = new Map<string, Promise<void>>();
  #signals = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  /** Resolves at the next `signal(key)` (or when nothing holds or waits for `key` any more). */
  nextSignal(key: string): Promise<void> {
    let s = this.#signals.get(key);
    if (!s) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#signals.set(key, s = { promise, resolve });
    }
    return s.promise;
  }

  /** Wakes everyone waiting in `nextSignal(key)` (the holder changed what they wait on). */
  signal(key: string): void {
    const s = this.#signals.get(key);
    if (!s) return;
    this.#signals.delete(key);
    s.resolve();
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
