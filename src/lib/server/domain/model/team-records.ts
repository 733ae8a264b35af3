/** A team's stored shapes (docs/decisions/016-teams.md): the team with its members, invitations. */
import type { TeamId, TeamInviteId, UserId } from "./ids.ts";

export type TeamRole = "owner" | "member";
export type TeamMembership = {
  userId: UserId;
  role: TeamRole;
  /** Round robin: relative share of bookings (1–100). */
  weight: number;
  /** Round robin: breaks ties between members equally far behind (0 lowest – 4 highest). */
  priority: number;
  joinedAtMs: number;
};

/**
 * A team. Its members live in the record itself, so every membership change is one write that
 * checks this record (at least one owner always remains), and a booking that relies on who the
 * members are checks it too (a removed member is never assigned after the removal landed).
 */
export type TeamRecord = {
  v: 1;
  id: TeamId;
  slug: string;
  name: string;
  /** The team's days for caps, and the zone its pages open in. A team has no hours of its own. */
  timeZone: string;
  members: TeamMembership[];
  /** Slugs it gave up, each held for it and forwarding to it (domain/username.ts). */
  previousSlugs?: { username: string; untilMs: number }[];
  createdAtMs: number;
  updatedAtMs: number;
};

export type TeamInviteRecord = {
  v: 1;
  id: TeamInviteId;
  teamId: TeamId;
  /** Lowercase; only a user signed in with this address can accept. */
  email: string;
  role: TeamRole;
  /** The link token is an HMAC of this salt (like booking links): the store keeps its hash only. */
  tokenSalt: string;
  invitedById: UserId;
  createdAtMs: number;
  expiresAtMs: number;
  lastSentMs: number;
  sends: number;
};

export type TeamInviteTokenRecord = { v: 1; teamId: TeamId; inviteId: TeamInviteId };
