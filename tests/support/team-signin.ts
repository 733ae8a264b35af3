/** Signing in for the team tests: in Chromium (browser-sign-in.ts) and over HTTP. */
export { signInWithEmail } from "./browser-sign-in.ts";

/**
 * The same over HTTP, for tests that drive the server without a browser: a client with a
 * session for `email` (the email-link flow of tests/reliability/harness.ts).
 */
export { signIn as signInClient } from "../reliability/harness.ts";
