// Timing (mitata) and allocation (V8 GC profiler) of one evaluation function over rotating inputs.
import v8 from "node:v8";
import { do_not_optimize, measure } from "mitata";

if (typeof globalThis.gc !== "function") {
  throw new Error("run with --expose-gc (npm run bench does)");
}

/**
 * `() => fn(inputs[i++ % n])`, compiled per call site with `new Function` so each engine gets its
 * own type feedback (a shared wrapper would make the `fn(...)` call megamorphic for everyone).
 */
function rotating(fn, inputs) {
  return new Function(
    "fn",
    "inputs",
    "sink",
    `let i = 0; const n = inputs.length;
     return function rotate() { const x = inputs[i]; if (++i === n) i = 0; sink(fn(x)); };`,
  )(fn, inputs, do_not_optimize);
}

/** Per measurement (mitata's default is 642 ms); several interleaved rounds are taken instead. */
export const MIN_CPU_TIME_NS = 400e6;

/** mitata stats (ns) for `fn` over `inputs`, rotating one input per iteration. */
export async function time(fn, inputs) {
  const stats = await measure(rotating(fn, inputs), { gc: globalThis.gc, min_cpu_time: MIN_CPU_TIME_NS });
  return { avg: stats.avg, p50: stats.p50, p99: stats.p99, min: stats.min, samples: stats.samples.length, ticks: stats.ticks };
}

/**
 * Bytes allocated on the V8 heap per call: heap growth over `n` calls plus everything the
 * collections in between reclaimed (from v8.GCProfiler, which reports every GC synchronously).
 * Median of `repeats` runs, minus the same measurement of an empty function.
 */
export function allocation(fn, inputs, { n, repeats = 5 }) {
  const loop = new Function(
    "fn",
    "inputs",
    "sink",
    `return function run(count) { const len = inputs.length;
       for (let k = 0, i = 0; k < count; k++) { sink(fn(inputs[i])); if (++i === len) i = 0; } };`,
  )(fn, inputs, do_not_optimize);
  const empty = new Function("sink", "return function run(count) { for (let k = 0; k < count; k++) sink(k); };")(
    do_not_optimize,
  );
  const one = (run) => {
    const profiler = new v8.GCProfiler();
    globalThis.gc();
    profiler.start();
    const h0 = v8.getHeapStatistics().used_heap_size;
    run(n);
    const h1 = v8.getHeapStatistics().used_heap_size;
    const { statistics } = profiler.stop();
    let reclaimed = 0;
    for (const s of statistics) reclaimed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
    return (h1 - h0 + reclaimed) / n;
  };
  loop(Math.min(n, 10_000)); // warm (the timing run already optimized fn itself)
  empty(n);
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const measured = median(Array.from({ length: repeats }, () => one(loop)));
  const overhead = median(Array.from({ length: repeats }, () => one(empty)));
  return Math.max(0, measured - overhead);
}

/** Enough calls for ~`targetMs` of work, given an average time per call in ns. */
export function callsFor(avgNs, targetMs = 40) {
  return Math.max(200, Math.min(1_000_000, Math.round((targetMs * 1e6) / avgNs)));
}

/** The main thread's CPU time so far (ns). */
function threadCpuNs() {
  const u = process.threadCpuUsage();
  return (u.user + u.system) * 1000;
}

/**
 * How far the thread CPU clock moves at a time (ns): µs on most kernels, but some account thread
 * time per scheduler tick (~4 ms steps), which a 10 ms batch cannot resolve. The 90th percentile of
 * the steps seen while spinning for up to 200 ms.
 */
function cpuClockStepNs() {
  const steps = [];
  let last = threadCpuNs();
  const until = performance.now() + 200;
  while (steps.length < 40 && performance.now() < until) {
    const t = threadCpuNs();
    if (t !== last) {
      steps.push(t - last);
      last = t;
    }
  }
  if (steps.length === 0) return 4e6;
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length * 0.9)] ?? steps[steps.length - 1];
}

/** Measured once per run; batches are made at least 25 steps long, so a step is ≤ 4 % of one (and the median of ≥ 12 batches counts). */
export const CPU_CLOCK_STEP_NS = cpuClockStepNs();

/**
 * CPU time (ns) per call of `fn` over rotating `inputs`: the main thread's own CPU time
 * (`process.threadCpuUsage`) over batches of ~`batchMs` each (10 ms, or 25 clock steps when the
 * clock is coarse: CPU_CLOCK_STEP_NS), for ~`totalMs` in all;
 * the median batch. Time the process spends preempted does not count, so on shared cores it is
 * steadier than wall time. Garbage collection on the main thread counts; collector work on helper
 * threads does not (which can only flatter the allocating engines).
 */
export function cpuTime(fn, inputs, { batchMs = Math.max(10, (25 * CPU_CLOCK_STEP_NS) / 1e6), totalMs = Math.max(300, 12 * batchMs) } = {}) {
  const loop = new Function(
    "fn",
    "inputs",
    "sink",
    `return function run(count, start) { const len = inputs.length; let i = start;
       for (let k = 0; k < count; k++) { sink(fn(inputs[i])); if (++i === len) i = 0; } return i; }`,
  )(fn, inputs, do_not_optimize);
  const now = threadCpuNs;
  // Calibrate the batch size on the warmed-up loop.
  let i = loop(2000, 0);
  let count = 1000;
  for (;;) {
    const t0 = now();
    i = loop(count, i);
    const dt = now() - t0;
    if (dt >= batchMs * 1e6 * 0.5) {
      count = Math.max(1, Math.round((count * batchMs * 1e6) / dt));
      break;
    }
    count *= 4;
  }
  const perCall = [];
  const end = now() + totalMs * 1e6;
  while (perCall.length < 5 || now() < end) {
    const t0 = now();
    i = loop(count, i);
    perCall.push((now() - t0) / count);
  }
  perCall.sort((a, b) => a - b);
  return { median: perCall[perCall.length >> 1], min: perCall[0], batches: perCall.length, count };
}
