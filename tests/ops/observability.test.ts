/**
 * What an operator sees of a booking flow: /metrics (parsed with a maintained Prometheus parser),
 * /readyz, and JSON log lines that join a request to the jobs it queued, without a guest's note,
 * address, a link token or a configured secret anywhere in the log.
 */
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startApp } from "../support/app.ts";
import { startSmtp } from "../support/smtp.ts";
import { slotsAhead } from "../reliability/harness.ts";
import { METRICS_ENV, METRICS_TOKEN } from "../support/metrics.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

type Family = {
  name: string;
  type: string;
  metrics: {
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
  }[];
};

async function scrape(base: string): Promise<{ families: Map<string, Family>; text: string }> {
  const res = await fetch(`${base}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const families = parsePrometheusTextFormat(text) as Family[];
  return { families: new Map(families.map((f) => [f.name, f])), text };
}

/**
 * One labelled series of a histogram. The parser folds every series of a histogram family into
 * one (it follows prom2json's single-series shape), so the family's lines are narrowed to one
 * label set before parsing.
 */
function histogramSeries(text: string, name: string, label: string): Family["metrics"][number] {
  const lines = text.split("\n").filter((l) =>
    l === `# TYPE ${name} histogram` || l.startsWith(`# HELP ${name} `) ||
    (l.startsWith(`${name}_`) && l.includes(label))
  );
  const [family] = parsePrometheusTextFormat(lines.join("\n") + "\n") as Family[];
  assert.equal(family?.type, "HISTOGRAM");
  return family.metrics[0];
}

const sample = (f: Family | undefined, labels: Record<string, string>) =>
  f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

Deno.test({
  ...opts,
  name:
    "a booking flow shows in /metrics (requests, bookings by outcome, outbox depth and age, commits, memory), /readyz and JSON logs that hold no note, address, token or secret",
  async fn() {
    await using smtp = await startSmtp();
    // Mail is refused for now: the booking's jobs stay queued and the outbox gauges have something.
    smtp.setMode("refuse-421");
    await using app = await startApp({
      demo: true,
      smtp: { host: smtp.host, port: smtp.port },
      env: { ...METRICS_ENV, INVITO_LOG_FORMAT: "json" },
    });
    const base = app.baseUrl;

    assert.equal((await fetch(`${base}/metrics`).then(drain)).status, 401, "no token: 401");
    const wrong = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    }).then(drain);
    assert.equal(wrong.status, 401, "wrong token: 401");

    const note = "NOTE-7f3a-please keep this private";
    const email = "private.guest.5c1e@example.test";
    const slot = (await slotsAhead(base, "demo", "intro-call", 14))[0];
    const booked = await fetch(`${base}/calendar/demo/intro-call?/book`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: base, accept: "text/html" },
      body: new URLSearchParams({ name: "Pat Private", email, note, start: slot, tz: "UTC" }),
    }).then(drain);
    assert.equal(booked.status, 303);
    const requestId = booked.headers.get("x-request-id");
    assert.ok(requestId, "the answer names its request id");
    const guestToken = new URL(booked.headers.get("location")!, base).pathname.split("/")[2];
    assert.equal((await fetch(`${base}/booking/${guestToken}`).then(drain)).status, 200);
    // A second booking of the same slot is refused: an outcome of its own.
    const taken = await fetch(`${base}/calendar/demo/intro-call?/book`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: base, accept: "text/html" },
      body: new URLSearchParams({
        name: "B",
        email: "b@example.test",
        note: "",
        start: slot,
        tz: "UTC",
      }),
    }).then(drain);
    assert.equal(taken.status, 409);

    // The request's jobs were tried (and refused by SMTP) under the request's id.
    const jobLine = await app.waitForLog(
      new RegExp(`\\{[^\\n]*"msg":"job"[^\\n]*"requestId":"${requestId}"[^\\n]*`),
    );
    assert.match(jobLine[0], /"outcome":"retry"/);

    const { families: m, text } = await scrape(base);
    assert.equal(sample(m.get("invito_bookings_total"), { outcome: "pending" })?.value, "1");
    assert.equal(sample(m.get("invito_bookings_total"), { outcome: "slot_taken" })?.value, "1");
    const submits = sample(m.get("invito_http_requests_total"), {
      route: "booking_submit",
      method: "POST",
      status: "3xx",
    });
    assert.equal(submits?.value, "1");
    const pageHist = histogramSeries(
      text,
      "invito_http_request_duration_seconds",
      'route="booking_page",method="GET"',
    );
    assert.ok(Number(pageHist.buckets?.["+Inf"]) >= 10, "booking page latency is observed");
    const depth = m.get("invito_outbox_jobs")!;
    assert.ok(
      depth.metrics.some((s) => s.labels?.kind === "mail_host_request" && Number(s.value) >= 1),
      "the refused host mail waits in the outbox",
    );
    const age = sample(m.get("invito_outbox_oldest_job_age_seconds"), {
      kind: "mail_host_request",
    });
    assert.ok(age && Number(age.value) >= 0);
    assert.ok(Number(sample(m.get("invito_kv_commits_total"), { outcome: "ok" })?.value) >= 1);
    assert.ok(Number(sample(m.get("invito_process_memory_bytes"), { kind: "rss" })?.value) > 1e7);
    assert.ok(
      Number(
        sample(m.get("invito_jobs_total"), { kind: "mail_host_request", outcome: "retry" })?.value,
      ) >=
        1,
    );

    const ready = await fetch(`${base}/readyz`);
    const body = await ready.json();
    assert.equal(ready.status, 200, JSON.stringify(body));
    assert.deepEqual(Object.keys(body.checks).sort(), ["crons", "kv", "outbox"]);

    const logs = app.logs();
    const lines = logs.split("\n").filter((l) => l.startsWith("{"));
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
    assert.ok(requests.length >= 5, "one JSON line per request");
    assert.ok(
      requests.some((r) =>
        r.requestId === requestId && r.route === "booking_submit" && r.status === 303
      ),
    );
    for (const secret of [note, email, guestToken, METRICS_TOKEN, app.env.INVITO_SESSION_SECRET]) {
      assert.equal(
        logs.includes(secret),
        false,
        `the log does not contain ${secret.slice(0, 12)}…`,
      );
    }
  },
});

Deno.test({
  ...opts,
  name: "/metrics does not exist without INVITO_METRICS_TOKEN; /readyz and /healthz answer",
  async fn() {
    await using app = await startApp();
    assert.equal((await fetch(app.url("/metrics")).then(drain)).status, 404);
    assert.equal((await fetch(app.url("/healthz")).then(drain)).status, 200);
    assert.equal((await fetch(app.url("/readyz")).then(drain)).status, 200);
  },
});

async function drain(res: Response): Promise<Response> {
  await res.body?.cancel();
  return res;
}
