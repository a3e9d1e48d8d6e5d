// The renewal sweep at scale (issue 9): 10,000 connections, one per tenant, whose access tokens expire within the
// renewal window and which were in use an hour ago, renewed by TWO instances of the built app (`next start`, same
// PostgreSQL database) through the product's own background jobs (pg-boss: the sweep each instance requests at
// start-up, and the helper jobs it sends for a backlog; lib/jobs/queue.ts), against the Intuit emulator as its own
// process.
//
// Setup: the emulator issues one live grant per realm (POST /__emulator/grants); the tokens are sealed with the
// product's own cipher (lib/crypto/token-cipher.ts, the apps' TOKEN_ENCRYPTION_KEY) and stored as connected
// connections, verified and caught up just now so that the other sweeps have nothing to do.
//
// Measures: the time from launching the instances until every connection is renewed (start-up included), the span
// from the first renewal to the last, renewals per second, and each instance's CPU time (both must have worked).
// Checks: double renewals (a grant refreshed more than once, or a rotated refresh token presented again: the
// emulator counts both; and any connection with two scheduled renewals in the refresh log) must be 0; failures; the
// emulator's throttled count (Intuit's per-realm API limits; its token endpoint has no documented app-wide limit,
// intuit.md §3-4, so none is modelled); and at the end, that every connection's stored refresh token, decrypted, is
// the one the emulator holds live for its realm. Baseline in the same run: the emulator's token endpoint driven
// directly by this process at the apps' combined concurrency, which is the most any client could get from it here.
//
// Options: --connections 10000 --quick (1,000) --concurrency <QBC_RENEWAL_CONCURRENCY, default the product's>
//   --timeout <s, 900> --results <file> --app-dir <dir> --build
// Env: BENCH_POSTGRES_URL (server, default postgres://postgres@127.0.0.1:5432), BENCH_RENEWAL_DATABASE (qbc_bench_renewal).
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { quickbooksConnections, tenants } from "../db/schema";
import { connectionTokenBinding } from "../lib/crypto/token-binding";
import { keyFromBase64, TokenCipher } from "../lib/crypto/token-cipher";
import type { GrantRefreshStats } from "../mocks/intuit/refresh-stats";
import { DEFAULT_RENEWAL_CONCURRENCY } from "../lib/env";
import { ensureBuilt, freePort, keepLogsOnExit, migrateAndSeed, POSTGRES_SERVER_URL, processTree, productionEnv, recreateDatabase, repoDir, rssMb, startBuiltApp, startEmulatorProcess, stopProcess, type BuiltApp } from "../scripts/built-app";
import { machineState } from "./harness";
import { line, writeResults, type BenchLine } from "./lines";

const { values: args } = parseArgs({
  options: {
    connections: { type: "string" },
    quick: { type: "boolean", default: false },
    concurrency: { type: "string" },
    timeout: { type: "string", default: "900" },
    results: { type: "string" },
    "app-dir": { type: "string" },
    build: { type: "boolean", default: false },
    "wait-idle": { type: "string", default: "0" },
  },
});
const CONNECTIONS = Number(args.connections ?? (args.quick ? 1_000 : 10_000));
const CONCURRENCY = args.concurrency ? Number(args.concurrency) : DEFAULT_RENEWAL_CONCURRENCY;
const TIMEOUT_MS = Number(args.timeout) * 1000;
const APP_DIR = path.resolve(args["app-dir"] ?? repoDir);
const RESULTS_FILE = path.resolve(args.results ?? path.join(repoDir, "bench", "results-renewal.json"));
const DATABASE = process.env.BENCH_RENEWAL_DATABASE ?? "qbc_bench_renewal";
const INSTANCES = 2;
const BENCHMARK = "renewal sweep";
/** Connections fall due 10 minutes before their access token expires: a backlog must be cleared within that window. */
const TARGET_SECONDS = 600;
const MINUTE = 60_000;
if (!Number.isInteger(CONNECTIONS) || CONNECTIONS < 1 || CONNECTIONS > 20_000) throw new Error("--connections must be 1 to 20,000");
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => os.loadavg().map((n) => n.toFixed(2)).join(", ");
/** CPU seconds (user + system) of a process tree, from /proc. */
function cpuSeconds(root: number): number {
  const ticks = processTree(root).reduce((sum, pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return sum + Number(fields[11]) + Number(fields[12]);
    } catch {
      return sum;
    }
  }, 0);
  return ticks / 100;
}

interface BulkGrant {
  realmId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshTokenExpiresIn: number;
  refreshTokenHardExpiresIn: number;
}

async function emulatorJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
  if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const realmIdOf = (n: number) => `9341455${String(n).padStart(9, "0")}`;

// ---------------------------------------------------------------------------------------------------------------
console.log(`bench:renewal – ${CONNECTIONS.toLocaleString("en")} due connections, ${INSTANCES} app instances, QBC_RENEWAL_CONCURRENCY=${CONCURRENCY}`);
console.log(`load average at start: ${load()} (${os.cpus().length} cores)`);
const build = await ensureBuilt(APP_DIR, { force: args.build });
const emulator = await startEmulatorProcess({ name: "renewal-emulator" });
const DATABASE_URL = await recreateDatabase(DATABASE, POSTGRES_SERVER_URL);
const ports = [await freePort(), await freePort()];
const envOf = (port: number) =>
  productionEnv({ databaseUrl: DATABASE_URL, appUrl: `http://127.0.0.1:${port}`, intuitUrl: emulator.url, extra: { QBC_BACKGROUND_JOBS: "on", QBC_RENEWAL_CONCURRENCY: String(CONCURRENCY) } });
await migrateAndSeed(envOf(ports[0]!), { appDir: APP_DIR });

const client = postgres(DATABASE_URL, { max: 4, onnotice: () => {} });
const db = drizzle(client);
const problems: string[] = [];

// ---------------------------------------------------------------------------------------------------------------
// The connections: one grant per realm at the emulator, sealed with the product's cipher, one tenant each.
let started = performance.now();
const realmIds = Array.from({ length: CONNECTIONS }, (_, i) => realmIdOf(i + 1));
const { grants } = await emulatorJson<{ grants: BulkGrant[] }>(`${emulator.url}/__emulator/grants`, { method: "POST", body: JSON.stringify({ realmIds }) });
const cipher = new TokenCipher(keyFromBase64(envOf(ports[0]!).TOKEN_ENCRYPTION_KEY!));
const seededAt = new Date();
const at = (offsetMs: number) => new Date(seededAt.getTime() + offsetMs);
for (let from = 0; from < CONNECTIONS; from += 1_000) {
  const slice = grants.slice(from, from + 1_000);
  const created = await db
    .insert(tenants)
    .values(slice.map((g, i) => ({ slug: `renewal-bench-${from + i + 1}`, name: `Renewal Bench ${from + i + 1}` })))
    .returning({ id: tenants.id });
  await db.insert(quickbooksConnections).values(
    slice.map((grant, i) => ({
      tenantId: created[i]!.id,
      environment: "sandbox" as const,
      status: "active" as const,
      realmId: grant.realmId,
      companyName: `Renewal Bench Company ${from + i + 1}`,
      accessTokenEnc: cipher.encrypt(grant.accessToken),
      refreshTokenEnc: cipher.encrypt(grant.refreshToken),
      // Issued 55 minutes ago: 5 minutes left, inside the 10-minute renewal window, spread over a minute so that
      // the most-urgent-first order has something to order.
      accessTokenExpiresAt: at(5 * MINUTE - ((from + i) % 60) * 1000),
      refreshTokenExpiresAt: at(grant.refreshTokenExpiresIn * 1000),
      refreshTokenHardExpiresAt: at(grant.refreshTokenHardExpiresIn * 1000),
      // In use: an API call asked for a token an hour ago (due-rules.ts: within 24 hours).
      lastUsedAt: at(-60 * MINUTE),
      lastRefreshedAt: at(-55 * MINUTE),
      // Verified and caught up just now: the re-verify and catch-up sweeps have nothing to do, so every call to Intuit
      // in this run is a renewal.
      authorizationStartedAt: at(-2 * 24 * 60 * MINUTE),
      callbackAt: at(-2 * 24 * 60 * MINUTE),
      connectedAt: at(-2 * 24 * 60 * MINUTE),
      verifiedAt: seededAt,
      lastCatchUpAt: seededAt,
    })),
  );
}
const seedSeconds = (performance.now() - started) / 1000;
console.log(`seeded ${CONNECTIONS.toLocaleString("en")} tenants and connections in ${seedSeconds.toFixed(1)} s`);

// ---------------------------------------------------------------------------------------------------------------
// The two instances, started together: each asks for a sweep at start-up, as after a deployment or an outage.
const renewedCount = async () => {
  const [row] = await client<{ n: number }[]>`select count(*)::int as n from quickbooks_connections where last_refreshed_at >= ${seededAt.toISOString()}::timestamptz`;
  return row!.n;
};
await machineState(Number(args["wait-idle"]));
const loadAtLaunch = load();
started = performance.now();
const launchedAt = new Date();
let apps: BuiltApp[] = [];
apps = await Promise.all(
  ports.map((port, i) => startBuiltApp({ name: `renewal-app-${i + 1}`, appDir: APP_DIR, port, env: envOf(port) })),
);
console.log(`instances up after ${((performance.now() - started) / 1000).toFixed(1)} s: ${apps.map((a) => a.url).join(", ")}`);
// Their CPU from here on is the renewals' (and pg-boss's polling): both instances must have worked.
const cpuAtUp = apps.map((app) => cpuSeconds(app.pid));
let renewed = 0;
let lastProgress = performance.now();
let lastPrint = 0;
let peakRss = apps.map(() => 0);
while (renewed < CONNECTIONS) {
  await sleep(250);
  const now = await renewedCount();
  if (now > renewed) lastProgress = performance.now();
  renewed = now;
  peakRss = apps.map((app, i) => Math.max(peakRss[i]!, rssMb(app.pid)));
  if (performance.now() - lastPrint > 5_000) {
    lastPrint = performance.now();
    console.log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${renewed.toLocaleString("en")} renewed; load ${load()}`);
  }
  if (performance.now() - started > TIMEOUT_MS) {
    problems.push(`only ${renewed} of ${CONNECTIONS} renewed within ${TIMEOUT_MS / 1000} s`);
    break;
  }
  // The sweep runs each minute: no progress for over two minutes means it has stopped for good.
  if (performance.now() - lastProgress > 2.5 * MINUTE) {
    problems.push(`no renewal for 150 s with ${CONNECTIONS - renewed} left`);
    break;
  }
}
const totalSeconds = (performance.now() - started) / 1000;
const loadAtEnd = load();
const cpu = apps.map((app, i) => cpuSeconds(app.pid) - cpuAtUp[i]!);
// Let renewals already under way finish (their rows are counted above only once committed), then stop.
await sleep(2_000);
await Promise.all(apps.map((app) => stopProcess(app, 35_000)));

// ---------------------------------------------------------------------------------------------------------------
// What happened, from the database and from the emulator.
const [span] = await client<{ first: Date | string | null; last: Date | string | null; success: number; failure: number; median_ms: number; p95_ms: number }[]>`
  select min(created_at) as first, max(created_at) as last,
         count(*) filter (where outcome = 'success')::int as success, count(*) filter (where outcome = 'failure')::int as failure,
         percentile_cont(0.5) within group (order by duration_ms) as median_ms, percentile_cont(0.95) within group (order by duration_ms) as p95_ms
  from refresh_logs where trigger = 'scheduled' and created_at >= ${seededAt.toISOString()}::timestamptz`;
const [twice] = await client<{ n: number }[]>`
  select count(*)::int as n from (select connection_id from refresh_logs where trigger = 'scheduled' and outcome = 'success'
  and created_at >= ${seededAt.toISOString()}::timestamptz group by connection_id having count(*) > 1) t`;
const byStatus = await client<{ status: string; n: number }[]>`select status, count(*)::int as n from quickbooks_connections where realm_id like '9341455%' group by status`;
const jobs = await client<{ name: string; state: string; output: { renewed?: number; renewal?: { renewed: number } } | null }[]>`
  select name, state, output from pgboss.job where name in ('token-renewal-sweep', 'token-renewal') and created_on >= ${launchedAt.toISOString()}::timestamptz
  union all select name, state, output from pgboss.archive where name in ('token-renewal-sweep', 'token-renewal') and created_on >= ${launchedAt.toISOString()}::timestamptz`;
const jobSummary = jobs.map((job) => ({ name: job.name, state: job.state, renewed: job.output?.renewal?.renewed ?? job.output?.renewed ?? null }));
const grantStats = await emulatorJson<GrantRefreshStats>(`${emulator.url}/__emulator/grants`);
const limits = await emulatorJson<{ realms: Record<string, { throttled: number }> }>(`${emulator.url}/__emulator/limits`);
const throttled = Object.values(limits.realms).reduce((sum, realm) => sum + realm.throttled, 0);
const emulatorState = await emulatorJson<{ calls: { tokenRefreshToken: number; api: number } }>(`${emulator.url}/__emulator/state`);

// Every stored refresh token, decrypted with the product's cipher, must be the one the emulator holds live for its realm.
const live = await emulatorJson<{ tokens: { kind: string; realmId: string; token: string }[] }>(`${emulator.url}/__emulator/tokens`);
const liveRefresh = new Map<string, string[]>();
for (const token of live.tokens) if (token.kind === "refresh") liveRefresh.set(token.realmId, [...(liveRefresh.get(token.realmId) ?? []), token.token]);
const stored = await client<{ id: string; tenant_id: string; realm_id: string; refresh_token_enc: string | null }[]>`select id, tenant_id, realm_id, refresh_token_enc from quickbooks_connections where realm_id like '9341455%'`;
let mismatched = 0;
for (const row of stored) {
  const current = liveRefresh.get(row.realm_id) ?? [];
  const binding = connectionTokenBinding({ tenantId: row.tenant_id, id: row.id }, "refresh_token_enc");
  if (current.length !== 1 || !row.refresh_token_enc || cipher.decrypt(row.refresh_token_enc, binding) !== current[0]) mismatched += 1;
}

const doubles = grantStats.grantsRefreshedMoreThanOnce + grantStats.refreshTokenReuses + twice!.n;
const failures = span!.failure + (CONNECTIONS - renewed);
if (renewed !== CONNECTIONS) problems.push(`${CONNECTIONS - renewed} connections not renewed`);
if (doubles !== 0) problems.push(`double renewals: ${grantStats.grantsRefreshedMoreThanOnce} grants refreshed twice, ${grantStats.refreshTokenReuses} rotated refresh tokens reused, ${twice!.n} connections logged twice`);
if (span!.failure !== 0) problems.push(`${span!.failure} failed renewals in the refresh log`);
if (stored.length !== CONNECTIONS || mismatched !== 0) problems.push(`${mismatched} of ${stored.length} stored refresh tokens are not the emulator's current one`);
if (grantStats.refreshes !== CONNECTIONS) problems.push(`the emulator saw ${grantStats.refreshes} refreshes for ${CONNECTIONS} connections`);
if (cpu.some((seconds) => seconds < 0.2 * Math.max(...cpu))) problems.push(`one instance did (almost) nothing: CPU ${cpu.map((s) => s.toFixed(1)).join(" s, ")} s`);
// drizzle(client) makes postgres.js hand timestamps back as strings: read them as dates either way.
const spanSeconds = span!.first && span!.last ? (new Date(span!.last).getTime() - new Date(span!.first).getTime()) / 1000 : NaN;
const rate = CONNECTIONS / spanSeconds;

// ---------------------------------------------------------------------------------------------------------------
// Baseline in the same run: the emulator's token endpoint alone, at the apps' combined concurrency, from this process.
const baselineCount = Math.min(CONNECTIONS, 3_000);
const baselineGrants = (
  await emulatorJson<{ grants: BulkGrant[] }>(`${emulator.url}/__emulator/grants`, {
    method: "POST",
    body: JSON.stringify({ realmIds: Array.from({ length: baselineCount }, (_, i) => `9341456${String(i + 1).padStart(9, "0")}`) }),
  })
).grants;
const discovery = await emulatorJson<{ token_endpoint: string }>(`${emulator.url}/.well-known/openid_sandbox_configuration`);
const basic = `Basic ${Buffer.from("emulator-client-id:emulator-client-secret").toString("base64")}`;
let nextGrant = 0;
let baselineFailures = 0;
started = performance.now();
await Promise.all(
  Array.from({ length: INSTANCES * CONCURRENCY }, async () => {
    for (let grant = baselineGrants[nextGrant++]; grant; grant = baselineGrants[nextGrant++]) {
      const response = await fetch(discovery.token_endpoint, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded", accept: "application/json", "x-include-refresh-token-hard-expires-in": "true" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: grant.refreshToken }),
      });
      await response.arrayBuffer();
      if (!response.ok) baselineFailures += 1;
    }
  }),
);
const baselineRate = baselineCount / ((performance.now() - started) / 1000);
if (baselineFailures) problems.push(`${baselineFailures} baseline refreshes failed`);
await stopProcess(emulator);
await client.end();

// ---------------------------------------------------------------------------------------------------------------
const conditions = `${CONNECTIONS.toLocaleString("en")} connections, ${INSTANCES} instances × ${CONCURRENCY}`;
const lines: BenchLine[] = [
  line({
    benchmark: BENCHMARK,
    metric: `time to renew all, ${conditions}, from launch (start-up included)`,
    value: totalSeconds,
    unit: "s",
    target: { text: `≤ ${TARGET_SECONDS} s (the 10-minute renewal window)`, met: problems.length === 0 && totalSeconds <= TARGET_SECONDS },
  }),
  line({
    benchmark: BENCHMARK,
    metric: `renewals/s, first to last renewal (${spanSeconds.toFixed(1)} s)`,
    value: rate,
    unit: "/s",
    baseline: { label: `emulator token endpoint alone, ${INSTANCES * CONCURRENCY} clients`, value: baselineRate },
  }),
  line({ benchmark: BENCHMARK, metric: "double renewals (grant refreshed twice, rotated token reused, logged twice)", value: doubles, unit: "count", target: { text: "0", met: doubles === 0 } }),
  line({ benchmark: BENCHMARK, metric: "failed renewals", value: failures, unit: "count", target: { text: "0", met: failures === 0 } }),
  line({ benchmark: BENCHMARK, metric: "emulator throttled (per-realm API limits)", value: throttled, unit: "count" }),
];
const ok = problems.length === 0;
writeResults(RESULTS_FILE, {
  name: "renewal",
  lines,
  ok,
  problems,
  connections: CONNECTIONS,
  instances: INSTANCES,
  renewalConcurrency: CONCURRENCY,
  build,
  machine: { cores: os.cpus().length, loadAtStart: loadAtLaunch, loadAtEnd },
  seedSeconds,
  totalSeconds,
  spanSeconds,
  renewalsPerSecond: rate,
  renewalDurationMs: { median: span!.median_ms, p95: span!.p95_ms },
  instanceCpuSeconds: cpu,
  instancePeakRssMb: peakRss.map((mb) => Math.round(mb)),
  refreshLog: { success: span!.success, failure: span!.failure, connectionsRenewedTwice: twice!.n },
  connectionsByStatus: Object.fromEntries(byStatus.map((row) => [row.status, row.n])),
  emulator: { ...grantStats, tokenRefreshCalls: emulatorState.calls.tokenRefreshToken, apiCalls: emulatorState.calls.api, throttled },
  storedRefreshTokensNotCurrent: mismatched,
  jobs: jobSummary,
  baseline: { refreshes: baselineCount, perSecond: baselineRate, clients: INSTANCES * CONCURRENCY },
});

console.log(`
renewed ${renewed.toLocaleString("en")}/${CONNECTIONS.toLocaleString("en")} in ${totalSeconds.toFixed(1)} s from launch; first→last renewal ${spanSeconds.toFixed(1)} s = ${rate.toFixed(0)}/s (emulator alone: ${baselineRate.toFixed(0)}/s)
renewal duration median ${Number(span!.median_ms).toFixed(0)} ms, p95 ${Number(span!.p95_ms).toFixed(0)} ms; instance CPU ${cpu.map((s) => s.toFixed(1)).join(" s, ")} s; peak RSS ${peakRss.map((mb) => mb.toFixed(0)).join(" MB, ")} MB
double renewals ${doubles}, failures ${failures}, throttled ${throttled}, stored refresh tokens not current ${mismatched}
jobs: ${JSON.stringify(jobSummary)}
load average: at launch ${loadAtLaunch}; at end ${loadAtEnd}
${ok ? "all checks passed" : `PROBLEMS:\n- ${problems.join("\n- ")}\nlogs kept in ${keepLogsOnExit()}`}
results: ${RESULTS_FILE}`);
process.exit(ok ? 0 : 1);
