/**
 * Which mailbox an address reaches, for counting: the per-address sign-in mail limit counts
 * mailboxes, not spellings (issue 22: `ann+1@…`, `ann+2@…` each got five links an hour, so a
 * mailbox could be flooded).
 *
 * The rule (documented in the README's INVITO_RATE_LIMIT row):
 * - the whole address is lower-cased and trimmed (domains are case-insensitive, and practically
 *   every provider treats the local part so too);
 * - a `+tag` in the local part is dropped: `ann+news@x` reaches `ann@x` at every provider that
 *   supports sub-addressing, and where it does not, such an address is rare and only shares
 *   a limit with its base;
 * - for Gmail only (`gmail.com`, `googlemail.com`, one domain), dots in the local part are
 *   dropped, since Gmail ignores them. Other providers may treat dots as significant, so dots
 *   elsewhere are kept: two people at one company must not share a limit.
 *
 * Only counting uses this; mail goes to the address as typed.
 */
const GMAIL = new Set(["gmail.com", "googlemail.com"]);

export function mailboxKey(email: string): string {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf("@");
  if (at <= 0) return address;
  let local = address.slice(0, at);
  let domain = address.slice(at + 1);
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL.has(domain)) {
    domain = "gmail.com";
    local = local.replaceAll(".", "") || local;
  }
  return `${local}@${domain}`;
}
