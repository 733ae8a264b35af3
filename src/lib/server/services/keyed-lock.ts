/**
 * In-process serialisation per key. It is only an optimisation: correctness comes from the KV
 * versionstamp checks, but queueing same-host writes here avoids rounds of doomed commits when
 * many requests for one host arrive at once.
 */
export class KeyedLock {
  #tails = new Map<string, Promise<void>>();

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
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
