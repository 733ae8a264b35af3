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
  const { raw } = state;
  const sink = level === "info" ? raw.log : level === "warn" ? raw.warn : raw.error;
  if (state.format === "json") {
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...clean(fields) }));
    return;
  }
  const parts = Object.entries(clean(fields)).map(([k, v]) => `${k}=${formatValue(v)}`);
  sink(
    `${level === "info" ? "" : `${level.toUpperCase()} `}${msg}${parts.length ? " " : ""}${
      parts.join(" ")
    }`,
  );
}

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
  return path.split("/").map((seg) => (SECRETISH.test(seg) ? ":token" : seg)).join("/");
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
