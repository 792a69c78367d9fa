/**
 * SDK-key commands of one environment. A key is shown once; only its SHA-256 is stored, and the
 * active keys' hashes travel in the snapshot, so the edge authenticates without another read.
 */
import { failure, validationError, type ChangeMeta, type CommandResult } from "../command.js";
import { randomToken, sha256Hex } from "../crypto.js";
import { CreateSdkKeyInput, formatSdkKey } from "../domain/sdk-key.js";
import type { EnvironmentContext } from "./context.js";
import type { ChangeOutcome, CreatedSdkKey } from "./types.js";

export class SdkKeyCommands {
  constructor(private readonly env: EnvironmentContext) {}

  async create(input: unknown, meta: ChangeMeta): Promise<CommandResult<CreatedSdkKey>> {
    const parsed = CreateSdkKeyInput.safeParse(input);
    if (!parsed.success) return validationError("the SDK key is invalid", parsed.error);
    const { name, kind } = parsed.data;
    const key = formatSdkKey(kind, this.env.name, randomToken(40));
    const keyHash = await sha256Hex(key);
    const id = `sdk_${randomToken(16)}`;
    return this.env.commit((tx) => {
      this.env.storage.insertSdkKey({ id, name, kind, keyHash, createdAt: tx.at });
      tx.audit({ ...meta, action: "sdk_key.created", targetType: "sdk_key", targetId: id, after: { id, name, kind } });
      tx.bump();
      return { ok: true, id, name, kind, key };
    });
  }

  revoke(id: string, meta: ChangeMeta): Promise<CommandResult<ChangeOutcome>> {
    return this.env.commit((tx) => {
      const record = this.env.storage.getSdkKey(id);
      if (!record || !this.env.storage.revokeSdkKey(id, tx.at)) return failure("NOT_FOUND", `no active SDK key "${id}"`);
      tx.audit({ ...meta, action: "sdk_key.revoked", targetType: "sdk_key", targetId: id, before: record });
      tx.bump();
      return { ok: true };
    });
  }
}
