/**
 * The command line's usage (scripts/invito.ts): its help, what each command takes, and the
 * check of a command line before any store is opened — a mistake is said with that command's
 * usage (exit 2), also while a server holds the store.
 */
export const HELP = `Invito's command line for admins.

usage: npm run invito -- <command> [arguments] [--json] [--trace]

  users list [--state active|suspended|closed] [--search TEXT]
  users suspend <username|@username|address|id>
  users reactivate <username|@username|address|id>
  users delete <username|@username|address|id> --yes
  bookings list <username|@username|address|id> [--from YYYY-MM-DD]
  bookings export <username|@username|address|id> [--ics]
  mail-test <address>
  check-config
  backup [FILE]            (no FILE: into INVITO_BACKUP_DIR, as the admin page's button)
  restore FILE [--force]   (the server must be stopped)

On a local KV file (INVITO_DB_PATH) the server must be stopped; on remote KV it may run.
--trace shows where an unexpected failure happened. <command> --help: that command's usage.
Exit codes: 0 done, 1 refused or failed, 2 wrong usage, 3 invalid configuration,
4 the local store is in use by a running server.`;

/** `document`: the text is a document of its own (an export), printed exactly as it is. */
export type Outcome = { code: number; json: unknown; text: string; document?: boolean };

/** A usage error: the mistake first, then the usage of the command it concerns (or all). */
export const usage = (text: string, command?: string): Outcome => ({
  code: 2,
  json: { ok: false, reason: "usage", message: text },
  text: `${text}\n\n${helpFor(command)}`,
});

export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Positional arguments: everything that is not an option or an option's value. */
export function positional(args: string[], valued: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (valued.includes(args[i])) i++;
    else if (!args[i].startsWith("-")) out.push(args[i]);
  }
  return out;
}

/** What each command takes: its options (`valued` ones take a value) and its arguments. */
const COMMANDS: Record<
  string,
  { flags?: string[]; valued?: string[]; takes: string | null }
> = {
  "users list": { valued: ["--state", "--search"], takes: null },
  "users suspend": { takes: "one user" },
  "users reactivate": { takes: "one user" },
  "users delete": { flags: ["--yes"], takes: "one user" },
  "bookings list": { valued: ["--from"], takes: "one user" },
  "bookings export": { flags: ["--ics"], takes: "one user" },
  "mail-test": { takes: "one address" },
  "check-config": { takes: null },
  "backup": { takes: "one FILE" },
  "restore": { flags: ["--force"], takes: "one FILE" },
};
const GLOBAL_FLAGS = ["--json", "--trace", "--help", "-h"];
export const VALUED = Object.values(COMMANDS).flatMap((c) => c.valued ?? []);

/** The closest of `known` to a mistyped `word`, if one is close enough to be meant. */
function closest(word: string, known: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          row[j] + 1,
          next[j - 1] + 1,
          row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length];
  };
  const best = known.map((k) => ({ k, d: distance(word, k) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.min(2, Math.floor(best.k.length / 2)) ? best.k : undefined;
}

const meant = (word: string, known: string[]) => {
  const k = closest(word, known);
  return k ? ` (did you mean ${k}?)` : "";
};

/** The command line's mistakes that need no store: unknown words, options, values; else null. */
export function checkUsage(args: string[]): Outcome | null {
  const [command, sub, ...rest] = positional(args, VALUED);
  const tops = [...new Set(Object.keys(COMMANDS).map((k) => k.split(" ")[0]))];
  if (!tops.includes(command)) return usage(`unknown command: ${command}${meant(command, tops)}`);
  const subs = Object.keys(COMMANDS).filter((k) => k.startsWith(`${command} `))
    .map((k) => k.slice(command.length + 1));
  const name = subs.length ? `${command} ${sub}` : command;
  if (subs.length && !sub) {
    return usage(
      `${command}: name a subcommand: ${subs.slice(0, -1).join(", ")} or ${subs.at(-1)}`,
      command,
    );
  }
  if (subs.length && !subs.includes(sub)) {
    return usage(`${command}: unknown subcommand ${sub}${meant(sub, subs)}`, command);
  }
  const spec = COMMANDS[name];
  const allowed = [...GLOBAL_FLAGS, ...(spec.flags ?? []), ...(spec.valued ?? [])];
  for (const a of args) {
    if (a.startsWith("-") && !allowed.includes(a)) {
      return usage(`unknown option for ${name}: ${a}${meant(a, allowed)}`, name);
    }
  }
  for (const v of spec.valued ?? []) {
    const i = args.indexOf(v);
    if (i >= 0 && (args[i + 1] === undefined || args[i + 1].startsWith("-"))) {
      return usage(`${v} needs a value`, name);
    }
  }
  const given = subs.length ? rest : [sub, ...rest].filter((a) => a !== undefined);
  const most = spec.takes ? 1 : 0;
  if (given.length > most) {
    return usage(
      `${name} takes ${spec.takes ?? "no argument"}; also given: ${given.slice(most).join(" ")}`,
      name,
    );
  }
  // Missing words are wrong usage too, said before the store is opened (a server may hold it).
  if (spec.takes === "one user" && given.length === 0) {
    return usage("name the user: a username, an address or an id", name);
  }
  if (name === "users delete" && !args.includes("--yes")) {
    return usage(
      `deleting ${given[0]} cancels their meetings ahead and cannot be undone; add --yes`,
      name,
    );
  }
  const state = option(args, "--state");
  if (name === "users list" && state && !["active", "suspended", "closed"].includes(state)) {
    return usage(`--state must be active, suspended or closed`, name);
  }
  const from = option(args, "--from");
  if (
    name === "bookings list" && from !== undefined &&
    !(/^\d{4}-\d{2}-\d{2}$/.test(from) &&
      new Date(Date.parse(`${from}T00:00:00Z`) || 0).toISOString().startsWith(from))
  ) {
    return usage("--from must be a date like 2026-12-01", name);
  }
  if (name === "mail-test" && sub !== undefined && !/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(sub)) {
    return usage(
      `not an email address: ${sub}; mail-test needs one such as ops@example.com`,
      name,
    );
  }
  return null;
}

/** `<command> --help`: the usage lines of that command, or all of them. */
export function helpFor(command: string | undefined): string {
  const lines = HELP.split("\n").filter((l) =>
    command && (l.startsWith(`  ${command} `) || l === `  ${command}`)
  );
  const text = lines.length
    ? `usage: npm run invito -- <command> [arguments] [--json] [--trace]\n\n${lines.join("\n")}`
    : HELP;
  return text;
}
