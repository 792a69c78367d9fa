// Part 4 (push) helper: memory and CPU of the dev server's processes, read from /proc (Linux), so
// the idle cost of open connections can be measured without instrumenting workerd.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_S = 100; // USER_HZ on Linux

/** Processes of process group `pgid`: { pid, comm, rssBytes, cpuMs } (user + system time). */
export function groupProcesses(pgid) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out; // no /proc: not Linux
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // comm is in parentheses and may contain spaces: split after the last ')'.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      // fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
      if (Number(fields[2]) !== pgid) continue;
      const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
      out.push({ pid: Number(pid), comm, rssBytes: rssKb * 1024, cpuMs });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Sums per command name (workerd, node, …) over the group. */
export function groupTotals(pgid) {
  const totals = {};
  for (const p of groupProcesses(pgid)) {
    const t = (totals[p.comm] ??= { count: 0, rssBytes: 0, cpuMs: 0 });
    t.count++;
    t.rssBytes += p.rssBytes;
    t.cpuMs += p.cpuMs;
  }
  return totals;
}
