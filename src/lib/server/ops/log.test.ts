import assert from "node:assert/strict";
import { redactPath, redactText } from "./log.ts";

Deno.test("redactPath: link tokens and long ids become :token; short names stay", () => {
  assert.equal(
    redactPath("/booking/h3Jx-9kQ_2mZp8rTt0aBcDeFgHiJkLmN/confirm"),
    "/booking/:token/confirm",
  );
  assert.equal(redactPath("/calendar/demo/intro-call"), "/calendar/demo/intro-call");
  assert.equal(redactPath("/feeds/aaaaaaaaaaaaaaaaaaaaaaaa.ics"), "/feeds/:token");
});

Deno.test("redactText: addresses in an SMTP refusal are masked", () => {
  assert.equal(
    redactText("550 5.1.1 <guest.name+x@mail.example.org>: Recipient address rejected"),
    "550 5.1.1 <<address>>: Recipient address rejected",
  );
  assert.equal(redactText("421 try later"), "421 try later");
});

Deno.test("info lines reach stdout batch after batch while the process keeps running; a warning goes to stderr", async () => {
  // A process of its own: it logs when told on stdin, and lives on between.
  const script = `
    import { logLine } from ${JSON.stringify(new URL("./log.ts", import.meta.url).href)};
    const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
    for await (const chunk of lines) {
      for (const word of chunk.split("\\n").filter(Boolean)) {
        if (word.startsWith("warn:")) logLine("warn", word.slice(5));
        else logLine("info", word);
      }
    }
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", "--ext=ts", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  /** Reads stdout until `line` has come (or 20 s, the sign that it never will). */
  async function until(line: string) {
    const deadline = setTimeout(() => child.kill(), 20_000);
    while (!seen.split("\n").includes(line)) {
      const { value, done } = await out.read();
      if (done) break;
      seen += value;
    }
    clearTimeout(deadline);
    assert.ok(seen.split("\n").includes(line), `"${line}" never came; stdout: ${seen}`);
  }
  const say = (text: string) => writer.write(new TextEncoder().encode(text + "\n"));
  // Each batch after the first is written by the same timer, set again.
  for (const batch of [["one"], ["two", "three"], ["four"]]) {
    await say(batch.join("\n"));
    for (const line of batch) await until(line);
  }
  await say("five\nwarn:six");
  await until("five");
  await writer.close();
  const status = await child.status;
  const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  assert.ok(err.includes("WARN six"), err);
  assert.ok(status.success);
});
