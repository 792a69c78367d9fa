/**
 * The environment clock line of the Schedules page: every `at` is read on the environment's clock,
 * which runs ahead of the browser's after a cron tick with a later time (docs/architecture.md
 * "One clock per environment"). It ticks on its own each second, so the table does not re-render.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { environmentNow, minutesAhead } from "../schedule-model.js";

/** One reading of the environment clock and the browser time it was taken at. */
export interface ClockReading {
  clock: number;
  readAt: number;
}

export function EnvironmentClock(props: { reading: ClockReading | null }): JSX.Element {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const { reading } = props;
  if (reading === null) return <p class="schedule-clock">Times are read on the environment's clock.</p>;
  const envNow = new Date(environmentNow(reading.clock, reading.readAt, now));
  const ahead = minutesAhead(reading.clock, reading.readAt);
  return (
    <p class="schedule-clock">
      Times are read on the environment's clock: it is <time dateTime={envNow.toISOString()}>{envNow.toLocaleString()}</time> there
      {ahead > 0 ? `, ${ahead} min ahead of this browser` : ""}.
    </p>
  );
}
