/** Hono's typing for this app: bindings and per-request variables. */
import type { Config } from "../config.js";
import type { Env } from "../env.js";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    requestId: string;
  };
}
