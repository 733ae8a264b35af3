/**
 * What a host types into the dashboard's longer forms, posted as a browser posts it (a textarea's
 * line breaks as CRLF, which its `maxlength` counts as one character) against the built server:
 * - the offer of specific times takes a note its field took (a note with line breaks and 499
 *   characters was refused as "too long" on every retry);
 * - a routing form's introduction and messages likewise (each line break counted twice);
 * - a routing form save that is refused shows the host's edits again, with the problem: every
 *   field came back as stored, the new question gone.
 */
import assert from "node:assert/strict";
import { startApp } from "../support/app.ts";
import { signIn, slotsAhead } from "../reliability/harness.ts";
import { createClient } from "../support/http.ts";
import { DEMO_EMAIL } from "../../src/lib/server/services/seed-demo.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** A textarea's value as a browser posts it: lines joined by CRLF. */
const crlf = (lines: string[]) => lines.join("\r\n");

/** The text of an element's content, entities read. */
const decoded = (html: string) =>
  html.replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const valueOf = (body: string, id: string) =>
  decoded(new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(body)?.[1] ?? "");
const textareaOf = (body: string, id: string) =>
  decoded(new RegExp(`<textarea id="${id}"[^>]*>([^<]*)</textarea>`).exec(body)?.[1] ?? "");

Deno.test({
  ...opts,
  name:
    "host text fields: a note or an introduction that fits its field is taken whole with its line breaks (CRLF counted once), and a refused routing form save shows the host's edits again",
  async fn(t) {
    await using app = await startApp({ demo: true, env: { INVITO_RATE_LIMIT: "off" } });
    const host = await signIn(app, DEMO_EMAIL);
    /** A new visitor sends a routing form as its page posts it (with the page's fill token). */
    const answerForm = async (path: string, answers: Record<string, string>, follow = false) => {
      const visitor = createClient(app.baseUrl);
      const page = await visitor.get(path);
      const ft = /name="ft"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="ft"/.exec(page.body);
      const fields = { ft: ft?.[1] ?? ft?.[2] ?? "", website: "", ...answers };
      return await visitor.post(path, fields, { follow });
    };

    await t.step("offer specific times: a 499-character note of ten lines", async () => {
      const picker = await host.get("/dashboard/bookings/offer?type=quick-chat");
      const free = [...picker.body.matchAll(/name="start" value="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(free.length >= 4, "the picker lists free times");
      const lines = Array.from({ length: 10 }, (_, i) => `Line ${i}: `.padEnd(49, "x"));
      const note = crlf(lines);
      assert.equal(note.replaceAll("\r\n", "\n").length, 499);
      const form = new URLSearchParams({ type: "quick-chat", note });
      for (const s of free.slice(2, 4)) form.append("start", s);
      const made = await host.post("/dashboard/bookings/offer?/create", form);
      assert.equal(made.status, 200, made.body.match(/role="alert"[^]*?<\/div>/)?.[0]);
      const url = /data-testid="offer-url">([^<]+)</.exec(made.body)![1];
      const page = await host.get(new URL(url).pathname);
      assert.equal(page.status, 200);
      // Shown whole, each line as written (the stored note has one kind of line break).
      for (const line of lines) assert.ok(page.body.includes(line), line);
      assert.doesNotMatch(page.body, /\r/);
    });

    let editor = "";
    const stored = {
      title: "Contact",
      slug: "contact",
      description: "",
      active: "on",
      q0_key: "topic",
      q0_type: "short",
      q0_label: "Topic",
      fb_dest: "message",
      fb_message: "Thanks, we will write.",
    };
    await t.step("a routing form's introduction of 3,999 characters over 40 lines", async () => {
      const created = await host.post("/dashboard/routing?/create", {
        title: "Contact",
        slug: "contact",
      });
      assert.equal(created.status, 303);
      editor = new URL(created.location!, app.baseUrl).pathname;
      const lines = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(99, "y"));
      const description = crlf(lines);
      assert.equal(description.replaceAll("\r\n", "\n").length, 3_999);
      const message = crlf(Array.from({ length: 40 }, () => "z".repeat(99)));
      const saved = await host.post(`${editor}?/save`, {
        ...stored,
        description,
        fb_message: message,
      });
      assert.equal(saved.status, 200, saved.body.match(/Not saved[^]*?<\/ul>/)?.[0]);
      const page = await host.get(editor);
      assert.equal(textareaOf(page.body, "description"), lines.join("\n"));
      assert.equal(textareaOf(page.body, "fb_message"), message.replaceAll("\r\n", "\n"));
      const reset = await host.post(`${editor}?/save`, stored);
      assert.equal(reset.status, 200);
    });

    await t.step("a refused save keeps what the host typed", async () => {
      const refused = await host.post(`${editor}?/save`, {
        ...stored,
        title: "Contact us",
        description: crlf(["Tell us", "what you need."]),
        q1_key: "Größe",
        q1_type: "short",
        q1_label: "Company size",
        fb_message: "We will write within a day.",
      });
      assert.equal(refused.status, 400);
      assert.match(refused.body, /Not saved/);
      assert.match(refused.body, /Question 2/);
      assert.equal(valueOf(refused.body, "title"), "Contact us");
      assert.equal(textareaOf(refused.body, "description"), "Tell us\nwhat you need.");
      // As the save reads a key: in lower case (still refused: ö is not a-z).
      assert.equal(valueOf(refused.body, "q1_key"), "größe");
      assert.equal(valueOf(refused.body, "q1_label"), "Company size");
      assert.equal(textareaOf(refused.body, "fb_message"), "We will write within a day.");
      // Nothing was stored: the form as saved before.
      const page = await host.get(editor);
      assert.equal(valueOf(page.body, "title"), "Contact");
      assert.equal(valueOf(page.body, "q1_key"), "");
    });

    await t.step(
      "a rule's 'is one of' names options that hold a comma (it split them at every comma and matched nobody), and a value no option has is refused",
      async () => {
        const form = {
          ...stored,
          q1_key: "size",
          q1_type: "select",
          q1_label: "Company size",
          q1_options: crlf(["1–10", "11–50", "1,000+ employees", "Zürich, CH"]),
          r0_id: "new",
          r0_match: "all",
          r0_c0_key: "size",
          r0_c0_op: "one_of",
          r0_c0_value: "1,000+ employees, Zürich, CH",
          r0_dest: "message",
          r0_message: "Our enterprise team will call you.",
        };
        const saved = await host.post(`${editor}?/save`, form);
        assert.equal(saved.status, 200, saved.body.match(/Not saved[^]*?<\/ul>/)?.[0]);
        const page = await host.get(editor);
        assert.equal(valueOf(page.body, "r0_c0_value"), "1,000+ employees, Zürich, CH");
        for (const size of ["Zürich, CH", "1,000+ employees"]) {
          const sent = await answerForm("/forms/demo/contact", { topic: "Pricing", size }, true);
          assert.match(sent.body, /Our enterprise team will call you\./, size);
        }
        const typo = await host.post(`${editor}?/save`, {
          ...form,
          r0_c0_value: "1,000+ employees, Zurich CH",
        });
        assert.equal(typo.status, 400);
        assert.match(decoded(typo.body), /Route 1: .*not one of the question’s options/);
      },
    );

    await t.step(
      "a visitor's name past what a booking takes (100) is refused on the routing form; it vanished from the booking form it led to",
      async () => {
        const created = await host.post("/dashboard/routing?/create", {
          title: "Intake",
          slug: "intake",
        });
        assert.equal(created.status, 303);
        const intake = new URL(created.location!, app.baseUrl).pathname;
        const quickChat = /<option value="(et:[^"]+)">Quick chat<\/option>/.exec(
          (await host.get(intake)).body,
        )?.[1];
        assert.ok(quickChat, "the editor offers the demo's Quick chat");
        const saved = await host.post(`${intake}?/save`, {
          title: "Intake",
          slug: "intake",
          description: "",
          active: "on",
          q0_key: "name",
          q0_type: "short",
          q0_label: "Your name",
          q0_required: "on",
          q1_key: "email",
          q1_type: "email",
          q1_label: "Your email",
          q1_required: "on",
          fb_dest: quickChat,
        });
        assert.equal(saved.status, 200, saved.body.match(/Not saved[^]*?<\/ul>/)?.[0]);
        const send = (name: string) =>
          answerForm("/forms/demo/intake", { name, email: "ann@example.test" });
        const long = await send("Ann ".padEnd(136, "n"));
        assert.equal(long.status, 400, long.location ?? "");
        assert.match(long.body, /This answer is too long\./);
        const fits = await send("Ann ".padEnd(100, "n"));
        assert.equal(fits.status, 303);
        // The booking page it led to, at one of its times: the form is filled in.
        const slot = (await slotsAhead(app.baseUrl, "demo", "quick-chat", 5))[0];
        const booking = await createClient(app.baseUrl).get(
          `${fits.location}&tz=UTC&date=${slot.slice(0, 10)}&slot=${slot}`,
        );
        assert.equal(valueOf(booking.body, "b-name"), "Ann ".padEnd(100, "n"));
      },
    );
  },
});
