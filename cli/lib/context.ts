/** What every command action needs: the validated connection, an API client, `--json`. */
import type { Command } from "commander";
import { Api } from "./api.ts";
import { connection, EnvName, parse, type GlobalOptions } from "./config.ts";

export interface Ctx {
  readonly api: Api;
  readonly json: boolean;
}

export function context(cmd: Command): Ctx {
  const conn = connection(cmd.optsWithGlobals<GlobalOptions>());
  return { api: new Api(conn), json: conn.json };
}

/** The `--env` option every environment-scoped command requires (commander enforces presence). */
export function envOf(opts: { env: string }): string {
  return parse(EnvName, opts.env, "--env");
}
