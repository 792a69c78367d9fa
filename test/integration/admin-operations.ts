/**
 * The admin API's operations, read from the Worker's own OpenAPI document
 * (GET /admin/v1/openapi.json), so that route-wide tests (fuzzing, authorization) cover every route
 * the app registers — a new route is tested without anyone adding it to a list.
 */
import { expect } from "vitest";
import { call } from "./helpers.js";

export type Role = "viewer" | "operator" | "admin";

/** One query or header parameter as the document declares it. */
export interface OperationParameter {
  readonly name: string;
  readonly in: "query" | "header";
  readonly enum: readonly string[];
}

export interface AdminOperation {
  /** Upper case, e.g. "POST". */
  readonly method: string;
  /** The OpenAPI path template under /admin/v1, e.g. "/envs/{env}/rollouts/{id}/pause". */
  readonly template: string;
  /** Path parameter names in template order. */
  readonly pathParams: readonly string[];
  readonly parameters: readonly OperationParameter[];
  /** Whether the operation takes a JSON body, and whether it must have one. */
  readonly body: "none" | "optional" | "required";
  /** The top-level fields the body schema names (none for free-form bodies). */
  readonly bodyFields: readonly string[];
}

interface OpenApiParameter {
  name: string;
  in: string;
  schema?: { enum?: unknown[] };
}
interface OpenApiSchema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: OpenApiSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

/**
 * True for an operation whose success is an endless Server-Sent Events stream (its 200 is
 * `text/event-stream`): route-wide tests read every answer to its end, so they leave these out;
 * test/integration/push-admin-events.test.ts covers their access rules and behaviour.
 */
export const isStreaming = (op: OpenApiOperation): boolean => op.responses?.["200"]?.content?.["text/event-stream"] !== undefined;
interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

const METHODS = new Set(["get", "put", "post", "patch", "delete"]);

/** Fetches the document through the Worker and lists its operations. */
export async function loadAdminOperations(): Promise<AdminOperation[]> {
  const res = await call("/admin/v1/openapi.json");
  if (res.status !== 200) throw new Error(`openapi.json: ${res.status} ${await res.text()}`);
  const doc = (await res.json()) as OpenApiDocument;
  const operations: AdminOperation[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue; // e.g. a path-level "parameters" entry
      if (isStreaming(op)) continue;
      const pathParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
      const parameters = (op.parameters ?? [])
        .filter((p): p is OpenApiParameter & { in: "query" | "header" } => p.in === "query" || p.in === "header")
        .map((p) => ({ name: p.name, in: p.in, enum: (p.schema?.enum ?? []).map(String) }));
      const json = op.requestBody?.content?.["application/json"];
      // Schemas are inline or a reference to a named component.
      const ref = json?.schema?.$ref?.replace(/^#\/components\/schemas\//, "");
      const schema = ref === undefined ? json?.schema : doc.components?.schemas?.[ref];
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams,
        parameters,
        body: json === undefined ? "none" : op.requestBody?.required === true ? "required" : "optional",
        bodyFields: Object.keys(schema?.properties ?? {}),
      });
    }
  }
  return operations;
}

export const operationName = (op: Pick<AdminOperation, "method" | "template">): string => `${op.method} ${op.template}`;

/**
 * Operations that must be in the derived list: if the derivation broke (no paths, wrong method
 * names), the route-wide tests would otherwise pass while testing nothing.
 */
export const MUST_COVER = [
  "DELETE /envs/{env}/flags/{key}",
  "DELETE /envs/{env}/sdk-keys/{id}",
  "DELETE /tokens/{id}",
  "POST /envs/{env}/rollouts/{id}/pause",
  "POST /envs/{env}/rollouts/{id}/resume",
  "POST /envs/{env}/rollouts/{id}/promote",
  "POST /envs/{env}/rollouts/{id}/rollback",
  "POST /envs/{env}/rollouts/{id}/cancel",
  "POST /envs/{env}/flags/{key}/explain",
  "GET /envs/{env}/rollouts/{id}/series",
  "POST /envs/{env}/schedules",
  "DELETE /envs/{env}/schedules/{id}",
  "PUT /envs/{env}/segments/{key}",
  "DELETE /envs/{env}/segments/{key}",
  "POST /envs/{env}/segments/{key}/members",
  "POST /envs/{env}/webhooks",
  "DELETE /envs/{env}/webhooks/{id}",
  "GET /envs/{env}/webhooks/{id}/deliveries",
  "GET /envs/{env}/flags/{key}/versions",
  "POST /envs/{env}/flags/{key}/restore",
];

export function expectCoversKnownRoutes(operations: readonly AdminOperation[]): void {
  expect(operations.length).toBeGreaterThanOrEqual(MUST_COVER.length);
  expect(operations.map(operationName)).toEqual(expect.arrayContaining(MUST_COVER));
  // Every operation names a real method and a template under one of the admin API's roots.
  for (const op of operations) expect(op.template, operationName(op)).toMatch(/^\/(envs\/\{env\}\/|tokens|audit|status$)/);
}

/** Values for path parameters: the resources a route acts on (see admin-route-fixtures.ts). */
export interface PathValues {
  readonly env: string;
  readonly flagKey: string;
  readonly rolloutId: string;
  readonly sdkKeyId: string;
  readonly tokenId: string;
  readonly scheduleId: string;
  readonly segmentKey: string;
  readonly webhookId: string;
}

/**
 * The value of one path parameter. `{id}` means different things on different routes: the
 * segment before it says which. An unknown parameter throws, so a new kind of route fails loudly.
 */
export function pathValue(template: string, param: string, values: PathValues): string {
  if (param === "env") return values.env;
  if (param === "key") return /\/segments\/\{key\}/.test(template) ? values.segmentKey : values.flagKey;
  if (param === "id") {
    if (/\/rollouts\/\{id\}/.test(template)) return values.rolloutId;
    if (/\/sdk-keys\/\{id\}/.test(template)) return values.sdkKeyId;
    if (/^\/tokens\/\{id\}/.test(template)) return values.tokenId;
    if (/\/schedules\/\{id\}/.test(template)) return values.scheduleId;
    if (/\/webhooks\/\{id\}/.test(template)) return values.webhookId;
  }
  throw new Error(`no fixture value for {${param}} in ${template}: teach pathValue() about it`);
}

/** The template with every parameter filled in (`override` replaces chosen ones, URL-encoded). */
export function fillPath(op: AdminOperation, values: PathValues, override: Record<string, string> = {}): string {
  return op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(override[name] ?? pathValue(op.template, name, values)));
}

/**
 * The role an operation needs, from the access rules the routes declare (src/http/admin, adminRoute):
 * reads of an environment need viewer, changes need operator, except SDK keys (admin); API tokens
 * and the access audit log are global and need admin; the service status needs any token (viewer).
 * The role is checked before validation, so it holds whatever the body. A route that needs
 * something else makes the authorization test fail, and this is where to say so.
 */
export function requiredRole(op: Pick<AdminOperation, "method" | "template">): Role {
  if (op.method === "GET" && op.template === "/status") return "viewer";
  if (!op.template.startsWith("/envs/{env}/")) return "admin";
  // Webhooks send every change to a URL of the caller's choosing, and their URLs are credentials: admin only, reads too.
  if (op.template.startsWith("/envs/{env}/webhooks")) return "admin";
  if (op.method === "GET") return "viewer";
  // Explaining an evaluation reads, like a GET, but needs a body.
  if (op.method === "POST" && op.template === "/envs/{env}/flags/{key}/explain") return "viewer";
  if (op.template.startsWith("/envs/{env}/sdk-keys")) return "admin";
  return "operator";
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export const roleAtLeast = (have: Role, need: Role): boolean => RANK[have] >= RANK[need];
