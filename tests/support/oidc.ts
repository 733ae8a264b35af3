/**
 * A real OpenID Connect provider (panva's oidc-provider 9) on 127.0.0.1 with one confidential
 * client and its development login/consent pages (any login and password is accepted; the login
 * becomes the account id).
 *
 * Order of start-up: the redirect URI holds the app's port, so pick that port first.
 * ```ts
 * const port = freePort();
 * const oidc = await startOidc({ redirectUris: [oidcRedirectUri(port)] });
 * const app = await startApp({ port, oidc });
 * // browser: click "Sign in with Test IdP" on the app, then
 * await loginViaDevInteractions(page, { login: "alice" });
 * // or without a browser: POST the app's sign-in form, take its 303 Location, then
 * const callback = await oidcLoginWithClient(client, res.location!, { login: "alice" });
 * await client.get(callback, { follow: true });
 * ```
 *
 * Accounts: any `sub` has claims: email `<sub>@example.test` (verified), name "<Sub> Example",
 * preferred_username `<sub>`; "alice" → alice@example.test / "Alice Example" / "alice". Override
 * or add with `users` / `addUser` (e.g. an unverified email, or no email at all: `email: null`):
 * `{ sub: "mallory", email: "victim@example.test", email_verified: false }` releases someone
 * else's address unverified; `addUser` changes an identity's claims between sign-ins.
 * Claims are served from userinfo and, with the "email profile" scopes, also in the ID token
 * (STACK-NOTES pitfall 12: Auth.js needs `idToken: false` to read userinfo).
 *
 * Client: client_secret_basic, response_types ["code"], grant_types ["authorization_code"],
 * PKCE (S256) accepted but not required. Its dev-mode warnings are filtered from the console
 * (INVITO_TEST_OIDC_VERBOSE=1 keeps them).
 */
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { generateKeyPairSync } from "node:crypto";
import type { Page } from "playwright-core";
import type { Client } from "./http.ts";

export interface OidcUser {
  sub: string;
  /** null: the account has no email claim */
  email?: string | null;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
  [claim: string]: unknown;
}

export interface StartOidcOptions {
  /** e.g. [oidcRedirectUri(appPort)] */
  redirectUris: string[];
  port?: number;
  clientId?: string;
  clientSecret?: string;
  users?: OidcUser[];
  /** skip the consent page (a grant is created on first login); default false */
  autoConsent?: boolean;
}

export interface OidcHandle {
  /** http://127.0.0.1:PORT (no trailing slash) */
  issuer: string;
  clientId: string;
  clientSecret: string;
  port: number;
  /** accounts with explicit claims; any other sub gets the default claims */
  users: Map<string, OidcUser>;
  addUser(user: OidcUser): void;
  /** the claims the IdP releases for `sub` */
  claimsFor(sub: string): Record<string, unknown>;
  /** errors the provider reported (server_error, grant.error, …) for debugging */
  errors: string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The app's Auth.js callback URL for the provider id "oidc". */
export const oidcRedirectUri = (appPort: number): string =>
  `http://127.0.0.1:${appPort}/auth/callback/oidc`;

/** CSS selectors of the dev interaction pages. */
export const devInteractionSelectors = {
  loginField: 'input[name="login"]',
  passwordField: 'input[name="password"]',
  loginForm: 'form:has(input[name="prompt"][value="login"])',
  consentForm: 'form:has(input[name="prompt"][value="consent"])',
  submit: 'button[type="submit"]',
} as const;

let consoleFiltered = false;
function filterProviderNoise() {
  if (consoleFiltered || Deno.env.get("INVITO_TEST_OIDC_VERBOSE") === "1") return;
  consoleFiltered = true;
  for (const level of ["warn", "info"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === "string" && /^oidc-provider (WARNING|NOTICE):/.test(args[0])) return;
      original(...args);
    };
  }
}

const defaultClaims = (sub: string) => ({
  sub,
  email: `${sub}@example.test`,
  email_verified: true,
  name: `${sub.charAt(0).toUpperCase()}${sub.slice(1)} Example`,
  preferred_username: sub,
});

export async function startOidc(opts: StartOidcOptions): Promise<OidcHandle> {
  filterProviderNoise();
  const { default: Provider } = await import("oidc-provider");

  const users = new Map<string, OidcUser>((opts.users ?? []).map((u) => [u.sub, u]));
  const claimsFor = (sub: string) => {
    const claims: Record<string, unknown> = { ...defaultClaims(sub), ...users.get(sub) };
    if (claims.email === null) {
      delete claims.email;
      delete claims.email_verified;
    }
    return claims;
  };

  const server: Server = createServer();
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = opts.clientId ?? "invito-test";
  const clientSecret = opts.clientSecret ??
    Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, "0"))
      .join("");

  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = {
    ...privateKey.export({ format: "jwk" }),
    kid: "test-key",
    use: "sig",
    alg: "RS256",
  };

  // deno-lint-ignore no-explicit-any
  const config: any = {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: opts.redirectUris,
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_basic",
    }],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    conformIdTokenClaims: false,
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => claimsFor(sub),
    }),
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => false },
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomUUID()] },
  };
  if (opts.autoConsent) {
    // deno-lint-ignore no-explicit-any
    config.loadExistingGrant = async (ctx: any) => {
      const grantId = ctx.oidc.result?.consent?.grantId ||
        ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      grant.addOIDCClaims(["email", "email_verified", "name", "preferred_username"]);
      await grant.save();
      return grant;
    };
  }
  const provider = new Provider(issuer, config);
  const errors: string[] = [];
  for (const event of ["server_error", "grant.error", "authorization.error", "userinfo.error"]) {
    // deno-lint-ignore no-explicit-any
    (provider as any).on(event, (_ctx: unknown, err: Error) => {
      errors.push(`${event}: ${err?.message ?? err}`);
    });
  }
  server.on("request", provider.callback());

  let closed = false;
  const handle: OidcHandle = {
    issuer,
    clientId,
    clientSecret,
    port,
    users,
    addUser: (u) => void users.set(u.sub, u),
    claimsFor,
    errors,
    close: async () => {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
    },
    [Symbol.asyncDispose]: () => handle.close(),
  };
  return handle;
}

/**
 * Completes the dev login (and consent, if asked) in a browser page that is on the IdP's login
 * page or on its way there (e.g. right after clicking the app's "Sign in with …" button).
 * Resolves once the browser has left the IdP's interaction pages (normally: back on the app).
 */
export async function loginViaDevInteractions(
  page: Page,
  opts: { login: string; password?: string; timeoutMs?: number },
): Promise<void> {
  const s = devInteractionSelectors;
  const timeout = opts.timeoutMs ?? 15_000;
  await page.locator(s.loginField).waitFor({ timeout });
  await page.fill(s.loginField, opts.login);
  await page.fill(s.passwordField, opts.password ?? "any-password");
  const loginUrl = page.url();
  await Promise.all([
    page.waitForURL((u) => u.href !== loginUrl, { timeout, waitUntil: "domcontentloaded" }),
    page.locator(s.loginForm).locator(s.submit).click({ timeout }),
  ]);
  if (await page.locator(s.consentForm).count()) {
    const consentUrl = page.url();
    await Promise.all([
      page.waitForURL((u) => u.href !== consentUrl, { timeout, waitUntil: "domcontentloaded" }),
      page.locator(s.consentForm).locator(s.submit).click({ timeout }),
    ]);
  }
}

const formAction = (html: string, pageUrl: string) => {
  const m = /<form[^>]*\baction="([^"]*)"/.exec(html);
  if (!m) throw new Error(`no form on ${pageUrl}:\n${html.slice(0, 500)}`);
  return new URL(m[1].replace(/&amp;/g, "&"), pageUrl).href;
};

/**
 * The same login without a browser: starts at `authorizeUrl` (the IdP URL the app redirected to),
 * submits the dev login (and consent), and returns the URL the IdP redirects back to (the app's
 * callback with `code` and `state`) WITHOUT requesting it; follow it with the same client, whose
 * jar holds the app's state/PKCE cookies.
 */
export async function oidcLoginWithClient(
  client: Client,
  authorizeUrl: string,
  opts: { login: string; password?: string },
): Promise<string> {
  const idpOrigin = new URL(authorizeUrl).origin;
  let res = await client.get(authorizeUrl);
  for (let step = 0; step < 20; step++) {
    if (res.location && res.status >= 300 && res.status < 400) {
      if (new URL(res.location).origin !== idpOrigin) return res.location;
      res = await client.get(res.location);
      continue;
    }
    if (res.status === 200 && /name="prompt" value="login"/.test(res.body)) {
      res = await client.post(formAction(res.body, res.url), {
        prompt: "login",
        login: opts.login,
        password: opts.password ?? "any-password",
      });
      continue;
    }
    if (res.status === 200 && /name="prompt" value="consent"/.test(res.body)) {
      res = await client.post(formAction(res.body, res.url), { prompt: "consent" });
      continue;
    }
    throw new Error(
      `unexpected IdP response ${res.status} at ${res.url}:\n${res.body.slice(0, 1000)}`,
    );
  }
  throw new Error("IdP login did not finish within 20 steps");
}
