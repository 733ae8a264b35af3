/** The mail a host gets when a webhook subscription is switched off after days of failures. */
import { htmlMail } from "./layout.ts";
import type { Translator } from "../../../shared/i18n.ts";
import { oneLineText } from "../../../shared/text.ts";

export function webhookOffMail(opts: {
  url: string;
  hostName: string;
  developersUrl: string;
  /** The host's language. */
  t: Translator;
}): { subject: string; text: string; html: string } {
  const { t } = opts;
  const paragraphs = [
    t.t("mail.hello", { name: oneLineText(opts.hostName) }),
    t.t("mail.webhook_off.body", { url: opts.url }),
    t.t("mail.webhook_off.no_more"),
  ];
  return {
    subject: t.t("mail.webhook_off.subject"),
    text: [...paragraphs, t.t("mail.webhook_off.line", { url: opts.developersUrl }), "— Invito"]
      .join("\n\n") + "\n",
    html: htmlMail({
      lang: t.locale === "en-XA" ? "en" : t.locale,
      title: t.t("mail.webhook_off.heading"),
      paragraphs,
      buttons: [{ label: t.t("mail.webhook_off.button"), href: opts.developersUrl }],
    }),
  };
}
