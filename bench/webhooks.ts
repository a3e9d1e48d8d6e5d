// npm run bench:webhooks – load test of Intuit webhook ingestion (issue 5): 20,000 signed deliveries, a tenth of them
// byte-identical repeats, from 100 concurrent keep-alive senders, against the BUILT app (`next start`) on
// PostgreSQL, then the same load against a bare node:http server doing the same HMAC check and insert
// (bench/baseline-server.ts), in the same run. Checks that every distinct event is stored exactly once, none is lost
// and no request fails; prints one table and writes bench/results-webhooks.json. Exit code 1 if a check fails.
//
// Options (all optional): --deliveries 20000 --concurrency 100 --duplicates 0.1 --entities 5 (events per delivery) --warmup 2000
//   --no-ceiling (skip the framework ceiling: unauthenticated GET /api/quickbooks/status, answered 401, no database)
//   --wait-idle 90 (before each measured run, wait up to this many seconds for the machine to be idle: < 30% of a core)
//   --build (run `next build` even if .next exists)   --app-dir <dir> (a built copy of the app; default: this repo)
//   --results <file> (default bench/results-webhooks.json)
// Env: BENCH_POSTGRES_URL (server to use, default postgres://postgres@127.0.0.1:5432), BENCH_DATABASE (qbc_bench),
//   BENCH_APP_NODE_ARGS (node flags for `next start` only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { cpuShare, cpuSnapshot } from "./cpu";
import { generateDeliveries, type DeliverySet } from "./deliveries";
import type { LoadConfig, LoadResult } from "./load";
import { nextStartArgv } from "../scripts/next-start";

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
const LOAD_TIMEOUT_MS = 180_000;
if (![DELIVERIES, CONCURRENCY, ENTITIES].every((v) => Number.isInteger(v) && v > 0) || !(DUPLICATE_RATIO >= 0 && DUPLICATE_RATIO < 1) || !(WARMUP >= 0)) {
  throw new Error("bad option: --deliveries, --concurrency, --entities must be positive integers, --duplicates in [0, 1)");
}
if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE)) throw new Error("BENCH_DATABASE must be a plain identifier");

// ---------------------------------------------------------------------------------------------------------------
// Processes: every child gets its own process group, and every group is ended on exit, error or signal.
const children = new Set<ChildProcess>();
const tmp = mkdtempSync(path.join(os.tmpdir(), "qbc-bench-"));
let keepTmp = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return void children.delete(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}
process.on("exit", () => {
  for (const child of children) killGroup(child, "SIGKILL");
  if (!keepTmp) rmSync(tmp, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`);
    process.exit(130);
  });
}
setTimeout(() => {
  console.error(`bench: gave up after ${Math.round(WATCHDOG_MS / 60_000)} minutes`);
  process.exit(1);
}, WATCHDOG_MS).unref();

function launch(name: string, command: string, argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): { child: ChildProcess; log: string } {
  const log = path.join(tmp, `${name}.log`);
  const out = createWriteStream(log);
  const child = spawn(command, argv, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return { child, log };
}

function tail(log: string, lines = 30): string {
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-lines).join("\n") : "(no log)";
}

/** Runs a node script to completion; its output goes to a log, shown if it fails. */
async function runNode(name: string, argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<void> {
  const { child, log } = launch(name, process.execPath, argv, options);
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), options.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) {
    keepTmp = true;
    throw new Error(`${name} failed (exit ${code}); log ${log}:\n${tail(log)}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const minimalEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG ?? "C.UTF-8", TZ: "UTC", NODE_ENV: "production" });

// ---------------------------------------------------------------------------------------------------------------
// The built app.
function newestSourceMtime(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|tsx|css|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const sub of ["app", "lib", "db", "components"]) if (existsSync(path.join(dir, sub))) walk(path.join(dir, sub));
  return newest;
}

async function ensureBuilt(): Promise<string> {
  const buildId = path.join(APP_DIR, ".next", "BUILD_ID");
  const route = path.join(APP_DIR, ".next", "server", "app", "api", "quickbooks", "webhooks", "route.js");
  let note = "existing build";
  if (args.build || !existsSync(buildId) || !existsSync(route)) {
    console.log(`Building the app in ${APP_DIR} (next build) ...`);
    const started = Date.now();
    await runNode("next-build", ["node_modules/next/dist/bin/next", "build"], {
      cwd: APP_DIR,
      env: { ...minimalEnv(), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      timeoutMs: 600_000,
    });
    note = `built by this run in ${Math.round((Date.now() - started) / 1000)} s`;
  } else if (newestSourceMtime(APP_DIR) > statSync(buildId).mtimeMs) {
    note = "existing build, OLDER than some sources (pass --build to rebuild)";
    console.warn(`warning: ${APP_DIR}/.next is older than some files in app/, lib/, db/ or components/; pass --build to rebuild.`);
  }
  return `${note}, BUILD_ID ${readFileSync(buildId, "utf8").trim()}`;
}

/** Which code was measured: the app folder's git commit (and whether it had changes), or a copy's `.snapshot-commit`. */
function appCommit(): string {
  const git = spawnSync("git", ["-C", APP_DIR, "status", "--porcelain=v2", "--branch", "--untracked-files=no"], { encoding: "utf8" });
  const head = git.status === 0 ? /^# branch\.oid (\S+)/m.exec(git.stdout)?.[1] : undefined;
  if (head && path.resolve(spawnSync("git", ["-C", APP_DIR, "rev-parse", "--show-toplevel"], { encoding: "utf8" }).stdout.trim()) === APP_DIR) {
    return git.stdout.split("\n").some((l) => /^[12u] /.test(l)) ? `${head} with uncommitted changes` : head;
  }
  const marker = path.join(APP_DIR, ".snapshot-commit");
  return existsSync(marker) ? `${readFileSync(marker, "utf8").trim()} (copy)` : "unknown";
}

// ---------------------------------------------------------------------------------------------------------------
// The database: recreated, migrated and seeded by the app's own scripts, the Acme tenant connected to REALM_ID.
async function prepareDatabase(databaseUrl: string, appEnv: NodeJS.ProcessEnv): Promise<{ serverVersion: string }> {
  const admin = postgres(`${SERVER_URL}/postgres`, { max: 1, onnotice: () => {} });
  const [{ server_version: serverVersion }] = (await admin`show server_version`) as unknown as [{ server_version: string }];
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  const tsx = ["--import", "tsx", "--conditions=react-server"];
  await runNode("migrate", [...tsx, "db/migrate-cli.ts"], { cwd: APP_DIR, env: appEnv });
  await runNode("seed", [...tsx, "db/seed-cli.ts"], { cwd: APP_DIR, env: { ...appEnv, SEED_PASSWORD: "bench-seed-password" } });
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
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

// ---------------------------------------------------------------------------------------------------------------
// Load: one child process per run (warm-up and measured run apart), so the generator never shares the servers'
// event loop.
let loadRuns = 0;
async function load(config: Omit<LoadConfig, "outFile" | "timeoutMs" | "concurrency">, server: ChildProcess): Promise<LoadResult> {
  const id = ++loadRuns;
  const configFile = path.join(tmp, `load-${id}.json`);
  const full: LoadConfig = { ...config, concurrency: CONCURRENCY, timeoutMs: 30_000, outFile: path.join(tmp, `load-${id}.result.json`), serverGroup: server.pid };
  writeFileSync(configFile, JSON.stringify(full));
  await runNode(`load-${id}`, ["--import", "tsx", path.join(benchDir, "load.ts"), configFile], { cwd: repoDir, env: minimalEnv(), timeoutMs: LOAD_TIMEOUT_MS });
  return JSON.parse(readFileSync(full.outFile, "utf8")) as LoadResult;
}

async function waitForHttp(url: string, child: ChildProcess, log: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited before answering; log ${log}:\n${tail(log)}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms; log ${log}:\n${tail(log)}`);
}

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

/**
 * The figures assume a machine otherwise idle. Waits (up to --wait-idle seconds) until the whole machine uses less
 * than 30% of one core over a second, and returns the last reading (percent of one core), or null off Linux.
 */
async function waitForQuietMachine(): Promise<number | null> {
  const deadline = Date.now() + WAIT_IDLE_S * 1000;
  let warned = false;
  for (;;) {
    const before = cpuSnapshot();
    await new Promise((r) => setTimeout(r, 1_000));
    const busy = cpuShare(before, cpuSnapshot(), -1)?.machineBusy ?? null;
    if (busy === null || busy < 30) return busy;
    if (Date.now() >= deadline) {
      console.warn(`  warning: the machine is still busy (${busy}% of one core used by other work): this run's figures will be low and noisy.`);
      return busy;
    }
    if (!warned) console.log(`  waiting for the machine to quiet down (${busy}% of one core in use) ...`);
    warned = true;
  }
}

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
  const build = await ensureBuilt();

  const [appPort, intuitPort] = [await freePort(), await freePort()];
  const databaseUrl = `${SERVER_URL}/${DATABASE}`;
  const appUrl = `http://127.0.0.1:${appPort}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...minimalEnv(),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    APP_URL: appUrl,
    AUTH_SECRET: "bench-auth-secret-that-is-long-enough-0123456789",
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    INTUIT_ENVIRONMENT: "sandbox",
    INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER_TOKEN,
    // Nothing here calls Intuit; the URLs point at a closed local port so that nothing could leave the machine.
    INTUIT_DISCOVERY_URL: `http://127.0.0.1:${intuitPort}/.well-known/openid_sandbox_configuration`,
    QBO_API_BASE_URL: `http://127.0.0.1:${intuitPort}`,
    // No pg-boss sweeps: processing after the answer still runs in-process (`after()`).
    QBC_BACKGROUND_JOBS: "off",
  };

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
  const { serverVersion } = await prepareDatabase(databaseUrl, appEnv);
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const runs: Run[] = [];
  const webhookUrl = (base: string) => `${base}/api/quickbooks/webhooks`;

  try {
    // 1. The built app.
    console.log(`Starting the app (next start on ${appUrl}) ...`);
    const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const app = launch("app", process.execPath, [...nodeArgs, ...nextStartArgv(["--port", String(appPort), "--hostname", "127.0.0.1"])], { cwd: APP_DIR, env: appEnv });
    await waitForHttp(`${appUrl}/api/quickbooks/status`, app.child, app.log);
    if (WARMUP) await load({ url: webhookUrl(appUrl), method: "POST", requestsFile: warmupFile, expectStatus: 200 }, app.child);
    await truncateWebhookTables(sql);
    console.log(`App: ${DELIVERIES} deliveries, ${CONCURRENCY} senders ...`);
    const appBusy = await waitForQuietMachine();
    const appLoad = await load({ url: webhookUrl(appUrl), method: "POST", requestsFile: deliveriesFile, expectStatus: 200 }, app.child);
    const settleMs = await waitForProcessing(sql);
    runs.push({ label: "Next.js app, POST /api/quickbooks/webhooks", busyBefore: appBusy, load: appLoad, verification: await verify(sql, set, appLoad, true, settleMs) });

    if (!args["no-ceiling"]) {
      console.log(`App ceiling: ${DELIVERIES} unauthenticated GET /api/quickbooks/status (401, no database) ...`);
      const statusUrl = `${appUrl}/api/quickbooks/status`;
      if (WARMUP) await load({ url: statusUrl, method: "GET", count: WARMUP, expectStatus: 401 }, app.child);
      const busyBefore = await waitForQuietMachine();
      runs.push({ label: "Next.js ceiling: GET status → 401, no DB", busyBefore, load: await load({ url: statusUrl, method: "GET", count: DELIVERIES, expectStatus: 401 }, app.child) });
    }
    const appErrors = readFileSync(app.log, "utf8")
      .split("\n")
      .filter((l) => /error|unhandled|failed/i.test(l));
    if (appErrors.length) console.warn(`app log: ${appErrors.length} error lines, e.g.\n  ${appErrors.slice(0, 5).join("\n  ")}`);
    await stop(app.child);

    // 2. The bare node:http baseline, same database after truncating, same deliveries.
    await truncateWebhookTables(sql);
    console.log("Starting the bare node:http baseline ...");
    const baselinePort = await freePort();
    const baseline = launch("baseline", process.execPath, ["--import", "tsx", path.join(benchDir, "baseline-server.ts")], {
      cwd: repoDir,
      env: { ...minimalEnv(), DATABASE_URL: databaseUrl, INTUIT_WEBHOOK_VERIFIER_TOKEN: VERIFIER_TOKEN, PORT: String(baselinePort) },
    });
    const baselineUrl = `http://127.0.0.1:${baselinePort}`;
    await waitForHttp(baselineUrl, baseline.child, baseline.log);
    if (WARMUP) await load({ url: webhookUrl(baselineUrl), method: "POST", requestsFile: warmupFile, expectStatus: 200 }, baseline.child);
    await truncateWebhookTables(sql);
    console.log(`Baseline: ${DELIVERIES} deliveries, ${CONCURRENCY} senders ...`);
    const baseBusy = await waitForQuietMachine();
    const baseLoad = await load({ url: webhookUrl(baselineUrl), method: "POST", requestsFile: deliveriesFile, expectStatus: 200 }, baseline.child);
    runs.push({ label: "bare node:http, HMAC + 1 INSERT", busyBefore: baseBusy, load: baseLoad, verification: await verify(sql, set, baseLoad, false) });
    await stop(baseline.child);
  } finally {
    await sql.end({ timeout: 2 });
  }

  report(runs, { build, serverVersion, set });
}

function report(runs: Run[], context: { build: string; serverVersion: string; set: DeliverySet }) {
  const { set } = context;
  const [app, , base] = runs.length === 3 ? runs : [runs[0], undefined, runs[1]];
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
  if (app && base) {
    rows.push([
      "app / baseline",
      `${(app.load.perSecond / base.load.perSecond).toFixed(2)}×`,
      `${(app.load.latencyMs.p50 / base.load.latencyMs.p50).toFixed(1)}×`,
      `${(app.load.latencyMs.p99 / base.load.latencyMs.p99).toFixed(1)}×`,
      "",
      "",
      cpuPerRequest(app) !== null && cpuPerRequest(base) ? `${(cpuPerRequest(app)! / cpuPerRequest(base)!).toFixed(1)}×` : "",
    ]);
  }
  const header = ["server", "deliveries/s", "p50", "p99", "failures", "stored/expected", "server CPU/req"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;

  console.log("");
  console.log(
    `Webhook ingestion: ${fmt(DELIVERIES)} signed legacy deliveries (${fmt(set.distinctDeliveries)} distinct + ${fmt(set.duplicates)} byte-identical repeats), ` +
      `${ENTITIES} event${ENTITIES === 1 ? "" : "s"} each, ${set.averageBodyBytes} B on average, ${CONCURRENCY} keep-alive senders in a separate process; ` +
      `${os.cpus().length} cores, Node ${process.versions.node}, PostgreSQL ${context.serverVersion}; app at ${appCommit()}`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) console.log(line(r));
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
  if (problems.length) {
    keepTmp = true;
    console.log(`Logs of the servers and load runs kept in ${tmp}`);
  }

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.versions.node, postgres: context.serverVersion },
    app: { dir: APP_DIR, commit: appCommit(), build: context.build },
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
    ok: problems.length === 0,
    problems,
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
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
// Children are ended by the exit handler; end now rather than wait for stray timers.
process.exit();
