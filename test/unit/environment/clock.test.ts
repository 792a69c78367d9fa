/** The environment clock: the later of the wall clock and the latest tick, never going back, persisted. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EnvironmentClock, type ClockStore } from "../../../src/environment/clock.js";

function memoryStore(initial = 0): ClockStore & { saved: number[] } {
  let value = initial;
  const saved: number[] = [];
  return { saved, load: () => value, save: (ms) => { value = ms; saved.push(ms); } };
}

describe("EnvironmentClock", () => {
  it("reads the wall clock while no tick is ahead of it", () => {
    let wall = 1_000;
    const clock = new EnvironmentClock(memoryStore(), () => wall);
    expect(clock.now()).toBe(1_000);
    wall = 2_500;
    expect(clock.now()).toBe(2_500);
  });

  it("a tick ahead of the wall clock moves it forward; an earlier tick changes nothing", () => {
    const store = memoryStore();
    const clock = new EnvironmentClock(store, () => 1_000);
    expect(clock.advanceTo(60_000)).toBe(60_000);
    expect(clock.now()).toBe(60_000);
    expect(clock.advanceTo(30_000)).toBe(60_000);
    expect(store.saved).toEqual([60_000]);
  });

  it("never goes back when the wall clock does", () => {
    let wall = 10_000;
    const clock = new EnvironmentClock(memoryStore(), () => wall);
    expect(clock.now()).toBe(10_000);
    wall = 9_000;
    expect(clock.now()).toBe(10_000);
  });

  it("starts from the persisted high-water mark (a restarted object does not go back)", () => {
    const store = memoryStore();
    const first = new EnvironmentClock(store, () => 5_000);
    first.now();
    first.persist();
    expect(store.saved).toEqual([5_000]);
    const restarted = new EnvironmentClock(store, () => 4_000);
    expect(restarted.now()).toBe(5_000);
  });

  it("persist writes only when the mark moved", () => {
    const store = memoryStore(7_000);
    const clock = new EnvironmentClock(store, () => 1_000);
    clock.persist();
    clock.now();
    clock.persist();
    expect(store.saved).toEqual([]);
  });

  it("property: readings never decrease, whatever the wall clock and the ticks do", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("wall" as const), ms: fc.integer({ min: 0, max: 1e9 }) }),
      fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 1e9 }) }),
      fc.record({ kind: fc.constant("restart" as const), ms: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const store = memoryStore();
        let wall = 0;
        let clock = new EnvironmentClock(store, () => wall);
        let last = clock.now();
        for (const s of steps) {
          if (s.kind === "wall") wall = s.ms;
          else if (s.kind === "tick") clock.advanceTo(s.ms);
          else {
            clock.persist(); // every commit persists; a restart only ever follows a commit or a tick
            clock = new EnvironmentClock(store, () => wall);
          }
          const now = clock.now();
          expect(now).toBeGreaterThanOrEqual(last);
          expect(now).toBeGreaterThanOrEqual(wall);
          last = now;
        }
      }),
    );
  });
});
