/** The mail a host gets once when a connected calendar account needs reconnecting. */
import { htmlMail } from "./layout.ts";

const NAMES = { google: "Google Calendar", microsoft: "Microsoft 365" } as const;

export function reconnectMail(opts: {
  provider: "google" | "microsoft";
  account: string;
  hostName: string;
  reason: string;
  calendarsUrl: string;
}): { subject: string; text: string; html: string } {
  const name = NAMES[opts.provider];
  const subject = `Reconnect ${name} to Invito: booking is paused`;
  const paragraphs = [
    `Hello ${opts.hostName},`,
    `Invito can no longer read your ${name} account ${opts.account}: ${opts.reason}.`,
    "Until you reconnect it, guests cannot book the times that its calendars would check, so nobody is booked over something in your calendar. Reconnecting takes a minute on your Calendars page.",
  ];
  return {
    subject,
    text: [...paragraphs, `Reconnect: ${opts.calendarsUrl}`].join("\n\n") + "\n",
    html: htmlMail({
      title: `Reconnect ${name}`,
      paragraphs,
      buttons: [{ label: "Open your Calendars page", href: opts.calendarsUrl }],
      footer: "You get this mail once per interruption.",
    }),
  };
}
