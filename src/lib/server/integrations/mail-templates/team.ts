/** Mails about teams (the booking mails of team events are in ./booking.ts). */
import { htmlMail } from "./layout.ts";
import { formatDate } from "../../../shared/format.ts";
import { headerSafe } from "../mail.ts";

export function teamInviteMail(opts: {
  teamName: string;
  inviterName: string;
  role: "owner" | "member";
  link: string;
  expiresAtMs: number;
  baseUrl: string;
}) {
  const host = new URL(opts.baseUrl).host;
  const as = opts.role === "owner" ? "an owner" : "a member";
  const until = formatDate(opts.expiresAtMs, "UTC");
  const intro =
    `${opts.inviterName} invites you to join the team "${opts.teamName}" on Invito (${host}) as ${as}.`;
  const what =
    "Members are booked for the team's meetings at times their own hours and calendars leave free.";
  const how =
    `Open the link, sign in with this email address, then accept or decline. The link works until ${until}.`;
  return {
    subject: headerSafe(`Join ${opts.teamName} on Invito`),
    text: [intro, what, "", opts.link, "", how, "If you did not expect this, ignore this mail."]
      .join("\n"),
    html: htmlMail({
      title: `Join ${opts.teamName}`,
      paragraphs: [intro, what, how],
      buttons: [{ label: "See the invitation", href: opts.link }],
      footer: "If you did not expect this, ignore this mail.",
    }),
  };
}
