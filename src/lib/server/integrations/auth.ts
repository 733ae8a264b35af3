/**
 * Auth.js wiring: OIDC against any issuer (when configured) and an email magic link that
 * always works. Sessions live in Deno KV (database strategy) so sign-out really revokes.
 */
import { SvelteKitAuth } from "@auth/sveltekit";
import { initialClock } from "../../shared/format.ts";
import type { RequestEvent } from "@sveltejs/kit";
import type { Provider } from "@auth/core/providers";
import type { App } from "../app.ts";
import { createKvAdapter } from "../store/auth-adapter.ts";
import { safeRedirectPath } from "../../shared/redirect.ts";
import { canonicalTimeZone } from "../domain/time-zone.ts";
import { signInMail } from "./mail-templates/sign-in.ts";
import { isSuspendedSignIn, maySignIn } from "../services/signup.ts";
import { type AuditEvent, recordAudit } from "../services/audit.ts";
import { getActiveUser, updateUser } from "../store/users.ts";
import { hasLinkedAccount } from "../store/auth-adapter.ts";
import { mayMail } from "../services/sign-in-link.ts";
import { queueSignInMail } from "../services/sign-in-mail.ts";
import { negotiateLocale } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import {
  decideIdentityLink,
  identityNoticePath,
  issuerName,
  linkRequested,
  OIDC_PROVIDER,
  recordIdentityConnected,
} from "../services/identity-link.ts";

export const MAGIC_LINK_MAX_AGE_S = 15 * 60;
/** The provider id of the email link. */
const EMAIL_PROVIDER = "email";
export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

export type MailFailure = { detail: string };

/**
 * Whether the issuer vouches for the address (OIDC `email_verified`). Some issuers send the
 * string "true"; a missing claim counts as not verified.
 */
export function emailVerifiedClaim(profile: Record<string, unknown>): boolean {
  return profile.email_verified === true || profile.email_verified === "true";
}

/** The identity's address (lower-cased) when the issuer vouches for it, else null. */
export function verifiedEmail(profile: Record<string, unknown>): string | null {
  return typeof profile.email === "string" && emailVerifiedClaim(profile)
    ? profile.email.toLowerCase()
    : null;
}

/** The browser's clock, from the cookie the sign-in page sets (24-hour when absent). */
/** The clock the sign-in page's browser reported; undefined when it said nothing (no scripts). */
export function browserClock(event: RequestEvent): "12h" | "24h" | undefined {
  const said = event.cookies.get("invito_clock");
  return said === "12h" || said === "24h" ? said : undefined;
}

/** The browser's language at the first sign-in (the account's default; changed in the profile). */
export function browserLocale(event: RequestEvent): string {
  return negotiateLocale({
    chosen: [event.url.searchParams.get("lang")],
    acceptLanguage: event.request.headers.get("accept-language"),
  });
}

/**
 * How a sign-in came, as its audit entry says it: the issuer by its name (the same in every
 * language), the email link in the admin's words.
 */
function signInWay(app: App, provider: string | undefined): Pick<AuditEvent, "detail" | "said"> {
  if (provider === OIDC_PROVIDER) return { detail: issuerName(app) };
  if (provider === EMAIL_PROVIDER) return { said: { code: "sign_in_by_link", values: {} } };
  return { detail: provider ?? "" };
}

export function browserTimeZone(event: RequestEvent): string {
  const tz = event.cookies.get("invito_tz");
  return (tz && canonicalTimeZone(tz)) || "UTC";
}

export function createAuth(getApp: () => Promise<App>) {
  return SvelteKitAuth(async (event) => {
    const app = await getApp();
    const { config } = app;
    const base = config.baseUrl.href.replace(/\/$/, "");
    const providers: Provider[] = [];
    if (config.oidc) {
      providers.push({
        id: OIDC_PROVIDER,
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
          return {
            id: String(profile.sub),
            email: verifiedEmail(profile),
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
      id: EMAIL_PROVIDER,
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
        // Queued, not sent here: the form answers at once and the outbox delivers the mail with
        // its retries (services/sign-in-mail.ts); the queued copy is sealed and expires with
        // the link.
        const queued = queueSignInMail(
          app,
          identifier,
          mail,
          app.now() + MAGIC_LINK_MAX_AGE_S * 1000,
        );
        if (!config.signup.open) {
          // Under a closed policy a stranger gets no mail; waiting for the write here would make
          // an account holder's answer measurably slower than a stranger's.
          queued.then((ok) => {
            if (!ok) console.error("[signin] magic link not queued");
          }, (err) => console.error("[signin] magic link not queued:", err));
          return;
        }
        let ok = false;
        try {
          ok = await queued;
        } catch (err) {
          console.error("[signin] magic link not queued:", err);
        }
        if (!ok) {
          (event.locals as { mailFailure?: MailFailure }).mailFailure = {
            detail: "the mail could not be queued",
          };
          throw new Error("magic link could not be sent");
        }
      },
    } as Provider);

    return {
      adapter: createKvAdapter(app.kv, {
        timeZone: browserTimeZone(event),
        // "Automatic" (the language's clock) unless the browser said otherwise.
        ...initialClock(browserClock(event), browserLocale(event)),
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
      events: {
        // Each completed sign-in: shown to admins, kept in the audit log (issue 32).
        async signIn({ user, account }) {
          // A Connect on the profile links an identity; it is not a sign-in.
          if (!user.id || linkRequested(event.locals)) return;
          await updateUser(app.kv, user.id, { lastSignInMs: app.now() }).catch(() => null);
          const who = await getActiveUser(app.kv, user.id);
          if (who) {
            await recordAudit(app, {
              kind: "sign_in",
              actor: who,
              target: who,
              ...signInWay(app, account?.provider),
            });
          }
        },
        // A Connect's link is stored by now. An identity that opens a new account is linked
        // too, but that is its sign-in (recorded above), not a Connect.
        async linkAccount({ account }) {
          const link = linkRequested(event.locals);
          if (link && account.provider === OIDC_PROVIDER) await recordIdentityConnected(app, link);
        },
      },
      callbacks: {
        // The sign-up policy, for every way in (the email form checks it first, with a message).
        async signIn({ user, account, email, profile }) {
          // A callback over a session comes only from the account's own Connect (the hook
          // refused any other): the identity joins it only when the issuer vouches for the
          // account's own address (ADR 007). Refused, the session stays as it was.
          const link = linkRequested(event.locals);
          if (link) {
            if (account?.provider !== OIDC_PROVIDER || !profile) {
              return identityNoticePath("signed_in");
            }
            const decided = await decideIdentityLink(app, link, {
              provider: account.provider,
              providerAccountId: account.providerAccountId,
              verifiedEmail: verifiedEmail(profile),
            });
            return decided.ok || identityNoticePath(decided.reason);
          }
          // A suspended account (issue 32) is told so when the sign-in completes (the link is
          // still mailed: the request's answer stays the same for every address).
          if (
            !email?.verificationRequest && await isSuspendedSignIn(app, {
              email: user.email,
              provider: account?.provider,
              providerAccountId: account?.providerAccountId,
            })
          ) {
            await recordAudit(app, {
              kind: "sign_in_refused",
              actor: null,
              target: { id: null, label: user.email ?? "" },
              said: { code: "sign_in_suspended", values: {} },
            });
            return "/signin?error=Suspended";
          }
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
