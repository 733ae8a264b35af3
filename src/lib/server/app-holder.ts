/**
 * Where the process's one App lives: on globalThis, so that every copy of app.ts (server.ts
 * imports src/, the SvelteKit build has its own) hands out the same one. server.ts reads it
 * here without loading app.ts and the module graph behind it a second time.
 */
import type { App } from "./app.ts";

export const APP_HOLDER = Symbol.for("invito.app");
export type AppHolder = { [APP_HOLDER]?: Promise<App> };

/** The App a copy of app.ts has built (or is building), if any has been asked for yet. */
export function heldApp(): Promise<App> | undefined {
  return (globalThis as AppHolder)[APP_HOLDER];
}
