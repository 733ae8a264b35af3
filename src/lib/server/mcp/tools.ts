/**
 * The MCP endpoint's tools and resources (ADR 036). Each tool's input is a valibot schema
 * built from the JSON API's own pieces (`api/schemas/`), published as JSON Schema by
 * `@valibot/to-json-schema` and checked with valibot; each tool then calls the API's route
 * (`callRoute`): the same services, scopes, Idempotency-Key rules and refusals. Refusals become
 * tool errors (`isError: true`) worded from the shared refusal table in the caller's language.
 * A guest's own links (manage, cancel, reschedule) are never returned: they go by mail only.
 */
import * as v from "valibot";
import { toJsonSchema } from "@valibot/to-json-schema";
import { scopeRefusal } from "../services/api-keys.ts";
import { isRefusalReason, REFUSALS } from "../../shared/refusals.ts";
import { messageRef, negotiateLocale, translateRef, type Translator } from "../../shared/i18n.ts";
import { translator } from "../i18n.ts";
import { type McpCaller, type Outcome, refusal, type ToolResult } from "./tool-kit.ts";
import { TOOLS } from "./tool-table.ts";
import { renamedHost } from "../services/username-history.ts";

const BY_NAME = new Map(TOOLS.map((tool) => [tool.name, tool]));

export function toolList() {
  return TOOLS.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input),
    annotations: {
      title: tool.title,
      readOnlyHint: tool.readOnly,
      destructiveHint: tool.destructive === true,
      idempotentHint: tool.readOnly || tool.idempotent === true ||
        "idempotency_key" in tool.input.entries,
      openWorldHint: false,
    },
  }));
}

const schemaCache = new Map<v.GenericSchema, Record<string, unknown>>();

function jsonSchema(schema: v.GenericSchema): Record<string, unknown> {
  let out = schemaCache.get(schema);
  if (!out) {
    out = toJsonSchema(schema, { errorMode: "ignore", target: "draft-2020-12" }) as Record<
      string,
      unknown
    >;
    delete out.$schema;
    schemaCache.set(schema, out);
  }
  return out;
}

export function isTool(name: string): boolean {
  return BY_NAME.has(name);
}

/** The translator for a tool call: its `language` argument, else Accept-Language, else English. */
export function callerTranslator(c: McpCaller, language: unknown): Translator {
  return translator(
    negotiateLocale({
      chosen: [typeof language === "string" ? language : null],
      acceptLanguage: c.acceptLanguage,
    }),
  );
}

/**
 * An issue's message. An object schema words every issue of its own with one message, its own
 * (`mcp.unknown_argument`): so an argument left out and one that is not an object (`guest` sent
 * as an address) read as arguments the tool does not take, and an agent dropped them. Only a key
 * the schema does not list (expected never) keeps that message.
 */
function argumentMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.kind !== "schema" || !/object$/.test(issue.type) || issue.expected === "never") {
    return issue.message;
  }
  const missing = issue.path?.at(-1)?.origin === "key" && issue.received === "undefined";
  return messageRef(missing ? "mcp.missing_argument" : "mcp.object_argument");
}

/** Runs a tool: scope, arguments, the API's route; a refusal is a tool error in words. */
export async function callTool(c: McpCaller, name: string, rawArgs: unknown): Promise<ToolResult> {
  const tool = BY_NAME.get(name)!;
  const args = (rawArgs ?? {}) as Record<string, unknown>;
  const t = callerTranslator(c, (args as { language?: unknown }).language);
  // A dead key is refused by every tool, the public ones too, as the API's public routes do.
  const scope = c.keySent && !c.auth ? "unauthorized" : scopeRefusal(c.auth, tool.need);
  if (scope) {
    // The API gives every key it cannot use one 401 (no oracle); the words here say a key was
    // sent and is no good, rather than asking for the key the caller believes it sent.
    const words = scope === "unauthorized" && c.keySent ? "mcp.key_unknown" : undefined;
    return toolError(t, refusal(scope), words);
  }
  const parsed = v.safeParse(tool.input, args);
  if (!parsed.success) {
    const seen = new Map<string, string>();
    for (const issue of parsed.issues) {
      const field = issue.path?.map((p) => String(p.key)).join(".") ?? "";
      if (!seen.has(field)) seen.set(field, translateRef(t, argumentMessage(issue)));
    }
    return toolError(
      t,
      refusal("validation", [...seen].map(([field, message]) => ({ field, message }))),
    );
  }
  const input = parsed.output as Record<string, unknown>;
  const { out, renamed } = await underCurrentName(
    c,
    input.username,
    (username) => tool.run(c, username === undefined ? input : { ...input, username }, t),
  );
  if (!out.ok) return toolError(t, out);
  const note = renamed ? [{ type: "text" as const, text: renamedNote(t, renamed) }] : [];
  return {
    content: [
      ...note,
      ...(out.text ? [{ type: "text" as const, text: out.text }] : []),
      { type: "text", text: JSON.stringify(out.data) },
      ...(out.links ?? []),
    ],
    structuredContent: out.data,
  };
}

/**
 * An answer for a host's name (ADR 011): `run()` as asked, and when that finds nothing and
 * `name` is one its host gave up and still holds, `run(current)` under their current name, which
 * `renamed` then names. Asked only after "not found", so a live host costs nothing extra. One
 * rule for every MCP door that takes a username (the tools' `username`, the resources' URIs).
 */
export async function underCurrentName(
  c: McpCaller,
  name: unknown,
  run: (name?: string) => Promise<Outcome>,
): Promise<{ out: Outcome; renamed: { old: string; name: string } | null }> {
  const out = await run();
  if (out.ok || out.problem.reason !== "not_found" || typeof name !== "string") {
    return { out, renamed: null };
  }
  const current = await renamedHost(c.app, name);
  if (!current) return { out, renamed: null };
  const again = await run(current);
  // The current name has nothing there either: the old name's own "not found" stands.
  if (!again.ok && again.problem.reason === "not_found") return { out, renamed: null };
  return { out: again, renamed: { old: name, name: current } };
}

/** What an answer under an old name says first: the new name, and that the old one ends. */
export function renamedNote(t: Translator, renamed: { old: string; name: string }): string {
  return t.t("mcp.renamed", renamed);
}

/**
 * A refusal as a tool error: the table's words in the caller's language (or `words`, an MCP
 * wording of the same reason, or the route's own words for it), then the fields.
 */
function toolError(
  t: Translator,
  out: Extract<Outcome, { ok: false }>,
  words?: Parameters<Translator["t"]>[0],
): ToolResult {
  const p = out.problem;
  const reason = isRefusalReason(p.reason) ? p.reason : "not_found";
  // The route's own words for this refusal when it has them (the API sends them in English).
  const own = words ? { key: words } : out.said;
  const key = own?.key ??
    (REFUSALS[reason] as { message?: Parameters<Translator["t"]>[0] }).message;
  const said = key ? t.t(key, own?.params) : p.detail;
  const lines = [
    said,
    ...(p.errors ?? []).map((e) => (e.field ? `${e.field}: ` : "") + e.message),
  ];
  return {
    content: [{ type: "text", text: lines.join("\n") }],
    structuredContent: {
      reason,
      status: REFUSALS[reason].status,
      message: said,
      ...(p.errors ? { errors: p.errors } : {}),
    },
    isError: true,
  };
}
