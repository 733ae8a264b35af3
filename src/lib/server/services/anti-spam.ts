/**
 * Cheap bot filters for the public booking form: a honeypot field people never see, and a
 * signed render time so a form posted faster than a person could fill it is refused.
 */
import type { App } from "../app.ts";
import { hmacToken, timingSafeEqual } from "../integrations/crypto.ts";

export async function fillToken(app: App): Promise<string> {
  const ms = String(app.now());
  return `${ms}.${await hmacToken(app.linkKey, "form-fill", ms)}`;
}

export async function checkFillToken(
  app: App,
  token: string,
  honeypot: string,
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (honeypot.trim() !== "") {
    return { ok: false, message: "Your request could not be sent. Please try again." };
  }
  const minFill = app.config.minFillMs;
  if (minFill === 0) return { ok: true };
  const [ms, sig] = token.split(".");
  if (
    !ms || !sig || !/^\d{1,15}$/.test(ms) ||
    !timingSafeEqual(sig, await hmacToken(app.linkKey, "form-fill", ms))
  ) {
    return {
      ok: false,
      message: "This form is out of date. Please check your details and send it again.",
    };
  }
  if (app.now() - Number(ms) < minFill) {
    return {
      ok: false,
      message: "That was very quick — please check your details and send the form again.",
    };
  }
  return { ok: true };
}
