/** The mail a host gets once when a connected calendar account needs reconnecting. */
import { htmlMail } from "./layout.ts";
import type { Translator } from "../../../shared/i18n.ts";
import { oneLineText } from "../../../shared/text.ts";

const NAMES = { google: "Google Calendar", microsoft: "Microsoft 365", zoom: "Zoom" } as const;

export function reconnectMail(opts: {
  provider: "google" | "microsoft" | "zoom";
  account: string;
  hostName: string;
  /** Why, in the host's language (`detailIn`); a provider's own words as it sent them. */
  reason: string;
  calendarsUrl: string;
  /** The host's language. */
  t: Translator;
}): { subject: string; text: string; html: string } {
  const { t } = opts;
  const name = NAMES[opts.provider];
  const subject = opts.provider === "zoom"
    ? t.t("mail.reconnect.zoom_subject")
    : t.t("mail.reconnect.subject", { name });
  const paragraphs = [
    t.t("mail.hello", { name: oneLineText(opts.hostName) }),
    t.t("mail.reconnect.cannot_read", {
      name,
      account: oneLineText(opts.account),
      reason: oneLineText(opts.reason),
    }),
    // Zoom checks no times: what stops is the meeting links of new bookings.
    t.t(opts.provider === "zoom" ? "mail.reconnect.zoom_until" : "mail.reconnect.until"),
  ];
  return {
    subject,
    text: [...paragraphs, t.t("mail.reconnect.line", { url: opts.calendarsUrl })].join("\n\n") +
      "\n",
    html: htmlMail({
      lang: t.locale === "en-XA" ? "en" : t.locale,
      title: t.t("mail.reconnect.heading", { name }),
      paragraphs,
      buttons: [{ label: t.t("mail.reconnect.button"), href: opts.calendarsUrl }],
      footer: t.t("mail.reconnect.once"),
    }),
  };
}

/** The mail a host gets once when a CalDAV server stops accepting the stored password. */
export function signInRefusedMail(opts: {
  account: string;
  server: string;
  hostName: string;
  /** What was refused, in the host's language (or the server's own words). */
  reason: string;
  calendarsUrl: string;
  t: Translator;
}): { subject: string; text: string; html: string } {
  const { t } = opts;
  const paragraphs = [
    t.t("mail.hello", { name: oneLineText(opts.hostName) }),
    t.t("mail.caldav_auth.cannot_sign_in", {
      account: oneLineText(opts.account),
      server: oneLineText(opts.server),
      reason: oneLineText(opts.reason),
    }),
    t.t("mail.caldav_auth.until"),
  ];
  return {
    subject: t.t("mail.caldav_auth.subject"),
    text: [...paragraphs, t.t("mail.caldav_auth.line", { url: opts.calendarsUrl })].join("\n\n") +
      "\n",
    html: htmlMail({
      lang: t.locale === "en-XA" ? "en" : t.locale,
      title: t.t("mail.caldav_auth.heading"),
      paragraphs,
      buttons: [{ label: t.t("mail.reconnect.button"), href: opts.calendarsUrl }],
      footer: t.t("mail.reconnect.once"),
    }),
  };
}
