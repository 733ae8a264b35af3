/**
 * One log line per request and per job. `INVITO_LOG_FORMAT=json` prints each line as one JSON
 * object (and turns every other console line into one too, so a log shipper never sees a
 * multi-line record); the default is a readable line. Callers pass only what is safe to keep:
 * paths go through `redactPath`, and no form value, token, guest note or address is ever a field.
 */
export type LogFormat = "readable" | "json";
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

type Sink = (...args: unknown[]) => void;
const KEY = Symbol.for("invito.log");
/** The console as it was before any wrapping: kept with the state, shared by every copy. */
type State = { format: LogFormat; installed: boolean; raw: { log: Sink; warn: Sink; error: Sink } };
const g = globalThis as { [KEY]?: State };
const state: State = g[KEY] ??= {
  format: "readable",
  installed: false,
  raw: {
    log: console.log.bind(console),
    warn: console.warn.bind(console),
    error: console.error.bind(console),
  },
};

/** Set once at start (server.ts); later calls from another module copy see the same setting. */
export function configureLog(format: LogFormat): void {
  state.format = format;
  if (format === "json" && !state.installed) {
    state.installed = true;
    wrapConsole();
  }
}

export function logFormat(): LogFormat {
  return state.format;
}

export function logLine(level: LogLevel, msg: string, fields: LogFields = {}): void {
  let line: string;
  if (state.format === "json") {
    line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...clean(fields) });
  } else {
    // Built in one pass: this runs once per request.
    line = level === "info" ? msg : `${level.toUpperCase()} ${msg}`;
    for (const k in fields) {
      const v = fields[k];
      if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
    }
  }
  if (level === "info") {
    toStdout(line);
    return;
  }
  // A warning or an error goes out at once, after the info lines before it.
  flushLog();
  (level === "warn" ? state.raw.warn : state.raw.error)(line);
}

/**
 * Info lines (one per request: the busiest writer of the process) are written in batches, one
 * write per few milliseconds instead of a console call each — console.log's formatting and
 * write cost ~13 % of a cached answer's CPU (issue 26). Warnings and errors are not delayed, and
 * the batch is written before them and when the process exits. A batch waits 25 ms: at 5 ms
 * the line, its batch's timer and write took ~23 µs of an API booking's JavaScript, at 25 ms
 * ~11 µs (CPU profiles, issue 26), and a log line some milliseconds later tells nobody less.
 */
const FLUSH_MS = 25;
const FLUSH_BYTES = 64 * 1024;
let pending: string[] = [];
let pendingBytes = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
const encoder = new TextEncoder();

function toStdout(line: string) {
  pending.push(line);
  pendingBytes += line.length + 1;
  if (pendingBytes >= FLUSH_BYTES) flushLog();
  else timer ??= setTimeout(flushLog, FLUSH_MS);
}

/** Writes the info lines waiting for their batch (before an exit, a warning, an error). */
export function flushLog(): void {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  if (pending.length === 0) return;
  const text = pending.join("\n") + "\n";
  pending = [];
  pendingBytes = 0;
  const bytes = encoder.encode(text);
  try {
    for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
  } catch {
    // stdout closed (the process is going away): nothing to tell it to
  }
}

globalThis.addEventListener?.("unload", flushLog);

function clean(fields: LogFields): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

function formatValue(v: string | number | boolean | null): string {
  if (typeof v !== "string") return String(v);
  return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
}

/** Path segments that may be a secret (link tokens, ids in feed URLs) become ":token". */
const SECRETISH = /^[A-Za-z0-9_-]{20,}(\.[a-z0-9]{1,8})?$/;

/** The path without its query (tokens, callback URLs, e-mail addresses travel there). */
export function redactPath(pathname: string): string {
  const path = pathname.length > 200 ? pathname.slice(0, 200) + "…" : pathname;
  if (!hasLongSegment(path)) return path;
  return path.split("/").map((seg) => (SECRETISH.test(seg) ? ":token" : seg)).join("/");
}

/** Whether a segment is long enough to be a secret (SECRETISH's 20); most paths have none. */
function hasLongSegment(path: string): boolean {
  for (let start = 0; start < path.length;) {
    let end = path.indexOf("/", start);
    if (end < 0) end = path.length;
    if (end - start >= 20) return true;
    start = end + 1;
  }
  return false;
}

const ADDRESS = /[^\s<>()"',;:@]+@[^\s<>()"',;:@]+\.[A-Za-z]{2,}/g;

/** Free text from elsewhere (an SMTP server's refusal) with e-mail addresses masked. */
export function redactText(text: string): string {
  return text.replace(ADDRESS, "<address>");
}

function wrapConsole() {
  const as = (level: LogLevel) => (...args: unknown[]) =>
    logLine(level, args.map((a) => (typeof a === "string" ? a : describe(a))).join(" "));
  console.log = as("info");
  console.info = as("info");
  console.warn = as("warn");
  console.error = as("error");
}

function describe(a: unknown): string {
  if (a instanceof Error) return a.stack ?? `${a.name}: ${a.message}`;
  try {
    return typeof a === "object" ? JSON.stringify(a) : String(a);
  } catch {
    return String(a);
  }
}
