// The Connect path under load (issue 9): 200 connect → consent → callback → verify round trips, 20 at a time, each
// for its own tenant and its own QuickBooks company, through the built app's real HTTP routes and the Intuit emulator
// as its own process, following the redirects as a browser does. Reported: the app's own (server) time per step and
// per round trip, without Intuit's latency: each request is timed at the client, minus the time the app spent
// waiting on Intuit, which the app reports in its `Server-Timing: intuit;dur=…` header. The consent page is
// Intuit's (and the person's) time, so it is not counted. Target: round trip p95 ≤ 50 ms.
//
//   node --import tsx --conditions=react-server bench/connect.ts [--quick] [--results file] [--app-dir dir]
//     --round-trips 200 --concurrency 20 --warmup 20 --wait-idle 0
// Env: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432); database qbc_bench_connect (recreated).
import { parseArgs } from "node:util";
import { completeConsent } from "../mocks/intuit/consent";
import { loadTestRealmId } from "../mocks/intuit/fixtures";
import { COMMON_OPTIONS, commonSettings, createTenants, finish, machineState, positiveInteger, startStack, summarize, watchdog, type BenchStack, type BenchUser } from "./harness";
import { cpuShare, cpuSnapshot } from "./cpu";
import { line } from "./lines";

const { values } = parseArgs({
  options: {
    ...COMMON_OPTIONS,
    "round-trips": { type: "string" },
    concurrency: { type: "string", default: "20" },
    warmup: { type: "string" },
  },
});
const settings = commonSettings("connect", values);
const ROUND_TRIPS = positiveInteger(values["round-trips"] ?? (settings.quick ? "40" : "200"), "round-trips");
const CONCURRENCY = positiveInteger(values.concurrency, "concurrency");
const WARMUP = positiveInteger(values.warmup ?? (settings.quick ? "10" : "20"), "warmup");
const BENCHMARK = "Connect path";
watchdog(20);

interface Timed {
  response: Response;
  /** At the client: request sent to the answer fully read. */
  clientMs: number;
  /** What the app reported waiting on Intuit (Server-Timing `intuit`), or null when it sent no such header. */
  intuitMs: number | null;
}

async function timed(url: string, init: RequestInit): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, { redirect: "manual", ...init });
  await response.arrayBuffer();
  const clientMs = performance.now() - started;
  const intuit = /(?:^|,)\s*intuit;dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "");
  return { response, clientMs, intuitMs: intuit ? Number(intuit[1]) : null };
}

interface RoundTrip {
  connectMs: number;
  callbackMs: number;
  verifyMs: number;
  /** Server time of the round trip: connect + callback (which verifies too) + the Verify button. */
  serverMs: number;
  intuitMs: number;
  /** The console page the callback lands on (rendered with the new status): reported apart. */
  landingMs: number;
}

/** One person connecting their tenant: every request as the browser sends it, with the session cookie. */
async function roundTrip(stack: BenchStack, user: BenchUser, realmId: string): Promise<RoundTrip> {
  const cookie = await stack.cookieFor(user);
  const app = stack.app.url;
  const fail = (step: string, r: Response, detail = "") => new Error(`${user.email}: ${step} answered ${r.status} ${r.headers.get("location") ?? ""} ${detail}`.trim());

  // The console's Connect link names the tenant its page was rendered for; its POSTs name it in x-qbc-tenant.
  const connect = await timed(`${app}/api/quickbooks/connect?tenant=${user.tenantId}`, { headers: { cookie, accept: "text/html" } });
  const authorizeUrl = connect.response.headers.get("location");
  if (connect.response.status !== 302 || !authorizeUrl?.startsWith(stack.emulator.url)) throw fail("connect", connect.response);

  // Intuit's side: the consent page, and the person pressing Connect for their company (not the app's time).
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw fail("Intuit's consent page", page, await page.text());
  const callbackUrl = await completeConsent(authorizeUrl, { realmId });

  const callback = await timed(callbackUrl.href, { headers: { cookie, accept: "text/html" } });
  const landing = callback.response.headers.get("location") ?? "";
  if (callback.response.status !== 302 || new URL(landing).searchParams.get("callback") !== "connected") throw fail("callback", callback.response);
  const console = await timed(landing, { headers: { cookie, accept: "text/html" } });
  if (console.response.status !== 200) throw fail("console page", console.response);

  const verify = await timed(`${app}/api/quickbooks/verify`, { method: "POST", headers: { cookie, origin: app, accept: "application/json", "x-qbc-tenant": user.tenantId } });
  if (verify.response.status !== 200) throw fail("verify", verify.response);

  const steps = [connect, callback, verify];
  if (steps.some((s) => s.intuitMs === null)) throw new Error("the app sent no Server-Timing intuit figure: is this build older than the header?");
  const server = steps.map((s) => s.clientMs - s.intuitMs!);
  return {
    connectMs: server[0]!,
    callbackMs: server[1]!,
    verifyMs: server[2]!,
    serverMs: server.reduce((a, b) => a + b, 0),
    intuitMs: steps.reduce((a, s) => a + s.intuitMs!, 0),
    landingMs: console.clientMs,
  };
}

/** `users[i]` connects realm `realmOf(i)`, `concurrency` people at a time. */
async function runRoundTrips(stack: BenchStack, users: BenchUser[], realmOf: (i: number) => string, problems: string[]): Promise<{ trips: RoundTrip[]; elapsedMs: number }> {
  const trips: RoundTrip[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, users.length) }, async () => {
      for (let i = next++; i < users.length; i = next++) {
        try {
          trips.push(await roundTrip(stack, users[i]!, realmOf(i)));
        } catch (error) {
          if (problems.length < 20) problems.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return { trips, elapsedMs: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------------------------

console.log(`connect bench: ${ROUND_TRIPS} round trips, ${CONCURRENCY} at a time (+${WARMUP} warm-up)${settings.quick ? " (quick)" : ""}`);
let users: BenchUser[] = [];
const stack = await startStack({
  database: "qbc_bench_connect",
  appDir: settings.appDir,
  prepare: async (sql) => {
    users = await createTenants(sql, { count: WARMUP + ROUND_TRIPS, prefix: "connect", accountants: true });
  },
});
const warmupProblems: string[] = [];
await runRoundTrips(stack, users.slice(0, WARMUP), (i) => loadTestRealmId(i), warmupProblems);
if (warmupProblems.length) console.warn(`  warm-up problems: ${warmupProblems.join("; ")}`);

const machine = await machineState(settings.waitIdleS);
console.log(`  measured run (load average ${machine.loadAverage1m}, machine busy ${machine.busyBeforePct ?? "?"}% of a core before it)`);
const problems: string[] = [];
const cpuBefore = cpuSnapshot();
const { trips, elapsedMs } = await runRoundTrips(stack, users.slice(WARMUP), (i) => loadTestRealmId(WARMUP + i), problems);

// CPU time the app (and PostgreSQL) spent per round trip, console page included: holds on a shared machine, where
// latencies mostly say how much CPU the other processes left.
const cpu = cpuShare(cpuBefore, cpuSnapshot(), stack.app.pid);
const cpuMsPerTrip = (percent: number | undefined) => (percent === undefined ? Number.NaN : Math.round(((percent / 100) * elapsedMs) / Math.max(1, trips.length) * 10) / 10);

// What the database must hold: every measured tenant active on its own company, one successful callback each.
const measured = users.slice(WARMUP).map((u) => u.tenantId);
const [stored] = await stack.sql<[{ active: number; realms: number; callbacks: number }]>`
  select (select count(*) from quickbooks_connections where tenant_id = any(${measured}::uuid[]) and status = 'active')::int as active,
         (select count(distinct realm_id) from quickbooks_connections where tenant_id = any(${measured}::uuid[]))::int as realms,
         (select count(*) from callback_logs where tenant_id = any(${measured}::uuid[]) and outcome = 'success')::int as callbacks`;
if (trips.length !== ROUND_TRIPS) problems.push(`${ROUND_TRIPS - trips.length} of ${ROUND_TRIPS} round trips failed`);
if (stored!.active !== ROUND_TRIPS) problems.push(`${stored!.active} of ${ROUND_TRIPS} connections active`);
if (stored!.realms !== ROUND_TRIPS) problems.push(`${stored!.realms} distinct companies for ${ROUND_TRIPS} tenants`);
if (stored!.callbacks !== ROUND_TRIPS) problems.push(`${stored!.callbacks} successful callback log rows for ${ROUND_TRIPS} round trips`);

const of = (pick: (t: RoundTrip) => number) => summarize(trips.map(pick));
const round = of((t) => t.serverMs);
const steps = { connect: of((t) => t.connectMs), callback: of((t) => t.callbackMs), verify: of((t) => t.verifyMs), intuit: of((t) => t.intuitMs), landing: of((t) => t.landingMs) };
console.log(`  ${trips.length} round trips in ${Math.round(elapsedMs)} ms; server time per round trip p50 ${round.p50} ms, p95 ${round.p95} ms`);
for (const [name, s] of Object.entries(steps)) console.log(`    ${name.padEnd(9)} p50 ${s.p50} ms  p95 ${s.p95} ms  max ${s.max} ms`);

const conditions = `${CONCURRENCY} at a time`;
const lines = [
  line({ benchmark: BENCHMARK, metric: `round trip server time p50 (connect + callback + verify, without Intuit), ${conditions}`, value: round.p50, unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: `round trip server time p95 (connect + callback + verify, without Intuit), ${conditions}`, value: round.p95, unit: "ms", target: { text: "p95 ≤ 50 ms", met: round.p95 <= 50 } }),
  line({ benchmark: BENCHMARK, metric: "GET /api/quickbooks/connect server time p95", value: steps.connect.p95, unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "GET /api/quickbooks/callback (exchange + verify) server time p95", value: steps.callback.p95, unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "POST /api/quickbooks/verify server time p95", value: steps.verify.p95, unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "app server CPU per round trip (console page render included)", value: cpuMsPerTrip(cpu?.server), unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "PostgreSQL CPU per round trip", value: cpuMsPerTrip(cpu?.postgres), unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "Intuit (emulator) time per round trip p50, not counted above", value: steps.intuit.p50, unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "console page after the callback (full render) p95", value: steps.landing.p95, unit: "ms" }),
];
await stack.stop();
finish({
  settings,
  lines,
  problems,
  details: { build: stack.build, commit: stack.commit, postgres: stack.serverVersion, machine, cpu, roundTrips: ROUND_TRIPS, concurrency: CONCURRENCY, warmup: WARMUP, elapsedMs: Math.round(elapsedMs), roundTrip: round, steps, stored },
});
