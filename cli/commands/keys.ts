/** `flagctl keys` (SDK keys of an environment) and `flagctl tokens` (admin API tokens). */
import { Command, Option } from "commander";
import { z } from "zod";
import { Role, TokenEnvironments } from "../../src/access/roles.ts";
import { CreateTokenInput } from "../../src/access/token.ts";
import { CreateSdkKeyInput } from "../../src/domain/sdk-key.ts";
import { SdkKeyKind } from "../../src/domain/snapshot.ts";
import { EnvName, parse } from "../lib/config.ts";
import { context, envOf } from "../lib/context.ts";
import { UsageError } from "../lib/errors.ts";
import { out, table, time } from "../lib/output.ts";
import type { CreatedSdkKey, CreatedToken, CreateTokenBody, SdkKeyRecord, TokenRecord } from "../lib/types.ts";

// Names by the domain's own rules (one line, no control characters); ids are checked by HTTP-layer
// schemas that cannot be loaded outside the Worker, so that check is the CLI's own.
const KeyName = CreateSdkKeyInput.shape.name;
const TokenName = CreateTokenInput.shape.name;
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "ids are 1-64 chars of [A-Za-z0-9_-]");

export function keysCommand(): Command {
  const keys = new Command("keys").description("SDK keys for the public evaluation API (one environment each)");

  keys
    .command("create")
    .description("create an SDK key; the key is shown once")
    .argument("<name>", "what the key is for (e.g. web-2026-11)")
    .requiredOption("--env <env>", "environment")
    .addOption(new Option("--kind <kind>", "client (browser-safe: clientSide flags only) or server (all flags)").choices(SdkKeyKind.options).makeOptionMandatory())
    .action(async (nameArg: string, opts: { env: string; kind: SdkKeyKind }, cmd: Command) => {
      const name = parse(KeyName, nameArg, "<name>");
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const key = await api.admin<CreatedSdkKey>("POST", `/envs/${env}/sdk-keys`, { body: { name, kind: opts.kind } });
      if (json) return out.json(key);
      out.line(`created ${key.kind} key ${key.id} ("${key.name}") for ${env}:`);
      out.line(key.key);
      out.err("this is the only time the key is shown: store it now. Edges accept it once the snapshot propagates (≤ ~60 s).");
    });

  keys
    .command("list")
    .description("list the environment's SDK keys (without secrets)")
    .requiredOption("--env <env>", "environment")
    .option("--all", "include revoked keys")
    .action(async (opts: { env: string; all?: boolean }, cmd: Command) => {
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const body = await api.admin<{ keys: SdkKeyRecord[] }>("GET", `/envs/${env}/sdk-keys`);
      const shown = opts.all ? body.keys : body.keys.filter((k) => k.revokedAt === null);
      if (json) return out.json({ keys: shown });
      if (shown.length === 0) return out.line(`no ${opts.all ? "" : "active "}SDK keys in ${env}`);
      for (const l of table(["id", "name", "kind", "created", "revoked"], shown.map((k) => [k.id, k.name, k.kind, time(k.createdAt), k.revokedAt === null ? "" : time(k.revokedAt)]))) out.line(l);
    });

  keys
    .command("revoke")
    .description("revoke an SDK key (edges refuse it once the snapshot propagates, ≤ ~60 s)")
    .argument("<id>", "key id (from keys list)")
    .requiredOption("--env <env>", "environment")
    .action(async (idArg: string, opts: { env: string }, cmd: Command) => {
      const id = parse(Id, idArg, "<id>");
      const env = envOf(opts);
      const { api, json } = context(cmd);
      const result = await api.admin<{ environmentVersion: number; published: boolean }>("DELETE", `/envs/${env}/sdk-keys/${id}`);
      if (json) return out.json({ id, ...result });
      out.line(`revoked SDK key ${id} in ${env} (environment version ${result.environmentVersion}); edges refuse it within ~60 s`);
    });

  return keys;
}

export function tokensCommand(): Command {
  const tokens = new Command("tokens").description("admin API tokens (needs an admin token on all environments)");

  tokens
    .command("create")
    .description("create an API token; the token is shown once")
    .argument("<name>", "who or what uses it (e.g. ci-deployer)")
    .addOption(new Option("--role <role>", "viewer, operator or admin").choices(Role.options).makeOptionMandatory())
    .requiredOption("--envs <list>", 'comma-separated environments, or "*" for all')
    .action(async (nameArg: string, opts: { role: Role; envs: string }, cmd: Command) => {
      const name = parse(TokenName, nameArg, "<name>");
      const list = opts.envs.split(",").map((e) => e.trim()).filter((e) => e !== "");
      if (list.length === 0) throw new UsageError('--envs needs environments (staging,production) or "*"');
      // Each name first, so the message names the bad one; then the API's rule for the whole list.
      if (list.length !== 1 || list[0] !== "*") for (const e of list) parse(EnvName, e, "--envs");
      const environments = parse(TokenEnvironments, list, "--envs");
      const { api, json } = context(cmd);
      const body: CreateTokenBody = { name, role: opts.role, environments };
      const token = await api.admin<CreatedToken>("POST", "/tokens", { body });
      if (json) return out.json(token);
      out.line(`created ${token.role} token ${token.id} ("${token.name}") for ${token.environments.join(", ")}:`);
      out.line(token.token);
      out.err("this is the only time the token is shown: store it now (e.g. as FLAGS_TOKEN in your CI secrets).");
    });

  tokens
    .command("list")
    .description("list API tokens (without secrets)")
    .option("--all", "include revoked tokens")
    .action(async (opts: { all?: boolean }, cmd: Command) => {
      const { api, json } = context(cmd);
      const body = await api.admin<{ tokens: TokenRecord[] }>("GET", "/tokens");
      const shown = opts.all ? body.tokens : body.tokens.filter((t) => t.revokedAt === null);
      if (json) return out.json({ tokens: shown });
      if (shown.length === 0) return out.line(`no ${opts.all ? "" : "active "}API tokens`);
      const rows = shown.map((t) => [t.id, t.name, t.role, t.environments.join(","), time(t.createdAt), t.revokedAt === null ? "" : time(t.revokedAt)]);
      for (const l of table(["id", "name", "role", "environments", "created", "revoked"], rows)) out.line(l);
    });

  tokens
    .command("revoke")
    .description("revoke an API token (immediately)")
    .argument("<id>", "token id (from tokens list)")
    .action(async (idArg: string, _opts: unknown, cmd: Command) => {
      const id = parse(Id, idArg, "<id>");
      const { api, json } = context(cmd);
      await api.admin<{ id: string }>("DELETE", `/tokens/${id}`);
      if (json) return out.json({ id, revoked: true });
      out.line(`revoked API token ${id}`);
    });

  return tokens;
}
