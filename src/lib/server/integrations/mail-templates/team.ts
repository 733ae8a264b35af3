/**
 * Mails about teams (the booking mails of team events are in ./booking.ts), in their reader's
 * language: an invitation reads in the invitee's own language when they already have an account,
 * else in the inviting owner's.
 */
import { htmlMail } from "./layout.ts";
import { formatDate } from "../../../shared/format.ts";
import { headerSafe } from "../mail.ts";
import type { Translator } from "../../../shared/i18n.ts";

export function teamInviteMail(opts: {
  teamName: string;
  /** null: the inviting owner's account is gone. */
  inviterName: string | null;
  role: "owner" | "member";
  link: string;
  expiresAtMs: number;
  baseUrl: string;
  t: Translator;
}) {
  const { t } = opts;
  const host = new URL(opts.baseUrl).host;
  const until = formatDate(opts.expiresAtMs, "UTC", t.locale);
  const intro = t.t("mail.team_invite.intro", {
    inviter: opts.inviterName ?? t.t("mail.team_invite.an_owner"),
    team: opts.teamName,
    host,
    role: opts.role,
  });
  const what = t.t("mail.team_invite.what");
  const how = t.t("mail.team_invite.how", { until });
  const ignore = t.t("mail.team_invite.ignore");
  return {
    subject: headerSafe(t.t("mail.team_invite.subject", { team: opts.teamName })),
    text: [intro, what, "", opts.link, "", how, ignore].join("\n"),
    html: htmlMail({
      lang: t.locale === "en-XA" ? "en" : t.locale,
      title: t.t("mail.team_invite.heading", { team: opts.teamName }),
      paragraphs: [intro, what, how],
      buttons: [{ label: t.t("mail.team_invite.button"), href: opts.link }],
      footer: ignore,
    }),
  };
}
