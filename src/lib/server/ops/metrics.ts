/**
 * The metric registry: one place that names every metric, with a tiny API the rest of the code
 * calls (`counter`, `histogram`, `gauge`, and the named helpers below). prom-client writes the
 * Prometheus text format; the registry lives on globalThis because server.ts (requests, static
 * files) and the SvelteKit build (bookings, jobs) each load their own copy of this module.
 *
 * Gauges that describe the store (outbox depth, calendar sync age) are computed at scrape time by
 * collectors registered with `onScrape`, so nothing polls KV between scrapes.
 */
import type * as Prom from "prom-client";
// The four classes from their own files, not the package's index: the index also loads the
// default process metrics (never registered here), whose CPU counter brings @opentelemetry/api —
// 363 files and ~3.5 MB of a server's memory (issue 26). The package has no `exports` map; its
// index re-exports these very files.
import CounterJs from "prom-client/lib/counter.js";
import GaugeJs from "prom-client/lib/gauge.js";
import HistogramJs from "prom-client/lib/histogram.js";
import RegistryJs from "prom-client/lib/registry.js";

// svelte-check types these files by prom-client-lib.d.ts; Deno infers them from the JavaScript.
const Counter = CounterJs as unknown as typeof Prom.Counter;
type Counter<L extends string> = Prom.Counter<L>;
const Gauge = GaugeJs as unknown as typeof Prom.Gauge;
type Gauge<L extends string> = Prom.Gauge<L>;
const Histogram = HistogramJs as unknown as typeof Prom.Histogram;
type Histogram<L extends string> = Prom.Histogram<L>;
const Registry = RegistryJs as unknown as typeof Prom.Registry;
type Registry = Prom.Registry;

const KEY = Symbol.for("invito.metrics");
type State = { registry: Registry; collectors: Map<string, () => Promise<void> | void> };
const g = globalThis as { [KEY]?: State };
const state: State = g[KEY] ??= { registry: new Registry(), collectors: new Map() };

type Labels<L extends string> = Partial<Record<L, string | number>>;

export function counter<L extends string>(name: string, help: string, labelNames: L[] = []) {
  const m = (state.registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter<L>({ name, help, labelNames, registers: [state.registry] });
  return { inc: (labels: Labels<L> = {}, n = 1) => m.inc(labels, n) };
}

export function gauge<L extends string>(name: string, help: string, labelNames: L[] = []) {
  const m = (state.registry.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge<L>({ name, help, labelNames, registers: [state.registry] });
  return { set: (labels: Labels<L>, v: number) => m.set(labels, v), reset: () => m.reset() };
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: L[] = [],
  buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
) {
  const m = (state.registry.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram<L>({ name, help, labelNames, buckets, registers: [state.registry] });
  return { observe: (labels: Labels<L>, v: number) => m.observe(labels, v) };
}

/** Runs before every scrape; one collector per name (a re-registration replaces it). */
export function onScrape(name: string, fn: () => Promise<void> | void): void {
  state.collectors.set(name, fn);
}

/** The exposition: collectors first (a failing one is counted, never fails the scrape). */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  for (const [name, fn] of state.collectors) {
    try {
      await fn();
    } catch {
      scrapeErrors.inc({ collector: name });
    }
  }
  processMemory();
  return { contentType: state.registry.contentType, body: await state.registry.metrics() };
}

// ---- the metrics Invito records ---------------------------------------------------------------

const scrapeErrors = counter(
  "invito_metrics_collector_errors_total",
  "Scrape-time collectors that failed (their gauges keep the last value).",
  ["collector"],
);

const httpRequests = counter(
  "invito_http_requests_total",
  "HTTP requests answered, by route class, method and status class.",
  ["route", "method", "status"],
);
const httpDuration = histogram(
  "invito_http_request_duration_seconds",
  "Time to the response head, by route class.",
  ["route", "method"],
);

export function recordRequest(route: string, method: string, status: number, seconds: number) {
  const m = method === "GET" || method === "HEAD" || method === "POST" ? method : "OTHER";
  httpRequests.inc({ route, method: m, status: `${Math.floor(status / 100)}xx` });
  httpDuration.observe({ route, method: m }, seconds);
}

const bookings = counter(
  "invito_bookings_total",
  "Booking requests by outcome: pending, confirmed, repeated (a guest's post sent again, answered with the booking it made: ADR 060), or the refusal reason.",
  ["outcome"],
);

/** One call per booking request, at the route/service boundary (see bookAction). */
export function recordBookingOutcome(outcome: string): void {
  bookings.inc({ outcome });
}

const repeatWaits = counter(
  "invito_repeat_post_waits_total",
  "Booking posts sent again while the same browser's first post was still booking its series: they waited for it (ADR 060).",
);

/** A repeated post waited for the series its first post was booking (services/repeat-posts.ts). */
export function recordRepeatWait(): void {
  repeatWaits.inc();
}

const kvCommits = counter(
  "invito_kv_commits_total",
  "Atomic KV commits by outcome: ok, conflict (a checked versionstamp had moved), error.",
  ["outcome"],
);
const kvReadsResent = counter(
  "invito_kv_reads_resent_total",
  "Remote KV reads whose answer broke off inside the body (a cut connection): each is sent again, up to 5 times.",
);
const kvWritesResent = counter(
  "invito_kv_writes_resent_total",
  "Remote KV writes whose answer broke off inside the body, sent again where that is safe (checked, or sets and deletes only), up to 5 times.",
);
const kvRetries = counter(
  "invito_kv_commit_retries_total",
  "Commits re-planned after a conflict, by operation.",
  ["op"],
);

const pageCacheAnswers = counter(
  "invito_page_cache_total",
  "Anonymous booking page views by how they were answered: a kept page before SvelteKit (early), a kept page inside it (kept), or rendered (rendered).",
  ["answer"],
);

const bookPostAnswers = counter(
  "invito_book_posts_total",
  "Booking form posts on a guest's booking page by who answered them: server.ts before SvelteKit (early) or SvelteKit (sveltekit).",
  ["answer"],
);

const refusalPages = counter(
  "invito_refusal_pages_total",
  "Refused booking form posts without JavaScript answered with the page again: filled into a kept template (template) or rendered to make one (rendered).",
  ["answer"],
);

/** How a refused booking post's page was made (http/refusal-pages.ts, ADR 014). */
export function recordRefusalPage(answer: "template" | "rendered"): void {
  refusalPages.inc({ answer });
}

/** Who answered a booking form post (http/book-early.ts, ADR 055). */
export function recordBookPost(answer: "early" | "sveltekit"): void {
  bookPostAnswers.inc({ answer });
}

/** How a cacheable booking page view was answered (http/page-cache.ts, ADR 049). */
export function recordPageCache(answer: "early" | "kept" | "rendered"): void {
  pageCacheAnswers.inc({ answer });
}

export function recordCommit(outcome: "ok" | "conflict" | "error"): void {
  kvCommits.inc({ outcome });
}

/** A remote read was sent again after its answer broke off (store/kv.ts `openRemoteKv`). */
export function recordReadResent(): void {
  kvReadsResent.inc();
}

/** A remote write was sent again after its answer broke off (store/kv.ts `commitPastLocks`). */
export function recordWriteResent(): void {
  kvWritesResent.inc();
}

/** Call where a service re-reads and plans again after losing a race. */
export function recordRetry(op: string): void {
  kvRetries.inc({ op });
}

const jobs = counter(
  "invito_jobs_total",
  "Outbox jobs and cron runs by kind and outcome.",
  ["kind", "outcome"],
);
const jobDuration = histogram(
  "invito_job_duration_seconds",
  "Time an outbox job or cron run took, by kind.",
  ["kind"],
  [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
);

export function recordJob(kind: string, outcome: string, seconds: number): void {
  jobs.inc({ kind, outcome });
  jobDuration.observe({ kind }, seconds);
}

const outboxDepth = gauge("invito_outbox_jobs", "Queued outbox jobs by kind.", ["kind"]);
const outboxOldest = gauge(
  "invito_outbox_oldest_job_age_seconds",
  "Age of the oldest queued outbox job by kind (since it was queued).",
  ["kind"],
);
const outboxOverdue = gauge(
  "invito_outbox_overdue_seconds",
  "How long the most overdue unclaimed job of a kind has been due (0: none late).",
  ["kind"],
);
const outboxFailed = gauge(
  "invito_outbox_failed_jobs",
  "Jobs that ran out of retries and wait for a host's retry.",
);

const webhooksHeld = gauge(
  "invito_webhook_held_deliveries",
  "Webhook deliveries held while their host is suspended: sent after a reactivation, dropped with their message after 30 days.",
);

/** Replaces the outbox gauges (kinds that emptied disappear rather than keep a stale value). */
export function setOutboxGauges(
  kinds: Record<string, { depth: number; oldestAgeS: number; overdueS: number }>,
  failed: number,
  held: number,
): void {
  webhooksHeld.set({}, held);
  outboxDepth.reset();
  outboxOldest.reset();
  outboxOverdue.reset();
  for (const [kind, k] of Object.entries(kinds)) {
    outboxDepth.set({ kind }, k.depth);
    outboxOldest.set({ kind }, k.oldestAgeS);
    outboxOverdue.set({ kind }, k.overdueS);
  }
  outboxFailed.set({}, failed);
}

const calendars = gauge("invito_calendars", "Conflict calendars by provider.", ["provider"]);
const calendarFailClosed = gauge(
  "invito_calendars_fail_closed",
  "Conflict calendars whose cache is too old or was never read: their time counts as busy.",
  ["provider"],
);
const calendarSyncAge = gauge(
  "invito_calendar_sync_age_seconds",
  "Time since the least recently synced conflict calendar of a provider was last read (calendars never read count only as fail-closed).",
  ["provider"],
);

export function setCalendarGauges(
  stats: Record<string, { calendars: number; failClosed: number; maxSyncAgeS: number }>,
): void {
  calendars.reset();
  calendarFailClosed.reset();
  calendarSyncAge.reset();
  for (const [provider, p] of Object.entries(stats)) {
    calendars.set({ provider }, p.calendars);
    calendarFailClosed.set({ provider }, p.failClosed);
    calendarSyncAge.set({ provider }, p.maxSyncAgeS);
  }
}

const memory = gauge("invito_process_memory_bytes", "Process memory by kind.", ["kind"]);

function processMemory() {
  const m = Deno.memoryUsage();
  memory.set({ kind: "rss" }, m.rss);
  memory.set({ kind: "heap_used" }, m.heapUsed);
  memory.set({ kind: "heap_total" }, m.heapTotal);
  memory.set({ kind: "external" }, m.external);
}
