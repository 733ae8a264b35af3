/**
 * Where the process's one App lives: on globalThis, so that every copy of app.ts (server.ts
 * imports src/, the SvelteKit build has its own) hands out the same one. server.ts reads it
 * here without loading app.ts and the module graph behind it a second time. (The App's type is
 * app.ts's; this module names none, so that neither imports the other.)
 */
export const APP_HOLDER = Symbol.for("invito.app");
export type AppHolder<A> = { [APP_HOLDER]?: Promise<A> };

/** The App a copy of app.ts has built (or is building), if any has been asked for yet. */
export function heldApp<A>(): Promise<A> | undefined {
  return (globalThis as AppHolder<A>)[APP_HOLDER];
}
