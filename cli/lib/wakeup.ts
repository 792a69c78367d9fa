/**
 * A sleep that ends early when notified: `status --watch` waits for its next read this way, woken
 * by the event stream and bounded by the fallback poll. A notification while nobody waits is kept
 * (once), so a change that arrives during a read triggers another read instead of being lost.
 */
export class Wakeup {
  private pending = false;
  private wake: (() => void) | undefined;

  notify(): void {
    const wake = this.wake;
    if (wake === undefined) {
      this.pending = true;
      return;
    }
    this.wake = undefined;
    wake();
  }

  /** Resolves after `ms`, or at once on a notification (including one that came before). */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
