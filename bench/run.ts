// npm run bench – every benchmark of the product, one after the other on the same machine, in one table.
// Builds the app once (if its build is older than its sources and a benchmark selected starts it), then runs each
// benchmark script in its own process
// (each starts the built app on its own PostgreSQL database, loads its data and drives load from a separate
// process), gathers their lines into one table on stdout and bench/results.json. Exit code 1 if a benchmark's
// correctness checks failed or it could not run; a missed target is reported in the table, not as a failure.
//
// Options: --only webhooks,status (a subset; the table keeps the others' latest results, dated) --quick (small sizes,
//   to check the benchmarks themselves run)
//   --wait-idle <s> (passed on: wait up to this long for an idle machine before each measured run)
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { appCommit, ensureBuilt, repoDir } from "../scripts/built-app";
import { formatTable, type BenchLine, type BenchResults } from "./lines";

interface Benchmark {
  name: string;
  script: string;
  what: string;
  /** Arguments for a --quick run: small sizes, same code paths. */
  quick: string[];
  /** False for a benchmark that runs the product's code in its own process rather than the built app. */
  usesBuild?: false;
}

const BENCHMARKS: Benchmark[] = [
  { name: "webhooks", script: "webhooks.ts", what: "webhook ingestion against an empty Next.js route and bare node:http", quick: ["--deliveries", "3000", "--warmup", "300"] },
  { name: "export", script: "export.ts", what: "CSV export of 1,000,000 log rows against psql", quick: ["--rows", "100000", "--runs", "1"] },
  { name: "status", script: "status.ts", what: "GET /api/quickbooks/status at 10,000 tenants and 1,000,000 log rows", quick: ["--quick"] },
  { name: "connect", script: "connect.ts", what: "200 connect → callback → verify round trips, 20 at a time", quick: ["--quick"] },
  { name: "renewal", script: "renewal.ts", what: "renewal sweep of 10,000 connections by two instances", quick: ["--quick"] },
  { name: "console-page", script: "console-page.ts", what: "console page first-load JavaScript and time to the sync indicator", quick: ["--quick"] },
  { name: "idle-reads", script: "idle-reads.ts", what: "metered reads of 1,000 connected, idle companies over 30 simulated days, against the schedule before #16", quick: ["--quick"], usesBuild: false },
];

const { values: args } = parseArgs({ options: { only: { type: "string" }, quick: { type: "boolean", default: false }, "wait-idle": { type: "string", default: "30" } } });
const only = args.only?.split(",").map((s) => s.trim());
const unknown = only?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(", ")}; known: ${BENCHMARKS.map((b) => b.name).join(", ")}`);
const selected = BENCHMARKS.filter((b) => !only || only.includes(b.name));

function runScript(benchmark: Benchmark, resultsFile: string): Promise<number | null> {
  const argv = ["--import", "tsx", "--conditions=react-server", path.join(import.meta.dirname, benchmark.script), "--results", resultsFile, "--wait-idle", args["wait-idle"]!];
  if (args.quick) argv.push(...benchmark.quick);
  const child = spawn(process.execPath, argv, { cwd: repoDir, stdio: "inherit", env: process.env });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

const started = Date.now();
console.log(`npm run bench: ${selected.map((b) => b.name).join(", ")}${args.quick ? " (quick sizes: the figures mean nothing)" : ""}`);
const build = selected.some((b) => b.usesBuild !== false) ? await ensureBuilt(repoDir) : "not needed (the benchmarks selected run the product's code in their own processes)";
console.log(`App build: ${build}\n`);

const sections: Array<{ name: string; what: string; exitCode: number | null; seconds: number; results: BenchResults | null }> = [];
for (const benchmark of selected) {
  const resultsFile = path.join(import.meta.dirname, `results-${benchmark.name}.json`);
  console.log(`\n=== ${benchmark.name}: ${benchmark.what}`);
  const t0 = Date.now();
  const before = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : null;
  const exitCode = await runScript(benchmark, resultsFile);
  // A results file left from an earlier run must not pass for this one's.
  const written = existsSync(resultsFile) && readFileSync(resultsFile, "utf8") !== before;
  const results = written ? (JSON.parse(readFileSync(resultsFile, "utf8")) as BenchResults) : null;
  sections.push({ name: benchmark.name, what: benchmark.what, exitCode, seconds: Math.round((Date.now() - t0) / 1000), results });
}

// With --only, the benchmarks not run now keep their latest results: the table stays whole, each section dated.
const kept = BENCHMARKS.filter((b) => !selected.includes(b))
  .map((b) => ({ benchmark: b, file: path.join(import.meta.dirname, `results-${b.name}.json`) }))
  .filter(({ file }) => existsSync(file))
  .map(({ benchmark, file }) => ({ name: benchmark.name, what: benchmark.what, results: JSON.parse(readFileSync(file, "utf8")) as BenchResults }));
const order = (name: string) => BENCHMARKS.findIndex((b) => b.name === name);
const shown = [...sections, ...kept].sort((a, b) => order(a.name) - order(b.name));
const lines: BenchLine[] = shown.flatMap((s) => s.results?.lines ?? []);
const problems = sections.flatMap((s) => {
  if (!s.results) return [`${s.name}: did not write its results (exit code ${s.exitCode})`];
  return [...s.results.problems.map((p) => `${s.name}: ${p}`), ...(s.exitCode !== 0 && s.results.problems.length === 0 ? [`${s.name}: exit code ${s.exitCode}`] : [])];
});
const missed = lines.filter((l) => l.target && !l.target.met);

console.log(`\n\nnpm run bench — ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.versions.node}, app ${appCommit(repoDir)}${args.quick ? ", QUICK SIZES" : ""}\n`);
console.log(formatTable(lines));
console.log("");
for (const s of sections) console.log(`${s.name}: ${s.seconds} s${s.results?.ok === false || s.exitCode !== 0 ? " — CHECKS FAILED" : ""}`);
for (const s of kept) console.log(`${s.name}: not run now, kept from ${s.results.measuredAt}${s.results.ok ? "" : " — its checks had FAILED"}`);
if (missed.length) console.log(`\nTargets missed: ${missed.map((l) => `${l.benchmark} (${l.metric}): ${l.target!.text}`).join("; ")}`);
if (problems.length) console.log(`\nCHECKS FAILED:\n  ${problems.join("\n  ")}`);
console.log(`\nTotal ${Math.round((Date.now() - started) / 1000)} s. Each benchmark's details: bench/results-<name>.json.`);

writeFileSync(
  path.join(import.meta.dirname, "results.json"),
  `${JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      quick: args.quick,
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.versions.node },
      app: { commit: appCommit(repoDir), build },
      lines,
      targetsMissed: missed.length,
      problems,
      sections: [
        ...sections.map((s) => ({ name: s.name, what: s.what, measuredAt: s.results?.measuredAt ?? null, seconds: s.seconds, exitCode: s.exitCode, ok: s.results?.ok ?? false })),
        ...kept.map((s) => ({ name: s.name, what: s.what, measuredAt: s.results.measuredAt, keptFromEarlierRun: true, ok: s.results.ok })),
      ].sort((a, b) => order(a.name) - order(b.name)),
    },
    null,
    2,
  )}\n`,
);
process.exit(problems.length ? 1 : 0);
