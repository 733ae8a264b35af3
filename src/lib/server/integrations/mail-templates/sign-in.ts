import { htmlMail } from "./layout.ts";
import type { Translator } from "../../../shared/i18n.ts";
import { translator } from "../../i18n.ts";

export function signInMail(
  opts: { link: string; baseUrl: string; minutes: number; t?: Translator },
) {
  const t = opts.t ?? translator(null);
  const host = new URL(opts.baseUrl).host;
  const subject = t.t("mail.signin.subject", { host });
  const text = [
    t.t("mail.signin.open_link", { host }),
    "",
    opts.link,
    "",
    t.t("mail.signin.once", { minutes: opts.minutes }),
    t.t("mail.signin.ignore"),
  ].join("\n");
  const html = htmlMail({
    lang: t.locale === "en-XA" ? "en" : t.locale,
    title: t.t("mail.signin.heading"),
    paragraphs: [t.t("mail.signin.press", { host, minutes: opts.minutes })],
    buttons: [{ label: t.t("mail.signin.button"), href: opts.link }],
    footer: t.t("mail.signin.ignore"),
  });
  return { subject, text, html };
}
