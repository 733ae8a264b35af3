import { bumpSettings } from "./revisions.ts";
import { commitOrReread, commitWithReceipt, LOST, untilLanded } from "./kv.ts";
import { monotonicFactory } from "ulid";
import { ianaZoneName } from "../../shared/time-zone-names.ts";
import { keys, type UserId } from "./keys.ts";
import type { UsernameReleasedRecord, UserRecord } from "../domain/model/records.ts";
import { cachedRead, settingsChanged } from "./settings-cache.ts";
import { isActive } from "../domain/admin.ts";
import {
  holdsAfterRename,
  isHeldFrom,
  RESERVED_USERNAMES,
  slugifyUsername,
  USERNAME_HOLD_MS as HOLD_MS,
  USERNAME_RE,
  usernameCandidate,
} from "../domain/username.ts";

/**
 * The same random bytes ulid's own generator would use (one byte per character, over 256), drawn
 * from a pool filled 4 KiB at a time: its default asks `crypto.getRandomValues` once per
 * character, sixteen calls per new millisecond, ~1 % of a booking post's JavaScript (issue 26).
 */
const randomPool = new Uint8Array(4096);
let poolAt = randomPool.length;
function pooledRandom(): number {
  if (poolAt === randomPool.length) {
    crypto.getRandomValues(randomPool);
    poolAt = 0;
  }
  return randomPool[poolAt++] / 256;
}

export const newId = monotonicFactory(pooledRandom);

export async function getUser(kv: Deno.Kv, id: UserId): Promise<UserRecord | null> {
  const user = (await kv.get<UserRecord>(keys.user(id))).value;
  // A zone saved under the runtime's old spelling ("Asia/Calcutta") reads as its IANA name.
  const zone = user && ianaZoneName(user.timeZone);
  return user && zone !== user.timeZone ? { ...user, timeZone: zone! } : user;
}

/** A user's record with its versionstamp, for a write that must not land once it changed. */
export async function getUserEntry(
  kv: Deno.Kv,
  id: UserId,
): Promise<Deno.KvEntryMaybe<UserRecord>> {
  return await kv.get<UserRecord>(keys.user(id));
}

/**
 * The person behind a credential — a session, an API key, a feed URL, a webhook subscription, a
 * calendar connection, a team invitation they sent — or null once their account is closed. The
 * write that closes an account sets `closedAtMs`, so every credential ends in that same write
 * (issue 22): each one resolves its person here, never with `getUser`, which still returns a
 * closed account's record for the mails that tell guests of their cancelled meetings.
 */
export async function getActiveUser(kv: Deno.Kv, id: UserId): Promise<UserRecord | null> {
  const user = await getUser(kv, id);
  // A suspended account (issue 32) is refused the same way, by the write that suspends it.
  return user && isActive(user) ? user : null;
}

export async function getUserByEmail(kv: Deno.Kv, email: string): Promise<UserRecord | null> {
  const idx = await kv.get<UserId>(keys.userByEmail(email.toLowerCase()));
  return idx.value ? await getUser(kv, idx.value) : null;
}

export async function getUserByUsername(kv: Deno.Kv, username: string): Promise<UserRecord | null> {
  // A name no account can have is looked up nowhere (a path segment can be kilobytes long).
  if (!USERNAME_RE.test(username.toLowerCase())) return null;
  const idx = await kv.get<UserId>(keys.userByUsername(username.toLowerCase()));
  return idx.value ? await getUser(kv, idx.value) : null;
}

/** The same, from the short-lived settings copy (guest pages and bookings). */
export function getUserByUsernameCached(
  kv: Deno.Kv,
  username: string,
): Promise<UserRecord | null> {
  const name = username.toLowerCase();
  return cachedRead(kv, `user:${name}`, () => getUserByUsername(kv, name), (u) => u?.id ?? null);
}

export type NewUser = {
  email: string;
  name: string;
  wantedUsername: string;
  timeZone: string;
  clock?: "12h" | "24h";
  clockAuto?: boolean;
  locale?: string;
  /** A new sign-up: the dashboard offers the first-run setup. */
  onboarding?: boolean;
  emailVerifiedMs: number | null;
  image: string | null;
};

/**
 * Creates a user with a unique username. The username and email indexes are claimed in the
 * same atomic write as the user (check versionstamp null), so concurrent first sign-ins that
 * want the same name each get their own: alice, alice-2, alice-3 …
 */
export async function insertUser(
  kv: Deno.Kv,
  input: NewUser,
  nowMs: number,
): Promise<{ ok: true; user: UserRecord } | { ok: false; reason: "email_taken" }> {
  const email = input.email.toLowerCase();
  let base = slugifyUsername(input.wantedUsername);
  if (RESERVED_USERNAMES.has(base)) base = `${base}-1`;
  const id = newId(nowMs);
  let n = 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const username = usernameCandidate(base, n);
    // A name held for the host who gave it up is not offered to anyone else.
    const released = await kv.get<UsernameReleasedRecord>(keys.usernameReleased(username));
    if (isHeldFrom(released.value, null, nowMs)) {
      n = await nextFreeSuffix(kv, base, n + 1, nowMs);
      continue;
    }
    const user: UserRecord = {
      v: 1,
      id,
      email,
      emailVerifiedMs: input.emailVerifiedMs,
      name: input.name.trim().slice(0, 100) || username,
      username,
      timeZone: input.timeZone,
      ...(input.clock ? { clock: input.clock } : {}),
      ...(input.clockAuto ? { clockAuto: true } : {}),
      ...(input.locale ? { locale: input.locale } : {}),
      ...(input.onboarding ? { onboarding: "pending" as const } : {}),
      image: input.image,
      createdAtMs: nowMs,
    };
    const op = kv.atomic()
      .check({ key: keys.userByEmail(email), versionstamp: null })
      .check({ key: keys.userByUsername(username), versionstamp: null })
      // Team slugs and usernames share one namespace (store/teams.ts checks the other side).
      .check({ key: keys.teamBySlug(username), versionstamp: null })
      .check(released);
    if (released.value) op.delete(keys.usernameReleased(username));
    op.set(keys.user(id), user)
      .set(keys.userByEmail(email), id)
      .set(keys.userByUsername(username), id);
    // The id is fresh per call and nothing else writes under it: the user exists exactly when
    // one of these attempts landed, even when its answer was lost (ADR 038).
    const res = await commitOrReread(
      bumpSettings(op, id),
      async () => (await kv.get(keys.user(id))).versionstamp !== null,
    );
    if (res.ok) {
      // A cached "no such username" must not outlive the new user.
      settingsChanged(kv);
      return { ok: true, user };
    }
    if ((await kv.get(keys.userByEmail(email))).versionstamp !== null) {
      return { ok: false, reason: "email_taken" };
    }
    // The name was taken: jump past every taken candidate instead of probing one by one.
    n = await nextFreeSuffix(kv, base, n + 1, nowMs);
  }
  throw new Error("could not allocate a username");
}

async function nextFreeSuffix(
  kv: Deno.Kv,
  base: string,
  from: number,
  nowMs: number,
): Promise<number> {
  const taken = new Set<string>();
  for await (
    const e of kv.list({
      start: keys.userByUsername(base),
      end: keys.userByUsername(base + "-\uffff"),
    })
  ) taken.add(String(e.key[1]));
  for await (
    const e of kv.list<UsernameReleasedRecord>({
      start: keys.usernameReleased(base),
      end: keys.usernameReleased(base + "-\uffff"),
    })
  ) if (isHeldFrom(e.value, null, nowMs)) taken.add(String(e.key[1]));
  for await (
    const e of kv.list({
      start: keys.teamBySlug(base),
      end: keys.teamBySlug(base + "-\uffff"),
    })
  ) taken.add(String(e.key[1]));
  let n = from;
  while (taken.has(usernameCandidate(base, n))) n++;
  return n;
}

export type UserPatch = Partial<
  Pick<
    UserRecord,
    | "name"
    | "timeZone"
    | "clock"
    | "clockAuto"
    | "weekStart"
    | "locale"
    | "username"
    | "image"
    | "emailVerifiedMs"
    | "embedOrigins"
    | "embedShareGuestData"
    | "embedNavigateParent"
    | "onboarding"
    | "confirmByDefault"
    | "lastSignInMs"
  >
>;

export type UpdateUserFailure = "not_found" | "username_taken" | "too_many_holds";

/**
 * Applies `patch`. A new username is claimed in the same atomic write that releases the old one
 * and holds it for this user (USERNAME_HOLD_DAYS): old links forward, nobody else can take it.
 */
export async function updateUser(
  kv: Deno.Kv,
  id: UserId,
  patch: UserPatch,
  nowMs: number = Date.now(),
): Promise<
  | { ok: true; user: UserRecord }
  | { ok: false; reason: UpdateUserFailure; untilMs?: number }
> {
  return await untilLanded("updateUser", async () => {
    const cur = await kv.get<UserRecord>(keys.user(id));
    if (!cur.value) return { ok: false, reason: "not_found" };
    const next: UserRecord = { ...cur.value, ...patch };
    const op = kv.atomic().check(cur);
    const from = cur.value.username;
    const to = patch.username;
    if (to !== undefined && to !== from) {
      const released = await kv.get<UsernameReleasedRecord>(keys.usernameReleased(to));
      if (isHeldFrom(released.value, id, nowMs)) return { ok: false, reason: "username_taken" };
      const holds = holdsAfterRename(cur.value.previousUsernames, from, to, nowMs);
      if (!holds.ok) return { ok: false, reason: holds.reason, untilMs: holds.untilMs };
      next.previousUsernames = holds.holds;
      const hold: UsernameReleasedRecord = { v: 1, userId: id, untilMs: nowMs + HOLD_MS };
      op.check({ key: keys.userByUsername(to), versionstamp: null })
        // Team slugs and usernames share one namespace (store/teams.ts checks the other side).
        .check({ key: keys.teamBySlug(to), versionstamp: null })
        .check(released)
        .delete(keys.userByUsername(from))
        .set(keys.userByUsername(to), id)
        .set(keys.usernameReleased(from), hold, { expireIn: HOLD_MS })
        .delete(keys.usernameReleased(to));
    }
    const res = await commitWithReceipt(kv, bumpSettings(op.set(keys.user(id), next), id));
    if (res.ok) {
      settingsChanged(kv);
      return { ok: true, user: next };
    }
    if (
      to !== undefined && to !== from &&
      (await kv.getMany([keys.userByUsername(to), keys.teamBySlug(to)]))
        .some((e) => e.versionstamp !== null)
    ) return { ok: false, reason: "username_taken" };
    return LOST;
  });
}

/** The user a released username is held for (and forwards to), while it is held. */
export async function getUserByReleasedUsername(
  kv: Deno.Kv,
  username: string,
  nowMs: number,
): Promise<UserRecord | null> {
  const name = username.toLowerCase();
  if (!USERNAME_RE.test(name)) return null;
  const hold = (await kv.get<UsernameReleasedRecord>(keys.usernameReleased(name))).value;
  if (!hold || hold.untilMs <= nowMs) return null;
  // A closed account's old names forward nowhere (they stay held: 404 for everyone).
  const user = await getActiveUser(kv, hold.userId);
  return user && user.username !== name ? user : null;
}
