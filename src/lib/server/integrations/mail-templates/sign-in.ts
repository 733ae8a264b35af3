import { htmlMail } from "./layout.ts";

export function signInMail(opts: { link: string; baseUrl: string; minutes: number }) {
  const host = new URL(opts.baseUrl).host;
  const subject = `Sign in to Invito (${host})`;
  const text = [
    `Open this link to sign in to Invito at ${host}:`,
    "",
    opts.link,
    "",
    `The link works once and expires in ${opts.minutes} minutes.`,
    "If you did not ask to sign in, ignore this mail.",
  ].join("\n");
  const html = htmlMail({
    title: "Sign in to Invito",
    paragraphs: [
      `Press the button to sign in at ${host}. The link works once and expires in ${opts.minutes} minutes.`,
    ],
    buttons: [{ label: "Sign in", href: opts.link }],
    footer: "If you did not ask to sign in, ignore this mail.",
  });
  return { subject, text, html };
}
