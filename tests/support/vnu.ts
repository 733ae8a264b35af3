/** The Nu Html Checker (npm `vnu-jar`, run with the machine's Java 17) over a set of documents. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot } from "./app.ts";

const VNU = join(repoRoot, "node_modules", "vnu-jar", "build", "dist", "vnu.jar");

type VnuMessage = {
  type: string;
  url?: string;
  lastLine?: number;
  message: string;
  extract?: string;
};

/** Runs the checker once over the documents; returns its errors as "name:line: message «extract»". */
export async function vnuErrors(docs: Map<string, string>): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "invito-vnu-" });
  try {
    for (const [name, html] of docs) await Deno.writeTextFile(join(dir, `${name}.html`), html);
    // One run checks a few hundred pages in seconds: the JIT's optimising tier and the parallel
    // collector cost more than they save there (261 pages: 10.9 → 4.8 CPU-s, 5.7 → 4.2 s, the
    // same report; 2026-12-01).
    const out = await new Deno.Command("java", {
      args: [
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Xss4m",
        "-jar",
        VNU,
        "--format",
        "json",
        "--stdout",
        "--exit-zero-always",
        dir,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.ok(
      out.success && stdout.trim().startsWith("{"),
      `vnu did not run: ${new TextDecoder().decode(out.stderr)}`,
    );
    const { messages } = JSON.parse(stdout) as { messages: VnuMessage[] };
    return messages
      .filter((m) => m.type === "error" || m.type === "non-document-error")
      .map((m) => {
        const name = decodeURIComponent((m.url ?? "").split("/").pop() ?? "").replace(
          /\.html$/,
          "",
        );
        const extract = (m.extract ?? "").replace(/\s+/g, " ").trim().slice(0, 120);
        return `${name}:${m.lastLine ?? "?"}: ${m.message} «${extract}»`;
      });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
