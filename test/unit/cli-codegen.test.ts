import { describe, expect, it } from "vitest";
import { accessorNames, generateModule, manifestDiff, manifestOf, readManifest } from "../../cli/lib/codegen.js";
import { Flag } from "../../src/domain/flag.js";

const flag = (key: string, over: Record<string, unknown> = {}): Flag =>
  Flag.parse({ key, type: "boolean", variants: { on: true, off: false }, offVariant: "off", enabled: true, fallthrough: { variant: "on" }, ...over });

const color = flag("banner-color", { type: "string", variants: { r: "red", b: "blue", b2: "blue" }, offVariant: "b", fallthrough: { variant: "r" } });

describe("flagctl codegen: the generated module", () => {
  it("names accessors in camelCase, uniquely, and valid as identifiers", () => {
    expect([...accessorNames(["new_checkout", "new-checkout", "2fa.enabled", "a", "A_b"]).values()]).toEqual(["newCheckout", "newCheckout2", "_2faEnabled", "a", "aB"]);
  });

  it("types each flag, with string unions and off-variant defaults", () => {
    const source = generateModule("production", [color, flag("new_checkout"), flag("limit", { type: "number", variants: { low: 1, high: 9 }, offVariant: "low", fallthrough: { variant: "high" } })]);
    expect(source).toContain('"banner-color": "blue" | "red";');
    expect(source).toContain('"banner-color": "blue",');
    expect(source).toContain('"limit": 1,');
    expect(source).toContain('newCheckout: (context?: EvaluationContext): Promise<boolean> => client.getBooleanValue("new_checkout", FLAG_DEFAULTS["new_checkout"], context),');
    expect(source).toContain('bannerColor: (): "blue" | "red" => client.getStringValue<FlagValues["banner-color"]>("banner-color", FLAG_DEFAULTS["banner-color"]),');
    expect(source).toContain('export const FLAG_KEYS = ["banner-color", "limit", "new_checkout"] as const;');
    // Deterministic: the same flags in any order give the same text.
    expect(generateModule("production", [flag("new_checkout"), color])).toBe(generateModule("production", [color, flag("new_checkout")]));
  });

  it("no value can leave a comment or a string: line separators and comment ends are escaped", () => {
    const nasty = flag("nasty", { type: "string", variants: { a: "x\u2028export const pwned = 1;", b: "*/ y" }, offVariant: "a", fallthrough: { variant: "a" }, description: "ends */ here\u2029export const also = 2;" });
    const source = generateModule("production", [nasty]);
    expect(source).not.toMatch(/[\u2028\u2029]/);
    expect(source).not.toMatch(/^export const (pwned|also)/m);
    expect(source).toContain("ends *\\/ here");
    expect(readManifest(source)).toEqual(manifestOf([nasty]));
  });

  it("the manifest says what differs: added, removed, type, default and values", () => {
    const before = manifestOf([flag("a"), flag("b"), color]);
    const after = manifestOf([flag("a", { offVariant: "on" }), flag("b", { type: "string", variants: { on: "1", off: "0" } }), flag("c"), { ...color, variants: { ...color.variants, g: "green" } }]);
    expect(manifestDiff(before, after)).toEqual([
      "~ a: default false → true",
      "~ b: type boolean → string",
      '~ banner-color: values "blue" | "red" → "blue" | "green" | "red"',
      "+ c: new flag (boolean)",
    ]);
    expect(manifestDiff(after, before)).toContain("- c: no longer in the environment");
    expect(manifestDiff(before, before)).toEqual([]);
    expect(readManifest("// not generated")).toBeNull();
  });
});
