/**
 * A race made to happen every time: a store whose next read (by one of `via`) of a key that
 * `names` picks is answered only after the armed write ran. The reader then holds an entry that
 * has already changed, as when another process's write lands between its read and its commit.
 *
 * ```ts
 * const store = writeAfterNextRead(await Deno.openKv(":memory:"), (k) => k[0] === "event_type", "get");
 * const app = await memoryApp({ kv: store.kv });
 * store.arm(() => setEventTypeActive(app, host, et.id, false));
 * ```
 */
export function writeAfterNextRead(
  kv: Deno.Kv,
  names: (key: Deno.KvKey) => boolean,
  via: "get" | "getMany",
) {
  let meanwhile: (() => Promise<unknown>) | null = null;
  const after = async <T>(ks: Deno.KvKey[], read: Promise<T>): Promise<T> => {
    const got = await read;
    const run = meanwhile;
    if (run && ks.some(names)) {
      meanwhile = null;
      await run();
    }
    return got;
  };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get" && via === "get") {
        return (key: Deno.KvKey, opts?: { consistency?: Deno.KvConsistencyLevel }) =>
          after([key], target.get(key, opts));
      }
      if (prop === "getMany" && via === "getMany") {
        return (ks: Deno.KvKey[], opts?: { consistency?: Deno.KvConsistencyLevel }) =>
          after(ks, target.getMany(ks, opts));
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: proxy, arm: (write: () => Promise<unknown>) => (meanwhile = write) };
}
