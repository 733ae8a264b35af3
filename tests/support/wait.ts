/** Condition-based waiting for tests: poll a check until it passes, never a fixed sleep. */

export interface WaitOptions {
  /** overall limit (default 10 000 ms) */
  timeoutMs?: number;
  /** pause between checks (default 50 ms) */
  intervalMs?: number;
  /** describes what was awaited; a function is called only on timeout (e.g. to attach logs) */
  message?: string | (() => string);
}

/**
 * Calls `check` until it returns a value other than `undefined`, `null` or `false`, and returns
 * that value. Errors thrown by `check` count as "not yet"; the last one is reported on timeout.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (true) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const what = typeof opts.message === "function" ? opts.message() : opts.message;
      const cause = lastError instanceof Error ? `\nlast error: ${lastError.message}` : "";
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what ?? "a condition"}${cause}`,
      );
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** A plain pause; for polling loops only (prefer `waitFor`). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
