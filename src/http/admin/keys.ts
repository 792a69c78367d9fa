/** Admin routes for SDK keys (per environment) and API tokens (global). Secrets are shown once. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { accessStub } from "../../access/api.js";
import { environmentStub } from "../../environment/api.js";
import {
  ChangeResult, CreatedSdkKey, CreatedToken, CreateSdkKeyBody, CreateTokenInput, EnvParam, IdParams,
  SdkKeyRecord, TokenIdParam, TokenRecord,
} from "./schemas.js";
import { authorize, changeMeta, unwrap, createAdminRouter, errorResponses, jsonContent } from "./support.js";

export const keyRoutes = createAdminRouter();


keyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/envs/{env}/sdk-keys",
    summary: "Create an SDK key (client: browser-safe, clientSide flags only; server: all flags)",
    request: { params: EnvParam, body: { ...jsonContent(CreateSdkKeyBody, "name and kind"), required: true } },
    responses: { 201: jsonContent(CreatedSdkKey, "the key; its secret is shown only now"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    authorize(c, "admin", env);
    const r = unwrap(await environmentStub(c.env, env).createSdkKey(c.req.valid("json"), changeMeta(c)));
    return c.json({ id: r.id, name: r.name, kind: r.kind, key: r.key, environmentVersion: r.version, published: r.published }, 201);
  },
);

keyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/envs/{env}/sdk-keys",
    summary: "List SDK keys (without secrets)",
    request: { params: EnvParam },
    responses: { 200: jsonContent(z.object({ keys: z.array(SdkKeyRecord) }), "the keys"), ...errorResponses },
  }),
  async (c) => {
    const { env } = c.req.valid("param");
    authorize(c, "viewer", env);
    return c.json({ keys: await environmentStub(c.env, env).listSdkKeys() }, 200);
  },
);

keyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/envs/{env}/sdk-keys/{id}",
    summary: "Revoke an SDK key (the edge stops accepting it once the snapshot propagates)",
    request: { params: IdParams },
    responses: { 200: jsonContent(ChangeResult, "revoked"), ...errorResponses },
  }),
  async (c) => {
    const { env, id } = c.req.valid("param");
    authorize(c, "admin", env);
    const r = unwrap(await environmentStub(c.env, env).revokeSdkKey(id, changeMeta(c)));
    return c.json({ environmentVersion: r.version, published: r.published }, 200);
  },
);

keyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/tokens",
    summary: "Create an API token with a role and environments",
    request: { body: { ...jsonContent(CreateTokenInput, "name, role and environments ([\"*\"] = all)"), required: true } },
    responses: { 201: jsonContent(CreatedToken, "the token; its secret is shown only now"), ...errorResponses },
  }),
  async (c) => {
    authorize(c, "admin");
    const { ok: _ok, ...created } = unwrap(await accessStub(c.env).createToken(c.req.valid("json"), changeMeta(c)));
    return c.json(created, 201);
  },
);

keyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/tokens",
    summary: "List API tokens (without secrets)",
    responses: { 200: jsonContent(z.object({ tokens: z.array(TokenRecord) }), "the tokens"), ...errorResponses },
  }),
  async (c) => {
    authorize(c, "admin");
    return c.json({ tokens: await accessStub(c.env).listTokens() }, 200);
  },
);

keyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/tokens/{id}",
    summary: "Revoke an API token (immediately)",
    request: { params: TokenIdParam },
    responses: { 200: jsonContent(z.object({ id: z.string() }), "revoked"), ...errorResponses },
  }),
  async (c) => {
    authorize(c, "admin");
    const { id } = unwrap(await accessStub(c.env).revokeToken(c.req.valid("param").id, changeMeta(c)));
    return c.json({ id }, 200);
  },
);
