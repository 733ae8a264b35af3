/**
 * A real CalDAV server: Debian's Radicale 3.1.8 on 127.0.0.1 with a temporary config, storage and
 * a plain-text htpasswd user. Started with the `radicale` command (Debian's python; the `python3`
 * on PATH here lacks the module, see STACK-NOTES).
 *
 * ```ts
 * const dav = await startRadicale();
 * const cal = await dav.mkcalendar("work");             // → http://127.0.0.1:P/alice/work/
 * await dav.putIcs("work", "ev1.ics", icsText);         // one UID per resource (Radicale rule)
 * // connect the app with dav.url + dav.username + dav.password
 * await dav.stop();
 * ```
 *
 * The app refuses private CalDAV hosts unless INVITO_ALLOW_PRIVATE_CALDAV is set: tests that point
 * it at this server pass `env: { INVITO_ALLOW_PRIVATE_CALDAV: "1" }` to startApp.
 */
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { makeDataDir } from "./data-dir.ts";
import { delay } from "./wait.ts";

export interface RadicaleHandle {
  /** http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  port: number;
  username: string;
  password: string;
  /** the collections root (filesystem_folder) */
  storageDir: string;
  /** `Basic …` for the user */
  authHeader: string;
  /** `${url}/${username}/${name}/` */
  calendarUrl(name: string): string;
  /** MKCALENDAR; returns the calendar URL */
  mkcalendar(name: string, displayName?: string): Promise<string>;
  /** PUT a VCALENDAR text as `${calendarUrl(name)}${file}`; returns the status (201/204) */
  putIcs(name: string, file: string, ics: string): Promise<number>;
  /** everything Radicale wrote to stdout/stderr */
  logs(): string;
  /** stops (SIGTERM, SIGKILL after 5 s) and deletes the temp dir */
  stop(): Promise<void>;
  /** stops and starts again on the same port with the same storage */
  restart(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startRadicale(
  opts: { username?: string; password?: string; port?: number; startTimeoutMs?: number } = {},
): Promise<RadicaleHandle> {
  const username = opts.username ?? "alice";
  const password = opts.password ?? "alice-caldav-pass";
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  // Radicale fsyncs each event it writes and its folder: its store lives where the servers'
  // stores do (memory under `npm test`).
  const dir = await makeDataDir("invito-radicale-");
  const storageDir = join(dir, "collections");
  const htpasswd = join(dir, "users");
  const configFile = join(dir, "config");
  let port = opts.port ?? freePort();
  await Deno.mkdir(storageDir);
  await Deno.writeTextFile(htpasswd, `${username}:${password}\n`);

  const writeConfig = () =>
    Deno.writeTextFile(
      configFile,
      [
        "[server]",
        `hosts = 127.0.0.1:${port}`,
        "ssl = False",
        "[auth]",
        "type = htpasswd",
        `htpasswd_filename = ${htpasswd}`,
        "htpasswd_encryption = plain",
        "[rights]",
        "type = owner_only",
        "[storage]",
        `filesystem_folder = ${storageDir}`,
        "[logging]",
        "level = warning",
        "mask_passwords = True",
        "",
      ].join("\n"),
    );

  let log = "";
  let child: Deno.ChildProcess | null = null;
  let exited: Deno.CommandStatus | null = null;
  let pumps: Promise<void> = Promise.resolve();

  const env = () => {
    const e = Deno.env.toObject();
    delete e.PYTHONPATH;
    delete e.PYTHONHOME;
    return { ...e, PYTHONUNBUFFERED: "1" };
  };

  const pump = async (s: ReadableStream<Uint8Array>) => {
    try {
      const decoder = new TextDecoder();
      for await (const chunk of s) log += decoder.decode(chunk, { stream: true });
    } catch {
      // ends with the process
    }
  };

  const spawn = () => {
    exited = null;
    const c = new Deno.Command("radicale", {
      args: ["--config", configFile],
      env: env(),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    child = c;
    c.status.then((s) => (exited = s));
    pumps = Promise.all([pump(c.stdout), pump(c.stderr)]).then(() => {});
  };

  const halt = async () => {
    const c = child;
    if (!c) return;
    child = null;
    try {
      c.kill("SIGTERM");
    } catch {
      // already exited
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = await Promise.race([
      c.status.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 5_000))),
    ]);
    clearTimeout(timer);
    if (late) {
      try {
        c.kill("SIGKILL");
      } catch {
        // exited meanwhile
      }
    }
    await c.status;
    await pumps;
  };

  const waitUp = async () => {
    const deadline = Date.now() + startTimeoutMs;
    let last = "";
    while (true) {
      if (exited) {
        await pumps;
        throw new Error(`radicale exited during startup (code ${exited.code})\n${log}`);
      }
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: "PROPFIND" });
        await res.body?.cancel();
        if (res.status < 500) return; // 401 without credentials: it is up
        last = `status ${res.status}`;
      } catch (e) {
        last = e instanceof Error ? e.message : String(e);
      }
      if (Date.now() > deadline) {
        throw new Error(`radicale did not answer within ${startTimeoutMs} ms (${last})\n${log}`);
      }
      await delay(50);
    }
  };

  const boot = async () => {
    for (let attempt = 1;; attempt++) {
      await writeConfig();
      spawn();
      try {
        await waitUp();
        return;
      } catch (e) {
        await halt();
        if (opts.port === undefined && attempt < 4 && /Address already in use/i.test(log)) {
          port = freePort();
          handle.port = port;
          handle.url = `http://127.0.0.1:${port}`;
          continue;
        }
        throw e;
      }
    }
  };

  const authHeader = `Basic ${btoa(`${username}:${password}`)}`;
  const handle: RadicaleHandle = {
    url: `http://127.0.0.1:${port}`,
    port,
    username,
    password,
    storageDir,
    authHeader,
    calendarUrl: (name) => `${handle.url}/${username}/${name}/`,
    mkcalendar: async (name, displayName = name) => {
      const url = handle.calendarUrl(name);
      const res = await fetch(url, {
        method: "MKCALENDAR",
        headers: { authorization: authHeader, "content-type": "application/xml; charset=utf-8" },
        body: `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>${
          displayName.replace(/[<&]/g, (c) => (c === "<" ? "&lt;" : "&amp;"))
        }</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`,
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`MKCALENDAR ${url} → ${res.status}\n${body}`);
      return url;
    },
    putIcs: async (name, file, ics) => {
      const res = await fetch(`${handle.calendarUrl(name)}${file}`, {
        method: "PUT",
        headers: { authorization: authHeader, "content-type": "text/calendar; charset=utf-8" },
        body: ics,
      });
      const body = await res.text();
      if (res.status !== 201 && res.status !== 204) {
        throw new Error(`PUT ${file} → ${res.status}\n${body}`);
      }
      return res.status;
    },
    logs: () => log,
    stop: async () => {
      await halt();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    restart: async () => {
      await halt();
      await boot();
    },
    [Symbol.asyncDispose]: () => handle.stop(),
  };

  try {
    await boot();
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
  return handle;
}
