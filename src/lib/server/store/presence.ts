/**
 * Which server processes work on this store (issue 32): each renews its entry while it runs and
 * deletes it when it stops. The command line reads them to refuse a local KV file in use.
 */
import { keys } from "./keys.ts";

export type ProcessRecord = {
  v: 1;
  instanceId: string;
  pid: number;
  startedAtMs: number;
  untilMs: number;
};

export async function announceProcess(kv: Deno.Kv, rec: ProcessRecord): Promise<void> {
  await kv.set(keys.process(rec.instanceId), rec, {
    expireIn: Math.max(1_000, rec.untilMs - Date.now()) + 60_000,
  });
}

export async function removeProcess(kv: Deno.Kv, instanceId: string): Promise<void> {
  await kv.delete(keys.process(instanceId));
}

/** Processes whose entry is still current (the stored expiry counts, not KV's lazy one). */
export async function liveProcesses(kv: Deno.Kv, nowMs: number): Promise<ProcessRecord[]> {
  const out: ProcessRecord[] = [];
  for await (const e of kv.list<ProcessRecord>({ prefix: keys.processPrefix() })) {
    if (e.value && e.value.untilMs > nowMs) out.push(e.value);
  }
  return out;
}

/** What the command line says when a running server works on the local KV file it would change. */
export function storeInUseMessage(path: string, untilMs: number | null): string {
  return `${path} is in use by a running Invito server${
    untilMs ? ` (it last said so until ${new Date(untilMs).toISOString()})` : ""
  }. A local KV file is one process's at a time: stop the server first, or point the server and this command at the same remote KV (INVITO_DB_PATH=https://…). Nothing was changed.`;
}
