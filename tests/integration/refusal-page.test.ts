/**
 * A refused booking form post without JavaScript (a crowd racing for one slot): every loser gets
 * the page again with what they typed, byte for byte what a full render would give (a template
 * filled in per guest), and can book another time of that day with the same details at once.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { startApp } from "../support/app.ts";
import { fullDay, slotsIn } from "../support/slots.ts";
import { isMultiLineText } from "../../src/lib/shared/text.ts";

type Posted = {
  status: number;
  body: string;
  nonce: string | null;
  location: string | null;
  encoding: string | null;
};

async function postForm(
  base: string,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Posted> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: {
      origin: base,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
  const body = await res.text();
  const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1] ??
    null;
  return {
    status: res.status,
    body,
    nonce,
    location: res.headers.get("location"),
    encoding: res.headers.get("content-encoding"),
  };
}

/**
 * The intro call's times on `date` (UTC), or on the first date from tomorrow on with a full
 * day's times: "the page's first day" may be today with one time left, and no other to retry.
 */
async function slots(base: string, date?: string): Promise<string[]> {
  if (!date) return (await fullDay(base, "/calendar/demo/intro-call")).slots;
  return slotsIn(
    await (await fetch(`${base}/calendar/demo/intro-call?tz=UTC&date=${date}`)).text(),
  );
}

/** The booking form's own action for `slot` on its day's page (the page the refusal shows again). */
const bookAction = (slot: string) =>
  `/calendar/demo/intro-call?/book&tz=UTC&date=${slot.slice(0, 10)}&slot=${
    encodeURIComponent(slot)
  }`;

/** The first full day's first time, booked by a winner: the time every later post here loses. */
async function takenSlot(base: string): Promise<{ taken: string; action: string }> {
  const [taken] = await slots(base);
  const action = bookAction(taken);
  const won = await postForm(base, action, {
    name: "Winner",
    email: "w@example.test",
    note: "",
    start: taken,
    tz: "UTC",
  });
  assert.equal(won.status, 303, won.body.slice(0, 300));
  return { taken, action };
}

/** What differs per response: the nonce and the fill token the page was served with. */
const normalize = (p: Posted) =>
  p.body.replaceAll(p.nonce!, "NONCE").replace(/fillToken:"[^"]+"/g, 'fillToken:"T"')
    .replace(/name="ft" value="[^"]*"/g, 'name="ft" value="T"');

Deno.test({
  name:
    "refused form post: the loser's page holds their details, and one click on another time books it with them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const [taken, free] = await slots(app.baseUrl);
    const action = bookAction(taken);
    const form = (name: string) => ({
      name,
      email: `${name.toLowerCase().replace(/\W/g, "")}@example.test`,
      note: 'Bring "the plan" & <notes>',
      start: taken,
      tz: "UTC",
    });
    assert.equal((await postForm(app.baseUrl, action, form("Winner"))).status, 303);
    const lost = await postForm(app.baseUrl, action, form("Ann O'Neil"));
    assert.equal(lost.status, 409);
    assert.match(lost.body, /That time was just taken/);
    // The details are in the page, in the form that offers the other times of that day.
    assert.match(lost.body, /name="name" value="Ann O'Neil"/);
    assert.match(lost.body, /name="note" value="Bring &quot;the plan&quot; &amp; &lt;notes>"/);
    assert.ok(!lost.body.includes(`data-retry-slot="${taken}"`), "the taken time is not offered");
    assert.ok(lost.body.includes(`data-retry-slot="${free}"`));
    // The retry form's fields, sent with another time, book it with the same details.
    const fields = Object.fromEntries(
      [...lost.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((
        m,
      ) => [m[1], m[2].replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&amp;", "&")]),
    );
    const retryAction = /<form method="POST" action="([^"]+)"[^>]*>\s*<p class="hint">Your details/
      .exec(lost.body)![1].replaceAll("&amp;", "&");
    const again = await postForm(
      app.baseUrl,
      `/calendar/demo/intro-call${retryAction}`,
      { ...fields, start: free },
    );
    assert.equal(again.status, 303, again.body.slice(0, 300));
    const booked = await (await fetch(app.baseUrl + again.location)).text();
    assert.match(booked, /Ann O&#39;Neil|Ann O'Neil/);
  },
});

Deno.test({
  name:
    "refused form post: the filled-in page is byte for byte the full render, for any typed text",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const { taken, action } = await takenSlot(app.baseUrl);
    const base = { email: "w@example.test", note: "", start: taken, tz: "UTC" };
    // A (bogus) session cookie takes the request past the template: the full render to compare.
    const full = { cookie: "authjs.session-token=none" };
    const texts = fc.stringMatching(/^[\s\S]{1,60}$/).filter((s) => s.trim().length > 0);
    await fc.assert(
      fc.asyncProperty(texts, texts, async (name, note) => {
        const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, " ");
        const form = { ...base, name: clean(name).slice(0, 100), note };
        const rendered = await postForm(app.baseUrl, action, form, full);
        const filled = await postForm(app.baseUrl, action, form);
        assert.equal(filled.status, rendered.status);
        assert.equal(normalize(filled), normalize(rendered));
      }),
      {
        numRuns: 40,
        examples: [[`"quoted" <b>&amp;</b> \u2028 \\ </script>`, "line\nbreak\r\n\ttab"]],
      },
    );

    // Refused while the time is still free (too many pending requests): the details form itself
    // comes back, with the note as text in its textarea.
    const free = (await slots(app.baseUrl, taken.slice(0, 10))).slice(0, 4);
    const many = { email: "many@example.test", note: "", tz: "UTC" };
    for (const start of free.slice(0, 3)) {
      const at = `/calendar/demo/intro-call?/book&tz=UTC&date=${start.slice(0, 10)}`;
      assert.equal((await postForm(app.baseUrl, at, { ...many, name: "Many", start })).status, 303);
    }
    const fourth = bookAction(free[3]);
    // Notes the form accepts (control characters other than line breaks and tabs are a field
    // error, answered in full: the first property covers those).
    const notes = texts.filter(isMultiLineText);
    await fc.assert(
      fc.asyncProperty(notes, async (note) => {
        const form = { ...many, name: "Many", note, start: free[3] };
        const rendered = await postForm(app.baseUrl, fourth, form, full);
        const filled = await postForm(app.baseUrl, fourth, form);
        assert.equal(filled.status, 409);
        assert.match(filled.body, /<textarea id="b-note"/);
        assert.equal(normalize(filled), normalize(rendered));
      }),
      { numRuns: 20, examples: [['</textarea> & "x" <b>']] },
    );
  },
});

Deno.test({
  name:
    "refused form post: each guest reads the refusal in their own language, byte for byte the full render",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const { taken, action } = await takenSlot(app.baseUrl);
    const form = { name: "Zoë", email: "z@example.test", note: "", start: taken, tz: "UTC" };
    const full = { cookie: "authjs.session-token=none" };
    const languages: [Record<string, string>, RegExp, RegExp][] = [
      [
        { "accept-language": "de-DE,de;q=0.9" },
        /Diese Zeit wurde gerade vergeben/,
        /Ihre Angaben bleiben erhalten/,
      ],
      [
        { "accept-language": "fr-FR" },
        /Cet horaire vient d’être pris/,
        /Vos informations sont conservées/,
      ],
      [{ "accept-language": "en-US" }, /That time was just taken/, /Your details are kept/],
      [{ "accept-language": "es" }, /Esa hora se acaba de ocupar/, /Tus datos se conservan/],
    ];
    // Twice round: the second answer of each language comes from its template, after the others.
    for (let round = 0; round < 2; round++) {
      for (const [headers, refusal, kept] of languages) {
        const filled = await postForm(app.baseUrl, action, form, headers);
        assert.equal(filled.status, 409);
        assert.match(filled.body, refusal);
        assert.match(filled.body, kept);
        for (const [, other] of languages) {
          if (other !== refusal) assert.doesNotMatch(filled.body, other);
        }
        const rendered = await postForm(app.baseUrl, action, form, { ...headers, ...full });
        assert.equal(normalize(filled), normalize(rendered));
      }
    }
  },
});

Deno.test({
  name:
    "refused form post: a browser that takes gzip gets the filled page gzipped, the same page as one that does not, with a long note intact",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using app = await startApp({ demo: true });
    const { taken, action } = await takenSlot(app.baseUrl);
    const base = { email: "w@example.test", start: taken, tz: "UTC" };
    // A note near the form's 2,000 characters, of many lines and characters of several bytes.
    const note = "Zoë & <Ünal> “quoted”\n".repeat(85);
    const form = { ...base, name: "Zoë O'Neil", note };
    for (let round = 0; round < 2; round++) {
      const gz = await postForm(app.baseUrl, action, form, { "accept-encoding": "gzip" });
      const plain = await postForm(app.baseUrl, action, form, { "accept-encoding": "identity" });
      assert.equal(gz.status, 409);
      assert.equal(gz.encoding, "gzip");
      assert.equal(plain.status, 409);
      assert.equal(plain.encoding, null);
      assert.equal(normalize(gz), normalize(plain));
      assert.ok(gz.body.includes("Zoë &amp; &lt;Ünal> “quoted”"), "the note comes back whole");
    }
  },
});
