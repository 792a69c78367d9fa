/** Admin routes for SDK keys (per environment) and API tokens (global). Secrets are shown once. */
import { z } from "zod";
import { accessStub } from "../../access/api.js";
import { environmentStub } from "../../environment/api.js";
import { ApiError } from "../errors.js";
import {
  ChangeResult, CreatedSdkKey, CreatedToken, CreateSdkKeyBody, CreateTokenInput, EnvParam, IdParams,
  SdkKeyRecord, TokenIdParam, TokenRecord,
} from "./schemas.js";
import { adminRoute } from "./access.js";
import { changeMeta, unwrap, createAdminRouter, errorResponses, jsonContent } from "./support.js";

export const keyRoutes = createAdminRouter();


keyRoutes.openapi(
  adminRoute({ role: "admin", on: "path" }, {
    method: "post",
    path: "/envs/{env}/sdk-keys",
    summary: "Create an SDK key (client: browser-safe, clientSide flags only; server: all flags)",
    request: { params: EnvParam, body: { ...jsonContent(CreateSdkKeyBody, "name and kind"), required: true } },
    responses: { 201: jsonContent(CreatedSdkKey, "the key; its secret is shown only now"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    const r = unwrap(await environmentStub(c.env, env).createSdkKey(c.req.valid("json"), changeMeta(c)));
    return c.json({ id: r.id, name: r.name, kind: r.kind, key: r.key, environmentVersion: r.version, published: r.published }, 201);
  },
);

keyRoutes.openapi(
  adminRoute({ role: "viewer", on: "path" }, {
    method: "get",
    path: "/envs/{env}/sdk-keys",
    summary: "List SDK keys (without secrets)",
    request: { params: EnvParam },
    responses: { 200: jsonContent(z.object({ keys: z.array(SdkKeyRecord) }), "the keys"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    return c.json({ keys: await environmentStub(c.env, env).listSdkKeys() }, 200);
  },
);

keyRoutes.openapi(
  adminRoute({ role: "admin", on: "path" }, {
    method: "delete",
    path: "/envs/{env}/sdk-keys/{id}",
    summary: "Revoke an SDK key (the edge stops accepting it once the snapshot propagates)",
    request: { params: IdParams },
    responses: { 200: jsonContent(ChangeResult, "revoked"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    const r = unwrap(await environmentStub(c.env, env).revokeSdkKey(id, changeMeta(c)));
    return c.json({ environmentVersion: r.version, published: r.published }, 200);
  },
);

keyRoutes.openapi(
  adminRoute({ role: "admin", on: "all" }, {
    method: "post",
    path: "/tokens",
    summary: "Create an API token with a role and environments",
    request: { body: { ...jsonContent(CreateTokenInput, "name, role and environments ([\"*\"] = all)"), required: true } },
    responses: { 201: jsonContent(CreatedToken, "the token; its secret is shown only now"), ...errorResponses },
  }),
  async (c) => {
    const input = c.req.valid("json");
    // A name that is not configured (a typo, a future environment) would silently gain meaning later.
    const configured = c.get("config").environments;
    const unknown = input.environments.flatMap((e, i) =>
      e === "*" || configured.includes(e) ? [] : [{ path: `body.environments.${i}`, message: `"${e}" is not a configured environment` }],
    );
    if (unknown.length > 0) throw new ApiError(422, "VALIDATION_FAILED", "the request is invalid", unknown);
    const { ok: _ok, ...created } = unwrap(await accessStub(c.env).createToken(input, changeMeta(c)));
    return c.json(created, 201);
  },
);

keyRoutes.openapi(
  adminRoute({ role: "admin", on: "all" }, {
    method: "get",
    path: "/tokens",
    summary: "List API tokens (without secrets)",
    responses: { 200: jsonContent(z.object({ tokens: z.array(TokenRecord) }), "the tokens"), ...errorResponses },
  }),
  async (c) => {
    return c.json({ tokens: await accessStub(c.env).listTokens() }, 200);
  },
);

keyRoutes.openapi(
  adminRoute({ role: "admin", on: "all" }, {
    method: "delete",
    path: "/tokens/{id}",
    summary: "Revoke an API token (immediately)",
    request: { params: TokenIdParam },
    responses: { 200: jsonContent(z.object({ id: z.string() }), "revoked"), ...errorResponses },
  }),
  async (c) => {
    const { id } = unwrap(await accessStub(c.env).revokeToken(c.req.valid("param").id, changeMeta(c)));
    return c.json({ id }, 200);
  },
);
