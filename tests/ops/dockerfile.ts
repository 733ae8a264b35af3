/**
 * A Dockerfile read into stages and instructions (line continuations joined, comments and parser
 * directives dropped), enough for tests to run what a stage says instead of restating it.
 */
export type Instruction = { op: string; args: string };
export type Stage = { name: string | null; from: string; instructions: Instruction[] };

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (!cur && /^\s*(#|$)/.test(line)) continue;
    if (cur && /^\s*#/.test(line)) continue;
    if (line.endsWith("\\")) {
      cur += line.slice(0, -1) + " ";
      continue;
    }
    logical.push((cur + line).trim());
    cur = "";
  }
  if (cur.trim()) logical.push(cur.trim());
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/s.exec(l)!;
    const op = m[1].toUpperCase();
    const args = m[2].replace(/\s+/g, " ").trim();
    if (op === "FROM") {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ from: f[1], name: f[2] ?? null, instructions: [] });
    } else if (stages.length) {
      stages.at(-1)!.instructions.push({ op, args });
    }
  }
  return stages;
}
