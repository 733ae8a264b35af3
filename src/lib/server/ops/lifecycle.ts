/**
 * Process lifecycle shared by server.ts and the SvelteKit build (both copies of this module see
 * one state on globalThis): background work registers here so that a SIGTERM can stop crons,
 * let running jobs finish (bounded), release what this process holds and close KV, in that order.
 */
export type CronState = {
  name: string;
  /** how often it should tick */
  intervalMs: number;
  registeredAtMs: number;
  lastTickMs: number | null;
};

type State = {
  stopping: boolean;
  /** when the process must be done (epoch ms); Infinity while running */
  deadlineMs: number;
  controller: AbortController;
  tasks: Set<Promise<unknown>>;
  hooks: { name: string; fn: () => Promise<unknown> | unknown }[];
  crons: Map<string, CronState>;
};

const KEY = Symbol.for("invito.lifecycle");
const g = globalThis as { [KEY]?: State };
const state: State = g[KEY] ??= {
  stopping: false,
  deadlineMs: Infinity,
  controller: new AbortController(),
  tasks: new Set(),
  hooks: [],
  crons: new Map(),
};

/** Aborted when shutdown begins: crons registered with it stop ticking. */
export function stopSignal(): AbortSignal {
  return state.controller.signal;
}

export function isStopping(): boolean {
  return state.stopping;
}

/** Background work that shutdown waits for (cron runs, outbox drains). */
export function track<T>(p: Promise<T>): Promise<T> {
  state.tasks.add(p);
  const done = () => state.tasks.delete(p);
  p.then(done, done);
  return p;
}

/** Runs at shutdown after background work settled, last registered first. */
export function onShutdown(name: string, fn: () => Promise<unknown> | unknown): void {
  state.hooks = state.hooks.filter((h) => h.name !== name);
  state.hooks.push({ name, fn });
}

export function registerCron(name: string, intervalMs: number, nowMs: number): void {
  state.crons.set(name, { name, intervalMs, registeredAtMs: nowMs, lastTickMs: null });
}

export function cronTicked(name: string, nowMs: number): void {
  const c = state.crons.get(name);
  if (c) c.lastTickMs = nowMs;
}

export function cronStates(): CronState[] {
  return [...state.crons.values()];
}

/**
 * Whether a job may start now: always while running; during shutdown only while there is time
 * left to finish one (`reserveMs`) before the deadline, so due mail still goes out on a restart.
 */
export function mayStartJobs(reserveMs = 2_000): boolean {
  return !state.stopping || Date.now() < state.deadlineMs - reserveMs;
}

/** Begins shutdown: crons stop ticking; jobs that are due may still run until the deadline. */
export function beginShutdown(deadlineMs = Date.now()): void {
  if (state.stopping) return;
  state.stopping = true;
  state.deadlineMs = deadlineMs;
  state.controller.abort();
}

/**
 * Waits for tracked background work until `deadlineMs` (epoch), then runs the hooks. Returns the
 * number of tasks still running at the deadline (they are abandoned with the process).
 */
export async function finishShutdown(
  deadlineMs: number,
  log: (msg: string) => void,
): Promise<number> {
  beginShutdown(deadlineMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const left = Math.max(0, deadlineMs - Date.now());
  await Promise.race([
    Promise.allSettled([...state.tasks]),
    new Promise((r) => (timer = setTimeout(r, left))),
  ]);
  clearTimeout(timer);
  const abandoned = state.tasks.size;
  for (const h of [...state.hooks].reverse()) {
    try {
      await h.fn();
    } catch (err) {
      log(`shutdown step ${h.name} failed: ${err instanceof Error ? err.message : err}`);
    }
  }
  return abandoned;
}
