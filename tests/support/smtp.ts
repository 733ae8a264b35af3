/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps every message it receives, parsed
 * (mailparser), and can be told to fail.
 *
 * ```ts
 * const smtp = await startSmtp();
 * const app = await startApp({ smtp });
 * ...
 * const mail = await smtp.waitForMail((m) => m.to.includes("guest@example.test"));
 * assert.match(mail.subject, /confirmed/);
 * assert.match(mail.calendar!, /METHOD:REQUEST/);
 * await smtp.close();
 * ```
 *
 * No TLS (STARTTLS is disabled), AUTH optional and any credentials accepted (they are recorded on
 * each mail). A mail is in `mails` before the client gets its 250, so once the app says "sent",
 * the mail is there.
 *
 * Failure modes, chosen per connection when it opens (`setMode` for all following connections,
 * `failNext` for the next N only):
 * - "refuse-421": greets with 421 and closes (temporary failure: the app should retry later)
 * - "reject-550": takes the whole message, then answers 550 (permanent failure)
 * - "stall": accepts the TCP connection and never greets (the client's greeting timeout fires)
 * - "stall-data": normal until the end of DATA, then never answers
 * - "drop-after-data": takes the whole message and keeps it (in `mails`), then closes the
 *   connection without answering: the sender cannot know it arrived (a lost answer)
 */
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import type { Socket } from "node:net";
import { Buffer } from "node:buffer";
import { createMailer } from "../../src/lib/server/integrations/mail.ts";

export type SmtpMode =
  | "ok"
  | "refuse-421"
  | "reject-550"
  | "stall"
  | "stall-data"
  | "drop-after-data";

export interface ReceivedAttachment {
  filename?: string;
  /** e.g. "text/calendar" (parameters such as method= are in `headers`) */
  contentType: string;
  /** the content decoded as UTF-8: meaningful for text/* parts such as text/calendar */
  content: string;
  bytes: Uint8Array;
  /** the `method` parameter of a text/calendar part (REQUEST, CANCEL, …), if any */
  method?: string;
}

export interface ReceivedMail {
  /** address of the From header (lower-cased), "" if none */
  from: string;
  /** display name of the From header, "" if none */
  fromName: string;
  /** addresses of the To header (lower-cased) */
  to: string[];
  cc: string[];
  replyTo: string[];
  /** SMTP envelope (MAIL FROM / RCPT TO), lower-cased */
  envelope: { from: string; to: string[] };
  /** credentials the client authenticated with, or null */
  auth: { username: string; password: string } | null;
  subject: string;
  text: string;
  /** HTML body, "" if none */
  html: string;
  messageId: string;
  headers: ParsedMail["headers"];
  attachments: ReceivedAttachment[];
  /** content of the first text/calendar part (attachment or alternative), if any */
  calendar?: string;
  /** the message as received */
  raw: string;
  parsed: ParsedMail;
  receivedAt: Date;
}

export interface SmtpHandle {
  host: "127.0.0.1";
  port: number;
  /** every mail received so far, oldest first */
  mails: ReceivedMail[];
  /**
   * Resolves with the first mail (already received or arriving later) that matches `pred`;
   * rejects after `timeoutMs` listing what did arrive.
   */
  waitForMail(pred?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** the mode for all connections after the `failNext` queue is used up */
  setMode(mode: SmtpMode): void;
  mode(): SmtpMode;
  /** a slow mail server: each mail is accepted (and listed in `mails`) `ms` after its data */
  setAcceptDelay(ms: number): void;
  /** the next `count` connections behave as `mode`, then back to the current mode */
  failNext(mode: SmtpMode, count?: number): void;
  /** how many connections were opened so far (retries show up here) */
  connectionCount(): number;
  /** forgets the received mails */
  clear(): void;
  /** closes all connections (stalled ones too) and the server; pending waits reject */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value)
    .map((v) => (v.address ?? "").toLowerCase()).filter(Boolean);

const decoder = new TextDecoder();

function toMail(
  parsed: ParsedMail,
  raw: Uint8Array,
  session: SMTPServerSession,
  auth: { username: string; password: string } | null,
): ReceivedMail {
  const attachments: ReceivedAttachment[] = parsed.attachments.map((a) => {
    const bytes = new Uint8Array(a.content);
    const ct = a.headers.get("content-type") as { params?: Record<string, string> } | undefined;
    return {
      filename: a.filename,
      contentType: a.contentType,
      content: decoder.decode(bytes),
      bytes,
      method: ct?.params?.method,
    };
  });
  const fromValue = parsed.from?.value[0];
  const envelopeFrom = session.envelope.mailFrom;
  return {
    from: (fromValue?.address ?? "").toLowerCase(),
    fromName: fromValue?.name ?? "",
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    envelope: {
      from: envelopeFrom ? envelopeFrom.address.toLowerCase() : "",
      to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    },
    auth,
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
    messageId: parsed.messageId ?? "",
    headers: parsed.headers,
    attachments,
    calendar: attachments.find((a) => a.contentType === "text/calendar")?.content,
    raw: decoder.decode(raw),
    parsed,
    receivedAt: new Date(),
  };
}

interface Waiter {
  pred: (m: ReceivedMail) => boolean;
  resolve: (m: ReceivedMail) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

export async function startSmtp(opts: { port?: number } = {}): Promise<SmtpHandle> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<Waiter>();
  const sockets = new Set<Socket>();
  const modeOf = new Map<string, SmtpMode>();
  const authOf = new Map<string, { username: string; password: string }>();
  let mode: SmtpMode = "ok";
  let acceptDelayMs = 0;
  const queue: SmtpMode[] = [];
  let connections = 0;
  let closed = false;

  const deliver = (mail: ReceivedMail) => {
    mails.push(mail);
    for (const w of waiters) {
      if (w.pred(mail)) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(mail);
      }
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    banner: "invito test smtp",
    onConnect(session, callback) {
      connections++;
      const m = queue.shift() ?? mode;
      modeOf.set(session.id, m);
      if (m === "refuse-421") return callback(smtpError(421, "Service not available, try later"));
      if (m === "stall") return; // never greet
      callback();
    },
    onAuth(auth, session, callback) {
      authOf.set(session.id, { username: auth.username ?? "", password: auth.password ?? "" });
      callback(null, { user: auth.username ?? "anonymous" });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", () => {});
      stream.on("end", async () => {
        const m = modeOf.get(session.id) ?? "ok";
        if (m === "stall-data") return; // never answer the end of DATA
        if (m === "reject-550") return callback(smtpError(550, "Message rejected"));
        const raw = Buffer.concat(chunks);
        if (acceptDelayMs > 0) await new Promise((r) => setTimeout(r, acceptDelayMs));
        try {
          const parsed = await simpleParser(raw);
          deliver(toMail(parsed, raw, session, authOf.get(session.id) ?? null));
          if (m === "drop-after-data") {
            // Kept, but the 250 never reaches the sender: its connection ends here.
            for (const s of sockets) if (s.remotePort === session.remotePort) s.destroy();
            return;
          }
          callback();
        } catch (e) {
          callback(smtpError(451, `test smtp could not parse the message: ${e}`));
        }
      });
    },
    onClose(session) {
      modeOf.delete(session.id);
      authOf.delete(session.id);
    },
  });
  // track raw sockets so close() can end stalled connections at once
  const net = (server as unknown as { server: import("node:net").Server }).server;
  net.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("error", () => {});

  await new Promise<void>((resolve, reject) => {
    net.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      net.off("error", reject);
      resolve();
    });
  });
  const port = (net.address() as { port: number }).port;

  const describe = () =>
    mails.length
      ? mails.map((m) => `  - to ${m.to.join(", ")}: ${JSON.stringify(m.subject)}`).join("\n")
      : "  (none)";

  const handle: SmtpHandle = {
    host: "127.0.0.1",
    port,
    mails,
    waitForMail: (pred = () => true, timeoutMs = 15_000) => {
      const found = mails.find(pred);
      if (found) return Promise.resolve(found);
      if (closed) return Promise.reject(new Error("test smtp is closed"));
      const waiting = new Promise<ReceivedMail>((resolve, reject) => {
        const w: Waiter = {
          pred,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(w);
            reject(
              new Error(
                `no matching mail within ${timeoutMs} ms; ${mails.length} received:\n${describe()}`,
              ),
            );
          }, timeoutMs),
        };
        waiters.add(w);
      });
      // a wait abandoned by a failing test must not turn into an unhandled rejection at close()
      waiting.catch(() => {});
      return waiting;
    },
    setAcceptDelay: (ms) => {
      acceptDelayMs = ms;
    },
    setMode: (m) => {
      mode = m;
    },
    mode: () => mode,
    failNext: (m, count = 1) => {
      for (let i = 0; i < count; i++) queue.push(m);
    },
    connectionCount: () => connections,
    clear: () => {
      mails.length = 0;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error("test smtp closed while waiting for a mail"));
      }
      waiters.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
    },
    [Symbol.asyncDispose]: () => handle.close(),
  };
  return handle;
}

/**
 * A test app's mailer sending to this SMTP peer (what `INVITO_SMTP_HOST` gives a server), with
 * the memory mailer's fields the app's type carries.
 */
export function mailerTo(smtp: Pick<SmtpHandle, "host" | "port">) {
  return Object.assign(
    createMailer({
      host: smtp.host,
      port: smtp.port,
      user: null,
      password: null,
      from: "Invito <invito@example.test>",
    }),
    { sent: [], failWith: null },
  );
}
