/**
 * Flushes a Durable Object's audit outbox to D1 — the one implementation both Durable Objects use.
 * One flush at a time (the flush is the only writer of the hash chain); on failure the rows stay,
 * the failure is recorded (status) and a retry is armed with backoff. Never throws.
 */
import { retryDelay, Serial } from "../serial.js";
import type { AuditOutbox } from "./outbox.js";

export interface AuditFlushStatus {
  readonly lastSeq: number;
  readonly pending: number;
  readonly lastFlushError: string | null;
  /** The anchor of the chain: the newest row written to D1 (0 and the genesis hash before any). */
  readonly headSeq: number;
  readonly headHash: string;
}

export class AuditFlusher {
  private readonly serial = new Serial();

  constructor(
    private readonly deps: {
      readonly outbox: AuditOutbox;
      /** Read on every flush: fault-injection tests swap the database of a live object. */
      readonly database: () => D1Database;
      /** Arms a retry at `at` (epoch ms, wall clock). */
      readonly retryAt: (at: number) => Promise<void>;
    },
  ) {}

  /** Writes pending rows to D1; returns how many were written by this call. */
  flush(): Promise<{ written: number; pending: number }> {
    return this.serial.run(async () => {
      const { outbox } = this.deps;
      let written = 0;
      if (outbox.pending() > 0) {
        try {
          written = await outbox.flush(this.deps.database());
          outbox.recordFlushSuccess();
        } catch (error) {
          const failures = outbox.recordFlushFailure(error);
          await this.deps.retryAt(Date.now() + retryDelay(failures));
        }
      }
      return { written, pending: outbox.pending() };
    });
  }

  status(): AuditFlushStatus {
    const { outbox } = this.deps;
    const head = outbox.head();
    return { lastSeq: outbox.lastSeq(), pending: outbox.pending(), lastFlushError: outbox.lastFlushError(), headSeq: head.seq, headHash: head.hash };
  }
}
