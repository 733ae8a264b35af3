/**
 * A small HTTP client with a cookie jar, for driving the app like a browser would without one.
 *
 * ```ts
 * const c = createClient(app.baseUrl);
 * const page = await c.get("/signin");
 * const res = await c.post("/signin", { email: "host@example.test" });
 * assert.equal(res.status, 303);
 * const done = await c.get(res.location!, { follow: true });
 * ```
 *
 * - Redirects are NOT followed unless `{ follow: true }` (then every hop's cookies are kept).
 * - POST sends a form (application/x-www-form-urlencoded, or multipart for FormData) with
 *   `origin: <origin of the target URL>` (SvelteKit's CSRF check) and `accept: text/html` (so form
 *   actions answer with a 303 instead of the JSON `use:enhance` protocol). Override either with
 *   `headers`.
 * - Bodies are always read: results are plain data and nothing can leak in deno test.
 * - The jar works like a browser's for http://127.0.0.1: cookies are per host, not per port
 *   (the app and the IdP share it, as in Chromium); `Secure` cookies are kept and sent on plain
 *   http to 127.0.0.1 (Chromium treats loopback as secure); Domain, Path, Max-Age and Expires are
 *   honoured. Paths may be absolute URLs (another origin, e.g. the IdP).
 */

export interface HttpResult {
  status: number;
  ok: boolean;
  headers: Headers;
  /** the URL of the last request made */
  url: string;
  /** the Location header resolved against `url`, or null */
  location: string | null;
  body: string;
  json<T = unknown>(): T;
  /** URLs visited when following redirects (the first request included) */
  hops: string[];
}

export interface RequestOptions {
  headers?: HeadersInit;
  /** follow redirects (default false) */
  follow?: boolean;
  maxRedirects?: number;
  /** per request (each hop), default 30 000 ms */
  timeoutMs?: number;
}

export type FormBody =
  | Record<string, string | number | boolean | (string | number)[]>
  | URLSearchParams
  | FormData;

export interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  /** true when the cookie had no Domain attribute (sent to exactly this host) */
  hostOnly: boolean;
  path: string;
  /** epoch ms, or null for a session cookie */
  expires: number | null;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | null;
}

export interface Client {
  baseUrl: string;
  /** resolves a path (or absolute URL) against baseUrl */
  url(path: string): string;
  get(path: string, opts?: RequestOptions): Promise<HttpResult>;
  post(path: string, form?: FormBody, opts?: RequestOptions): Promise<HttpResult>;
  request(
    method: string,
    path: string,
    opts?: RequestOptions & { body?: BodyInit | null },
  ): Promise<HttpResult>;
  /** the cookies that would be sent to `url` (default baseUrl), or all with `all: true` */
  cookies(url?: string | { all: true }): StoredCookie[];
  /** value of the cookie `name` that would be sent to baseUrl */
  cookie(name: string): string | undefined;
  setCookie(name: string, value: string, opts?: { url?: string; path?: string }): void;
  clearCookies(): void;
}

const defaultPath = (pathname: string) => {
  if (!pathname.startsWith("/")) return "/";
  const i = pathname.lastIndexOf("/");
  return i <= 0 ? "/" : pathname.slice(0, i);
};

const pathMatches = (requestPath: string, cookiePath: string) =>
  requestPath === cookiePath ||
  (requestPath.startsWith(cookiePath) &&
    (cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/"));

function parseSetCookie(header: string, url: URL, now: number): StoredCookie | null {
  const [pair, ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq < 0) return null;
  const cookie: StoredCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: url.hostname,
    hostOnly: true,
    path: defaultPath(url.pathname),
    expires: null,
    secure: false,
    httpOnly: false,
    sameSite: null,
  };
  let maxAge: number | null = null;
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? "" : attr.slice(i + 1).trim();
    if (key === "domain" && val) {
      cookie.domain = val.replace(/^\./, "").toLowerCase();
      cookie.hostOnly = false;
    } else if (key === "path" && val.startsWith("/")) cookie.path = val;
    else if (key === "max-age" && /^-?\d+$/.test(val)) maxAge = Number(val);
    else if (key === "expires") {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) cookie.expires = t;
    } else if (key === "secure") cookie.secure = true;
    else if (key === "httponly") cookie.httpOnly = true;
    else if (key === "samesite") cookie.sameSite = val;
  }
  if (maxAge !== null) cookie.expires = now + maxAge * 1000; // Max-Age wins over Expires
  return cookie;
}

export function createClient(baseUrl: string): Client {
  let jar: StoredCookie[] = [];

  const resolve = (path: string) => new URL(path, baseUrl).href;

  const matching = (url: URL) => {
    const now = Date.now();
    jar = jar.filter((c) => c.expires === null || c.expires > now);
    const host = url.hostname.toLowerCase();
    return jar
      .filter((
        c,
      ) => (c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`)))
      .filter((c) => pathMatches(url.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length);
  };

  const store = (res: Response, url: URL) => {
    const now = Date.now();
    for (const header of res.headers.getSetCookie()) {
      const c = parseSetCookie(header, url, now);
      if (!c) continue;
      jar = jar.filter((o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path));
      if (c.expires === null || c.expires > now) jar.push(c);
    }
  };

  const once = async (
    method: string,
    url: string,
    body: BodyInit | null | undefined,
    headers: Headers,
    timeoutMs: number,
  ) => {
    const u = new URL(url);
    const h = new Headers(headers);
    const cookies = matching(u);
    if (cookies.length && !h.has("cookie")) {
      h.set("cookie", cookies.map((c) => `${c.name}=${c.value}`).join("; "));
    }
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const res = await fetch(u, {
        method,
        body,
        headers: h,
        redirect: "manual",
        signal: ac.signal,
      });
      const text = await res.text();
      store(res, u);
      return { res, text };
    } catch (e) {
      if (ac.signal.aborted) throw new Error(`${method} ${url} timed out after ${timeoutMs} ms`);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };

  const request: Client["request"] = async (method, path, opts = {}) => {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const maxRedirects = opts.maxRedirects ?? 20;
    let url = resolve(path);
    let body = opts.body;
    let headers = new Headers(opts.headers);
    const hops: string[] = [];
    for (let n = 0;; n++) {
      hops.push(url);
      const { res, text } = await once(method, url, body, headers, timeoutMs);
      const loc = res.headers.get("location");
      const location = loc ? new URL(loc, url).href : null;
      const isRedirect = [301, 302, 303, 307, 308].includes(res.status) && location;
      if (!opts.follow || !isRedirect) {
        return {
          status: res.status,
          ok: res.ok,
          headers: res.headers,
          url,
          location,
          body: text,
          json: <T>() => JSON.parse(text) as T,
          hops,
        };
      }
      if (n >= maxRedirects) {
        throw new Error(`more than ${maxRedirects} redirects: ${hops.join(" → ")}`);
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers = new Headers(headers);
        headers.delete("content-type");
      }
      if (new URL(location!).origin !== new URL(url).origin) headers.delete("origin");
      url = location!;
    }
  };

  const client: Client = {
    baseUrl,
    url: resolve,
    request,
    get: (path, opts = {}) =>
      request("GET", path, {
        ...opts,
        headers: {
          accept: "text/html,*/*;q=0.8",
          ...Object.fromEntries(new Headers(opts.headers)),
        },
      }),
    post: (path, form, opts = {}) => {
      const url = resolve(path);
      let body: BodyInit | undefined;
      const headers = new Headers({ accept: "text/html", origin: new URL(url).origin });
      if (form instanceof FormData) body = form;
      else if (form instanceof URLSearchParams) body = form;
      else if (form) {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(form)) {
          for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
        }
        body = params;
      }
      for (const [k, v] of new Headers(opts.headers)) headers.set(k, v);
      return request("POST", url, { ...opts, body, headers });
    },
    cookies: (url) => {
      if (url && typeof url === "object") return [...jar];
      return matching(new URL(url ?? baseUrl));
    },
    cookie: (name) => matching(new URL(baseUrl)).find((c) => c.name === name)?.value,
    setCookie: (name, value, opts = {}) => {
      const u = new URL(opts.url ?? baseUrl);
      jar = jar.filter((c) => !(c.name === name && c.domain === u.hostname));
      jar.push({
        name,
        value,
        domain: u.hostname,
        hostOnly: true,
        path: opts.path ?? "/",
        expires: null,
        secure: false,
        httpOnly: false,
        sameSite: null,
      });
    },
    clearCookies: () => {
      jar = [];
    },
  };
  return client;
}

/**
 * A form action posted the way the page's `use:enhance` posts it; SvelteKit answers with JSON
 * (`{ type: "redirect" | "failure" | …, status, location?, data? }`) instead of a page.
 */
export async function postEnhanced(
  baseUrl: string,
  path: string,
  form: Record<string, string>,
  /** the page's origin, when `baseUrl` is one process behind a proxy (the public URL) */
  origin = baseUrl,
): Promise<{ type: string; status: number; location?: string; data?: string }> {
  const res = await fetch(baseUrl + path, {
    method: "POST",
    headers: { origin, accept: "application/json", "x-sveltekit-action": "true" },
    body: new URLSearchParams(form),
  });
  return await res.json();
}

/**
 * A form action posted the way a browser without scripts posts it: the page's origin, HTML
 * accepted, the form's own encoding; the redirect is not followed. Resolves to the answer's status
 * and its `location`.
 */
export async function postPlain(
  baseUrl: string,
  path: string,
  form: Record<string, string>,
  /** more headers, e.g. the cookie a browser that opened the page sends */
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string | null }> {
  const res = await plainPost(baseUrl, path, form, headers);
  await res.body?.cancel();
  return { status: res.status, location: res.headers.get("location") };
}

/** A form post's answer as `postPlainRead` gives it: the page's words kept. */
export type PlainOutcome = { status: number; location: string | null; body: string };

/** `postPlain`, keeping the answer's body (a refusal's words, the page it shows). */
export async function postPlainRead(
  baseUrl: string,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<PlainOutcome> {
  const res = await plainPost(baseUrl, path, form, headers);
  return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

function plainPost(
  baseUrl: string,
  path: string,
  form: Record<string, string>,
  headers: Record<string, string>,
): Promise<Response> {
  return fetch(baseUrl + path, {
    method: "POST",
    headers: {
      origin: baseUrl,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(form),
    redirect: "manual",
  });
}

/**
 * The JSON API over HTTP with an API key, as a program calls it: `api(method, path, body?)`
 * (path under /api/v1) answers with the status and the body as text.
 */
export function bearerApi(baseUrl: string, key: string) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (r) => ({ status: r.status, body: await r.text() }));
}
