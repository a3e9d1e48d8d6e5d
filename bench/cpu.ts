// Where the machine's CPU went during a run (Linux /proc): the server under test, PostgreSQL, and everything else
// (the load generator reports its own). On a shared machine "other" shows how far a figure can be trusted.
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every common build). */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  at: number;
  /** Busy and total ticks of all cores (/proc/stat). */
  busy: number;
  total: number;
  /** Ticks per process: pid → { pgrp, comm, ticks }. */
  processes: Map<number, { pgrp: number; comm: string; ticks: number }>;
}

export function cpuSnapshot(): CpuSnapshot | null {
  try {
    const [line] = readFileSync("/proc/stat", "utf8").split("\n");
    const fields = line!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((s, v) => s + v, 0);
    const processes: CpuSnapshot["processes"] = new Map();
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const close = stat.lastIndexOf(")");
        const rest = stat.slice(close + 2).split(" ");
        processes.set(Number(name), { comm: stat.slice(stat.indexOf("(") + 1, close), pgrp: Number(rest[2]), ticks: Number(rest[11]) + Number(rest[12]) });
      } catch {
        // the process ended meanwhile
      }
    }
    return { at: Date.now(), busy: total - idle, total, processes };
  } catch {
    return null; // not Linux
  }
}

export interface CpuShare {
  /** Percent of ONE core, averaged over the run (200 = both cores of a 2-core machine). */
  machineBusy: number;
  server: number;
  postgres: number;
  other: number;
  cores: number;
}

/** CPU used between two snapshots, in percent of one core. `loadGenerator` (percent) is taken out of "other". */
export function cpuShare(before: CpuSnapshot | null, after: CpuSnapshot | null, serverGroup: number, loadGenerator = 0): CpuShare | null {
  if (!before || !after) return null;
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return null;
  const cores = os.cpus().length;
  const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100);
  const totalTicks = after.total - before.total;
  const machineBusy = totalTicks > 0 ? Math.round(((after.busy - before.busy) / totalTicks) * cores * 100) : 0;
  let server = 0;
  let postgres = 0;
  for (const [pid, p] of after.processes) {
    const delta = p.ticks - (before.processes.get(pid)?.ticks ?? 0);
    if (p.pgrp === serverGroup) server += delta;
    else if (p.comm === "postgres") postgres += delta;
  }
  const s = pct(server);
  const pg = pct(postgres);
  return { machineBusy, server: s, postgres: pg, other: Math.max(0, machineBusy - s - pg - Math.round(loadGenerator)), cores };
}
