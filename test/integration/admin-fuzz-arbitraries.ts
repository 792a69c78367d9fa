/**
 * fast-check arbitraries for fuzzing the admin API: bodies no route may accept, mistyped objects,
 * bad flag keys, content types, and whole random requests (path, query, headers, body) for one
 * operation of the OpenAPI document.
 */
import fc from "fast-check";
import type { AdminOperation, PathValues } from "./admin-operations.js";
import { fillPath } from "./admin-operations.js";
import { validBody } from "./admin-route-fixtures.js";

const deep = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

/** Bodies that no route may accept. */
export const badBody = fc.oneof(
  fc.constantFrom("{", "[", '{"a":', "nul", "{'key': 1}", '{"key":"x",}', "\u0000", "\uFEFF{}", '"unterminated'),
  fc.string({ unit: "binary", maxLength: 200 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }),
  fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ unit: "grapheme" }), fc.array(fc.jsonValue(), { maxLength: 5 })).map((v) => JSON.stringify(v)),
  fc.integer({ min: 2_000, max: 60_000 }).map((d) => deep(d, "[", "]")),
  fc.integer({ min: 2_000, max: 60_000 }).map((d) => `{"reason":${deep(d, '{"a":', "}").replace(/\}$/, "1}")}`),
  fc.constant(JSON.stringify({ flags: "x".repeat(300_000) })),
  // Well-typed but deep: an object variant nested past what recursive consumers survive.
  fc.integer({ min: 40, max: 50_000 }).map((d) =>
    JSON.stringify({ key: "fuzz_target", type: "object", variants: { a: {}, b: {} }, offVariant: "a", enabled: true, fallthrough: { variant: "b" } })
      .replace('"a":{}', `"a":${'{"x":'.repeat(d)}1${"}".repeat(d)}`),
  ),
  fc.integer({ min: 40, max: 50_000 }).map((d) => `{"description":"x","tags":${"[".repeat(d)}${"]".repeat(d)}}`),
);

/** Objects with the right shape but wrong types in known fields. */
export const wrongTypes = fc.oneof(
  fc.record({ key: fc.oneof(fc.integer(), fc.constant(null)), type: fc.constant("boolean") }),
  fc.record({ enabled: fc.oneof(fc.string(), fc.integer()), variants: fc.constant([]) }),
  fc.record({ reason: fc.oneof(fc.integer(), fc.array(fc.string()), fc.constant("")) }),
  fc.record({ name: fc.oneof(fc.integer(), fc.constant("")), kind: fc.string(), role: fc.constant("root"), environments: fc.constant("all") }),
  fc.record({ flags: fc.oneof(fc.string(), fc.array(fc.integer(), { minLength: 1, maxLength: 3 })) }),
  fc.record({ to: fc.string({ unit: "grapheme", minLength: 1 }), flags: fc.constant([""]) }),
).map((v) => JSON.stringify(v));

export const badKey = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(s)),
  fc.constant("a".repeat(200)),
  fc.constantFrom("-x", ".x", "x y", "ключ", "🚀", "..", "%00"),
);

export const contentType = fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8", "");

/** The admin app refuses bodies nested deeper than this (src/http/admin/app.ts). */
const DEPTH_GUARD = 32;

/** Random JSON values, strings of every kind included. */
const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Values a field of a real body could plausibly hold. */
const plausibleValue = fc.oneof(fc.string({ unit: "grapheme", minLength: 1, maxLength: 50 }), fc.integer({ min: -1, max: 101 }), fc.boolean(), fc.constant(null));

/**
 * Bodies built on a valid one (or `{}`) and the fields the schema names: plausible values in them,
 * unknown fields, a field of a random type, a field missing, a huge string, and nesting just
 * inside and just past the depth guard.
 */
function nearValidBody(base: Record<string, unknown>, schemaFields: readonly string[]): fc.Arbitrary<string> {
  const fields = [...new Set([...Object.keys(base), ...schemaFields])];
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant("reason");
  return fc.oneof(
    fc.constant(JSON.stringify(base)),
    fc.dictionary(field, plausibleValue, { minKeys: 1, maxKeys: 3 }).map((set) => JSON.stringify({ ...base, ...set })),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), anyJson, { minKeys: 1, maxKeys: 4 }).map((extra) => JSON.stringify({ ...base, ...extra })),
    fc.tuple(field, anyJson).map(([f, v]) => JSON.stringify({ ...base, [f]: v })),
    field.map((f) => {
      const { [f]: _dropped, ...rest } = base;
      return JSON.stringify(rest);
    }),
    fc.tuple(field, fc.constantFrom(1_000, 100_000, 300_000)).map(([f, n]) => JSON.stringify({ ...base, [f]: "x".repeat(n) })),
    fc.tuple(field, fc.integer({ min: DEPTH_GUARD - 4, max: DEPTH_GUARD + 4 }), fc.boolean()).map(([f, d, arrays]) =>
      // The outer object is one level; the value adds d - 1 more.
      JSON.stringify({ ...base, [f]: "__deep__" }).replace('"__deep__"', arrays ? deep(d - 1, "[", "]") : `${'{"x":'.repeat(d - 1)}1${"}".repeat(d - 1)}`),
    ),
  );
}

/** Query values: valid enum values, numbers at and past the limits, junk, a long string. */
const queryValue = (allowed: readonly string[]) =>
  fc.oneof(
    ...(allowed.length > 0 ? [fc.constantFrom(...allowed)] : []),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.integer({ min: -1_000, max: 100_000 }).map(String),
    fc.constantFrom("", "-1", "0", "1e99", "true", "null", "NaN", "2020-01-01T00:00:00Z"),
    fc.constant("q".repeat(5_000)),
  );

/** Header values must be printable ASCII (Headers rejects the rest before the Worker sees it). */
const headerValue = fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,40}$/), fc.constantFrom('"1"', 'W/"7"', "0", '"999999999999999999"', "*"));

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Random requests for `op`: mostly valid path values (one in five has one replaced by junk), random query, headers and body. */
export function requestFor(op: AdminOperation, values: PathValues): fc.Arbitrary<FuzzRequest> {
  const query = op.parameters.filter((p) => p.in === "query");
  const header = op.parameters.filter((p) => p.in === "header");
  const base = (validBody(op, values) as Record<string, unknown> | undefined) ?? {};
  const pathOverride =
    op.pathParams.length === 0
      ? fc.constant({})
      : fc.oneof(
          { arbitrary: fc.constant({}), weight: 4 },
          {
            arbitrary: fc
              .tuple(fc.constantFrom(...op.pathParams), fc.oneof(badKey, fc.constantFrom("staging", "ro_missing", "nope", "0"), fc.string({ maxLength: 70 })))
              .map(([name, value]) => ({ [name]: value })),
            weight: 1,
          },
        );
  // Mostly no junk in the query: a bad query value is refused before the route does anything.
  const knownQuery =
    query.length === 0
      ? fc.constant([])
      : fc.oneof(
          { arbitrary: fc.constant([]), weight: 2 },
          { arbitrary: fc.array(fc.constantFrom(...query).chain((p) => queryValue(p.enum).map((v) => [p.name, v] as [string, string])), { minLength: 1, maxLength: 4 }), weight: 1 },
        );
  const unknownQuery = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 })), { maxLength: 2 });
  const headers = fc.tuple(
    header.length === 0 ? fc.constant([]) : fc.array(fc.tuple(fc.constantFrom(...header.map((h) => h.name)), headerValue), { maxLength: 1 }),
    // Mostly JSON, so that bodies get past the media-type check.
    fc.oneof({ arbitrary: fc.constant("application/json"), weight: 4 }, contentType),
  );
  const body: fc.Arbitrary<string | undefined> =
    op.method === "GET" ? fc.constant(undefined) : fc.oneof(
          fc.constant(undefined),
          { arbitrary: nearValidBody(base, op.bodyFields), weight: 3 },
          badBody,
          wrongTypes,
          anyJson.map((v) => JSON.stringify(v)),
        );
  return fc.record({ pathOverride, knownQuery, unknownQuery, headers, body }).map((r) => {
    const search = new URLSearchParams([...r.knownQuery, ...r.unknownQuery]).toString();
    const [headerPairs, type] = r.headers;
    const h: Record<string, string> = Object.fromEntries(headerPairs);
    if (type !== "") h["Content-Type"] = type; // with or without a body: both must be handled
    const path = `${fillPath(op, values, r.pathOverride)}${search === "" ? "" : `?${search}`}`;
    return { method: op.method, path, headers: h, ...(r.body === undefined ? {} : { body: r.body }) };
  });
}
