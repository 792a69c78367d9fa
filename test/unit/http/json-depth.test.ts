/**
 * The deep-JSON guard: nesting measured on the raw text (brackets inside strings do not count),
 * exactly `maxDepth` levels pass and one more is refused; and the middleware that answers 422.
 */
import fc from "fast-check";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { onAppError } from "../../../src/http/errors.js";
import { jsonNestingExceeds, refuseDeepJson } from "../../../src/http/json-depth.js";

const arrays = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

/** The nesting depth of a parsed JSON value: scalars 0, `[]` and `{}` 1. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === "object" && value !== null) return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe("jsonNestingExceeds", () => {
  it.each([1, 2, 10, 64])("at the limit (%i) passes, one deeper is refused: arrays and objects", (limit) => {
    expect(jsonNestingExceeds(arrays(limit), limit)).toBe(false);
    expect(jsonNestingExceeds(arrays(limit + 1), limit)).toBe(true);
    expect(jsonNestingExceeds(objects(limit), limit)).toBe(false);
    expect(jsonNestingExceeds(objects(limit + 1), limit)).toBe(true);
  });

  it("counts arrays and objects alike when mixed", () => {
    const mixed = '{"a":[{"b":[1]}]}'; // depth 4
    expect(jsonNestingExceeds(mixed, 4)).toBe(false);
    expect(jsonNestingExceeds(mixed, 3)).toBe(true);
  });

  it("measures the deepest branch, not the number of containers", () => {
    const wide = `[${Array.from({ length: 1_000 }, () => "[1]").join(",")}]`; // 1001 containers, depth 2
    expect(jsonNestingExceeds(wide, 2)).toBe(false);
    expect(jsonNestingExceeds(`[[1],[[2]],[3]]`, 2)).toBe(true);
  });

  it("scalars and empty text have depth 0", () => {
    for (const text of ["", "1", '"text"', "null", "true"]) expect(jsonNestingExceeds(text, 0)).toBe(false);
    expect(jsonNestingExceeds("[]", 0)).toBe(true);
  });

  it("ignores brackets inside strings, including after escaped quotes and backslashes", () => {
    expect(jsonNestingExceeds('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(jsonNestingExceeds('["\\"[[[["]', 1)).toBe(false); // an escaped quote does not end the string
    expect(jsonNestingExceeds('["\\\\",[[1]]]', 2)).toBe(true); // an escaped backslash does: [[1]] is real nesting
    expect(jsonNestingExceeds('["\\\\",[[1]]]', 3)).toBe(false);
    expect(jsonNestingExceeds('{"k[[[":1}', 1)).toBe(false); // keys are strings too
  });

  it("refuses a 100 000-deep body without recursing (no stack overflow)", () => {
    expect(jsonNestingExceeds(arrays(100_000), 64)).toBe(true);
  });

  it("property: agrees with the depth of the parsed value, whatever its strings contain", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), (value, limit) => {
        expect(jsonNestingExceeds(JSON.stringify(value), limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 1_000 },
    );
  });

  it("property: strings full of brackets, quotes and backslashes never add depth", () => {
    const nasty = fc.string({ unit: fc.constantFrom("[", "]", "{", "}", '"', "\\", "a") });
    fc.assert(
      fc.property(fc.array(nasty, { maxLength: 5 }), (strings) => {
        const text = JSON.stringify({ list: strings }); // depth 2
        expect(jsonNestingExceeds(text, 2)).toBe(false);
        expect(jsonNestingExceeds(text, 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("refuseDeepJson", () => {
  const app = new Hono();
  // The guard throws ApiError; the app's one error handler renders it, as in the real Worker.
  app.onError(onAppError);
  app.use(refuseDeepJson(3));
  // The handler reads the body again: the guard must leave it readable.
  app.all("/", async (c) => c.json({ method: c.req.method, body: c.req.method === "GET" ? null : await c.req.text() }));

  const send = (method: string, body?: string): Promise<Response> =>
    Promise.resolve(app.request("/", body === undefined ? { method } : { method, body, headers: { "Content-Type": "application/json" } }));

  it("lets a body at the limit through, still readable by the handler", async () => {
    const res = await send("POST", arrays(3));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: "POST", body: arrays(3) });
  });

  it("refuses a deeper body with a 422 in the error envelope, for every body-carrying method", async () => {
    for (const method of ["POST", "PUT", "PATCH"]) {
      const res = await send(method, objects(4));
      expect(res.status, method).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string; details: unknown[] } };
      expect(body.error.code).toBe("VALIDATION_FAILED");
      expect(body.error.message).toBe("the body nests deeper than 3 levels");
      expect(body.error.details).toEqual([{ path: "body", message: "more than 3 levels of nesting" }]);
    }
  });

  it("does not read GET or DELETE requests", async () => {
    expect((await send("GET")).status).toBe(200);
    expect((await send("DELETE", arrays(10))).status).toBe(200);
  });
});
