import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Runs before each test file; applyD1Migrations is idempotent.
await applyD1Migrations(env.AUDIT_DB, env.TEST_MIGRATIONS);
