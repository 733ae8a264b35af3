/**
 * Sign-in mails go out through the outbox (docs/decisions/037-sign-in-mail-in-outbox.md): the
 * sign-in form answers as soon as the mail is queued, and the outbox delivers it with its usual
 * guarantees (retries with backoff, one delivery per job, a lease across processes). The link
 * is a credential, so the queued mail is sealed like calendar passwords (ADR 012: nothing usable
 * is stored as it is) and dropped unsent once the link has expired.
 */
import type { App } from "../app.ts";
import type { OutboxPayload } from "../domain/model/records.ts";
import { enqueue, newOutboxRecord } from "../store/outbox.ts";
import { seal, unseal } from "../integrations/crypto.ts";
import type { JobOutcome } from "../jobs/job-outcome.ts";

const KID = "signin-mail-v1";

type MailBody = { subject: string; text: string; html?: string };

/** Queues a sign-in mail; false when the queue could not be written (nothing will be sent). */
export async function queueSignInMail(
  app: App,
  to: string,
  mail: MailBody,
  expiresAtMs: number,
): Promise<boolean> {
  const sealed = await seal(app.credentialKey, KID, JSON.stringify(mail));
  const job = newOutboxRecord({ kind: "sealed_mail", to, sealed, expiresAtMs }, app.now());
  const res = await enqueue(app.kv.atomic(), job).commit();
  if (res.ok) app.kickOutbox();
  return res.ok;
}

/** The outbox's delivery of a sealed mail: never after it expired, never unreadable. */
export async function sendSealedMail(
  app: App,
  p: Extract<OutboxPayload, { kind: "sealed_mail" }>,
  nowMs: number,
  /** Its job's, the same on every attempt (domain/mail-identity.ts `jobMessageId`). */
  messageId?: string,
): Promise<JobOutcome> {
  if (nowMs >= p.expiresAtMs) return { ok: true, skipped: true };
  const text = await unseal(app.credentialKey, p.sealed);
  // Sealed under another secret (rotated since): nobody can read it, so nothing to send.
  if (text === null) return { ok: false, error: "sealed mail unreadable", permanent: true };
  const mail = JSON.parse(text) as MailBody;
  const res = await app.mailer.send({ to: p.to, ...mail, ...(messageId ? { messageId } : {}) });
  return res.ok
    ? { ok: true }
    : { ok: false, error: res.error.detail, permanent: res.error.kind === "rejected" };
}
