/**
 * Auth.js wiring: OIDC against any issuer (when configured) and an email magic link that
 * always works. Sessions live in Deno KV (database strategy) so sign-out really revokes.
 */
import { SvelteKitAuth } from "@auth/sveltekit";
import type { RequestEvent } from "@sveltejs/kit";
import type { Provider } from "@auth/core/providers";
import type { App } from "../app.ts";
import { createKvAdapter } from "../store/auth-adapter.ts";
import { safeRedirectPath } from "../../shared/redirect.ts";
import { isValidTimeZone } from "../domain/time-zone.ts";
import { signInMail } from "./mail-templates/sign-in.ts";
import { maySignIn } from "../services/signup.ts";
import { hasLinkedAccount } from "../store/auth-adapter.ts";
import { mayMail } from "../services/sign-in-link.ts";
import { negotiateLocale } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";

export const MAGIC_LINK_MAX_AGE_S = 15 * 60;
export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

export type MailFailure = { detail: string };

/**
 * Whether the issuer vouches for the address (OIDC `email_verified`). Some issuers send the
 * string "true"; a missing claim counts as not verified.
 */
export function emailVerifiedClaim(profile: Record<string, unknown>): boolean {
  return profile.email_verified === true || profile.email_verified === "true";
}

/** The browser's clock, from the cookie the sign-in page sets (24-hour when absent). */
export function browserClock(event: RequestEvent): "12h" | "24h" {
  return event.cookies.get("invito_clock") === "12h" ? "12h" : "24h";
}

/** The browser's language at the first sign-in (the account's default; changed in the profile). */
export function browserLocale(event: RequestEvent): string {
  return negotiateLocale({
    chosen: [event.url.searchParams.get("lang")],
    acceptLanguage: event.request.headers.get("accept-language"),
  });
}

export function browserTimeZone(event: RequestEvent): string {
  const tz = event.cookies.get("invito_tz");
  return tz && isValidTimeZone(tz) ? tz : "UTC";
}

export function createAuth(getApp: () => Promise<App>) {
  return SvelteKitAuth(async (event) => {
    const app = await getApp();
    const { config } = app;
    const base = config.baseUrl.href.replace(/\/$/, "");
    const providers: Provider[] = [];
    if (config.oidc) {
      providers.push({
        id: "oidc",
        name: config.oidc.name,
        type: "oidc",
        issuer: config.oidc.issuer,
        clientId: config.oidc.clientId,
        clientSecret: config.oidc.clientSecret,
        checks: ["pkce", "state", "nonce"],
        // Many IdPs put email and name only in userinfo (STACK-NOTES 12).
        idToken: false,
        authorization: { params: { scope: "openid email profile" } },
        // Accounts follow the issuer's `sub`; an address enters only when the issuer verified it
        // (docs/decisions/007-oidc-accounts-by-sub.md). Without one, Auth.js cannot match or
        // create an account by address, and the signIn callback turns the identity away unless
        // its sub is linked already.
        profile(profile) {
          const email = typeof profile.email === "string" && emailVerifiedClaim(profile)
            ? profile.email.toLowerCase()
            : null;
          return {
            id: String(profile.sub),
            email,
            name: (profile.name as string | undefined) ??
              (profile.preferred_username as string | undefined) ??
              null,
            image: (profile.picture as string | undefined) ?? null,
            username: (profile.preferred_username as string | undefined) ?? undefined,
          };
        },
      });
    }
    providers.push({
      id: "email",
      type: "email",
      name: "Email",
      from: config.smtp?.from ?? "invito@localhost",
      maxAge: MAGIC_LINK_MAX_AGE_S,
      options: {},
      async sendVerificationRequest({ identifier, token, url }) {
        // Only a request our sign-in form let through (per-address limit, sign-up policy) is
        // mailed; Auth.js's own endpoints are closed to outside requests, this is the backstop.
        if (!mayMail(event.locals, identifier)) {
          throw new Error("sign-in link not requested through the sign-in form");
        }
        // The link is built from INVITO_BASE_URL only; it leads to our page whose button
        // completes sign-in, so a mail scanner that prefetches the link does not burn it.
        const callbackUrl = (event.locals as { signinNext?: string }).signinNext ??
          new URL(url).searchParams.get("callbackUrl");
        const link = new URL(`${base}/signin/verify`);
        link.searchParams.set("token", token);
        link.searchParams.set("email", identifier);
        link.searchParams.set("next", safeRedirectPath(callbackUrl, config.baseUrl.origin));
        // The mail and the page its link opens speak the sign-in page's language.
        const locale = (event.locals as { locale?: string }).locale ?? browserLocale(event);
        link.searchParams.set("lang", locale);
        const mail = signInMail({
          link: link.href,
          baseUrl: base,
          minutes: MAGIC_LINK_MAX_AGE_S / 60,
          t: translator(locale),
        });
        const sending = app.mailer.send({ to: identifier, ...mail });
        if (!config.signup.open) {
          // Under a closed policy a stranger gets no mail; waiting for the SMTP server here would
          // make an account holder's answer measurably slower than a stranger's.
          sending.then((res) => {
            if (!res.ok) console.error("[signin] magic link not sent:", res.error.detail);
          });
          return;
        }
        const res = await sending;
        if (!res.ok) {
          (event.locals as { mailFailure?: MailFailure }).mailFailure = {
            detail: res.error.detail,
          };
          throw new Error("magic link could not be sent");
        }
      },
    } as Provider);

    return {
      adapter: createKvAdapter(app.kv, {
        timeZone: browserTimeZone(event),
        clock: browserClock(event),
        locale: browserLocale(event),
      }),
      providers,
      secret: app.secret,
      trustHost: true,
      basePath: "/auth",
      session: { strategy: "database", maxAge: SESSION_MAX_AGE_S, updateAge: 24 * 60 * 60 },
      useSecureCookies: config.baseUrl.protocol === "https:",
      pages: { signIn: "/signin", error: "/signin", verifyRequest: "/signin/check-email" },
      logger: {
        // Auth.js warns about the basePath we set on purpose; keep the log for real problems.
        warn: (code) => {
          if (code !== "env-url-basepath-redundant" && code !== "csrf-disabled") {
            console.warn("[auth]", code);
          }
        },
        error: (err) => console.error("[auth]", err.name, err.message),
      },
      callbacks: {
        // The sign-up policy, for every way in (the email form checks it first, with a message).
        async signIn({ user, account }) {
          if (account?.type === "oidc" && !user.email) {
            const linked = await hasLinkedAccount(
              app.kv,
              account.provider,
              account.providerAccountId,
            );
            if (!linked) return "/signin?error=EmailUnverified";
          }
          return await maySignIn(app, {
            email: user.email,
            provider: account?.provider,
            providerAccountId: account?.providerAccountId,
          });
        },
        redirect({ url, baseUrl }) {
          // Our own refusals (the signIn callback above) name a reason for the sign-in page.
          if (/^\/signin\?error=[A-Za-z]{1,40}$/.test(url)) return baseUrl + url;
          return baseUrl + safeRedirectPath(url, baseUrl);
        },
        session({ session, user }) {
          // Only these fields reach the browser; the session token never does.
          return {
            expires: session.expires,
            user: { id: user.id, name: user.name ?? null, email: user.email },
          } as typeof session;
        },
      },
    };
  });
}
