/** Hono's typing for this app: bindings and per-request variables. */
import type { Config } from "../config.js";
import type { Env } from "../env.js";
import type { Subset } from "./subset.js";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    requestId: string;
    /** The flag subset of a `/subsets/<kind>/<value>/ofrep/v1/…` request (src/http/subset.ts). */
    subset?: Subset;
  };
}
