import type { PageServerLoad } from "./$types";
import { openApiDocument } from "$lib/server/api/openapi.ts";
import { REFUSALS } from "$lib/shared/refusals.ts";
import { WEBHOOK_EVENTS } from "$lib/server/services/webhooks.ts";

type Json = Record<string, unknown>;

/** The API reference for people, from the same OpenAPI document programs read. */
export const load: PageServerLoad = ({ locals, setHeaders }) => {
  setHeaders({ "cache-control": "public, max-age=300" });
  const base = locals.app.config.baseUrl.href.replace(/\/$/, "");
  const doc = openApiDocument(base) as {
    paths: Record<string, Record<string, Json>>;
    components: { schemas: Record<string, Json> };
  };
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const o = op as {
        operationId: string;
        summary: string;
        description?: string;
        tags: string[];
        parameters?: {
          name: string;
          in: string;
          required: boolean;
          description?: string;
          schema: Json;
        }[];
        requestBody?: { content: { "application/json": { schema: { $ref?: string } } } };
        responses: Record<
          string,
          { description: string; content?: Record<string, { schema: { $ref?: string } }> }
        >;
        security: { apiKey?: string[] }[];
      };
      const ref = (s?: { $ref?: string }) => s?.$ref?.split("/").pop() ?? null;
      return {
        id: o.operationId,
        method: method.toUpperCase(),
        path,
        summary: o.summary,
        description: o.description ?? "",
        tag: o.tags[0],
        // A public route: `[{}, { apiKey: [] }]` (a key optional), no scope.
        scope: o.security.find((s) => s.apiKey)?.apiKey?.[0] ?? null,
        parameters: (o.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required,
          description: p.description ?? "",
          type: describeType(p.schema),
        })),
        body: ref(o.requestBody?.content["application/json"].schema),
        responses: Object.entries(o.responses).map(([status, r]) => ({
          status,
          description: r.description,
          schema: r.content ? ref(Object.values(r.content)[0].schema) : null,
        })),
      };
    })
  );
  const tags = [...new Set(operations.map((o) => o.tag))];
  return {
    base,
    tags,
    operations,
    schemas: Object.entries(doc.components.schemas).map(([name, s]) => ({
      name,
      json: JSON.stringify(s, null, 2),
    })),
    problems: Object.entries(REFUSALS).map(([reason, r]) => ({
      reason,
      anchor: `problem-${reason.replaceAll("_", "-")}`,
      status: r.status,
      title: r.title,
      detail: r.detail,
    })),
    events: WEBHOOK_EVENTS,
  };
};

function describeType(s: Json): string {
  const parts: string[] = [String(s.type ?? "string")];
  if (s.format) parts.push(String(s.format));
  if (Array.isArray(s.enum)) parts.push(`one of ${s.enum.join(", ")}`);
  if (s.pattern) parts.push(`pattern ${s.pattern}`);
  return parts.join(", ");
}
