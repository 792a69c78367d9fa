/**
 * Worker configuration from vars, validated with zod once per distinct set of values.
 * A bad configuration is reported by /health and answered with 503 by the public API.
 */
import { z } from "zod";
import type { OutboundPolicy } from "./domain/outbound-url.js";
import { EnvironmentName, FlagOverrides } from "./domain/snapshot.js";
import type { Env } from "./env.js";

const csv = (s: string): string[] =>
  s
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);

const jsonString = z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "is not valid JSON" });
    return z.NEVER;
  }
});

const Hostname = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "a hostname (no scheme, port or path)"));
const HostPattern = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "a hostname or *.domain"));

export const SeedMode = z.enum(["all", "default", "none"]);
export type SeedMode = z.infer<typeof SeedMode>;

const RawConfig = z
  .object({
    ENVIRONMENTS: z
      .string()
      .default("development,staging,production")
      .transform(csv)
      .pipe(z.array(EnvironmentName).min(1, "at least one environment")),
    ANONYMOUS_ENV: z
      .string()
      .default("")
      .transform((s) => s.trim())
      .pipe(z.union([z.literal(""), EnvironmentName])),
    FLAG_OVERRIDES: z.string().default("{}").pipe(jsonString).pipe(FlagOverrides),
    SNAPSHOT_REFRESH_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
    /** What an empty environment is seeded with from config/flags.json: everything, no demo flags, or nothing. */
    SEED_FLAGS: SeedMode.default("default"),
    CORS_ORIGINS: z.string().default("*").transform(csv),
    /** How old a metric sample may be, relative to the environment's clock. */
    METRICS_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(3_600),
    /** Where rollout guards read metrics: the Environment DO's buckets, or Workers Analytics Engine. */
    METRICS_SOURCE: z.enum(["durable-object", "analytics-engine"]).default("durable-object"),
    AE_ACCOUNT_ID: z.string().regex(/^[0-9a-f]{32}$/, "a 32-character hex account id").optional(),
    AE_DATASET: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "a dataset name").optional(),
    /** Local development on one machine ("true" only in .dev.vars): lets probes and webhooks use http and loopback. */
    LOCAL_DEV: z
      .string()
      .default("false")
      .transform((s) => s.trim().toLowerCase())
      .pipe(z.enum(["true", "false", ""]))
      .transform((s) => s === "true"),
    /** When set, the only hosts health probes and webhooks may call (`host` or `*.domain`). */
    OUTBOUND_ALLOW_HOSTS: z.string().default("").transform(csv).pipe(z.array(HostPattern)),
    /** The service's own public hostnames, which probes and webhooks may never call. */
    PUBLIC_HOSTNAMES: z.string().default("").transform(csv).pipe(z.array(Hostname)),
  })
  .superRefine((c, ctx) => {
    if (c.METRICS_SOURCE === "analytics-engine") {
      for (const key of ["AE_ACCOUNT_ID", "AE_DATASET"] as const) {
        if (c[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: "required when METRICS_SOURCE is analytics-engine" });
      }
    }
    if (c.ANONYMOUS_ENV !== "" && !c.ENVIRONMENTS.includes(c.ANONYMOUS_ENV)) {
      ctx.addIssue({ code: "custom", path: ["ANONYMOUS_ENV"], message: `"${c.ANONYMOUS_ENV}" is not in ENVIRONMENTS` });
    }
    for (const env of Object.keys(c.FLAG_OVERRIDES)) {
      if (!c.ENVIRONMENTS.includes(env)) {
        ctx.addIssue({ code: "custom", path: ["FLAG_OVERRIDES", env], message: `"${env}" is not in ENVIRONMENTS` });
      }
    }
  });

export interface Config {
  readonly environments: readonly string[];
  /** The environment anonymous requests evaluate against, or undefined when anonymous mode is off. */
  readonly anonymousEnv: string | undefined;
  readonly overrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly snapshotRefreshMs: number;
  readonly seedFlags: SeedMode;
  readonly corsOrigins: readonly string[];
  readonly metricsMaxAgeSeconds: number;
  /** Analytics Engine settings when it is the metrics source (the token and dataset binding are checked where used). */
  readonly analyticsEngine: { readonly accountId: string; readonly dataset: string } | undefined;
  /** LOCAL_DEV: running on one machine (`npm run dev`); off in every deployed environment. */
  readonly localDev: boolean;
  /** What health probes and webhooks may call (src/domain/outbound-url.ts). */
  readonly outbound: OutboundPolicy;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: string[] };

const cache = new WeakMap<Env, ConfigResult>();

export function loadConfig(env: Env): ConfigResult {
  const input = {
    ENVIRONMENTS: env.ENVIRONMENTS,
    ANONYMOUS_ENV: env.ANONYMOUS_ENV,
    FLAG_OVERRIDES: env.FLAG_OVERRIDES,
    SNAPSHOT_REFRESH_MS: env.SNAPSHOT_REFRESH_MS,
    SEED_FLAGS: env.SEED_FLAGS,
    CORS_ORIGINS: env.CORS_ORIGINS,
    METRICS_MAX_AGE_SECONDS: env.METRICS_MAX_AGE_SECONDS,
    METRICS_SOURCE: env.METRICS_SOURCE,
    AE_ACCOUNT_ID: env.AE_ACCOUNT_ID,
    AE_DATASET: env.AE_DATASET,
    LOCAL_DEV: env.LOCAL_DEV,
    OUTBOUND_ALLOW_HOSTS: env.OUTBOUND_ALLOW_HOSTS,
    PUBLIC_HOSTNAMES: env.PUBLIC_HOSTNAMES,
  };
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = RawConfig.safeParse(input);
  const result: ConfigResult = parsed.success
    ? {
        ok: true,
        config: {
          environments: parsed.data.ENVIRONMENTS,
          anonymousEnv: parsed.data.ANONYMOUS_ENV === "" ? undefined : parsed.data.ANONYMOUS_ENV,
          overrides: parsed.data.FLAG_OVERRIDES,
          snapshotRefreshMs: parsed.data.SNAPSHOT_REFRESH_MS,
          seedFlags: parsed.data.SEED_FLAGS,
          corsOrigins: parsed.data.CORS_ORIGINS,
          metricsMaxAgeSeconds: parsed.data.METRICS_MAX_AGE_SECONDS,
          analyticsEngine:
            parsed.data.METRICS_SOURCE === "analytics-engine"
              ? { accountId: parsed.data.AE_ACCOUNT_ID as string, dataset: parsed.data.AE_DATASET as string }
              : undefined,
          localDev: parsed.data.LOCAL_DEV,
          outbound: { localDev: parsed.data.LOCAL_DEV, allowHosts: parsed.data.OUTBOUND_ALLOW_HOSTS, ownHostnames: parsed.data.PUBLIC_HOSTNAMES },
        },
      }
    : { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`) };
  cache.set(env, result);
  return result;
}
