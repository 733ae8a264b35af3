import type { RequestHandler } from "./$types";
import { collectStoreMetrics } from "$lib/server/services/ops-status.ts";
import { renderMetrics } from "$lib/server/ops/metrics.ts";
import { tokenMatches } from "$lib/server/ops/bearer.ts";

const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
  new Response(text, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    },
  });

/** Prometheus text format behind INVITO_METRICS_TOKEN (unset: there is no such page). */
export const GET: RequestHandler = async ({ locals, request }) => {
  const token = locals.app.config.metricsToken;
  if (!token) return plain(404, "Not found");
  if (!tokenMatches(request.headers.get("authorization"), token)) {
    return plain(401, "A valid bearer token is required.", {
      "www-authenticate": 'Bearer realm="invito-metrics"',
    });
  }
  try {
    await collectStoreMetrics(locals.app, locals.app.now());
  } catch {
    // KV unreadable: the scrape still answers with what the process knows; /readyz says why.
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, {
    headers: { "content-type": contentType, "cache-control": "no-store" },
  });
};
