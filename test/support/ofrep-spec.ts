/**
 * The OFREP spec shipped in spec/ofrep/openapi.yaml, as JSON Schema validators (ajv, draft
 * 2020-12, which OpenAPI 3.1 schemas are). Works in workerd too: the YAML arrives through a vite
 * `?raw` import, so nothing reads the filesystem at run time.
 *
 * Two adaptations, both because the spec's `evaluationSuccess` value `oneOf` cannot be satisfied
 * as written (so no response could ever pass it), and both keeping its evident intent:
 * - `codeDefaultFlag` ("This schema has no `value` property") is `{ type: object, properties: {} }`,
 *   which every object matches; it becomes "has no `value`".
 * - `integerFlag` and `floatFlag` overlap (every integer is a number), so that one `oneOf` becomes
 *   `anyOf`: the value must still be a boolean, string, number or object, or absent.
 * Everything else (the reason and error-code enums, required fields, metadata value types) is
 * checked exactly as published. ajv's strict mode stays on except `strictTypes`/`strictRequired`,
 * which flag the spec's own style (`required` beside `allOf` without `type`, `not: {required}`).
 * `format`s: `date-time` and `uri` are checked, OpenAPI's `float` only as a finite number.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";
import specText from "../../spec/ofrep/openapi.yaml?raw";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SPEC_ID = "urn:edgeflags:ofrep-openapi";

/** `#/components/schemas/x` → `#/$defs/x`, so the components are one 2020-12 schema's `$defs`. */
function rewriteRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "$ref" && typeof v === "string" ? v.replace("#/components/schemas/", "#/$defs/") : rewriteRefs(v);
  }
  return out;
}

function adapt(schemas: JsonObject): JsonObject {
  schemas["codeDefaultFlag"] = { not: { required: ["value"] } };
  const success = schemas["evaluationSuccess"] as JsonObject;
  const allOf = success["allOf"] as JsonObject[];
  const valueTypes = allOf.find((part) => "oneOf" in part) as JsonObject;
  valueTypes["anyOf"] = valueTypes["oneOf"] as Json;
  delete valueTypes["oneOf"];
  return schemas;
}

function build(): { ajv: Ajv2020; version: string } {
  const doc = parse(specText) as { info: { version: string }; components: { schemas: JsonObject } };
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
  ajv.addKeyword("example");
  ajv.addFormat("date-time", (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat("uri", (s: string) => URL.canParse(s));
  ajv.addFormat("float", { type: "number", validate: (n: number) => Number.isFinite(n) });
  ajv.addSchema({ $id: SPEC_ID, $defs: rewriteRefs(adapt(structuredClone(doc.components.schemas))) });
  return { ajv, version: doc.info.version };
}

const built = build();
/** The spec's `info.version`. */
export const OFREP_SPEC_VERSION = built.version;

const validators = new Map<string, ValidateFunction>();

/** The validator of one `components.schemas` entry. */
export function ofrepSchema(name: string): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    v = built.ajv.getSchema(`${SPEC_ID}#/$defs/${name}`);
    if (!v) throw new Error(`no schema ${name} in spec/ofrep/openapi.yaml`);
    validators.set(name, v);
  }
  return v;
}

/** The schema errors of `body` against `name`, as readable lines (empty when it conforms). */
export function specViolations(name: string, body: unknown): string[] {
  const validate = ofrepSchema(name);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}
