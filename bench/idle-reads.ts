// Metered reads of connected, idle companies (issue 16, "Done when"): the product's real background sweeps over 30
// simulated days against the Intuit emulator, counting the CorePlus reads they spend, by the product's own meter
// (intuit_usage_daily) and by the emulator's (GET /__emulator/monthly-quota), which must agree.
//
// Three scenarios, each in its own process (bench/idle-reads-sim.ts) on its own freshly migrated PostgreSQL database
// with its own emulator process, all with the same companies and the same QuickBooks changes (a seeded schedule):
//
// - normal: --companies connected companies nobody uses (1,000; --quick 50), today's sweeps (lib/jobs/queue.ts
//   runTokenSweeps: heartbeat, renewal, revocations, webhooks, governor, usage alerts, catch-up, re-verify, retention,
//   sync runs) every 15 simulated minutes (every minute while a sweep has work left), and webhooks flowing: 30 % of
//   the companies get changes during the month, each recorded in the emulator and delivered by webhook.
// - outage: the same, with the app down for 6 hours on day 10: no sweep runs, and Intuit cannot deliver the webhooks
//   of the changes made meanwhile (--webhook-retries dropped, the default: lost, so only the catch-up can find them;
//   documented: Intuit's retry schedule, intuit.md §6). Every change made meanwhile must end up in quickbooks_changes,
//   and the extra reads are the outage run's less the normal run's.
// - legacy: the baseline, the schedule before issue 16 (hourly catch-up of every connection, daily Verify of every
//   connection: bench/legacy-schedule.ts) run the same way, on the first --baseline-companies of the same companies
//   (10; --quick 5). Its reads per company do not depend on how many companies there are (each is read on its own
//   clock), and at 750 a company a month, 1,000 companies would take this machine hours.
//
// Options: --companies 1000 --baseline-companies 10 --days 30 --step-minutes 15 --webhook-retries dropped|documented
//   --sequential (one scenario at a time; default: the three at once, each mostly waiting on PostgreSQL and the
//   emulator) --quick --results <file> --wait-idle <s>
// Env: BENCH_POSTGRES_URL (server, default postgres://postgres@127.0.0.1:5432). Databases qbc_bench_idle_<scenario>.
//   BENCH_SIM_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the scenarios' processes.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { logDir, migrateAndSeed, productionEnv, recreateDatabase, repoDir, startEmulatorProcess, stopProcess } from "../scripts/built-app";
import { COMMON_OPTIONS, commonSettings, finish, machineState, positiveInteger, watchdog } from "./harness";
import { line, type BenchLine } from "./lines";

const { values: args } = parseArgs({
  options: {
    ...COMMON_OPTIONS,
    companies: { type: "string" },
    "baseline-companies": { type: "string" },
    days: { type: "string", default: "30" },
    "step-minutes": { type: "string", default: "15" },
    "webhook-retries": { type: "string", default: "dropped" },
    sequential: { type: "boolean", default: false },
  },
});
const settings = commonSettings("idle-reads", args);
const COMPANIES = positiveInteger(args.companies ?? (settings.quick ? "50" : "1000"), "companies");
const BASELINE_COMPANIES = Math.min(COMPANIES, positiveInteger(args["baseline-companies"] ?? (settings.quick ? "5" : "10"), "baseline-companies"));
const DAYS = positiveInteger(args.days, "days");
const OUTAGE_HOURS = 6;
const OUTAGE_DAY = 10;
/** Target reads per idle company per 30 days (issue 16): a Builder-tier platform (500,000 a month) holds over 10,000. */
const TARGET_READS = 35;
const TARGET_EXTRA = 2;
const BENCHMARK = "idle reads";
watchdog(settings.quick ? 30 : 120);

/** The first instant of the first month of 31 days that starts at least a day from now: 30 days in one quota month. */
function simulationStart(): Date {
  const now = new Date();
  for (let month = now.getUTCMonth() + 1; ; month++) {
    const start = new Date(Date.UTC(now.getUTCFullYear(), month, 1));
    const days = (Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) - start.getTime()) / 86_400_000;
    if (days === 31 && start.getTime() - now.getTime() > 86_400_000) return start;
  }
}

type Scenario = "normal" | "outage" | "legacy";
interface SimResult {
  scenario: Scenario;
  companies: number;
  wallSeconds: number;
  reads: { coreplusProduction: number; perCompany: number; emulator: number; emulatorApiCalls: number };
  apiCallOutcomes: { operation: string; outcome: string; calls: number }[];
  connectionStates: { status: string; n: number }[];
  maxEmulatorClockSkewMs: number;
  changes: { made: number; missing: number; inOutageWindow: number; inOutageWindowBySource: Record<string, number>; missingExamples: unknown[] };
  [detail: string]: unknown;
}

const start = simulationStart();
console.log(
  `bench:idle-reads – ${COMPANIES.toLocaleString("en")} idle companies, ${DAYS} simulated days from ${start.toISOString().slice(0, 10)}; ` +
    `baseline (schedule before #16) on ${BASELINE_COMPANIES}; app down ${OUTAGE_HOURS} h on day ${OUTAGE_DAY}`,
);
const machine = await machineState(settings.waitIdleS);

async function runScenario(scenario: Scenario): Promise<SimResult> {
  const emulator = await startEmulatorProcess({ name: `idle-emulator-${scenario}` });
  try {
    const database = `qbc_bench_idle_${scenario}`;
    const databaseUrl = await recreateDatabase(database);
    // What is measured is reads, not commit latency: commits need not wait for the disk (a crash would lose the run anyway).
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`alter database ${database} set synchronous_commit = off`);
    await admin.end();
    const env = productionEnv({
      databaseUrl,
      appUrl: "http://127.0.0.1:3000",
      intuitUrl: emulator.url,
      // Production: Intuit meters production reads only (the sandbox is free), and so do the product's usage figures.
      extra: { INTUIT_ENVIRONMENT: "production", INTUIT_DISCOVERY_URL: `${emulator.url}/.well-known/openid_configuration`, QBC_BACKGROUND_JOBS: "off" },
    });
    await migrateAndSeed(env);
    const out = path.join(logDir, `idle-reads-${scenario}.json`);
    const argv = [
      "--import",
      "tsx",
      "--conditions=react-server",
      ...(process.env.BENCH_SIM_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
      path.join(import.meta.dirname, "idle-reads-sim.ts"),
      ...["--scenario", scenario, "--population", String(COMPANIES), "--companies", String(scenario === "legacy" ? BASELINE_COMPANIES : COMPANIES)],
      ...["--emulator-url", emulator.url, "--out", out, "--start", start.toISOString(), "--days", String(DAYS), "--step-minutes", args["step-minutes"]!],
      ...["--outage-start-hours", String((OUTAGE_DAY - 1) * 24 + 10), "--outage-hours", String(OUTAGE_HOURS), "--webhook-retries", args["webhook-retries"]!],
    ];
    const child = spawn(process.execPath, argv, { cwd: repoDir, env, stdio: ["ignore", "inherit", "inherit"] });
    // Never left behind: this process ending for any reason ends the scenario too.
    const stop = () => child.kill("SIGKILL");
    process.once("exit", stop);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    process.off("exit", stop);
    if (code !== 0) throw new Error(`the ${scenario} scenario failed (exit ${code})`);
    return JSON.parse(readFileSync(out, "utf8")) as SimResult;
  } finally {
    await stopProcess(emulator);
  }
}

const wallStarted = performance.now();
const scenarios: Scenario[] = ["normal", "outage", "legacy"];
const results = args.sequential
  ? await scenarios.reduce<Promise<SimResult[]>>(async (done, scenario) => [...(await done), await runScenario(scenario)], Promise.resolve([]))
  : await Promise.all(scenarios.map(runScenario));
const [normal, outage, legacy] = results as [SimResult, SimResult, SimResult];
const wallSeconds = (performance.now() - wallStarted) / 1000;

// ---------------------------------------------------------------------------------------------------------------
const problems: string[] = [];
for (const r of results) {
  if (r.reads.coreplusProduction !== r.reads.emulator) {
    problems.push(`${r.scenario}: the product metered ${r.reads.coreplusProduction} CorePlus reads, the emulator counted ${r.reads.emulator}`);
  }
  const failed = r.apiCallOutcomes.filter((o) => o.outcome !== "success");
  if (failed.length) problems.push(`${r.scenario}: failed API calls: ${failed.map((o) => `${o.operation} ${o.outcome} × ${o.calls}`).join(", ")}`);
  const notActive = r.connectionStates.filter((s) => s.status !== "active");
  if (notActive.length) problems.push(`${r.scenario}: connections no longer active: ${notActive.map((s) => `${s.n} ${s.status}`).join(", ")}`);
  if (r.maxEmulatorClockSkewMs > 5_000) problems.push(`${r.scenario}: the emulator's clock drifted ${r.maxEmulatorClockSkewMs} ms from the simulation's`);
  if (r.changes.missing > 0 && r.scenario !== "legacy") {
    problems.push(`${r.scenario}: ${r.changes.missing} of ${r.changes.made} changes made in QuickBooks are not in quickbooks_changes, e.g. ${JSON.stringify(r.changes.missingExamples[0])}`);
  }
}
const outageMissing = outage.changes.inOutageWindowBySource.missing ?? 0;
const extra = outage.reads.perCompany - normal.reads.perCompany;
const conditions = `${COMPANIES.toLocaleString("en")} companies, ${DAYS} days, webhooks flowing`;

const lines: BenchLine[] = [
  line({
    benchmark: BENCHMARK,
    metric: `CorePlus reads per connected, idle company per ${DAYS} days (${conditions})`,
    value: normal.reads.perCompany,
    unit: "count",
    baseline: { label: `schedule before #16 (hourly CDC, daily Verify), ${BASELINE_COMPANIES} companies`, value: legacy.reads.perCompany },
    target: { text: `≤ ${TARGET_READS} per company`, met: problems.length === 0 && normal.reads.perCompany <= TARGET_READS },
  }),
  line({
    benchmark: BENCHMARK,
    metric: `extra CorePlus reads per company, app down ${OUTAGE_HOURS} h on day ${OUTAGE_DAY} (webhooks meanwhile ${args["webhook-retries"] === "dropped" ? "lost" : "retried by Intuit"})`,
    value: extra,
    unit: "count",
    target: { text: `< ${TARGET_EXTRA} per company`, met: problems.length === 0 && extra < TARGET_EXTRA },
  }),
  line({
    benchmark: BENCHMARK,
    metric: `changes made during the outage missing from quickbooks_changes (of ${outage.changes.inOutageWindow})`,
    value: outageMissing,
    unit: "count",
    target: { text: "0", met: outageMissing === 0 },
  }),
];
if (outageMissing > 0) problems.push(`outage: ${outageMissing} of ${outage.changes.inOutageWindow} changes made while the app was down were not caught up`);

type Usage = { cause: string; operation: string; category: string; environment: string; calls: number }[];
const breakdown = Object.fromEntries(results.map((r) => [r.scenario, (r.usageByCauseAndOperation as Usage).map((u) => ({ ...u, perCompany: u.calls / r.companies }))]));
console.log(
  `\nCorePlus reads per company over ${DAYS} days: ${normal.reads.perCompany.toFixed(2)} now, ${legacy.reads.perCompany.toFixed(2)} on the schedule before #16 ` +
    `(${(normal.reads.perCompany / legacy.reads.perCompany).toFixed(3)}×, ${(legacy.reads.perCompany / normal.reads.perCompany).toFixed(1)} times fewer); ` +
    `with the app down ${OUTAGE_HOURS} h: ${outage.reads.perCompany.toFixed(2)} (+${extra.toFixed(2)}). Wall time ${Math.round(wallSeconds)} s.`,
);
for (const [scenario, rows] of Object.entries(breakdown)) {
  console.log(`  ${scenario}: ${rows.map((u) => `${u.cause}/${u.operation} ${u.category} ${u.environment}: ${u.calls} (${u.perCompany.toFixed(2)} a company)`).join("; ")}`);
}

finish({
  settings,
  lines,
  problems,
  details: {
    companies: COMPANIES,
    baselineCompanies: BASELINE_COMPANIES,
    days: DAYS,
    simulationStart: start.toISOString(),
    outage: { day: OUTAGE_DAY, hours: OUTAGE_HOURS, webhookRetries: args["webhook-retries"] },
    stepMinutes: Number(args["step-minutes"]),
    machine: { ...machine, cpu: os.cpus()[0]?.model, loadAtEnd: os.loadavg()[0] },
    wallSeconds,
    perCompany: { normal: normal.reads.perCompany, outage: outage.reads.perCompany, legacy: legacy.reads.perCompany, ratioToLegacy: normal.reads.perCompany / legacy.reads.perCompany },
    /** intuit_usage_daily summed by cause, operation, category and environment, per scenario. */
    breakdown,
    scenarios: { normal, outage, legacy },
  },
});
