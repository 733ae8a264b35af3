/**
 * Composition root: reads the config, opens KV and builds integrations once per process.
 * Services receive this object; nothing below reads env or opens KV on its own.
 */
import { APP_HOLDER, type AppHolder } from "./app-holder.ts";
import { type Config, isRemoteKv, parseConfig } from "./config.ts";
import { openKv, openReadKv } from "./store/kv.ts";
import { createMailer, type Mailer } from "./integrations/mail.ts";
import { deriveKey, type HmacKey, randomToken } from "./integrations/crypto.ts";
import { KeyedLock } from "./services/keyed-lock.ts";
import { instrumentKv } from "./ops/kv-metrics.ts";

export type App = {
  config: Config;
  kv: Deno.Kv;
  /**
   * The same store for the reads a guarded write or a kept page is based on: a second
   * connection to a local file (store/kv.ts openReadKv), else `kv` itself. Never written to.
   */
  readKv: Deno.Kv;
  mailer: Mailer;
  /** The effective session secret (configured, or generated once and kept under the data folder). */
  secret: string;
  linkKey: HmacKey;
  credentialKey: CryptoKey;
  /** Distinguishes this process in leases. */
  instanceId: string;
  now: () => number;
  /** Called after a write queued outbox work; the job runner makes it drain soon. */
  kickOutbox: () => void;
  /** Per-host write queue inside this process (an optimisation; KV checks guarantee correctness). */
  hostLock: KeyedLock;
};

export function getApp(): Promise<App> {
  const g = globalThis as AppHolder<App>;
  g[APP_HOLDER] ??= buildApp(Deno.env.toObject()).catch((err) => {
    delete g[APP_HOLDER];
    throw err;
  });
  return g[APP_HOLDER]!;
}

export async function buildApp(
  env: Record<string, string | undefined>,
  overrides: Partial<Pick<App, "kv" | "readKv" | "mailer" | "now">> = {},
): Promise<App> {
  const parsed = parseConfig(env);
  if (!parsed.ok) {
    throw new Error("Invalid configuration:\n" + parsed.errors.map((e) => `  - ${e}`).join("\n"));
  }
  const config = parsed.config;
  const kv = overrides.kv ?? await openKv(config.dbPath);
  const readKv = overrides.readKv ?? (overrides.kv ? kv : await openReadKv(config.dbPath, kv));
  const secret = config.sessionSecret ?? await loadOrCreateSecret(config.dbPath);
  // Commit outcomes feed /metrics (issue 15); behaviour is the plain handle's.
  const counted = instrumentKv(kv);
  return {
    config,
    kv: counted,
    readKv: readKv === kv ? counted : readKv,
    mailer: overrides.mailer ?? createMailer(config.smtp),
    secret,
    linkKey: await deriveKey(secret, "invito booking links v1", "hmac"),
    credentialKey: await deriveKey(secret, "invito caldav credentials v1", "aes"),
    instanceId: randomToken(9),
    now: overrides.now ?? Date.now,
    kickOutbox: () => {},
    hostLock: new KeyedLock(),
  };
}

/** Where the generated secret lives: beside a local KV file, or ./data for remote KV. */
export function secretPath(dbPath: string): string {
  if (isRemoteKv(dbPath) || dbPath === ":memory:") return "./data/session-secret";
  const dir = dbPath.includes("/") ? dbPath.slice(0, dbPath.lastIndexOf("/")) : ".";
  return `${dir || "."}/session-secret`;
}

async function loadOrCreateSecret(dbPath: string): Promise<string> {
  const path = secretPath(dbPath);
  try {
    const s = (await Deno.readTextFile(path)).trim();
    if (s.length >= 32) return s;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const dir = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true });
  const secret = randomToken(48);
  try {
    // createNew: of two processes starting at once, one writes and the other reads its secret.
    await Deno.writeTextFile(path, secret + "\n", { mode: 0o600, createNew: true });
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return (await Deno.readTextFile(path)).trim();
    throw err;
  }
  console.warn(
    `INVITO_SESSION_SECRET is not set: generated one and stored it in ${path} (mode 0600). ` +
      "Set INVITO_SESSION_SECRET to keep sessions and links valid if that file is lost.",
  );
  return secret;
}
