/**
 * A memory KV that counts the engine's snapshot reads of one key space and whose commits take a
 * while (as on a loaded machine or remote KV), so a crowd is waiting before the first commit
 * lands: what the crowd tests of services/ measure (reads per request, not timings).
 */
export async function slowCountingKv(opts: {
  /** The key space whose `getMany` reads are counted (its first key part, from store/keys.ts). */
  space: Deno.KvKeyPart;
  commitDelayMs: number;
}): Promise<{ kv: Deno.Kv; reads: () => number; reset: () => void }> {
  const kv = await Deno.openKv(":memory:");
  let reads = 0;
  const getMany = kv.getMany.bind(kv);
  // deno-lint-ignore no-explicit-any
  (kv as any).getMany = (keys: Deno.KvKey[], o?: { consistency?: Deno.KvConsistencyLevel }) => {
    if (keys.some((k) => k[0] === opts.space)) reads++;
    return getMany(keys, o);
  };
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = async () => {
      await new Promise((r) => setTimeout(r, opts.commitDelayMs));
      return await commit();
    };
    return op;
  };
  return { kv, reads: () => reads, reset: () => (reads = 0) };
}
