/**
 * Admin API tokens: what an operator sends to create one, and what is stored and listed. A token
 * is `eft_` + 40 random characters, shown once; only its SHA-256 is stored. Pure: no I/O.
 */
import { z } from "zod";
import { Role, TokenEnvironments } from "./roles.js";
import { plainText } from "../domain/text.js";

export const TOKEN_PREFIX = "eft_";

/** The audit log's environment for access changes (not a valid environment name, so no clash). */
export const ACCESS_AUDIT_ENVIRONMENT = "_access";

export const CreateTokenInput = z.object({
  name: plainText(128),
  role: Role,
  environments: TokenEnvironments,
});
export type CreateTokenInput = z.infer<typeof CreateTokenInput>;

export const TokenRecord = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  environments: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

export const CreatedToken = TokenRecord.extend({ token: z.string().describe("the secret, shown once") });
export type CreatedToken = z.infer<typeof CreatedToken>;
