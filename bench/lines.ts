// The one shape every benchmark reports in: each script writes bench/results-<name>.json holding its details and a
// `lines` array; `npm run bench` (bench/run.ts) gathers every line into one table and bench/results.json.
import { writeFileSync } from "node:fs";

export interface BenchLine {
  /** The benchmark, e.g. "webhook ingestion". */
  benchmark: string;
  /** What is measured, with its conditions, e.g. "signed deliveries/s, 100 senders". */
  metric: string;
  value: number;
  /** "/s", "ms", "MB", "kB", "s", "count" … */
  unit: string;
  /** Measured in the same run on the same machine, e.g. the empty Next.js route. */
  baseline?: { label: string; value: number };
  /** value ÷ baseline.value. */
  ratio?: number;
  /** The target and whether this run met it, e.g. { text: "≥ 0.8× empty route", met: true }. */
  target?: { text: string; met: boolean };
  note?: string;
}

export interface BenchResults {
  name: string;
  measuredAt: string;
  lines: BenchLine[];
  /** Correctness checks of the run (e.g. every event stored once); a benchmark whose checks fail has no figure. */
  ok: boolean;
  problems: string[];
  [detail: string]: unknown;
}

/** A line with its ratio computed from the baseline. */
export function line(l: Omit<BenchLine, "ratio">): BenchLine {
  return l.baseline && l.baseline.value ? { ...l, ratio: l.value / l.baseline.value } : l;
}

export function writeResults(file: string, results: Omit<BenchResults, "measuredAt">): void {
  writeFileSync(file, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...results }, null, 2)}\n`);
}

const number = (value: number) => (Math.abs(value) >= 100 ? Math.round(value).toLocaleString("en-US") : Number(value.toPrecision(3)).toLocaleString("en-US"));
export const formatValue = (value: number, unit: string) => (unit === "count" ? number(value) : unit.startsWith("/") ? `${number(value)}${unit}` : `${number(value)} ${unit}`);

/** A Markdown table: benchmark, metric, value, baseline, ratio, target. */
export function formatTable(lines: BenchLine[]): string {
  const header = ["benchmark", "metric", "value", "baseline (same run)", "ratio", "target"];
  const rows = lines.map((l) => [
    l.benchmark,
    l.metric,
    formatValue(l.value, l.unit),
    l.baseline ? `${formatValue(l.baseline.value, l.unit)} ${l.baseline.label}` : "",
    l.ratio === undefined ? "" : `${l.ratio.toFixed(2)}×`,
    l.target ? `${l.target.met ? "met" : "MISSED"}: ${l.target.text}` : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [row(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(row)].join("\n");
}
