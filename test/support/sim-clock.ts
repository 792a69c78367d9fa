/**
 * Simulated time for tests that drive an environment's clock (cron ticks with a chosen
 * `scheduledTime`, metric windows, rollout dwell times).
 *
 * An environment's clock is the later of the wall clock and its latest tick, and it never goes
 * back. So simulated time must start at or after the real clock and only move forward: a test that
 * simulated a fixed calendar date would break the day the calendar passed it. A `SimClock` starts
 * at the next whole minute after `Date.now()` (metrics are per minute) and only advances.
 */
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The first whole minute strictly after `ms`. */
export function nextWholeMinute(ms: number = Date.now()): number {
  return Math.floor(ms / MINUTE) * MINUTE + MINUTE;
}

export class SimClock {
  #now: number;

  /** Starts at the next whole minute after the real clock (or at `start`, when it is later). */
  constructor(start: number = nextWholeMinute()) {
    this.#now = Math.max(start, nextWholeMinute());
  }

  /** The simulated time, epoch milliseconds. */
  get now(): number {
    return this.#now;
  }

  /** Moves forward by `ms` (≥ 0) and returns the new time. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new Error(`SimClock only moves forward (asked for ${ms} ms)`);
    this.#now += ms;
    return this.#now;
  }

  /** Moves forward to the next whole minute at least `ms` ahead, and returns it. */
  skip(ms: number): number {
    this.#now = Math.ceil((this.#now + ms) / MINUTE) * MINUTE;
    return this.#now;
  }

  /** ISO 8601 form of `now + offsetMs`. */
  iso(offsetMs = 0): string {
    return new Date(this.#now + offsetMs).toISOString();
  }
}
