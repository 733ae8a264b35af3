/**
 * Outgoing mail. Remote failures come back as values so the outbox can decide about retries;
 * with no SMTP host configured every mail is printed in full to the log, so a first-time
 * self-hoster can still follow a sign-in link.
 */
import type { Config } from "../config.ts";
import { base64 } from "../util/digest.ts";

export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * One per distinct mail, stable across the outbox's resends of it (domain/mail-identity.ts):
   * receivers drop a duplicate if a crash causes a resend, and never an update.
   */
  messageId?: string;
  replyTo?: string;
  cc?: string;
  attachments?: { filename: string; content: string; contentType: string }[];
  icalEvent?: { method: "REQUEST" | "CANCEL" | "PUBLISH"; content: string };
};

export type MailError = { kind: "network" | "auth" | "rejected" | "temporary"; detail: string };
/** `response`: the server's last answer in the SMTP dialogue ("250 2.0.0 queued as …"). */
export type SendResult =
  | { ok: true; messageId: string; response?: string }
  | { ok: false; error: MailError };

export type Mailer = {
  send(mail: OutgoingMail): Promise<SendResult>;
  readonly mode: "smtp" | "log";
};

/** Header values must never carry line breaks from user input (header injection). */
export function headerSafe(text: string, max = 200): string {
  return text.replace(/[\r\n\u2028\u2029\u0000-\u001f\u007f]+/g, " ").trim().slice(0, max);
}

/** Anything a mail client could take for the start of an RFC 2047 encoded-word. */
const ENCODED_WORD_START = /=\?/;

/**
 * An unstructured header field (Subject) built from text that may come from a guest, a host or
 * an import: line breaks go (`headerSafe`), and a value that holds `=?` — which a mail client
 * would decode as an RFC 2047 encoded-word, possibly into CR/LF and a header of its own — is
 * encoded whole, by us, as UTF-8 base64 encoded-words. A client decodes once (RFC 2047 §6.1
 * does not re-decode the result), so it shows exactly the text that was typed, on one line.
 * nodemailer leaves an ASCII value as it is, so it sends these words unchanged.
 */
export function headerText(text: string, max = 250): string {
  const safe = headerSafe(text, max);
  if (!ENCODED_WORD_START.test(safe)) return safe;
  const words: string[] = [];
  const enc = new TextEncoder();
  let chunk = "";
  // ≤ 45 bytes of UTF-8 per word: 60 base64 characters + "=?UTF-8?B?" + "?=" = 72 ≤ 75 (§2).
  for (const ch of safe) {
    if (enc.encode(chunk + ch).length > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(enc.encode(w))}?=`).join(" ");
}

/** How long a send waits for the server (ms): a stalled server must not hold the outbox worker. */
export type SmtpTimeouts = { connection: number; greeting: number; socket: number };
const SMTP_TIMEOUTS: SmtpTimeouts = { connection: 10_000, greeting: 10_000, socket: 20_000 };

export function createMailer(
  smtp: Config["smtp"],
  log: (s: string) => void = console.log,
  timeouts: SmtpTimeouts = SMTP_TIMEOUTS,
): Mailer {
  if (!smtp) {
    return {
      mode: "log",
      send(mail) {
        log(
          [
            "──── mail (no INVITO_SMTP_HOST set; printed instead of sent) ────",
            `To: ${mail.to}`,
            ...(mail.cc ? [`Cc: ${mail.cc}`] : []),
            `Subject: ${mail.subject}`,
            "",
            mail.text,
            "──── end of mail ────",
          ].join("\n"),
        );
        return Promise.resolve({ ok: true, messageId: mail.messageId ?? "logged" });
      },
    };
  }
  // nodemailer (~6 MB of a server's memory) loads with the first mail sent (issue 26).
  let transport: Promise<import("nodemailer").Transporter> | null = null;
  const open = () =>
    transport ??= import("nodemailer").then((m) =>
      m.default.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.port === 465,
        auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? "" } : undefined,
        connectionTimeout: timeouts.connection,
        greetingTimeout: timeouts.greeting,
        socketTimeout: timeouts.socket,
        // Our dev/test servers are plain; real ones upgrade with STARTTLS when offered.
        tls: { rejectUnauthorized: smtp.host !== "127.0.0.1" && smtp.host !== "localhost" },
      })
    );
  return {
    mode: "smtp",
    async send(mail) {
      try {
        const info = await (await open()).sendMail({
          from: smtp.from,
          // One address, or a booking's additional guests together (at most 10 of 254).
          to: headerSafe(mail.to, 2_600),
          cc: mail.cc ? headerSafe(mail.cc, 320) : undefined,
          replyTo: mail.replyTo ? headerSafe(mail.replyTo, 320) : undefined,
          subject: headerText(mail.subject, 250),
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          attachments: mail.attachments,
          icalEvent: mail.icalEvent
            ? {
              method: mail.icalEvent.method,
              content: mail.icalEvent.content,
              filename: "invite.ics",
            }
            : undefined,
        });
        const rejected = [...(info.rejected ?? [])].filter(Boolean);
        if (rejected.length) {
          return {
            ok: false,
            // The kind says what they are: a reader puts it in words.
            error: { kind: "rejected", detail: rejected.join(", ") },
          };
        }
        return { ok: true, messageId: info.messageId, response: String(info.response ?? "") };
      } catch (err) {
        return { ok: false, error: classify(err) };
      }
    },
  };
}

function classify(err: unknown): MailError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const detail = (e.message ?? String(err)).slice(0, 300);
  if (e.code === "EAUTH") return { kind: "auth", detail };
  if (typeof e.responseCode === "number") {
    return { kind: e.responseCode >= 500 ? "rejected" : "temporary", detail };
  }
  return { kind: "network", detail };
}
