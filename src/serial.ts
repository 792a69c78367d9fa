/**
 * Runs async jobs one after another. A Durable Object serializes storage, not I/O: two callers
 * awaiting a KV put or a D1 batch interleave. Side effects that must not overlap (publishing, the
 * audit flush, webhook delivery) each go through one of these.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Backoff for retried side effects: 2 s, 4 s, 8 s … at most a minute. */
export function retryDelay(failures: number): number {
  return Math.min(60_000, 1_000 * 2 ** failures);
}
