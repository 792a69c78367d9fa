/** LOCAL_DEV, OUTBOUND_ALLOW_HOSTS and PUBLIC_HOSTNAMES become the outbound policy; bad values are configuration errors. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { Env } from "../../src/env.js";

// loadConfig reads only vars; each call gets a fresh object (results are cached per object).
const vars = (v: Record<string, string>) => v as unknown as Env;

describe("outbound configuration", () => {
  it("is off and open to any public host by default", () => {
    const loaded = loadConfig(vars({}));
    expect(loaded.ok && loaded.config.outbound).toEqual({ localDev: false, allowHosts: [], ownHostnames: [] });
  });

  it("parses the flag and the lists (lowercased, trimmed)", () => {
    const loaded = loadConfig(vars({ LOCAL_DEV: "true", OUTBOUND_ALLOW_HOSTS: " hooks.slack.com, *.Status.example.org ", PUBLIC_HOSTNAMES: "Flags.Example.com,edgeflags.acme.workers.dev" }));
    expect(loaded.ok && loaded.config.localDev).toBe(true);
    expect(loaded.ok && loaded.config.outbound).toEqual({
      localDev: true,
      allowHosts: ["hooks.slack.com", "*.status.example.org"],
      ownHostnames: ["flags.example.com", "edgeflags.acme.workers.dev"],
    });
  });

  it("refuses values that are not a boolean or hostnames, naming the var", () => {
    const loaded = loadConfig(vars({ LOCAL_DEV: "yes", PUBLIC_HOSTNAMES: "https://flags.example.com", OUTBOUND_ALLOW_HOSTS: "hooks.slack.com/path" }));
    expect(loaded.ok).toBe(false);
    const issues = loaded.ok ? [] : loaded.issues;
    expect(issues.some((i) => i.startsWith("LOCAL_DEV"))).toBe(true);
    expect(issues.some((i) => i.startsWith("PUBLIC_HOSTNAMES.0"))).toBe(true);
    expect(issues.some((i) => i.startsWith("OUTBOUND_ALLOW_HOSTS.0"))).toBe(true);
  });
});
