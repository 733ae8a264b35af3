/**
 * Starts the built Invito server (`deno run -A server.ts` from the repo root) for a test, on its
 * own port with its own temporary data directory, and tears it down cleanly.
 *
 * ```ts
 * const app = await startApp({ env: { INVITO_BOOKING_TTL: "1h" } });
 * try {
 *   const res = await fetch(`${app.baseUrl}/healthz`);
 *   ...
 * } finally {
 *   await app.stop();
 * }
 * ```
 * or `await using app = await startApp();`.
 *
 * With OIDC the redirect URI needs the app's port before the IdP starts:
 * ```ts
 * const port = freePort();
 * const oidc = await startOidc({ redirectUris: [oidcRedirectUri(port)] });
 * const app = await startApp({ port, oidc });
 * ```
 *
 * Needs `npm run build` first (scripts/test-all.sh does it). Set INVITO_TEST_ECHO=1 to see the
 * server's output live on stderr.
 */
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { delay } from "./wait.ts";
import { makeDataDir } from "./data-dir.ts";

export const repoRoot: string = join(import.meta.dirname!, "..", "..");
export const denoBin: string = join(repoRoot, "node_modules", ".bin", "deno");
/**
 * The V8 flags the server runs with in production (the Dockerfile's CMD, scripts/start.sh; ADR
 * 049, and ADR 053's addendum of 2026-12-03 for 4 MB): tests and benchmarks start it the same
 * way (tests/ops/runtime-flags.test.ts holds the three to one spelling).
 */
const SERVER_V8_FLAGS = "--v8-flags=--max-semi-space-size=4";
/**
 * Every flag of `deno run` the server runs with in production, the V8 flags among them. Deno's
 * code cache is off: it held 4–5 MB more for as long as the server is not busy (its cache file
 * mapped, its buffers, code made ahead of need) to save ~70 ms at start (ADR 053's addendum of
 * 2026-11-30).
 */
export const SERVER_DENO_FLAGS: readonly string[] = [SERVER_V8_FLAGS, "--no-code-cache"];
/**
 * What an operator of a small box may add with `DENO_V8_FLAGS` (README, Operations; ADR 053):
 * V8's old generation grows 20 % past what survived its last full collection instead of V8's own
 * factor. It measured ~25 MB less RSS after a burst of page views and costs the heavier pages and
 * crowds time, so it is not the default; bench/bookings.ts measures it beside the default.
 */
export const LOW_MEMORY_V8_FLAGS = "--heap-growing-percent=20";

export interface StartAppOptions {
  /** extra or overriding env for the server (e.g. `INVITO_RATE_LIMIT: "10/min"`) */
  env?: Record<string, string>;
  /** sets INVITO_DEMO=1 */
  demo?: boolean;
  /** the port to listen on; default: a free one (and retried on a port clash) */
  port?: number;
  /** use this data directory (shared, e.g. by two app instances); it is never deleted by us */
  dataDir?: string;
  /** fills INVITO_SMTP_HOST/PORT (and FROM unless given in env) */
  smtp?: { host: string; port: number };
  /** fills INVITO_OIDC_ISSUER/CLIENT_ID/CLIENT_SECRET/NAME */
  oidc?: { issuer: string; clientId: string; clientSecret: string; name?: string };
  /** entry file relative to the repo root (default "server.ts"); for harness self-tests */
  entry?: string;
  /** arguments after the entry file */
  args?: string[];
  /** more `deno run` flags, before the entry file (e.g. `--cpu-prof` to profile a bench run) */
  denoFlags?: string[];
  /** how long to wait for GET /healthz → 200 (default 20 000 ms) */
  startTimeoutMs?: number;
}

export interface AppHandle {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  port: number;
  dataDir: string;
  /** INVITO_DB_PATH, a file inside dataDir */
  dbPath: string;
  /** the INVITO_* env the server was started with */
  env: Record<string, string>;
  /** `${baseUrl}${path}` */
  url(path: string): string;
  /** pid of the running server process, or null when it is not running */
  pid(): number | null;
  /** SIGTERM, then SIGKILL after 5 s; awaits exit. Deletes the temp data dir unless keepData. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** stops (SIGTERM) if running and starts again with the same port, env and data */
  restart(): Promise<void>;
  /** SIGKILL (a crash); data stays. Follow with restart() or stop(). */
  kill9(): Promise<void>;
  /** everything the server wrote to stdout and stderr so far, across restarts */
  logs(): string;
  /**
   * Waits until the logs (from character offset `since`, e.g. `app.logs().length` taken before
   * the action) match `pattern`; returns the match. For magic links printed to the log.
   */
  waitForLog(
    pattern: RegExp | string,
    opts?: { since?: number; timeoutMs?: number },
  ): Promise<RegExpMatchArray>;
  [Symbol.asyncDispose](): Promise<void>;
}

const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

/** The parent's env without its INVITO_* settings (the test run id is kept for cleanup). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (k.startsWith("INVITO_") && k !== "INVITO_TEST_RUN_ID") continue;
    env[k] = v;
  }
  env.NO_COLOR = "1";
  env.DENO_NO_UPDATE_CHECK = "1";
  return env;
}

class AddrInUse extends Error {}

interface Running {
  child: Deno.ChildProcess;
  status: Promise<Deno.CommandStatus>;
  exited: Deno.CommandStatus | null;
  pumps: Promise<void>;
}

export async function startApp(opts: StartAppOptions = {}): Promise<AppHandle> {
  const ownsDataDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? await makeDataDir("invito-app-");
  const dbPath = join(dataDir, "invito.kv");
  const entry = opts.entry ?? "server.ts";
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  const echo = Deno.env.get("INVITO_TEST_ECHO") === "1";

  let port = opts.port ?? freePort();
  let log = "";
  let running: Running | null = null;
  let stopped = false;
  const sessionSecret = randomHex(32);

  const makeEnv = () => {
    const invito: Record<string, string> = {
      INVITO_BASE_URL: `http://127.0.0.1:${port}`,
      INVITO_LISTEN_ADDR: `127.0.0.1:${port}`,
      INVITO_DB_PATH: dbPath,
      INVITO_SESSION_SECRET: sessionSecret,
      INVITO_RATE_LIMIT: "off",
      INVITO_MIN_FILL_TIME: "0s",
      // The server's own shutdown deadline ends before `halt` gives up on it (5 s) and kills it:
      // with the default 8 s a stop or restart during a slow request was a SIGKILL, not the
      // graceful shutdown users get.
      INVITO_SHUTDOWN_TIMEOUT: "4s",
    };
    if (opts.demo) invito.INVITO_DEMO = "1";
    if (opts.smtp) {
      invito.INVITO_SMTP_HOST = opts.smtp.host;
      invito.INVITO_SMTP_PORT = String(opts.smtp.port);
      invito.INVITO_SMTP_FROM = "Invito <invito@example.test>";
    }
    if (opts.oidc) {
      invito.INVITO_OIDC_ISSUER = opts.oidc.issuer;
      invito.INVITO_OIDC_CLIENT_ID = opts.oidc.clientId;
      invito.INVITO_OIDC_CLIENT_SECRET = opts.oidc.clientSecret;
      invito.INVITO_OIDC_NAME = opts.oidc.name ?? "Test IdP";
    }
    return { ...invito, ...opts.env };
  };
  let invitoEnv = makeEnv();

  const append = (text: string) => {
    log += text;
    if (echo) Deno.stderr.writeSync(new TextEncoder().encode(text));
  };

  const pump = async (stream: ReadableStream<Uint8Array>) => {
    try {
      const decoder = new TextDecoder();
      for await (const chunk of stream) append(decoder.decode(chunk, { stream: true }));
    } catch {
      // the stream ends with the process; nothing to report
    }
  };

  const spawn = (): Running => {
    const child = new Deno.Command(denoBin, {
      args: [
        "run",
        ...SERVER_DENO_FLAGS,
        ...(opts.denoFlags ?? []),
        "-A",
        entry,
        ...(opts.args ?? []),
      ],
      cwd: repoRoot,
      env: { ...baseEnv(), ...invitoEnv },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const r: Running = {
      child,
      exited: null,
      status: child.status.then((s) => (r.exited = s)),
      pumps: Promise.all([pump(child.stdout), pump(child.stderr)]).then(() => {}),
    };
    return r;
  };

  /** waits for the process to exit (and its output to be read), SIGKILL after graceMs */
  const halt = async (signal: Deno.Signal, graceMs: number) => {
    const r = running;
    if (!r) return;
    running = null;
    if (!r.exited) {
      try {
        r.child.kill(signal);
      } catch {
        // already exited
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        r.status.then(() => false),
        new Promise<boolean>((res) => timer = setTimeout(() => res(true), graceMs)),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        append(`\n[harness] server did not exit ${graceMs} ms after ${signal}; SIGKILL\n`);
        try {
          r.child.kill("SIGKILL");
        } catch {
          // exited meanwhile
        }
      }
    }
    await r.status;
    await r.pumps;
  };

  const waitHealthy = async () => {
    const r = running!;
    const since = log.length;
    const deadline = Date.now() + startTimeoutMs;
    let last = "no answer yet";
    while (true) {
      if (r.exited) {
        await r.pumps;
        const msg = `server exited during startup (code ${r.exited.code}${
          r.exited.signal ? `, ${r.exited.signal}` : ""
        })`;
        if (/AddrInUse|address already in use/i.test(log)) throw new AddrInUse(msg);
        throw new Error(`${msg}\n--- server output ---\n${log}`);
      }
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 2_000);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: ac.signal });
        const body = await res.text();
        // Ours only once it said it listens on this port: another process holding the port (a
        // test of the other shard) answers 200 too, while ours dies of AddrInUse.
        if (res.status === 200 && log.includes(`listening on http://127.0.0.1:${port} `, since)) {
          return;
        }
        last = `GET /healthz → ${res.status} ${body.slice(0, 200)}`;
      } catch (e) {
        last = `GET /healthz failed: ${e instanceof Error ? e.message : e}`;
      } finally {
        clearTimeout(timer);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `server not healthy after ${startTimeoutMs} ms (${last})\n--- server output ---\n${log}`,
        );
      }
      await delay(50);
    }
  };

  const removeDataDir = async () => {
    if (ownsDataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };

  const boot = async () => {
    for (let attempt = 1;; attempt++) {
      running = spawn();
      try {
        await waitHealthy();
        return;
      } catch (e) {
        await halt("SIGKILL", 1_000);
        if (e instanceof AddrInUse && opts.port === undefined && attempt < 4) {
          append(`\n[harness] port ${port} was taken; retrying on another port\n`);
          port = freePort();
          invitoEnv = makeEnv();
          handle.port = port;
          handle.baseUrl = `http://127.0.0.1:${port}`;
          handle.env = invitoEnv;
          continue;
        }
        throw e instanceof AddrInUse ? new Error(`${e.message}\n--- server output ---\n${log}`) : e;
      }
    }
  };

  const handle: AppHandle = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    dbPath,
    env: invitoEnv,
    url: (path) => `${handle.baseUrl}${path}`,
    pid: () => (running && !running.exited ? running.child.pid : null),
    stop: async ({ keepData = false } = {}) => {
      await halt("SIGTERM", 5_000);
      if (!keepData) {
        stopped = true;
        await removeDataDir();
      }
    },
    restart: async () => {
      if (stopped) throw new Error("restart() after stop(): use stop({ keepData: true })");
      await halt("SIGTERM", 5_000);
      append("\n[harness] --- restart ---\n");
      await boot();
    },
    kill9: () => halt("SIGKILL", 5_000),
    logs: () => log,
    waitForLog: async (pattern, { since = 0, timeoutMs = 15_000 } = {}) => {
      const re = typeof pattern === "string"
        ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        : pattern;
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const m = log.slice(since).match(re);
        if (m) return m;
        if (Date.now() > deadline) {
          throw new Error(
            `no log line matching ${re} within ${timeoutMs} ms\n--- server output ---\n${
              log.slice(since)
            }`,
          );
        }
        await delay(50);
      }
    },
    [Symbol.asyncDispose]: () => handle.stop(),
  };

  try {
    await boot();
  } catch (e) {
    await removeDataDir();
    throw e;
  }
  return handle;
}
