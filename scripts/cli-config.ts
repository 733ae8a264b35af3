/**
 * The configuration as the command-line scripts read it (`invito`, `backup`, `restore`): every
 * problem `parseConfig` finds, and one only the rest of the environment tells — a remote store
 * (INVITO_DB_PATH=https://…) is opened with DENO_KV_ACCESS_TOKEN, without which every command
 * fails on opening it. Invalid configuration exits 3 in each script (README, Command line).
 */
import { type ConfigResult, parseConfig } from "../src/lib/server/config.ts";
import { isLocalFile } from "../src/lib/server/store/backup.ts";

export const INVALID_CONFIGURATION_EXIT = 3;

export function readCliConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = parseConfig(env);
  const dbPath = parsed.ok ? parsed.config.dbPath : env.INVITO_DB_PATH || null;
  const errors = parsed.ok ? [] : [...parsed.errors];
  if (dbPath && !isLocalFile(dbPath) && dbPath !== ":memory:" && !env.DENO_KV_ACCESS_TOKEN) {
    errors.push(
      "INVITO_DB_PATH names a remote KV: set DENO_KV_ACCESS_TOKEN to its access token",
    );
  }
  return errors.length ? { ok: false, errors } : parsed;
}
