import type { App as InvitoApp } from "$lib/server/app.ts";
import type { UserRecord } from "$lib/server/domain/model/records.ts";

declare global {
  namespace App {
    interface Locals {
      app: InvitoApp;
      user: UserRecord | null;
      mailFailure?: { detail: string };
      /** Where a sign-in started from this request should land (already sanitised). */
      signinNext?: string;
      /** The sign-in form posted over its per-client limit: its page says how long to wait. */
      signinRetryAfterS?: number;
      clientIp: string;
      /** The response's locale (BCP 47) and its translator, set before any load (http/locale.ts). */
      locale: string;
      t: import("$lib/shared/i18n.ts").Translator;
      /** The booking page's data, when the page cache already read it for this request. */
      slotPage?: import("$lib/server/services/slot-page.ts").SlotPage;
      /** The fill-time token the booking page was rendered with (the page cache renews it). */
      fillToken?: string;
      /**
       * What a guest page showed only because the server had to guess: the host's zone for want
       * of `tz=`, the first Accept-Language tag's clock for want of `clock=`. `<html>` carries
       * them for app.html's script, which asks for the browser's own before the first paint:
       * with the zone its offsets over a year from `offsetsFrom`, with the clock the page's
       * language when it writes that clock (`lang`), so the script can tell without ICU (ADR 056).
       */
      guessed?: {
        timeZone?: string;
        offsets?: number[];
        offsetsFrom?: number;
        clock?: string;
        lang?: string;
      };
      /** A booking form post already decided by the page cache (the action reuses it). */
      bookForm?: import("$lib/server/http/booking-page.ts").BookForm;
    }
    interface Error {
      message: string;
      errorId?: string;
    }
    interface PageData {
      user?: { id: string; name: string; email: string; username: string; timeZone: string } | null;
    }
  }
}

export {};
