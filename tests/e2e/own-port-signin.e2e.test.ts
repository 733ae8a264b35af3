/**
 * A newcomer whose port 8080 is taken starts Invito on another one the README's way
 * (`INVITO_LISTEN_ADDR=:PORT npm start`, no INVITO_BASE_URL), opens the address the startup line
 * names and signs in with the link printed in the log. That must work: the sign-in form was
 * refused (403, the button stuck on "Sending…") and the mailed link led to localhost:8080,
 * because the base URL stayed at its 8080 default.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoBin, repoRoot } from "../support/app.ts";
import { borrowBrowser } from "../support/browser.ts";
import { freePort } from "../support/ports.ts";
import { waitFor } from "../support/wait.ts";
import { makeDataDir } from "../support/data-dir.ts";

Deno.test({
  name: "own port without INVITO_BASE_URL: the sign-in link is sent and leads to this server",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await makeDataDir("invito-own-port-");
    const port = freePort();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(Deno.env.toObject())) {
      if (!k.startsWith("INVITO_")) env[k] = v;
    }
    const child = new Deno.Command(denoBin, {
      args: ["run", "-A", "server.ts"],
      cwd: repoRoot,
      env: {
        ...env,
        NO_COLOR: "1",
        INVITO_LISTEN_ADDR: `:${port}`,
        INVITO_DB_PATH: join(dataDir, "invito.kv"),
        INVITO_SESSION_SECRET: "own-port-signin-test-".padEnd(48, "x"),
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out = "";
    const pump = async (s: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of s) out += decoder.decode(chunk, { stream: true });
    };
    const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
    const browser = await borrowBrowser();
    try {
      const open = await waitFor(() => /Invito listening on \S+ — open (\S+)/.exec(out)?.[1], {
        timeoutMs: 30_000,
        message: () => `the startup line in:\n${out}`,
      });
      assert.equal(open, `http://localhost:${port}/`);
      const page = await browser.newPage({ locale: "en-US" });
      await page.goto(`${open}signin`);
      await page.getByLabel("Email address").fill("newcomer@example.test");
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByRole("heading", {
        name: /Check your email|sign-in link is in the server log/,
      }).waitFor({ timeout: 10_000 });
      const link = await waitFor(
        () => /https?:\/\/\S+\/signin\/verify\?\S+/.exec(out)?.[0],
        { timeoutMs: 10_000, message: () => `a sign-in link in the log:\n${out}` },
      );
      assert.ok(link.startsWith(`http://localhost:${port}/`), link);
      await page.goto(link);
      await page.getByRole("button", { name: "Sign in to Invito" }).click();
      await page.getByRole("heading", { name: "Set up your booking page" }).waitFor();
      assert.match(
        await page.locator("main").innerText(),
        new RegExp(`http://localhost:${port}/calendar/`),
      );
    } finally {
      await browser.close();
      child.kill("SIGTERM");
      await child.status;
      await pumps;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
