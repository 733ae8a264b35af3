/**
 * Markup quality: the Nu Html Checker (npm `vnu-jar`, run with the machine's Java 17) reports no
 * error on any page as the server sends it, in every language, nor on any mail's HTML part, in
 * every language, for every kind of mail.
 *
 * Pages: every page of the tour (tests/support/page-tour.ts), the guest's in each language and
 * the host's, plus the booking form sent back with its errors, the admin list's notice and
 * question before suspending, the early refusal pages and the (English) API reference.
 * The pages the last changes touched also go through axe (German, 360 px, dark; French, desktop,
 * light).
 * Mails: every MailKind rendered for a booking that carries what mails show (a note and answers
 * with markup characters, a video link, a reason, a move), a follow-up, the cancellation a guest
 * gets when the host deletes their account, the calendar-reconnect and webhook-switched-off mails
 * to the host, a team booking's member mails and a team invitation, in each language, and the
 * sign-in mail.
 *
 * Needs `java` (Debian's openjdk-17-jre-headless; scripts/ensure-deps.sh --with-system installs it)
 * and `npm run build`.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signInByLink } from "../support/auth.ts";
import { borrowBrowser, checkA11y, showFailureState } from "../support/browser.ts";
import { pageTour, TOUR_ENV } from "../support/page-tour.ts";
import { fullDay } from "../support/slots.ts";
import { vnuErrors } from "../support/vnu.ts";
import { createEventType, createHost, memoryApp } from "../support/memory-app.ts";
import { bookSlot } from "../../src/lib/server/services/book-slot.ts";
import { getBooking } from "../../src/lib/server/store/bookings.ts";
import { bookingLinks } from "../../src/lib/server/services/booking-links.ts";
import { renderBookingMail } from "../../src/lib/server/integrations/mail-templates/booking.ts";
import { signInMail } from "../../src/lib/server/integrations/mail-templates/sign-in.ts";
import { reconnectMail } from "../../src/lib/server/integrations/mail-templates/calendar.ts";
import { webhookOffMail } from "../../src/lib/server/integrations/mail-templates/webhook.ts";
import { teamInviteMail } from "../../src/lib/server/integrations/mail-templates/team.ts";
import { ACCOUNT_CLOSED_REASON } from "../../src/lib/shared/system-reasons.ts";
import { translator } from "../../src/lib/server/i18n.ts";
import { tooManyRequests } from "../../src/lib/server/http/too-many.ts";
import { LANGUAGES } from "../../src/lib/shared/i18n.ts";
import type { BookingRecord, MailKind } from "../../src/lib/server/domain/model/records.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "Nu Html Checker: every page, in every language, has no markup error",
  async fn() {
    await using app = await startApp({ demo: true, env: TOUR_ENV });
    const browser = await borrowBrowser();
    const docs = new Map<string, string>();
    try {
      const tour = await pageTour(app, browser);
      const get = async (path: string, lang: string, cookie?: string, status = 200) => {
        const url = new URL(path, app.baseUrl);
        url.searchParams.set("lang", lang);
        const res = await fetch(url, {
          headers: { accept: "text/html", ...(cookie ? { cookie } : {}) },
        });
        const html = await res.text();
        assert.equal(res.status, status, `${url.pathname}${url.search}: status ${res.status}`);
        return html;
      };
      for (const lang of LANGUAGES) {
        for (const p of tour.guestPages) {
          docs.set(`${p.name}.${lang}`, await get(p.path, lang, undefined, p.status));
        }
      }
      for (const lang of ["en", "en-XA"]) {
        for (const p of tour.hostPages) {
          docs.set(`${p.name}.${lang}`, await get(p.path, lang, tour.hostCookie, p.status));
        }
      }
      // The newer dashboard pages in every language too (the older ones are checked above), and
      // those whose words changed lately (the bookings list, book for a guest, move a booking).
      const newer = [
        "bookings",
        "book-for-guest",
        "move-booking",
        "developers",
        "webhook-log",
        "insights",
        "troubleshoot",
        "links",
        "setup",
        "teams",
        "team",
        "team-event-types",
        "team-event-type-new",
        "team-event-type-edit",
        "team-event-type-delete",
        "team-bookings",
        "team-invitation",
        "admin-users",
        "admin-instance",
        "admin-audit",
      ];
      for (const lang of LANGUAGES.filter((l) => l !== "en")) {
        for (const p of tour.hostPages.filter((p) => newer.includes(p.name))) {
          docs.set(`${p.name}.${lang}`, await get(p.path, lang, tour.hostCookie, p.status));
        }
      }
      // The admin list with a state it cannot read (said on the page) and the question before
      // suspending (a form's answer); the early refusal pages (http/message-page.ts): a form sent
      // from another name than the server's own, too many requests.
      // (The admin's own row has no actions: someone else signs up.)
      await signInByLink(app, "someone@example.test");
      const userId = /name="userId" value="([0-9A-Z]{26})"/.exec(
        await get("/admin?q=someone", "en", tour.hostCookie),
      )?.[1];
      assert.ok(userId, "the admin list offers a person's actions");
      const other = app.baseUrl.replace("127.0.0.1", "localhost");
      const form = (origin: string, extra: Record<string, string>) => ({
        origin,
        accept: "text/html",
        "content-type": "application/x-www-form-urlencoded",
        ...extra,
      });
      for (const lang of LANGUAGES) {
        docs.set(`admin-state.${lang}`, await get("/admin?state=bogus", lang, tour.hostCookie));
        const asked = await fetch(app.url(`/admin?/suspend&lang=${lang}`), {
          method: "POST",
          headers: form(app.baseUrl, { cookie: tour.hostCookie }),
          body: new URLSearchParams({ userId }),
        });
        const question = await asked.text();
        assert.match(question, /data-testid="suspend-confirm"/, `suspend question (${lang})`);
        docs.set(`admin-suspend-question.${lang}`, question);
        const refused = await fetch(`${other}/signin?/email`, {
          method: "POST",
          headers: form(other, { "accept-language": lang }),
          body: new URLSearchParams({ email: "elsewhere@example.test" }),
        });
        assert.equal(refused.status, 403);
        docs.set(`cross-site.${lang}`, await refused.text());
        const tooMany = tooManyRequests(
          900,
          new Request(app.url("/calendar/demo"), {
            headers: { accept: "text/html", "accept-language": lang },
          }),
        );
        docs.set(`too-many.${lang}`, await tooMany.text());
      }
      // axe on the pages the last changes touched, as a German reader sees them on a 360 px
      // phone in the dark and a French one on a desktop in the light (their markup is checked
      // above): a guest's "I can't come", the host's page after confirming from the mail, the
      // host's book-for-a-guest and move pages with their month steps.
      const looks = [
        { lang: "de", colorScheme: "dark", viewport: { width: 360, height: 740 } },
        { lang: "fr", colorScheme: "light", viewport: { width: 1366, height: 768 } },
      ] as const;
      for (const look of looks) {
        const pages = [
          ...tour.guestPages.filter((p) => ["decline", "decided"].includes(p.name)),
          ...tour.hostPages.filter((p) => ["book-for-guest", "move-booking"].includes(p.name))
            .map((p) => ({ ...p, host: true })),
        ];
        assert.equal(pages.length, 4);
        for (const p of pages) {
          const ctx = await browser.newContext({
            colorScheme: look.colorScheme,
            viewport: look.viewport,
            storageState: "host" in p ? tour.hostState : undefined,
          });
          try {
            const page = await ctx.newPage();
            const url = new URL(p.path, app.baseUrl);
            url.searchParams.set("lang", look.lang);
            await page.goto(url.href);
            await page.locator("h1").first().waitFor();
            assert.deepEqual(await checkA11y(page), [], `axe on ${p.name} (${look.lang})`);
          } finally {
            await ctx.close();
          }
        }
      }
      // The API reference is English whatever the reader's language (ADR 015).
      const docsPage = await get("/docs/api", "de");
      assert.match(docsPage, /<html lang="en"/);
      docs.set("api-docs", docsPage);
      // The booking form sent back with its errors (no JavaScript: the server renders them).
      // A time of a full day from tomorrow on, with others on its day for the retries below
      // (the page's own first day may be today with one time left).
      const slot = (await fullDay(app.baseUrl, "/calendar/demo/intro-call", { min: 4 })).slots[2];
      for (const lang of LANGUAGES) {
        // The form's own action: the page's address (with the chosen time) and `/book`.
        const page = `/calendar/demo/intro-call?tz=UTC&date=${slot.slice(0, 10)}&slot=${
          encodeURIComponent(slot)
        }&lang=${lang}`;
        const action = /<form[^>]*action="([^"]*\/book[^"]*)"/.exec(
          await (await fetch(app.url(page))).text(),
        )![1]
          .replaceAll("&amp;", "&");
        const res = await fetch(new URL(action, app.url(page)), {
          method: "POST",
          headers: {
            origin: app.baseUrl,
            accept: "text/html",
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({ name: "", email: "not-an-address", start: slot, tz: "UTC" }),
        });
        const html = await res.text();
        assert.equal(res.status, 400);
        assert.match(html, /aria-invalid="true"/);
        docs.set(`booking-errors.${lang}`, html);
      }
      // A valid form refused because the time was just taken (no JavaScript): the page from the
      // refusal template, with the day's other times as one-click retries.
      const win = await fetch(app.url(`/calendar/demo/intro-call?/book&tz=UTC`), {
        method: "POST",
        headers: {
          origin: app.baseUrl,
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ name: "W", email: "w@example.test", start: slot, tz: "UTC" }),
        redirect: "manual",
      });
      assert.equal(win.status, 303);
      await win.body?.cancel();
      for (const lang of LANGUAGES) {
        const res = await fetch(
          app.url(
            `/calendar/demo/intro-call?/book&tz=UTC&date=${slot.slice(0, 10)}&slot=${
              encodeURIComponent(slot)
            }&lang=${lang}`,
          ),
          {
            method: "POST",
            headers: {
              origin: app.baseUrl,
              accept: "text/html",
              "content-type": "application/x-www-form-urlencoded",
            },
            body: new URLSearchParams({
              name: "Zoë <Gast> & Co",
              email: "z@example.test",
              note: 'A "note"',
              start: slot,
              tz: "UTC",
            }),
          },
        );
        const html = await res.text();
        assert.equal(res.status, 409);
        assert.match(html, /data-retry-slot=/);
        docs.set(`booking-refused.${lang}`, html);
      }
    } catch (err) {
      await showFailureState(browser, app.logs);
      throw err;
    } finally {
      await browser.close();
    }
    const errors = await vnuErrors(docs);
    const checked = docs.size;
    assert.ok(
      checked >= 4 * 26 + 2 * 26 + 3 * 20 + 4 * 4 + 4 + 4 + 1,
      `${checked} documents checked`,
    );
    assert.deepEqual(errors, []);
  },
});

Deno.test({
  ...opts,
  name: "Nu Html Checker: every mail's HTML part, of every kind and in every language, is valid",
  async fn() {
    const app = await memoryApp();
    const docs = new Map<string, string>();
    try {
      const host = await createHost(app, { username: "ana" });
      await createEventType(app, host, {
        slug: "call",
        title: "Intro <call> & more",
        location: { kind: "video", value: "https://meet.example/ana?x=1&y=2" },
      });
      const res = await bookSlot(app, {
        username: "ana",
        slug: "call",
        start: "2026-11-25T09:00:00Z",
        name: "Grete <b>Gast</b>",
        email: "gast@example.test",
        note: "Line one & two\n<script>alert(1)</script>",
        timeZone: "Europe/Berlin",
      });
      assert.ok(res.ok, JSON.stringify(res));
      const stored = (await getBooking(app.kv, res.bookingId))!;
      const booking: BookingRecord = {
        ...stored,
        cancelReason: "Something came up <sorry> & more.",
        rescheduledFromId: stored.id,
        answers: [
          { questionId: "q1", label: "Company <Ltd>", value: "ACME & Sons" },
          { questionId: "q2", label: "Agree to terms", value: "", checked: true },
        ],
      };
      const links = await bookingLinks(app, booking);
      const kinds: MailKind[] = [
        "host_request",
        "host_confirmed_copy",
        "host_booked",
        "guest_pending",
        "guest_confirmed",
        "guest_rejected",
        "guest_expired",
        "guest_cancelled",
        "host_cancelled",
        "host_expired",
        "reminder_guest",
        "reminder_host",
        "follow_up",
      ];
      for (const lang of LANGUAGES) {
        for (const kind of kinds) {
          const mail = renderBookingMail(kind, {
            booking: { ...booking, guestLocale: lang },
            host: { name: "Ana <Host>", email: "ana@example.test", clock: "24h", locale: lang },
            links: { ...links, ics: `${links.guest}/invite.ics` },
            baseUrl: app.config.baseUrl.href,
            confirmedMessage: "See you <soon> & well.",
            rejectedMessage: "Sorry <no> & no.",
            ttlMs: app.config.bookingTtlMs,
            nowMs: app.now(),
            minutesBefore: 60,
            bookAgainUrl: `${app.config.baseUrl.href}calendar/ana/call?lang=${lang}`,
            followUp: {
              message: "Thanks <for> coming & see you.\nNotes: https://notes.example/?a=1&b=2",
              minutesAfter: 60,
              bookAgainUrl: `${app.config.baseUrl.href}calendar/ana/call`,
            },
          });
          assert.ok(mail?.html, `${kind} (${lang}) has an HTML part`);
          docs.set(`mail-${kind}.${lang}`, mail.html);
        }
        // A guest of a host who deleted their account: cancelled by the host, Invito's reason.
        const closed = renderBookingMail("guest_cancelled", {
          booking: {
            ...booking,
            guestLocale: lang,
            endReason: "cancelled_by_host",
            cancelReason: ACCOUNT_CLOSED_REASON,
          },
          host: { name: "Ana <Host>", email: "ana@example.test", clock: "24h", locale: lang },
          links: { ...links, ics: `${links.guest}/invite.ics` },
          baseUrl: app.config.baseUrl.href,
          ttlMs: app.config.bookingTtlMs,
          nowMs: app.now(),
        });
        assert.ok(closed?.html, `account closed (${lang}) has an HTML part`);
        // Invito's own reason, in the guest's language.
        assert.equal(
          closed.text.includes(ACCOUNT_CLOSED_REASON),
          lang === "en",
          `account closed (${lang}): ${closed.text}`,
        );
        docs.set(`mail-account_closed.${lang}`, closed.html);
        const t = translator(lang);
        docs.set(
          `mail-calendar_reconnect.${lang}`,
          reconnectMail({
            provider: "google",
            account: "ana@example.test",
            hostName: "Ana <Host>",
            reason: "invalid_grant <revoked> & gone",
            calendarsUrl: `${app.config.baseUrl.href}dashboard/calendars`,
            t,
          }).html,
        );
        docs.set(
          `mail-webhook_off.${lang}`,
          webhookOffMail({
            url: "https://hooks.example/in?a=1&b=<2>",
            hostName: "Ana <Host>",
            developersUrl: `${app.config.baseUrl.href}dashboard/developers`,
            t,
          }).html,
        );
        const signin = signInMail({
          link: `${app.config.baseUrl.href}signin/verify?token=abc&email=a%40b.test`,
          baseUrl: app.config.baseUrl.href,
          minutes: 15,
          t: translator(lang),
        });
        docs.set(`mail-magic_link.${lang}`, signin.html);
        // Hosts schedule (issue 28) and Zoom (ADR 045): a Zoom meeting's invitation and its end,
        // the mail asking the guest to pick a new time, and a poll's "booked" mail to invitees.
        const common = {
          host: {
            name: "Ana <Host>",
            email: "ana@example.test",
            clock: "24h" as const,
            locale: lang,
          },
          links: { ...links, ics: `${links.guest}/invite.ics` },
          baseUrl: app.config.baseUrl.href,
          ttlMs: app.config.bookingTtlMs,
          nowMs: app.now(),
        };
        const zoom: BookingRecord = {
          ...booking,
          status: "CONFIRMED",
          guestLocale: lang,
          location: {
            kind: "zoom" as const,
            value: "https://us02web.zoom.us/j/85012345678?pwd=aBcD.1&uname=Grete",
          },
        };
        for (const kind of ["guest_confirmed", "host_booked", "guest_cancelled"] as const) {
          const mail = renderBookingMail(kind, { ...common, booking: zoom });
          assert.ok(mail?.html, `zoom ${kind} (${lang}) has an HTML part`);
          if (kind !== "guest_cancelled") {
            assert.ok(
              mail.html.includes("zoom.us/j/85012345678?pwd=aBcD.1&amp;uname=Grete"),
              `zoom link in ${kind}`,
            );
          }
          docs.set(`mail-zoom_${kind}.${lang}`, mail.html);
        }
        const asked = renderBookingMail("guest_cancelled", {
          ...common,
          booking: {
            ...booking,
            guestLocale: lang,
            endReason: "reschedule_requested",
            cancelReason: "Travel <plans> & more.",
          },
        });
        assert.ok(asked?.html, `request reschedule (${lang}) has an HTML part`);
        docs.set(`mail-reschedule_requested.${lang}`, asked.html);
        // A poll's booked time: the other voters are the booking's additional guests.
        const polled = renderBookingMail("guests_invited", {
          ...common,
          booking: {
            ...booking,
            guestLocale: lang,
            rescheduledFromId: null,
            additionalGuests: ["ben@example.test", "cat@example.test"],
            history: [{ status: "CONFIRMED", atMs: booking.createdAtMs, by: "host" }],
          },
        });
        assert.ok(polled?.html, `poll booked (${lang}) has an HTML part`);
        docs.set(`mail-poll_booked.${lang}`, polled.html);
        // A team booking's mails: a member told of a request, a member whose meeting moved to
        // another member; the invitation to join a team.
        const team = {
          name: "Crew <A&B>",
          organizer: { name: "Ana <Host>", email: "ana@example.test" },
          members: [{ name: "Ana <Host>", email: "ana@example.test" }, {
            name: "Ben & Co",
            email: "ben@example.test",
          }],
          decider: "Ana <Host>",
        };
        for (
          const [name, kind, b] of [
            ["member_request", "member_request", booking],
            ["member_moved", "host_cancelled", { ...booking, endReason: "rescheduled" }],
            ["team_guest_confirmed", "guest_confirmed", booking],
          ] as const
        ) {
          const mail = renderBookingMail(kind, {
            booking: { ...b, guestLocale: lang, teamId: "team-1" },
            host: { name: "Ben & Co", email: "ben@example.test", clock: "24h", locale: lang },
            team,
            links: { ...links, ics: `${links.guest}/invite.ics` },
            baseUrl: app.config.baseUrl.href,
            ttlMs: app.config.bookingTtlMs,
            nowMs: app.now(),
          });
          assert.ok(mail?.html, `${name} (${lang}) has an HTML part`);
          docs.set(`mail-${name}.${lang}`, mail.html);
        }
        docs.set(
          `mail-team_invite.${lang}`,
          teamInviteMail({
            teamName: "Crew <A&B>",
            inviterName: "Ana <Host>",
            role: "owner",
            link: `${app.config.baseUrl.href}team-invitation/abc`,
            expiresAtMs: app.now() + 7 * 86_400_000,
            baseUrl: app.config.baseUrl.href,
            t,
          }).html,
        );
      }
    } finally {
      await app.close();
    }
    const errors = await vnuErrors(docs);
    const checked = docs.size;
    assert.equal(checked, 4 * 26);
    assert.deepEqual(errors, []);
  },
});
