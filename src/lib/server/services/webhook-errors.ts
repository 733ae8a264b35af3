/**
 * The words a webhook attempt's log keeps that Invito wrote itself (where a receiver's redirect
 * pointed, a server that could not be reached, a message it could not sign or held), stored in English as the API reports them and
 * read in the host's language on the delivery log.
 */
import { type MessageRef, messageRef, translateRef, type Translator } from "../../shared/i18n.ts";
import { storedWordsIn } from "../integrations/calendar-provider.ts";

const REDIRECTED = "the receiver redirected to ";
const NOT_FOLLOWED = "; Invito does not follow redirects";
const REDIRECTED_NOWHERE = "the receiver redirected without naming an address";

/**
 * An attempt that sent nothing because no signing secret of the subscription opens with this
 * server's key (a store restored without its INVITO_SESSION_SECRET): never sent unsigned.
 */
export const CANNOT_SIGN = "Not sent: the signing secret cannot be read with this server's " +
  "INVITO_SESSION_SECRET (was the store restored without it?). Rotate the secret, give the " +
  "receiver the new one, then send the message again.";

/**
 * A delivery held while its host's account is suspended (its log line; not an attempt): sent
 * once the account is reactivated.
 */
export const HELD = "Held while the account was suspended: sent once it is reactivated.";

/** A subscription in that state, as the API reports it (`failingReason`). */
export const SECRET_UNREADABLE = "The signing secret cannot be read with this server's " +
  "INVITO_SESSION_SECRET: nothing is sent until the secret is rotated.";

/**
 * A 3xx answer as its attempt's error (stored in English, as the API reports it): where it
 * pointed, resolved against the URL that answered, so the host can enter that address.
 */
export function redirectError(location: string | null, base: string): string {
  if (!location) return REDIRECTED_NOWHERE;
  let to = location;
  try {
    to = new URL(location, base).href;
  } catch {
    // Not a URL: shown as the receiver wrote it.
  }
  return `${REDIRECTED}${to.slice(0, 500)}${NOT_FOLLOWED}`;
}

/**
 * A logged attempt's error as its reader reads it: Invito's own words (where a redirect pointed,
 * an unreachable server, what the guard refused) in `t`'s language, a server's as it answered.
 */
export function attemptErrorIn(error: string | null, t: Translator): string | null {
  if (error === null) return null;
  const ref = attemptErrorRef(error);
  return ref ? translateRef(t, ref) : storedWordsIn(error, t);
}

/** A logged error Invito wrote (`redirectError`, `CANNOT_SIGN`, `HELD`) as a catalog reference; null for any other. */
export function attemptErrorRef(error: string | null): MessageRef | null {
  if (error === CANNOT_SIGN) return messageRef("dev.log_cannot_sign");
  if (error === HELD) return messageRef("dev.log_held");
  if (error === REDIRECTED_NOWHERE) return messageRef("dev.log_redirected_nowhere");
  if (error?.startsWith(REDIRECTED) && error.endsWith(NOT_FOLLOWED)) {
    const location = error.slice(REDIRECTED.length, -NOT_FOLLOWED.length);
    return messageRef("dev.log_redirected", { location });
  }
  return null;
}
