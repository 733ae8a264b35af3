/**
 * Single-use links: the link record, an index by the SHA-256 of its token, and the "used" marker
 * that a booking (or a revoke) writes absent-checked, so a link is spent exactly once.
 */
import { keys, type UserId } from "./keys.ts";
import { commitOrReread, getEntries } from "./kv.ts";
import { ERASED_GUEST_NAME } from "./host-data.ts";
import type { SingleUseLinkRecord, SingleUseLinkUseRecord } from "../domain/model/records.ts";

type TokenIndex = { v: 1; hostId: UserId; id: string };

/** Stores a new link and its token index in one write (both checked absent). */
export async function insertSingleUseLink(
  kv: Deno.Kv,
  link: SingleUseLinkRecord,
  tokenHash: string,
): Promise<boolean> {
  // A fresh id: the link exists exactly when this write landed, answer lost or not (ADR 038).
  const res = await commitOrReread(
    kv.atomic()
      .check({ key: keys.singleUseLink(link.hostId, link.id), versionstamp: null })
      .check({ key: keys.singleUseLinkByToken(tokenHash), versionstamp: null })
      .set(keys.singleUseLink(link.hostId, link.id), link)
      .set(
        keys.singleUseLinkByToken(tokenHash),
        { v: 1, hostId: link.hostId, id: link.id } satisfies TokenIndex,
      ),
    async () => (await kv.get(keys.singleUseLink(link.hostId, link.id))).versionstamp !== null,
  );
  return res.ok;
}

export async function getSingleUseLink(
  kv: Deno.Kv,
  hostId: UserId,
  id: string,
): Promise<SingleUseLinkRecord | null> {
  return (await kv.get<SingleUseLinkRecord>(keys.singleUseLink(hostId, id))).value;
}

export async function findSingleUseLinkByToken(
  kv: Deno.Kv,
  tokenHash: string,
): Promise<SingleUseLinkRecord | null> {
  const idx = (await kv.get<TokenIndex>(keys.singleUseLinkByToken(tokenHash))).value;
  return idx ? await getSingleUseLink(kv, idx.hostId, idx.id) : null;
}

/**
 * A link and its marker in one read (one snapshot): a one-off link given back changes both in
 * one write (its marker gone, the turned-down time off its list), never seen half done.
 */
export async function getSingleUseLinkAndUse(
  kv: Deno.Kv,
  hostId: UserId,
  id: string,
): Promise<{ link: SingleUseLinkRecord | null; use: SingleUseLinkUseRecord | null }> {
  const [link, use] = await kv.getMany<[SingleUseLinkRecord, SingleUseLinkUseRecord]>([
    keys.singleUseLink(hostId, id),
    keys.singleUseLinkUsed(id),
  ]);
  return { link: link.value, use: use.value };
}

export async function getSingleUseLinkUse(
  kv: Deno.Kv,
  id: string,
): Promise<SingleUseLinkUseRecord | null> {
  return (await kv.get<SingleUseLinkUseRecord>(keys.singleUseLinkUsed(id))).value;
}

/** A host's links, newest first, each with its "used" marker (null: not spent). */
export async function listSingleUseLinks(
  kv: Deno.Kv,
  hostId: UserId,
  limit: number,
): Promise<{ link: SingleUseLinkRecord; use: SingleUseLinkUseRecord | null }[]> {
  const links: SingleUseLinkRecord[] = [];
  for await (
    const e of kv.list<SingleUseLinkRecord>({ prefix: keys.singleUseLinkPrefix(hostId) }, {
      reverse: true,
      limit,
    })
  ) links.push(e.value);
  const uses = await getEntries<SingleUseLinkUseRecord>(
    kv,
    links.map((l) => keys.singleUseLinkUsed(l.id)),
  );
  return links.map((link, j) => ({ link, use: uses[j].value }));
}

export async function countSingleUseLinks(kv: Deno.Kv, hostId: UserId): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix: keys.singleUseLinkPrefix(hostId) })) n++;
  return n;
}

/**
 * Writes the booking's id into the "used" marker its own commit wrote without it (a seat's or a
 * series' booking), only while the marker is that one: never over a marker written since.
 */
export async function completeSingleUseLinkUse(
  kv: Deno.Kv,
  id: string,
  used: Extract<SingleUseLinkUseRecord, { kind: "used" }>,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const read = await kv.get<SingleUseLinkUseRecord>(keys.singleUseLinkUsed(id));
    const v = read.value;
    if (v?.kind !== "used" || v.bookingId !== "" || v.atMs !== used.atMs) return;
    if ((await kv.atomic().check(read).set(read.key, used).commit()).ok) return;
  }
}

/** Spends the link without a booking; false when it was already spent (used or revoked). */
export async function markSingleUseLinkRevoked(
  kv: Deno.Kv,
  id: string,
  nowMs: number,
): Promise<boolean> {
  const res = await kv.atomic()
    .check({ key: keys.singleUseLinkUsed(id), versionstamp: null })
    .set(
      keys.singleUseLinkUsed(id),
      { v: 1, kind: "revoked", atMs: nowMs } satisfies SingleUseLinkUseRecord,
    )
    .commit();
  return res.ok;
}

/**
 * Removes a link from the host's list. It is spent first (revoked, if nobody used it), and that
 * marker stays: a booking already on its way with this link then fails its absent-check.
 */
export async function removeSingleUseLink(
  kv: Deno.Kv,
  link: SingleUseLinkRecord,
  tokenHash: string,
  nowMs: number,
): Promise<void> {
  await markSingleUseLinkRevoked(kv, link.id, nowMs);
  await kv.atomic()
    .delete(keys.singleUseLink(link.hostId, link.id))
    .delete(keys.singleUseLinkByToken(tokenHash))
    .commit();
}

/**
 * Erases guests from a host's links (ADR 022): a link meant for one of them is revoked and
 * keeps no address ("" matches no guest), and the "used" marker a guest left keeps its booking
 * but not their name or address. `erases` is given each address (lower case): one guest's, or
 * every one of a closed account. Each link is one write checking what it read; returns how many
 * links changed.
 */
export async function eraseGuestsFromLinks(
  kv: Deno.Kv,
  hostId: UserId,
  erases: (email: string) => boolean,
  nowMs: number,
): Promise<number> {
  let n = 0;
  for await (
    const e of kv.list<SingleUseLinkRecord>({ prefix: keys.singleUseLinkPrefix(hostId) })
  ) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const [link, use] = await kv.getMany<[SingleUseLinkRecord, SingleUseLinkUseRecord]>([
        e.key,
        keys.singleUseLinkUsed(e.value.id),
      ]);
      if (!link.value) break;
      const forGuest = !!link.value.guestEmail && erases(link.value.guestEmail.toLowerCase());
      const usedBy = use.value?.kind === "used" && !!use.value.guestEmail &&
        erases(use.value.guestEmail.toLowerCase());
      if (!forGuest && !usedBy) break;
      const op = kv.atomic().check(link).check(use);
      if (forGuest) {
        op.set(
          link.key,
          { ...link.value, guestEmail: "" } satisfies SingleUseLinkRecord,
        );
      }
      if (use.value?.kind === "used" && usedBy) {
        op.set(
          use.key,
          {
            ...use.value,
            guestName: ERASED_GUEST_NAME,
            guestEmail: "",
          } satisfies SingleUseLinkUseRecord,
        );
      } else if (!use.value) {
        op.set(use.key, { v: 1, kind: "revoked", atMs: nowMs } satisfies SingleUseLinkUseRecord);
      }
      if ((await op.commit()).ok) {
        n++;
        break;
      }
    }
  }
  return n;
}
