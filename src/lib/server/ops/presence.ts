/**
 * This process tells the store it is running (store/presence.ts): renewed every PRESENCE_EVERY_MS
 * for twice as long, removed at shutdown. A process killed without shutdown is "running" for at
 * most PRESENCE_TTL_MS more.
 */
import type { App } from "../app.ts";
import { announceProcess, removeProcess } from "../store/presence.ts";
import { onShutdown } from "./lifecycle.ts";

export const PRESENCE_EVERY_MS = 20_000;
export const PRESENCE_TTL_MS = 45_000;

const STARTED = Symbol.for("invito.presence");

export async function announcePresence(app: App): Promise<void> {
  const g = globalThis as { [STARTED]?: boolean };
  if (g[STARTED]) return;
  g[STARTED] = true;
  const startedAtMs = app.now();
  const beat = () =>
    announceProcess(app.kv, {
      v: 1,
      instanceId: app.instanceId,
      pid: Deno.pid,
      startedAtMs,
      untilMs: app.now() + PRESENCE_TTL_MS,
    }).catch((err) => console.error("[presence] not renewed:", err));
  await beat();
  const timer = setInterval(beat, PRESENCE_EVERY_MS) as unknown as number;
  Deno.unrefTimer(timer);
  onShutdown("presence", async () => {
    clearInterval(timer);
    await removeProcess(app.kv, app.instanceId).catch(() => {});
  });
}
