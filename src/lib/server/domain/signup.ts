/**
 * Who may get a new account on this server. A self-hosted Invito is usually one person's or one
 * team's: with sign-up open, anyone who can receive mail gets an account (and our SMTP mails
 * their links). Existing accounts always sign in; the policy only gates creating new ones.
 */
export type SignupPolicy =
  | { open: true }
  | { open: false; emails: ReadonlySet<string>; domains: ReadonlySet<string> };

/**
 * INVITO_SIGNUP: "open" (default), "closed", or a comma-separated list of addresses and
 * "@domain" entries ("ann@example.org, @example.com").
 */
export function parseSignupPolicy(
  text: string,
): { ok: true; policy: SignupPolicy } | { ok: false; error: string } {
  const t = text.trim().toLowerCase();
  if (t === "" || t === "open") return { ok: true, policy: { open: true } };
  if (t === "closed") {
    return { ok: true, policy: { open: false, emails: new Set(), domains: new Set() } };
  }
  const emails = new Set<string>();
  const domains = new Set<string>();
  const bad: string[] = [];
  for (const raw of t.split(",")) {
    const item = raw.trim();
    if (!item) continue;
    if (/^@[a-z0-9.-]+\.[a-z]{2,}$/.test(item)) domains.add(item.slice(1));
    else if (/^[^\s@,]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(item)) emails.add(item);
    else bad.push(raw.trim());
  }
  if (bad.length) {
    return {
      ok: false,
      error:
        `INVITO_SIGNUP must be "open", "closed" or a list of addresses and @domains; not understood: ${
          bad.join(", ")
        }`,
    };
  }
  return { ok: true, policy: { open: false, emails, domains } };
}

/**
 * Whether someone with this address may have a new account made for them. An address in
 * INVITO_ADMINS (`admins`, lower-case) always may, as if the policy listed it: an operator who
 * closes sign-up and names themselves admin must be able to get in (ADR 043).
 */
export function mayCreateAccount(
  policy: SignupPolicy,
  email: string | null | undefined,
  admins: readonly string[] = [],
): boolean {
  if (policy.open) return true;
  if (!email) return false;
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf("@");
  if (at < 1) return false;
  return policy.emails.has(e) || policy.domains.has(e.slice(at + 1)) || admins.includes(e);
}
