/**
 * The Environment Durable Object's RPC surface as callers see it. The class implements this
 * interface, and callers reach it through `environmentStub`, which keeps workers-types' deep RPC
 * type mapping (which recurses through the flag's JSON values) out of the compiler's way.
 */
import type { Snapshot } from "../domain/snapshot.js";
import type { Env } from "../env.js";
import type { CommandResult, CreatedSdkKey, EnvironmentStatus } from "./types.js";

export interface EnvironmentApi {
  getSnapshot(knownVersion?: number): Promise<Snapshot | { version: number; unchanged: true }>;
  status(): Promise<EnvironmentStatus>;
  importFlags(input: unknown, options?: unknown): Promise<CommandResult<{ version: number; imported: number }>>;
  createSdkKey(input: unknown): Promise<CommandResult<CreatedSdkKey>>;
  revokeSdkKey(id: string): Promise<CommandResult<{ version: number }>>;
  tick(now: number): Promise<EnvironmentStatus>;
}

export function environmentStub(env: Env, name: string): EnvironmentApi {
  return env.ENVIRONMENT.getByName(name) as unknown as EnvironmentApi;
}
