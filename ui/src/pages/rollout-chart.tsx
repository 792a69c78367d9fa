/**
 * One guard's chart (uPlot): per minute the observed rate and its Wilson lower bound against the
 * threshold line (%, left axis) and the requests (right axis), with the verdict strip and streak
 * below. The container is role="img" named after the guard, for screen readers and tests.
 */
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "../rollout.css";
import { chartColumns, latestStreak, verdictStrip } from "../rollout-model.js";
import type { GuardSeries } from "../rollout-types.js";

const WIDTH = 900;
const HEIGHT = 220;

function options(series: GuardSeries, width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: true }, "%": { auto: true }, req: { auto: true } },
    series: [
      {},
      { label: "rate %", scale: "%", stroke: "#cf222e", width: 2, spanGaps: false },
      { label: "lower bound %", scale: "%", stroke: "#9a6700", width: 2, dash: [4, 3] },
      { label: `threshold ${(series.threshold * 100).toFixed(2)} %`, scale: "%", stroke: "#57606a", width: 1, dash: [8, 4], points: { show: false } },
      { label: "requests/min", scale: "req", stroke: "#0b5fd3", width: 1, fill: "rgba(11, 95, 211, 0.08)" },
    ],
    axes: [
      { stroke: "#8b949e", grid: { stroke: "rgba(128,128,128,0.15)" } },
      { scale: "%", label: "%", stroke: "#8b949e", grid: { stroke: "rgba(128,128,128,0.15)" } },
      { scale: "req", side: 1, label: "requests", stroke: "#8b949e", grid: { show: false } },
    ],
  };
}

export function GuardChart(props: { series: GuardSeries }): JSX.Element {
  const { series } = props;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data = chartColumns(series) as uPlot.AlignedData;
    if (plot.current === null) {
      plot.current = new uPlot(options(series, Math.min(WIDTH, el.clientWidth || WIDTH)), data, el);
    } else plot.current.setData(data);
  }, [series]);

  useEffect(() => () => plot.current?.destroy(), []);

  const strip = verdictStrip(series);
  const now = latestStreak(series);
  const what = series.name === "errorRate" ? "errors" : `requests slower than ${series.thresholdMs ?? "?"} ms`;
  return (
    <figure class="guard-chart">
      <figcaption>
        <strong>{series.name}</strong>: {what}, threshold {(series.threshold * 100).toFixed(2)} %, at least {series.minSamples} requests a minute —
        streak {now.streak}, {now.status}
      </figcaption>
      <div role="img" aria-label={`${series.name}: rate, lower bound and threshold per minute`} ref={host} class="chart" />
      <ol class="verdict-strip" aria-label={`${series.name} verdicts per minute`}>
        {strip.map((s) => (
          <li key={s.from} class={`verdict v-${s.verdict.toLowerCase()}`} title={`${s.from}: ${s.minutes} min ${s.verdict}, streak ${s.streak}`}>
            {s.verdict} ×{s.minutes}
            {s.verdict === "BREACH" ? ` (streak ${s.streak})` : ""}
          </li>
        ))}
      </ol>
    </figure>
  );
}
