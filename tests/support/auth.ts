/**
 * Signing in by magic link the way a person does: open the link from the mail (our verify page)
 * and press its button. Tests never call Auth.js's callback URL themselves, so they keep working
 * however the verify page completes the sign-in.
 *
 * ```ts
 * const c = createClient(app.baseUrl);
 * await c.post("/signin?/email", { providerId: "email", email });
 * const link = verifyLinkIn((await smtp.waitForMail((m) => m.to.includes(email))).text);
 * const done = await finishMagicLink(c, link);   // 303 to where the sign-in leads
 * ```
 */
import type { AppHandle } from "./app.ts";
import type { SmtpHandle } from "./smtp.ts";
import { type Client, createClient, type HttpResult } from "./http.ts";

const VERIFY = /https?:\/\/[^\s"'<>]+\/signin\/verify\?[^\s"'<>]+/;

/** The verify link in a mail's text (or a log), as an absolute URL. */
export function verifyLinkIn(text: string): string {
  const m = VERIFY.exec(text);
  if (!m) throw new Error(`no sign-in link in:\n${text.slice(0, 500)}`);
  return m[0].replace(/&amp;/g, "&");
}

const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, "<").replace(
    /&gt;/g,
    ">",
  ).replace(/&amp;/g, "&");
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)?.[1];

export type PageForm = { method: string; action: string; fields: [string, string][] };

/** The forms of a page (method, absolute action, the fields a browser would send). */
export function formsOf(page: HttpResult): PageForm[] {
  const out: PageForm[] = [];
  for (const m of page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const method = (attr(m[1], "method") ?? "GET").toUpperCase();
    const action = new URL(unescape(attr(m[1], "action") ?? ""), page.url).href;
    const fields: [string, string][] = [];
    for (const el of m[2].matchAll(/<input\b([^>]*?)\/?>/g)) {
      const name = attr(el[1], "name");
      const type = (attr(el[1], "type") ?? "text").toLowerCase();
      if (!name || type === "submit" || type === "button") continue;
      fields.push([name, unescape(attr(el[1], "value") ?? "")]);
    }
    for (const el of m[2].matchAll(/<button\b([^>]*)>/g)) {
      // A named submit button sends its value too (the one pressed is chosen by the caller).
      const name = attr(el[1], "name");
      if (name) fields.push([`button:${name}`, unescape(attr(el[1], "value") ?? "")]);
    }
    out.push({ method, action, fields });
  }
  return out;
}

/** Submits a form as the browser would (a named button's value only when `button` names it). */
export function submitForm(
  client: Client,
  form: PageForm,
  opts: { button?: string; headers?: HeadersInit } = {},
): Promise<HttpResult> {
  const fields = form.fields.filter(([k, v]) =>
    !k.startsWith("button:") || (opts.button !== undefined && v === opts.button)
  ).map(([k, v]): [string, string] => [k.replace(/^button:/, ""), v]);
  if (form.method === "GET") {
    const u = new URL(form.action);
    u.search = new URLSearchParams(fields).toString();
    return client.get(u.href, { headers: opts.headers });
  }
  return client.post(form.action, new URLSearchParams(fields), { headers: opts.headers });
}

/**
 * Opens the verify page of `link` with `client` and presses "Sign in". Returns the answer to the
 * press (normally a 303 to where the sign-in leads; not followed).
 */
export async function finishMagicLink(
  client: Client,
  link: string,
  opts: { button?: string } = {},
): Promise<HttpResult> {
  const u = new URL(link);
  const page = await client.get(u.pathname + u.search);
  if (page.status !== 200) throw new Error(`verify page answered ${page.status}`);
  const form = formsOf(page).find((f) => f.fields.some(([k]) => k === "token"));
  if (!form) throw new Error(`no sign-in form on the verify page:\n${page.body.slice(0, 800)}`);
  return await submitForm(client, form, { button: opts.button });
}

/**
 * A client signed in as `email` by magic link (the link read from SMTP, or from the log when the
 * app has no SMTP server). Throws when no session results.
 */
export async function signInByLink(
  app: AppHandle,
  email: string,
  opts: { smtp?: SmtpHandle; client?: Client; next?: string } = {},
): Promise<Client> {
  const c = opts.client ?? createClient(app.baseUrl);
  const since = app.logs().length;
  const sentAt = opts.smtp?.mails.length ?? 0;
  const res = await c.post("/signin?/email", {
    providerId: "email",
    email,
    next: opts.next ?? "/dashboard",
  });
  if (res.status !== 303 && res.status !== 302) {
    throw new Error(`sign-in request answered ${res.status}`);
  }
  const smtp = opts.smtp;
  const text = smtp
    ? (await smtp.waitForMail((m) =>
      smtp.mails.indexOf(m) >= sentAt && m.to.includes(email.toLowerCase()) &&
      m.text.includes("/signin/verify?")
    )).text
    : (await app.waitForLog(VERIFY, { since }))[0];
  const done = await finishMagicLink(c, verifyLinkIn(text));
  if (!c.cookie("authjs.session-token") && !c.cookie("__Secure-authjs.session-token")) {
    throw new Error(`sign-in did not give a session (${done.status} ${done.location})`);
  }
  return c;
}

/** A profile as its form posts it (Profile → Save). */
export type ProfileForm = {
  name: string;
  username: string;
  timeZone: string;
  clock: "auto" | "12h" | "24h";
  weekStart: string;
};

/**
 * The signed-in person chooses to read Invito in `locale` (Profile → Language), saving the rest
 * of the profile as `profile` gives it (by default the admin "Ops" of the admin tests, in
 * Berlin, clock Automatic, weeks from Monday). Throws with the page when the save is refused.
 */
export async function chooseLanguage(
  c: Client,
  locale: string,
  profile: Partial<ProfileForm> = {},
): Promise<void> {
  const saved = await c.post("/dashboard/profile?/save", {
    name: "Ops",
    username: "ops",
    timeZone: "Europe/Berlin",
    clock: "auto",
    weekStart: "1",
    ...profile,
    locale,
  });
  if (saved.status !== 200) {
    throw new Error(`choosing ${locale} answered ${saved.status}: ${saved.body.slice(0, 300)}`);
  }
}
