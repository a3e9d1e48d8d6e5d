// npm run bench:webhooks – load test of Intuit webhook ingestion (issue 5): 20,000 signed deliveries, a tenth of them
// byte-identical repeats, from 100 concurrent keep-alive senders, against the BUILT app (`next start`) on
// PostgreSQL, then the same load against a bare node:http server doing the same HMAC check and insert
// (bench/baseline-server.ts), in the same run. Checks that every distinct event is stored exactly once, none is lost
// and no request fails; prints one table and writes bench/results-webhooks.json. Exit code 1 if a check fails.
//
// Options (all optional): --deliveries 20000 --concurrency 100 --duplicates 0.1 --entities 5 (events per delivery) --warmup 2000
//   --no-ceiling (skip the framework ceiling: the same deliveries to an empty POST route of an empty Next.js app)
//   --wait-idle 90 (before each measured run, wait up to this many seconds for the machine to be idle: < 30% of a core)
//   --build (run `next build` even if .next exists)   --app-dir <dir> (a built copy of the app; default: this repo)
//   --results <file> (default bench/results-webhooks.json)
// Env: BENCH_POSTGRES_URL (server to use, default postgres://postgres@127.0.0.1:5432), BENCH_DATABASE (qbc_bench),
//   BENCH_APP_NODE_ARGS (node flags for `next start` only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { appCommit, ensureBuilt, freePort, keepLogsOnExit, migrateAndSeed, minimalEnv, productionEnv, recreateDatabase, startBuiltApp, stopProcess, launch, waitForHttp, type Launched } from "../scripts/built-app";
import { generateDeliveries, type DeliverySet } from "./deliveries";
import { machineState, runLoad, startEmptyApp } from "./harness";
import { line, writeResults, type BenchLine } from "./lines";
import type { LoadConfig, LoadResult } from "./load";

const benchDir = import.meta.dirname;
const repoDir = path.resolve(benchDir, "..");
const { values: args } = parseArgs({
  options: {
    deliveries: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "100" },
    duplicates: { type: "string", default: "0.1" },
    entities: { type: "string", default: "5" },
    warmup: { type: "string", default: "2000" },
    "wait-idle": { type: "string", default: "90" },
    "no-ceiling": { type: "boolean", default: false },
    build: { type: "boolean", default: false },
    "app-dir": { type: "string" },
    results: { type: "string" },
  },
});
const DELIVERIES = Number(args.deliveries);
const CONCURRENCY = Number(args.concurrency);
const DUPLICATE_RATIO = Number(args.duplicates);
const ENTITIES = Number(args.entities);
const WARMUP = Number(args.warmup);
const WAIT_IDLE_S = Number(args["wait-idle"]);
const WATCHDOG_MS = 15 * 60_000 + 3 * WAIT_IDLE_S * 1000;
const APP_DIR = path.resolve(args["app-dir"] ?? repoDir);
const RESULTS_FILE = path.resolve(args.results ?? path.join(benchDir, "results-webhooks.json"));
const REALM_ID = "9341452000000001";
const UNKNOWN_REALM_ID = "9341452999999999";
const VERIFIER_TOKEN = "bench-webhook-verifier-token-0123456789";
const SERVER_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";
const DATABASE = process.env.BENCH_DATABASE ?? "qbc_bench";
if (![DELIVERIES, CONCURRENCY, ENTITIES].every((v) => Number.isInteger(v) && v > 0) || !(DUPLICATE_RATIO >= 0 && DUPLICATE_RATIO < 1) || !(WARMUP >= 0)) {
  throw new Error("bad option: --deliveries, --concurrency, --entities must be positive integers, --duplicates in [0, 1)");
}
if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE)) throw new Error("BENCH_DATABASE must be a plain identifier");

setTimeout(() => {
  console.error(`bench: gave up after ${Math.round(WATCHDOG_MS / 60_000)} minutes`);
  process.exit(1);
}, WATCHDOG_MS).unref();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
const tmp = mkdtempSync(path.join(os.tmpdir(), "qbc-bench-webhooks-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------------
// The database: recreated, migrated and seeded by the app's own scripts, the Acme tenant connected to REALM_ID.
async function prepareDatabase(appEnv: NodeJS.ProcessEnv): Promise<{ serverVersion: string }> {
  await recreateDatabase(DATABASE, SERVER_URL);
  await migrateAndSeed(appEnv, { appDir: APP_DIR });
  const sql = postgres(appEnv.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const [{ server_version: serverVersion }] = (await sql`show server_version`) as unknown as [{ server_version: string }];
  const connected = await sql`
    insert into quickbooks_connections (tenant_id, environment, status, realm_id, company_name, callback_at, verified_at, connected_at)
    select id, 'sandbox', 'active', ${REALM_ID}, 'Acme Field Services (bench)', now(), now(), now() from tenants where slug = 'acme'
    on conflict (tenant_id, environment) do update set status = 'active', realm_id = excluded.realm_id
    returning tenant_id`;
  await sql.end();
  if (connected.length !== 1) throw new Error("the seed has no 'acme' tenant to connect");
  return { serverVersion };
}

async function truncateWebhookTables(sql: postgres.Sql) {
  await sql`truncate webhook_events, webhook_deliveries, quickbooks_changes restart identity`;
  await sql`update quickbooks_connections set last_change_seen_at = null where realm_id = ${REALM_ID}`;
}

/** One load run from its own process (bench/load.ts), with the server's process group for the CPU account. */
const load = (config: Omit<LoadConfig, "outFile" | "timeoutMs" | "concurrency">, server: Launched): Promise<LoadResult> =>
  runLoad({ ...config, concurrency: CONCURRENCY, serverGroup: server.pid, timeoutMs: 30_000 });

// ---------------------------------------------------------------------------------------------------------------
// Checks after a run.
interface Verification {
  expectedDistinct: number;
  storedRows: number;
  storedDistinct: number;
  missing: number;
  unexpected: number;
  /** Stored rows whose tenant is not Acme's (the realm → tenant mapping). */
  wrongTenant: number;
  statuses: Record<string, number>;
  deliveryRows?: { accepted: number; other: number; newEventSum: number };
  changes?: number;
  settleMs?: number;
  ok: boolean;
  problems: string[];
  notes: string[];
}

async function verify(sql: postgres.Sql, set: DeliverySet, result: LoadResult, app: boolean, settleMs?: number): Promise<Verification> {
  // Only deliveries answered 200 must be stored; a failed one is already a failure of the run.
  const expected = new Set<string>();
  set.keysOf.forEach((keys, i) => {
    if (result.succeededMask[i] === "1") for (const k of keys) expected.add(k);
  });
  const rows = await sql<Array<{ event_key: string; tenant_id: string | null; status: string }>>`select event_key, tenant_id, status from webhook_events`;
  const [acme] = await sql<Array<{ id: string }>>`select id from tenants where slug = 'acme'`;
  const stored = new Set(rows.map((r) => r.event_key));
  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const v: Verification = {
    expectedDistinct: expected.size,
    storedRows: rows.length,
    storedDistinct: stored.size,
    missing: [...expected].filter((k) => !stored.has(k)).length,
    unexpected: [...stored].filter((k) => !set.distinctKeys.has(k)).length,
    wrongTenant: rows.filter((r) => r.tenant_id !== acme?.id).length,
    statuses,
    settleMs,
    ok: true,
    problems: [],
    notes: [],
  };
  if (app) {
    const [d] = await sql<Array<{ accepted: number; other: number; new_sum: number }>>`
      select count(*) filter (where status = 'accepted')::int as accepted, count(*) filter (where status <> 'accepted')::int as other,
             coalesce(sum(new_event_count), 0)::int as new_sum
      from webhook_deliveries`;
    v.deliveryRows = { accepted: d!.accepted, other: d!.other, newEventSum: d!.new_sum };
    const [c] = await sql<Array<{ n: number }>>`select count(*)::int as n from quickbooks_changes`;
    v.changes = c!.n;
  }
  const problem = (text: string) => v.problems.push(text);
  if (result.failed) problem(`${result.failed} requests failed (${JSON.stringify({ ...result.statuses, ...result.errors })})`);
  if (v.missing) problem(`${v.missing} events answered 200 but not stored (lost)`);
  if (v.unexpected) problem(`${v.unexpected} stored events were never sent`);
  if (v.storedRows !== v.storedDistinct) problem(`${v.storedRows - v.storedDistinct} events stored twice`);
  if (v.storedDistinct !== set.distinctKeys.size) problem(`stored ${v.storedDistinct} distinct events, sent ${set.distinctKeys.size}`);
  if (v.wrongTenant) problem(`${v.wrongTenant} events not mapped to the Acme tenant`);
  if (result.answered.stored !== v.storedRows) problem(`answers report ${result.answered.stored} stored events, the table holds ${v.storedRows}`);
  if (v.deliveryRows) {
    if (v.deliveryRows.accepted !== result.succeeded) problem(`${v.deliveryRows.accepted} accepted delivery rows for ${result.succeeded} answered deliveries`);
    if (v.deliveryRows.newEventSum !== v.storedRows) problem(`delivery rows count ${v.deliveryRows.newEventSum} new events, the table holds ${v.storedRows}`);
    if ((v.changes ?? 0) < (statuses.processed ?? 0)) problem(`${v.changes} quickbooks_changes rows for ${statuses.processed} processed events`);
    if ((statuses.pending ?? 0) > 0) {
      // Not a failure of ingestion (the events are stored, once): a finding about processing, reported beside it.
      const [p] = await sql<Array<{ leased: number; retrying: number; untouched: number; error: string | null }>>`
        select count(*) filter (where attempts > 0 and last_error is null)::int as leased,
               count(*) filter (where last_error is not null)::int as retrying,
               count(*) filter (where attempts = 0)::int as untouched, max(last_error) as error
        from webhook_events where status = 'pending'`;
      v.notes.push(
        `${statuses.pending} events still pending once processing stopped making progress: ${p!.untouched} never claimed, ` +
          `${p!.leased} claimed but not finished, ${p!.retrying} failed and waiting for a retry${p!.error ? ` (${p!.error})` : ""}`,
      );
    }
  }
  v.ok = v.problems.length === 0;
  return v;
}

/** Waits (up to --wait-idle seconds) for an idle machine; returns how busy it was (percent of one core). */
const waitForQuietMachine = async () => (await machineState(WAIT_IDLE_S)).busyBeforePct;

/**
 * Waits until the app's processing after the answers has no pending event left, or has made no progress (no event
 * finished, no change recorded) for 8 s. Returns how long it waited.
 */
async function waitForProcessing(sql: postgres.Sql): Promise<number> {
  const started = Date.now();
  let last = "";
  let lastChange = Date.now();
  for (;;) {
    const [row] = await sql<Array<{ pending: number; done: number; changes: number }>>`
      select count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status <> 'pending')::int as done,
             (select count(*) from quickbooks_changes)::int as changes
      from webhook_events`;
    if (row!.pending === 0) return Date.now() - started;
    const progress = `${row!.done}/${row!.changes}`;
    if (progress !== last) {
      last = progress;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > 8_000 || Date.now() - started > 120_000) return lastChange - started;
    await new Promise((r) => setTimeout(r, 250));
  }
}

// ---------------------------------------------------------------------------------------------------------------
interface Run {
  label: string;
  /** Percent of one core the machine used just before the run (other work). */
  busyBefore: number | null;
  load: LoadResult;
  verification?: Verification;
}

async function main() {
  const now = new Date();
  const build = await ensureBuilt(APP_DIR, { force: args.build });

  const [appPort, intuitPort] = [await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${appPort}`;
  // Nothing here calls Intuit; its URLs point at a closed local port so that nothing could leave the machine.
  const appEnv = productionEnv({
    databaseUrl: `${SERVER_URL}/${DATABASE}`,
    appUrl,
    intuitUrl: `http://127.0.0.1:${intuitPort}`,
    webhookVerifierToken: VERIFIER_TOKEN,
    // No pg-boss sweeps: processing after the answer still runs in-process (`after()`).
    extra: { QBC_BACKGROUND_JOBS: "off" },
  });

  console.log(`Generating ${DELIVERIES} deliveries ...`);
  const common = { realmId: REALM_ID, verifierToken: VERIFIER_TOKEN, entitiesPerDelivery: ENTITIES, now };
  const set = generateDeliveries({ ...common, count: DELIVERIES, duplicateRatio: DUPLICATE_RATIO, seed: 20260505, idPrefix: "" });
  // The warm-up's deliveries name a realm nobody holds: stored as "ignored", nothing to process, then truncated.
  const warm = generateDeliveries({ ...common, count: WARMUP, duplicateRatio: DUPLICATE_RATIO, seed: 7, idPrefix: "w", realmId: UNKNOWN_REALM_ID });
  const deliveriesFile = path.join(tmp, "deliveries.json");
  const warmupFile = path.join(tmp, "warmup.json");
  writeFileSync(deliveriesFile, JSON.stringify(set.deliveries));
  writeFileSync(warmupFile, JSON.stringify(warm.deliveries));

  console.log(`Recreating database ${DATABASE}, migrating and seeding ...`);
  const { serverVersion } = await prepareDatabase(appEnv);
  const sql = postgres(appEnv.DATABASE_URL!, { max: 2, onnotice: () => {} });
  const runs: Run[] = [];
  const webhookUrl = (base: string) => `${base}/api/quickbooks/webhooks`;
  let emptyBuild: string | null = null;

  try {
    // 1. The built app.
    console.log(`Starting the app (next start on ${appUrl}) ...`);
    const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const app = await startBuiltApp({ appDir: APP_DIR, port: appPort, env: appEnv, nodeArgs });
    if (WARMUP) await load({ url: webhookUrl(appUrl), method: "POST", requestsFile: warmupFile, expectStatus: 200 }, app);
    await truncateWebhookTables(sql);
    console.log(`App: ${DELIVERIES} deliveries, ${CONCURRENCY} senders ...`);
    const appBusy = await waitForQuietMachine();
    const appLoad = await load({ url: webhookUrl(appUrl), method: "POST", requestsFile: deliveriesFile, expectStatus: 200 }, app);
    const settleMs = await waitForProcessing(sql);
    runs.push({ label: APP_LABEL, busyBefore: appBusy, load: appLoad, verification: await verify(sql, set, appLoad, true, settleMs) });
    const appErrors = readFileSync(app.log, "utf8")
      .split("\n")
      .filter((l) => /error|unhandled|failed/i.test(l));
    if (appErrors.length) console.warn(`app log: ${appErrors.length} error lines, e.g.\n  ${appErrors.slice(0, 5).join("\n  ")}`);
    await stopProcess(app);

    // 2. The framework's ceiling: the same signed deliveries to an empty POST handler of an empty Next.js app.
    if (!args["no-ceiling"]) {
      const empty = await startEmptyApp();
      emptyBuild = empty.build;
      const emptyUrl = `${empty.url}/api/empty`;
      if (WARMUP) await load({ url: emptyUrl, method: "POST", requestsFile: warmupFile, expectStatus: 200 }, empty);
      console.log(`Empty Next.js POST route: ${DELIVERIES} deliveries, ${CONCURRENCY} senders ...`);
      const busyBefore = await waitForQuietMachine();
      runs.push({ label: EMPTY_LABEL, busyBefore, load: await load({ url: emptyUrl, method: "POST", requestsFile: deliveriesFile, expectStatus: 200 }, empty) });
      await stopProcess(empty);
    }

    // 3. The bare node:http baseline, same database after truncating, same deliveries.
    await truncateWebhookTables(sql);
    console.log("Starting the bare node:http baseline ...");
    const baselinePort = await freePort();
    const baseline = launch("baseline", process.execPath, ["--import", "tsx", path.join(benchDir, "baseline-server.ts")], {
      env: { ...minimalEnv(), DATABASE_URL: appEnv.DATABASE_URL, INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER_TOKEN, PORT: String(baselinePort) },
    });
    const baselineUrl = `http://127.0.0.1:${baselinePort}`;
    await waitForHttp(baselineUrl, baseline);
    if (WARMUP) await load({ url: webhookUrl(baselineUrl), method: "POST", requestsFile: warmupFile, expectStatus: 200 }, baseline);
    await truncateWebhookTables(sql);
    console.log(`Baseline: ${DELIVERIES} deliveries, ${CONCURRENCY} senders ...`);
    const baseBusy = await waitForQuietMachine();
    const baseLoad = await load({ url: webhookUrl(baselineUrl), method: "POST", requestsFile: deliveriesFile, expectStatus: 200 }, baseline);
    runs.push({ label: BARE_LABEL, busyBefore: baseBusy, load: baseLoad, verification: await verify(sql, set, baseLoad, false) });
    await stopProcess(baseline);
  } finally {
    await sql.end({ timeout: 2 });
  }

  report(runs, { build, emptyBuild, serverVersion, set });
}

const APP_LABEL = "Next.js app, POST /api/quickbooks/webhooks";
const EMPTY_LABEL = "empty Next.js POST route (reads the body)";
const BARE_LABEL = "bare node:http, HMAC + 1 INSERT";
const TARGET_RATIO = 0.8;

/** The lines of `npm run bench`: the app against the empty Next.js route (the target) and the bare node:http floor. */
function benchLines(runs: Run[], problems: string[]): BenchLine[] {
  const app = runs.find((r) => r.label === APP_LABEL)!;
  const empty = runs.find((r) => r.label === EMPTY_LABEL);
  const bare = runs.find((r) => r.label === BARE_LABEL);
  const benchmark = "webhook ingestion";
  const metric = `signed deliveries/s, ${CONCURRENCY} senders, ${ENTITIES} events each`;
  const lines: BenchLine[] = [];
  if (empty) {
    const ratio = app.load.perSecond / empty.load.perSecond;
    const met = ratio >= TARGET_RATIO && problems.length === 0;
    lines.push(line({ benchmark, metric, value: app.load.perSecond, unit: "/s", baseline: { label: "empty Next.js POST route", value: empty.load.perSecond }, target: { text: `≥ ${TARGET_RATIO}× empty route, every event stored once`, met } }));
    lines.push(line({ benchmark, metric: "p50 latency", value: app.load.latencyMs.p50, unit: "ms", baseline: { label: "empty route", value: empty.load.latencyMs.p50 } }));
    lines.push(line({ benchmark, metric: "p99 latency", value: app.load.latencyMs.p99, unit: "ms", baseline: { label: "empty route", value: empty.load.latencyMs.p99 } }));
  }
  if (bare) lines.push(line({ benchmark, metric, value: app.load.perSecond, unit: "/s", baseline: { label: "bare node:http, HMAC + insert", value: bare.load.perSecond } }));
  return lines;
}

function report(runs: Run[], context: { build: string; emptyBuild: string | null; serverVersion: string; set: DeliverySet }) {
  const { set } = context;
  const app = runs.find((r) => r.label === APP_LABEL);
  const base = runs.find((r) => r.label === BARE_LABEL);
  const fmt = (n: number) => n.toLocaleString("en-US");
  const stored = (v?: Verification) => (v ? `${fmt(v.storedDistinct)}/${fmt(set.distinctKeys.size)}${v.storedRows !== v.storedDistinct ? ` (${fmt(v.storedRows)} rows)` : ""}` : "n/a");
  // Server CPU per request (ms): steadier than throughput when other work shares the machine.
  const cpuPerRequest = (r: Run) => (r.load.cpu && r.load.perSecond ? (r.load.cpu.server * 10) / r.load.perSecond : null);
  const rows = runs.map((r) => [
    r.label,
    fmt(r.load.perSecond),
    `${r.load.latencyMs.p50} ms`,
    `${r.load.latencyMs.p99} ms`,
    `${fmt(r.load.failed)}`,
    stored(r.verification),
    cpuPerRequest(r) === null ? "n/a" : `${cpuPerRequest(r)!.toFixed(2)} ms`,
  ]);
  const header = ["server", "deliveries/s", "p50", "p99", "failures", "stored/expected", "server CPU/req"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;

  console.log("");
  console.log(
    `Webhook ingestion: ${fmt(DELIVERIES)} signed legacy deliveries (${fmt(set.distinctDeliveries)} distinct + ${fmt(set.duplicates)} byte-identical repeats), ` +
      `${ENTITIES} event${ENTITIES === 1 ? "" : "s"} each, ${set.averageBodyBytes} B on average, ${CONCURRENCY} keep-alive senders in a separate process; ` +
      `${os.cpus().length} cores, Node ${process.versions.node}, PostgreSQL ${context.serverVersion}; app at ${appCommit(APP_DIR)}`,
  );
  console.log(row(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) console.log(row(r));
  const av = app?.verification;
  if (av) {
    console.log(
      `App: ${fmt(av.deliveryRows?.accepted ?? 0)} delivery rows, ${fmt(av.statuses.processed ?? 0)} events processed after the answer ` +
        `(${fmt(av.changes ?? 0)} changes recorded), ${fmt(av.statuses.pending ?? 0)} pending, ${fmt(av.statuses.dead ?? 0)} dead; ` +
        `processing last progressed ${((av.settleMs ?? 0) / 1000).toFixed(1)} s after the last answer.`,
    );
  }
  for (const r of runs) {
    const c = r.load.cpu;
    if (c) {
      console.log(
        `CPU during "${r.label}" (% of one core, ${c.cores} cores): server ${c.server}, PostgreSQL ${c.postgres}, ` +
          `load generator ${r.load.loadGeneratorCpu}, other processes ${c.other} (${r.busyBefore ?? "?"} just before); machine ${c.machineBusy} of ${c.cores * 100}.`,
      );
    }
  }
  for (const note of runs.flatMap((r) => (r.verification?.notes ?? []).map((n) => `${r.label}: ${n}`))) console.log(`Note: ${note}`);
  const problems = runs.flatMap((r) => (r.verification?.problems ?? (r.load.failed ? [`${r.load.failed} requests failed`] : [])).map((p) => `${r.label}: ${p}`));
  console.log(problems.length ? `CHECKS FAILED:\n  ${problems.join("\n  ")}` : "Checks: every distinct event stored exactly once, none lost, no request failed.");
  if (problems.length) console.log(`Logs of the servers and load runs kept in ${keepLogsOnExit()}`);

  writeResults(RESULTS_FILE, {
    name: "webhooks",
    lines: app ? benchLines(runs, problems) : [],
    ok: problems.length === 0,
    problems,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.versions.node, postgres: context.serverVersion },
    app: { dir: APP_DIR, commit: appCommit(APP_DIR), build: context.build, emptyAppBuild: context.emptyBuild },
    load: {
      deliveries: DELIVERIES,
      distinctDeliveries: set.distinctDeliveries,
      duplicates: set.duplicates,
      distinctEvents: set.distinctKeys.size,
      entitiesPerDelivery: ENTITIES,
      averageBodyBytes: set.averageBodyBytes,
      concurrency: CONCURRENCY,
      warmup: WARMUP,
    },
    runs: runs.map((r) => ({
      label: r.label,
      machineBusyBeforePercent: r.busyBefore,
      ...r.load,
      succeededMask: undefined,
      serverCpuMsPerRequest: cpuPerRequest(r),
      verification: r.verification,
    })),
    ratio: app && base ? { throughput: app.load.perSecond / base.load.perSecond, p50: app.load.latencyMs.p50 / base.load.latencyMs.p50, p99: app.load.latencyMs.p99 / base.load.latencyMs.p99 } : null,
  });
  const shown = path.relative(repoDir, RESULTS_FILE);
  console.log(`Written to ${shown.startsWith("..") ? RESULTS_FILE : shown}.`);
  if (problems.length) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
}
// Children are ended by the exit handler (scripts/built-app.ts); end now rather than wait for stray timers.
process.exit();
