import assert from "node:assert/strict";
import {
  createEventType,
  createHost,
  memoryApp,
  WORKDAYS,
} from "../../../../tests/support/memory-app.ts";
import { eventTypeMarkdown, hostMarkdown, llmsTxt } from "./agent-pages.ts";
import { getSlotPage } from "./slot-page.ts";
import { wantsMarkdown } from "../http/agent-pages.ts";

Deno.test("agent pages: the event type in markdown with the next free slots in the asked zone and how to book", async () => {
  const app = await memoryApp({ nowIso: "2026-11-20T08:00:00Z" });
  const host = await createHost(app, { username: "ann", weekly: WORKDAYS });
  await createEventType(app, host, {
    slug: "intro",
    title: "Intro *call*",
    durationMin: 30,
    durations: [30, 60],
    questions: [{
      id: "topic",
      label: "Topic",
      type: "choice",
      required: true,
      options: ["A", "B"],
    }],
  });
  const md = await eventTypeMarkdown(app, {
    username: "ann",
    slug: "intro",
    timeZone: "Asia/Tokyo",
  });
  assert.ok(md);
  assert.match(md, /^# Intro \\\*call\\\* with Host ann/);
  assert.match(md, /30 minutes by default; also 60 minutes/);
  assert.match(md, /Times below are in Asia\/Tokyo/);
  // The first listed slot is the booking page's first slot, as Tokyo wall time.
  const page = await getSlotPage(app, { username: "ann", slug: "intro", timeZone: "Asia/Tokyo" });
  assert.ok(page.ok);
  assert.ok(md.includes(`17:00 (\`${page.slots[0].start}\`)`), md.slice(0, 800));
  assert.match(md, /POST http:\/\/invito\.test\/api\/v1\/bookings/);
  assert.match(md, /"answers": \{\n\s+"topic": "…"/);
  assert.match(md, /`topic`: Topic \(choice, required; one of: A \/ B\)/);
  assert.equal(
    await eventTypeMarkdown(app, { username: "ann", slug: "nope", timeZone: null }),
    null,
  );
  const list = await hostMarkdown(app, "ann");
  assert.match(list!, /\[Intro \\\*call\\\*\]\(http:\/\/invito\.test\/calendar\/ann\/intro\.md\)/);
  assert.match(llmsTxt(app), /api\/v1\/openapi\.json/);
  // How to add the MCP endpoint to a client, as one config snippet.
  const snippet = /```json\n([\s\S]*?)\n```/.exec(llmsTxt(app))![1];
  assert.equal(JSON.parse(snippet).mcpServers.invito.url, `${app.config.baseUrl.origin}/mcp`);
  app.close();
});

Deno.test("agent pages: markdown only when the client prefers it to HTML", () => {
  assert.equal(wantsMarkdown("text/markdown"), true);
  assert.equal(wantsMarkdown("text/markdown, text/html;q=0.5"), true);
  assert.equal(wantsMarkdown("text/html,application/xhtml+xml,*/*;q=0.8"), false);
  assert.equal(wantsMarkdown("text/html;q=0.9, text/markdown;q=0.5"), false);
  assert.equal(wantsMarkdown("*/*"), false);
  assert.equal(wantsMarkdown(null), false);
});
