/**
 * What an operator reads of a test server: /metrics, behind the bearer token the server is given
 * in `METRICS_ENV` (INVITO_METRICS_TOKEN).
 *
 * ```ts
 * await using app = await startApp({ env: { ...METRICS_ENV } });
 * assert.equal(metricValue(await metricsText(app.baseUrl), "invito_kv_writes_resent_total"), 1);
 * ```
 */
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";

export const METRICS_TOKEN = "test-metrics-token-0123456789abcdef";
export const METRICS_ENV = { INVITO_METRICS_TOKEN: METRICS_TOKEN } as const;

/** The server's /metrics as text; it must answer 200. */
export async function metricsText(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 300));
  return text;
}

type Family = { name: string; metrics: { value?: string; labels?: Record<string, string> }[] };

/** The samples of counter or gauge `name` (parsed with a maintained Prometheus text parser). */
function samples(text: string, name: string): Family["metrics"] {
  const families = parsePrometheusTextFormat(text) as Family[];
  return families.find((f) => f.name === name)?.metrics ?? [];
}

/** The samples of `name` summed over their labels (0 when it has none yet). */
export function metricValue(text: string, name: string): number {
  return samples(text, name).reduce((n, m) => n + Number(m.value ?? 0), 0);
}

/** The samples of `name` by the value of its label `label` (e.g. answer="early"). */
export function metricByLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of samples(text, name)) {
    const v = m.labels?.[label];
    if (v !== undefined) out[v] = (out[v] ?? 0) + Number(m.value ?? 0);
  }
  return out;
}

/** Queued outbox jobs, over every lane (0 once every mail, webhook fan-out and delivery ran). */
export async function outboxJobs(baseUrl: string): Promise<number> {
  return metricValue(await metricsText(baseUrl), "invito_outbox_jobs");
}
