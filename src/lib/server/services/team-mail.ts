/**
 * What a team booking's mails need besides the booking (docs/decisions/016-teams.md): who reads
 * a host-side mail (the member it is for, in their own zone), who the guest meets (every
 * attending member by name), and the one meeting identity every invitation carries — the
 * booking's host (the assigned member, or the organiser) as organiser, every member and the
 * guest as attendees.
 */
import type { App } from "../app.ts";
import type { BookingRecord, MailKind, UserRecord } from "../domain/model/records.ts";
import type { BookingMailContext } from "../integrations/mail-templates/booking.ts";
import { getTeam, getUsers } from "../store/teams.ts";
import { namesList } from "../../shared/format.ts";
import { isHostSideMail } from "../domain/calendar-identity.ts";

export async function teamMailParts(
  app: App,
  booking: BookingRecord,
  host: UserRecord,
  kind: MailKind,
  personId: string | undefined,
): Promise<Pick<BookingMailContext, "host" | "team"> | "gone"> {
  const team = booking.teamId ? await getTeam(app.kv, booking.teamId) : null;
  const personIds = booking.personIds ?? [booking.hostId];
  const people = await getUsers(app.kv, personIds);
  const byId = new Map(people.map((u) => [u.id, u]));
  const attending = personIds.flatMap((id) => byId.get(id) ?? []);
  const parts = {
    // A team that is gone has no name: the mail says "your team" in its reader's language.
    name: team?.name ?? "",
    organizer: { name: host.name, email: host.email },
    members: attending.map((u) => ({ name: u.name, email: u.email })),
    decider: host.name,
  };
  if (isHostSideMail(kind)) {
    const reader = personId && personId !== host.id ? byId.get(personId) ?? null : host;
    // A member whose account is gone has nobody to read it.
    if (!reader) return "gone";
    return {
      host: {
        name: reader.name,
        email: reader.email,
        clock: reader.clock,
        locale: reader.locale,
        timeZone: reader.timeZone,
      },
      team: parts,
    };
  }
  return {
    host: {
      // Named as the guest's language lists people ("Ann und Ben").
      name: namesList(attending.map((u) => u.name), booking.guestLocale ?? "en") || host.name,
      email: host.email,
      clock: host.clock,
    },
    team: parts,
  };
}
