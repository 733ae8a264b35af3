/** `deno test` in a process of its own, for the harness tests of how npm test runs the suite. */
import { denoBin, repoRoot } from "./app.ts";

/** Runs `deno test -A --no-check ARGS` from the repo root: its exit code and its whole output. */
export async function runDenoTest(args: string[]): Promise<{ code: number; log: string }> {
  const out = await new Deno.Command(denoBin, {
    args: ["test", "-A", "--no-check", ...args],
    cwd: repoRoot,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, log };
}
