/** The flag form editor's pure draft logic (ui/src/flag-form-model.ts) and error placement (ui/src/flag-form-paths.ts). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  changeServeKind,
  getIn,
  keysOutsideForm,
  move,
  newRule,
  numberOrText,
  parseTagsText,
  parseValuesText,
  parseVariantText,
  renameKey,
  renameVariant,
  serveKind,
  setIn,
  timeOrUndefined,
  updateList,
  valuesText,
  variantText,
} from "../../../ui/src/flag-form-model.js";
import { fieldForPath, fieldId, formFieldPaths, placeErrors } from "../../../ui/src/flag-form-paths.js";

const flag = {
  key: "f",
  type: "string",
  variants: { a: "A", b: "B" },
  offVariant: "a",
  enabled: true,
  rules: [{ id: "r1", when: [{ attribute: "country", op: "in", values: ["DE"], future: 1 }], serve: { variant: "b" } }],
  fallthrough: { variant: "a" },
  prerequisites: [{ key: "other", variants: ["on"] }],
};

describe("setIn / getIn", () => {
  it("changes one path and keeps every field it does not touch, including unknown ones", () => {
    const next = setIn(flag, ["rules", 0, "when", 0, "op"], "notIn");
    expect(getIn(next, ["rules", 0, "when", 0, "op"])).toBe("notIn");
    expect(next.prerequisites).toBe(flag.prerequisites);
    expect(getIn(next, ["rules", 0, "when", 0, "future"])).toBe(1);
    expect(flag.rules[0]!.when[0]!.op).toBe("in");
  });
  it("removes an object key for undefined and creates missing steps", () => {
    expect(setIn({ a: 1, b: 2 }, ["b"], undefined)).toEqual({ a: 1 });
    expect(setIn({}, ["x", 0, "y"], 3)).toEqual({ x: [{ y: 3 }] });
    expect(getIn(flag, ["nope", 3])).toBeUndefined();
  });
  it("setting a value read from the same path gives an equal draft (property)", () => {
    const paths: (string | number)[][] = [["key"], ["variants", "a"], ["rules", 0, "when", 0, "values"], ["fallthrough", "variant"], ["prerequisites"]];
    fc.assert(
      fc.property(fc.constantFrom(...paths), (path) => {
        expect(setIn(flag, path, getIn(flag, path))).toEqual(flag);
      }),
    );
  });
});

describe("keysOutsideForm", () => {
  it("names the top-level fields the form does not render", () => {
    expect(keysOutsideForm({ ...flag, salt: "s" })).toEqual(["prerequisites", "salt"]);
  });
});

describe("lists and keys", () => {
  it("moves, adds and removes items", () => {
    expect(move(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(move(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    const added = updateList(flag, ["rules"], (rules) => [...rules, newRule(flag)]);
    expect(getIn(added, ["rules", 1, "id"])).toBe("rule-2");
    expect(getIn(added, ["rules", 1, "serve"])).toEqual({ variant: "a" });
    expect(updateList({}, ["rules"], (rules) => [...rules, 1])).toEqual({ rules: [1] });
  });
  it("renames a variant in place, never onto a taken name", () => {
    expect(Object.keys(renameKey(flag, ["variants"], "a", "z").variants)).toEqual(["z", "b"]);
    expect(renameKey(flag, ["variants"], "a", "b")).toBe(flag);
  });
});

describe("renameVariant", () => {
  it("renames the variant and every serve and the off variant that name it", () => {
    const d = {
      ...flag,
      rules: [
        { id: "r1", when: [], serve: { split: { a: 40, b: 60 } }, extra: true },
        { id: "r2", when: [], serve: { rollout: { variant: "a", baseline: "b", percentage: 5 } } },
      ],
      fallthrough: { variant: "a" },
    };
    const next = renameVariant(d, "a", "z");
    expect(Object.keys(next.variants as object)).toEqual(["z", "b"]);
    expect(next.offVariant).toBe("z");
    expect(next.rules).toEqual([
      { id: "r1", when: [], serve: { split: { z: 40, b: 60 } }, extra: true },
      { id: "r2", when: [], serve: { rollout: { variant: "z", baseline: "b", percentage: 5 } } },
    ]);
    expect(next.fallthrough).toEqual({ variant: "z" });
    expect(next.prerequisites).toBe(flag.prerequisites);
    expect(renameVariant(d, "a", "b")).toBe(d);
  });
});

describe("typed values", () => {
  it("reads and writes variant values by the flag's type", () => {
    expect(parseVariantText("boolean", "true")).toEqual({ ok: true, value: true });
    expect(parseVariantText("boolean", "yes").ok).toBe(false);
    expect(parseVariantText("number", "2.5")).toEqual({ ok: true, value: 2.5 });
    expect(parseVariantText("number", "").ok).toBe(false);
    expect(parseVariantText("object", '{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseVariantText("object", "[1]").ok).toBe(false);
    expect(parseVariantText("string", " x ")).toEqual({ ok: true, value: " x " });
    expect(variantText("string", "x")).toBe("x");
    expect(variantText("number", 3)).toBe("3");
  });
  it("round-trips condition values through one-per-line text (property)", () => {
    const value = fc.oneof(fc.string().filter((s) => !s.includes("\n")), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), fc.boolean());
    fc.assert(
      fc.property(fc.array(value), (values) => {
        const kept = values.filter((v) => typeof v !== "string" || v.trim() !== "" || v !== v.trim() || v === "");
        const nonEmpty = kept.filter((v) => v !== "");
        expect(parseValuesText(valuesText(nonEmpty))).toEqual(nonEmpty);
      }),
    );
    expect(valuesText(["DE", "42", 42, true, "true"])).toBe('DE\n"42"\n42\ntrue\n"true"');
    expect(parseValuesText("DE\n\n 42 \n\"x\"")).toEqual(["DE", 42, "x"]);
  });
  it("reads tags, numbers and times", () => {
    expect(parseTagsText(" a, b ,,c")).toEqual(["a", "b", "c"]);
    expect(numberOrText("25")).toBe(25);
    expect(numberOrText("lots")).toBe("lots");
    expect(numberOrText(" ")).toBeUndefined();
    expect(timeOrUndefined("1700000000000")).toBe(1700000000000);
    expect(timeOrUndefined("2026-01-01T00:00:00Z")).toBe("2026-01-01T00:00:00Z");
    expect(timeOrUndefined("")).toBeUndefined();
  });
});

describe("serves", () => {
  it("switches kinds, starting from the variant the old serve named", () => {
    expect(serveKind({ split: { a: 100 } })).toBe("split");
    expect(changeServeKind({ variant: "b" }, "split", ["a", "b"])).toEqual({ split: { b: 100 } });
    expect(changeServeKind({ variant: "a" }, "rollout", ["a", "b"])).toEqual({ rollout: { variant: "b", baseline: "a", percentage: 0 } });
    expect(changeServeKind({ rollout: { variant: "b", baseline: "a", percentage: 5 } }, "variant", ["a", "b"])).toEqual({ variant: "a" });
    const same = { variant: "a" };
    expect(changeServeKind(same, "variant", ["a"])).toBe(same);
  });
});

describe("errors next to fields", () => {
  const fields = formFieldPaths(flag);
  it("lists the rendered fields", () => {
    expect(fields).toContain("rules.0.when.0.values");
    expect(fields).toContain("fallthrough.variant");
    expect(fields).toContain("variants.b");
    expect(formFieldPaths({ ...flag, fallthrough: { rollout: {} } })).toContain("fallthrough.rollout.endAt");
  });
  it("maps an API path to the deepest field it falls under", () => {
    expect(fieldForPath("body.rules.0.when.0.values", fields)).toBe("rules.0.when.0.values");
    expect(fieldForPath("rules.0.when.0.values.1", fields)).toBe("rules.0.when.0.values");
    expect(fieldForPath("body.rules.0.serve.variant", fields)).toBe("rules.0.serve.variant");
    expect(fieldForPath("body.rules.0.whenever", fields)).toBe("rules.0");
    expect(fieldForPath("body.prerequisites.0.key", fields)).toBeUndefined();
    expect(fieldForPath("body", fields)).toBeUndefined();
  });
  it("sorts details to fields and lists the rest", () => {
    const placed = placeErrors(
      [
        { path: "body.rules.0.when.0.op", message: "bad op" },
        { path: "body.rules.0.when.0.op", message: "again" },
        { path: "body.prerequisites", message: "unknown flag" },
        { path: "", message: "too big" },
      ],
      fields,
    );
    expect(placed.byField.get("rules.0.when.0.op")).toEqual(["bad op", "again"]);
    expect(placed.unplaced).toEqual(["body.prerequisites: unknown flag", "too big"]);
    expect(fieldId("rules.0.when.1.op")).toBe("ff-rules.0.when.1.op");
  });
});
