import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareSemver, parseSemver, type Semver } from "../../src/domain/semver.js";

const cmp = (a: string, b: string): number => {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x || !y) throw new Error(`unparseable: ${a} / ${b}`);
  return compareSemver(x, y);
};

describe("parseSemver", () => {
  it.each([
    ["0.0.0", [0, 0, 0], []],
    ["1.2.3", [1, 2, 3], []],
    ["v1.2.3", [1, 2, 3], []],
    ["10.20.30", [10, 20, 30], []],
    ["1.2.3-alpha", [1, 2, 3], ["alpha"]],
    ["1.2.3-alpha.1", [1, 2, 3], ["alpha", 1]],
    ["1.2.3-0.3.7", [1, 2, 3], [0, 3, 7]],
    ["1.2.3-x.7.z.92", [1, 2, 3], ["x", 7, "z", 92]],
    ["1.2.3-x-y-z.--", [1, 2, 3], ["x-y-z", "--"]],
    ["1.2.3-rc.1+build.5", [1, 2, 3], ["rc", 1]],
    ["1.2.3+20130313144700", [1, 2, 3], []],
    ["1.0.0-beta+exp.sha.5114f85", [1, 0, 0], ["beta"]],
    ["1.0.0-0a", [1, 0, 0], ["0a"]],
  ])("%s", (s, core, pre) => {
    expect(parseSemver(s)).toEqual({ core, pre });
  });

  it.each([
    [""],
    ["1"],
    ["1.2"],
    ["1.2.3.4"],
    ["a.b.c"],
    [" 1.2.3"],
    ["1.2.3 "],
    ["1.2.3-"],
    ["1.2.3+"],
    ["1.2.3-beta!"],
    ["1.2.3-be ta"],
    ["-1.2.3"],
    ["1.-2.3"],
    ["1.2.x"],
    ["vv1.2.3"],
    ["V1.2.3"],
    ["=1.2.3"],
    ["^1.2.3"],
    ["1.2.3\n"],
    ["1.2.3-é"],
  ])("rejects %j", (s) => {
    expect(parseSemver(s)).toBeUndefined();
  });
});

describe("compareSemver: precedence per semver.org §11", () => {
  // Strictly increasing, from the spec's own examples plus core ordering.
  const ORDERED = [
    "0.0.0",
    "0.0.1",
    "0.1.0",
    "0.9.9",
    "1.0.0-0",
    "1.0.0-0.0",
    "1.0.0-1",
    "1.0.0-2",
    "1.0.0-10",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "1.9.0",
    "1.10.0",
    "2.0.0-rc.1",
    "2.0.0",
    "2.1.1",
    "10.0.0",
  ];

  it("orders the chain totally and consistently (every pair)", () => {
    for (let i = 0; i < ORDERED.length; i++) {
      for (let j = 0; j < ORDERED.length; j++) {
        expect(cmp(ORDERED[i]!, ORDERED[j]!), `${ORDERED[i]} vs ${ORDERED[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it("ignores build metadata and the v prefix", () => {
    expect(cmp("1.0.0+a", "1.0.0+b")).toBe(0);
    expect(cmp("1.0.0-rc.1+a", "1.0.0-rc.1")).toBe(0);
    expect(cmp("v2.0.0", "2.0.0")).toBe(0);
  });

  it("numeric identifiers compare numerically, alphanumerics in ASCII order", () => {
    expect(cmp("1.0.0-9", "1.0.0-10")).toBe(-1);
    expect(cmp("1.0.0-B", "1.0.0-a")).toBe(-1); // 'B' (0x42) < 'a' (0x61)
    expect(cmp("1.0.0-a10", "1.0.0-a9")).toBe(-1); // lexical, not numeric
    expect(cmp("1.0.0-999", "1.0.0-a")).toBe(-1); // numeric < alphanumeric
  });

  it("returns -1, 0 or 1 only", () => {
    expect(cmp("1.0.0", "9.0.0")).toBe(-1);
    expect(cmp("9.0.0", "1.0.0")).toBe(1);
    expect(cmp("1.0.0-1", "1.0.0-100")).toBe(-1);
  });
});

// ---- properties over generated versions, checked against the generator's own structure ----

type Ident = { kind: "num"; n: number } | { kind: "alpha"; s: string };
interface Version {
  core: [number, number, number];
  pre: Ident[];
  build: string[];
  v: boolean;
}

const num = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000_000 }));
const alphaIdent = fc
  .stringMatching(/^[0-9A-Za-z-]{1,8}$/)
  .filter((s) => !/^\d+$/.test(s))
  .map((s): Ident => ({ kind: "alpha", s }));
const numIdent = num.map((n): Ident => ({ kind: "num", n }));
const version: fc.Arbitrary<Version> = fc.record({
  core: fc.tuple(num, num, num),
  pre: fc.array(fc.oneof(numIdent, alphaIdent, fc.constantFrom<Ident>({ kind: "alpha", s: "alpha" }, { kind: "alpha", s: "rc" }, { kind: "num", n: 1 })), { maxLength: 3 }),
  build: fc.array(fc.stringMatching(/^[0-9A-Za-z-]{1,6}$/), { maxLength: 2 }),
  v: fc.boolean(),
});

const render = (x: Version): string =>
  `${x.v ? "v" : ""}${x.core.join(".")}${x.pre.length ? `-${x.pre.map((i) => (i.kind === "num" ? String(i.n) : i.s)).join(".")}` : ""}${x.build.length ? `+${x.build.join(".")}` : ""}`;

/** The spec's precedence, written from the structured data (no parsing involved). */
function oracle(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.core[i] !== b.core[i]) return a.core[i]! < b.core[i]! ? -1 : 1;
  if (!a.pre.length || !b.pre.length) return a.pre.length === b.pre.length ? 0 : a.pre.length ? -1 : 1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    if (x.kind === "num" && y.kind === "num") {
      if (x.n !== y.n) return x.n < y.n ? -1 : 1;
    } else if (x.kind === "num") return -1;
    else if (y.kind === "num") return 1;
    else if (x.s !== y.s) return x.s < y.s ? -1 : 1;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

describe("semver properties", () => {
  it("every rendered valid version parses", () => {
    fc.assert(fc.property(version, (v) => parseSemver(render(v)) !== undefined), { numRuns: 1000 });
  });

  it("compareSemver agrees with the spec's precedence", () => {
    fc.assert(
      fc.property(version, version, (a, b) => cmp(render(a), render(b)) === oracle(a, b)),
      { numRuns: 3000 },
    );
  });

  it("reflexive and antisymmetric", () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const [x, y] = [render(a), render(b)];
        return cmp(x, x) === 0 && cmp(x, y) === -cmp(y, x);
      }),
      { numRuns: 1000 },
    );
  });

  it("transitive", () => {
    fc.assert(
      fc.property(fc.array(version, { minLength: 3, maxLength: 3 }), (vs) => {
        const parsed = vs.map((v) => parseSemver(render(v)) as Semver).sort(compareSemver);
        return compareSemver(parsed[0]!, parsed[2]!) <= 0 && compareSemver(parsed[0]!, parsed[1]!) <= 0 && compareSemver(parsed[1]!, parsed[2]!) <= 0;
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const x = parseSemver(a);
        const y = parseSemver(b);
        if (x && y) expect([-1, 0, 1]).toContain(compareSemver(x, y));
      }),
      { numRuns: 1000 },
    );
  });
});
