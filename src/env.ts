/** The Worker's bindings and vars (wrangler.toml). Vars are validated by `src/config.ts`. */
// The namespaces are not typed with their classes on purpose: that would make this module import
// both Durable Objects, which import it (a type-only cycle). Callers reach them through typed stubs
// (`environmentStub`, `accessStub`).

export interface Env {
  /** One snapshot per environment, written only by that environment's Durable Object. */
  readonly FLAGS_KV: KVNamespace;
  /** The audit log (docs/architecture.md, "D1 audit log"). */
  readonly AUDIT_DB: D1Database;
  readonly ENVIRONMENT: DurableObjectNamespace;
  /** API tokens of the admin API (one instance). */
  readonly ACCESS: DurableObjectNamespace;
  /** The dashboard's built files (ui/dist), served under /ui/ by src/http/ui.ts. */
  readonly ASSETS?: Fetcher;
  readonly ENVIRONMENTS?: string;
  readonly ANONYMOUS_ENV?: string;
  readonly FLAG_OVERRIDES?: string;
  readonly SNAPSHOT_REFRESH_MS?: string;
  readonly SEED_FLAGS?: string;
  readonly CORS_ORIGINS?: string;
  readonly METRICS_MAX_AGE_SECONDS?: string;
  readonly METRICS_SOURCE?: string;
  readonly AE_ACCOUNT_ID?: string;
  readonly AE_DATASET?: string;
  /** "true" only on a developer's machine (.dev.vars): see src/config.ts. */
  readonly LOCAL_DEV?: string;
  readonly OUTBOUND_ALLOW_HOSTS?: string;
  readonly PUBLIC_HOSTNAMES?: string;
  /** Secret: an API token with Account Analytics Read, for the Analytics Engine SQL API. */
  readonly AE_API_TOKEN?: string;
  /** The Analytics Engine dataset binding metrics are written to (when it is the source). */
  readonly METRICS_DATASET?: AnalyticsEngineDataset;
  readonly ADMIN_TOKEN?: string;
  /** Secret: signs rollout webhook deliveries (X-Edgeflags-Signature) when set. */
  readonly WEBHOOK_SECRET?: string;
}
