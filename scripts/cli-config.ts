/**
 * What the command-line scripts (`invito`, `backup`, `restore`) share about configuration. They
 * read it with the server's own `parseConfig` (config.ts), so a setting the server refuses at
 * start — a remote INVITO_DB_PATH without DENO_KV_ACCESS_TOKEN among them — is refused here in
 * the same words. Invalid configuration exits 3 in each script (README, Command line).
 */
export const INVALID_CONFIGURATION_EXIT = 3;
