// GET /api/quickbooks/status under load (issue 9): 10,000 tenants and 1,000,000 log rows on PostgreSQL, an
// accountant of the busiest tenant polling with a session cookie from 10 concurrent clients, against the empty
// Next.js GET route (bench/empty-next-app) at the same concurrency in the same run. Targets: ≥ 0.7× the empty route's
// requests/s, p95 ≤ 20 ms. Also where the time goes: the same route unauthenticated (401: framework and routing, no
// JWT, no database), the cost of decoding the session JWT, and the SQL statements per request.
//
//   node --import tsx --conditions=react-server bench/status.ts [--quick] [--results file] [--app-dir dir]
//     --tenants 10000 --log-rows 1000000 --requests 20000 --concurrency 10 --rounds 3 --wait-idle 0
// Env: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432); database qbc_bench_status (recreated).
import { parseArgs } from "node:util";
import { decode } from "next-auth/jwt";
import type postgres from "postgres";
import { SESSION_COOKIE } from "../scripts/built-app";
import { appTokenCipher, COMMON_OPTIONS, commonSettings, createTenants, finish, machineState, median, positiveInteger, runLoad, seededUser, startEmptyApp, startStack, watchdog, type BenchUser } from "./harness";
import { line } from "./lines";
import type { LoadResult } from "./load";

const { values } = parseArgs({
  options: {
    ...COMMON_OPTIONS,
    tenants: { type: "string" },
    "log-rows": { type: "string" },
    requests: { type: "string" },
    concurrency: { type: "string", default: "10" },
    rounds: { type: "string" },
  },
});
const settings = commonSettings("status", values);
const TENANTS = positiveInteger(values.tenants ?? (settings.quick ? "1000" : "10000"), "tenants");
const LOG_ROWS = positiveInteger(values["log-rows"] ?? (settings.quick ? "100000" : "1000000"), "log-rows");
const REQUESTS = positiveInteger(values.requests ?? (settings.quick ? "2000" : "20000"), "requests");
const CONCURRENCY = positiveInteger(values.concurrency, "concurrency");
const ROUNDS = positiveInteger(values.rounds ?? (settings.quick ? "1" : "3"), "rounds");
const BENCHMARK = "status API";
watchdog(30 + (ROUNDS * REQUESTS) / 2_000);

/**
 * The data: TENANTS tenants with a connection each (most active, some needing reauthorization, disconnected or never
 * connected), and LOG_ROWS rows spread over the callback, refresh-token, webhook (deliveries and their events) and
 * access (audit) logs over 30 days. Acme, the busy tenant whose accountant polls, holds 5 % of every log; the rest
 * is skewed toward a few hundred busy tenants (random()² picks low indices more often), as in real use.
 */
async function loadData(sql: postgres.Sql, acme: BenchUser, sealed: { access: string; refresh: string }): Promise<Record<string, number>> {
  const started = Date.now();
  await createTenants(sql, { count: TENANTS, prefix: "bench", accountants: false });
  await sql`
    insert into quickbooks_connections (tenant_id, environment, status, realm_id, company_name, access_token_enc, refresh_token_enc,
      access_token_expires_at, refresh_token_expires_at, refresh_token_hard_expires_at, authorization_started_at, callback_at, verified_at, connected_at, last_refreshed_at)
    select t.id, 'sandbox', s.status::connection_status, case when s.status = 'not_connected' then null else '93415' || lpad(n::text, 11, '0') end,
      case when s.status = 'not_connected' then null else 'Company ' || n end,
      case when s.status = 'active' then ${sealed.access} end, case when s.status = 'active' then ${sealed.refresh} end,
      now() + interval '40 minutes', now() + interval '90 days', now() + interval '4 years',
      now() - interval '20 days', now() - interval '20 days', now() - interval '2 hours', now() - interval '20 days', now() - interval '20 minutes'
    from (select id, substring(slug from 7)::int as n from tenants where slug like 'bench-%') t
    cross join lateral (select case when t.n % 20 < 14 then 'active' when t.n % 20 < 16 then 'reauthorization_required'
                                    when t.n % 20 < 17 then 'disconnected' else 'not_connected' end as status) s`;
  await sql`
    insert into quickbooks_connections (tenant_id, environment, status, realm_id, company_name, access_token_enc, refresh_token_enc,
      access_token_expires_at, refresh_token_expires_at, refresh_token_hard_expires_at, authorization_started_at, callback_at, verified_at, connected_at, last_refreshed_at)
    values (${acme.tenantId}, 'sandbox', 'active', '9341452000000001', 'Sandbox Company_US_1', ${sealed.access}, ${sealed.refresh},
      now() + interval '40 minutes', now() + interval '90 days', now() + interval '4 years',
      now() - interval '20 days', now() - interval '20 days', now() - interval '2 hours', now() - interval '20 days', now() - interval '20 minutes')
    on conflict (tenant_id, environment) do nothing`;

  const perLog = Math.floor(LOG_ROWS / 4);
  // Row i's tenant: Acme for every 20th row, else a bench tenant skewed toward the first ones.
  const tenantOf = (i: string) => sql.unsafe(`case when ${i} % 20 = 0 then '${acme.tenantId}'::uuid else b.ids[1 + floor(power(random(), 2) * b.n)::int] end`);
  const bench = sql`(select array_agg(id order by id) as ids, count(*)::int as n from tenants where slug like 'bench-%') b`;
  const within30Days = sql`now() - random() * interval '30 days'`;
  await sql`
    insert into callback_logs (tenant_id, environment, realm_id, outcome, error_code, message, intuit_tid, latency_ms, created_at)
    select ${tenantOf("i")}, 'sandbox', '9341452000000001',
      (case when i % 10 = 1 then 'failure' else 'success' end)::callback_outcome, case when i % 10 = 1 then 'access_denied' end,
      case when i % 10 = 1 then 'The user cancelled at Intuit.' else 'Authorization code exchanged; tokens stored encrypted.' end,
      'tid-' || i, 20 + i % 300, ${within30Days}
    from ${bench}, generate_series(1, ${perLog}::int) i`;
  await sql`
    insert into refresh_logs (tenant_id, environment, realm_id, trigger, outcome, error_code, message, intuit_tid, old_access_expires_at, new_access_expires_at, refresh_token_rotated, duration_ms, created_at)
    select ${tenantOf("i")}, 'sandbox', '9341452000000001', (case when i % 3 = 0 then 'on_demand' else 'scheduled' end)::refresh_trigger,
      (case when i % 25 = 1 then 'failure' else 'success' end)::refresh_outcome, case when i % 25 = 1 then 'server_error' end,
      case when i % 25 = 1 then 'Intuit answered 503; will retry.' else 'Access token renewed.' end, 'tid-' || i, now(), now() + interval '1 hour', i % 2 = 0, 80 + i % 400, ${within30Days}
    from ${bench}, generate_series(1, ${perLog}::int) i`;
  // Webhook log: deliveries (one in 5,000 with a bad signature: about one a day) and the event each accepted one brought.
  const deliveries = Math.floor(perLog / 2);
  await sql`
    insert into webhook_deliveries (received_at, status, http_status, signature, format, content_type, body_bytes, event_count, new_event_count, realm_ids, tenant_ids, max_delay_ms, error)
    select ${within30Days}, (case when i % 5000 = 1 then 'rejected_signature' else 'accepted' end)::webhook_delivery_status, case when i % 5000 = 1 then 401 else 200 end,
      case when i % 5000 = 1 then 'invalid' else 'valid' end, 'legacy', 'application/json', 600, 1, 1,
      array['9341452000000001'], array[${tenantOf("i")}], 1500, case when i % 5000 = 1 then 'bad signature' end
    from ${bench}, generate_series(1, ${deliveries}::int) i`;
  await sql`
    insert into webhook_events (event_key, delivery_id, realm_id, tenant_id, entity, entity_id, operation, occurred_at, received_at, delay_ms, status, attempts, processed_at)
    select 'bench-' || i, i, '9341452000000001', ${tenantOf("i")}, 'Invoice', i::text, 'Update', r - interval '2 seconds', r, 500 + i % 4000,
      (case when i % 5000 = 1 then 'dead' else 'processed' end)::webhook_event_status, 1, r
    from ${bench}, (select i, ${within30Days} as r from generate_series(1, ${perLog - deliveries}::int) i) g`;
  await sql`
    insert into audit_events (tenant_id, action, target, outcome, details, created_at)
    select ${tenantOf("i")}, case when i % 4 = 0 then 'logs.viewed' when i % 4 = 1 then 'token.refreshed' else 'connection.verified' end,
      'quickbooks:sandbox', 'success', '{}'::jsonb, ${within30Days}
    from ${bench}, generate_series(1, ${LOG_ROWS - 3 * perLog}::int) i`;
  const [counts] = await sql<[Record<string, number>]>`
    select (select count(*) from tenants)::int as tenants, (select count(*) from callback_logs)::int as callback_logs,
      (select count(*) from refresh_logs)::int as refresh_logs, (select count(*) from webhook_deliveries)::int as webhook_deliveries,
      (select count(*) from webhook_events)::int as webhook_events, (select count(*) from audit_events)::int as audit_events`;
  console.log(`  data loaded in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(counts)}`);
  return counts!;
}

/** Statements the database committed while `run` ran (each of the app's statements is its own transaction or part of one). */
async function transactionsDuring<T>(sql: postgres.Sql, run: () => Promise<T>): Promise<{ result: T; transactions: number }> {
  const read = async () => {
    await new Promise((r) => setTimeout(r, 1_500)); // the statistics collector publishes at most once a second
    const [row] = await sql<[{ n: string }]>`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
    return Number(row!.n);
  };
  const before = await read();
  const result = await run();
  return { result, transactions: (await read()) - before - 1 };
}

/** Mean cost of decoding one session cookie, as the app does on every request (Auth.js: HKDF + JWE A256CBC-HS512). */
async function jwtDecodeMicroseconds(cookie: string, secret: string): Promise<number> {
  const token = cookie.slice(SESSION_COOKIE.length + 1);
  for (let i = 0; i < 200; i++) await decode({ token, secret, salt: SESSION_COOKIE });
  const n = 2_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) await decode({ token, secret, salt: SESSION_COOKIE });
  return Math.round(((performance.now() - started) / n) * 1000);
}

function describe(label: string, r: LoadResult): string {
  const failed = r.failed ? `, ${r.failed} FAILED ${JSON.stringify({ ...r.statuses, ...r.errors })}` : "";
  const cpu = r.cpu ? `; cpu % of a core: server ${r.cpu.server}, postgres ${r.cpu.postgres}, generator ${r.loadGeneratorCpu}, other ${r.cpu.other}` : "";
  return `  ${label.padEnd(34)} ${String(r.perSecond).padStart(6)}/s  p50 ${r.latencyMs.p50} ms  p95 ${r.latencyMs.p95} ms  p99 ${r.latencyMs.p99} ms${failed}${cpu}`;
}

// ---------------------------------------------------------------------------------------------------------------

console.log(`status bench: ${TENANTS.toLocaleString("en-US")} tenants, ${LOG_ROWS.toLocaleString("en-US")} log rows, ${REQUESTS} requests x ${ROUNDS} rounds at ${CONCURRENCY} clients${settings.quick ? " (quick)" : ""}`);
const problems: string[] = [];
let counts: Record<string, number> = {};
let acme: BenchUser | undefined;
const stack = await startStack({
  database: "qbc_bench_status",
  appDir: settings.appDir,
  prepare: async (sql, env) => {
    acme = await seededUser(sql, "accountant@acme.test", "acme");
    const cipher = appTokenCipher(env);
    counts = await loadData(sql, acme, { access: cipher.encrypt("bench-access-token"), refresh: cipher.encrypt("bench-refresh-token") });
  },
});
const empty = await startEmptyApp();
const cookie = await stack.cookieFor(acme!);
const statusUrl = `${stack.app.url}/api/quickbooks/status`;

// The answer must be Acme's real status, not an error page that happens to be fast.
const probe = await fetch(statusUrl, { headers: { cookie } });
const body = (await probe.json()) as { connection?: { realmId?: string; status?: string }; indicator?: string; reasons?: string[] };
if (probe.status !== 200 || body.connection?.realmId !== "9341452000000001") problems.push(`status answered ${probe.status} ${JSON.stringify(body).slice(0, 200)}`);
console.log(`  probe: ${probe.status}, connection ${body.connection?.status}, indicator ${body.indicator} ${JSON.stringify(body.reasons ?? [])}`);

const warmup = Math.min(2_000, REQUESTS);
await runLoad({ url: `${empty.url}/api/empty`, method: "GET", count: warmup, concurrency: CONCURRENCY, expectStatus: 200 });
await runLoad({ url: statusUrl, method: "GET", count: warmup, concurrency: CONCURRENCY, expectStatus: 200, headers: { cookie } });
await runLoad({ url: statusUrl, method: "GET", count: Math.min(500, warmup), concurrency: CONCURRENCY, expectStatus: 401 });

const runs: Array<{ emptyRoute: LoadResult; status: LoadResult; unauthenticated: LoadResult; statementsPerRequest: number; machine: Awaited<ReturnType<typeof machineState>> }> = [];
for (let round = 1; round <= ROUNDS; round++) {
  const machine = await machineState(settings.waitIdleS);
  console.log(`round ${round}/${ROUNDS} (load average ${machine.loadAverage1m}, machine busy ${machine.busyBeforePct ?? "?"}% of a core before it)`);
  const emptyRoute = await runLoad({ url: `${empty.url}/api/empty`, method: "GET", count: REQUESTS, concurrency: CONCURRENCY, expectStatus: 200, serverGroup: empty.pid });
  console.log(describe("empty Next.js GET /api/empty", emptyRoute));
  const { result: status, transactions } = await transactionsDuring(stack.sql, () =>
    runLoad({ url: statusUrl, method: "GET", count: REQUESTS, concurrency: CONCURRENCY, expectStatus: 200, headers: { cookie }, serverGroup: stack.app.pid }),
  );
  console.log(describe("GET /api/quickbooks/status", status));
  const unauthenticated = await runLoad({ url: statusUrl, method: "GET", count: Math.ceil(REQUESTS / 2), concurrency: CONCURRENCY, expectStatus: 401, serverGroup: stack.app.pid });
  console.log(describe("  the same, no cookie (401)", unauthenticated));
  const statementsPerRequest = Math.round((transactions / REQUESTS) * 10) / 10;
  console.log(`  database transactions per status request: ${statementsPerRequest}`);
  for (const [label, r] of [["empty route", emptyRoute], ["status", status], ["unauthenticated status", unauthenticated]] as const) {
    if (r.failed) problems.push(`round ${round}: ${label}: ${r.failed} of ${r.requests} requests failed ${JSON.stringify({ ...r.statuses, ...r.errors })}`);
  }
  runs.push({ emptyRoute, status, unauthenticated, statementsPerRequest, machine });
}

const jwtDecodeUs = await jwtDecodeMicroseconds(cookie, stack.app.env.AUTH_SECRET!);
console.log(`  session JWT decode (Auth.js, in this process): ${jwtDecodeUs} µs`);

const rps = median(runs.map((r) => r.status.perSecond));
const emptyRps = median(runs.map((r) => r.emptyRoute.perSecond));
const p95 = median(runs.map((r) => r.status.latencyMs.p95));
const emptyP95 = median(runs.map((r) => r.emptyRoute.latencyMs.p95));
const unauthRps = median(runs.map((r) => r.unauthenticated.perSecond));
// CPU time per request (from /proc: the server's process group, and PostgreSQL): a figure that holds on a shared
// machine, where requests per second mostly say how much of the CPU the other processes left.
const cpuMsPerRequest = (r: LoadResult, who: "server" | "postgres") => (r.cpu ? (r.cpu[who] * 10) / r.perSecond : Number.NaN);
const statusCpu = median(runs.map((r) => cpuMsPerRequest(r.status, "server")));
const statusPgCpu = median(runs.map((r) => cpuMsPerRequest(r.status, "postgres")));
const emptyCpu = median(runs.map((r) => cpuMsPerRequest(r.emptyRoute, "server")));
const conditions = `${TENANTS.toLocaleString("en-US")} tenants, ${LOG_ROWS.toLocaleString("en-US")} log rows, ${CONCURRENCY} clients`;
const ratio = rps / emptyRps;
const lines = [
  line({ benchmark: BENCHMARK, metric: `GET /api/quickbooks/status requests/s, ${conditions}`, value: rps, unit: "/s", baseline: { label: "empty Next.js GET route", value: emptyRps }, target: { text: "≥ 0.7× empty route", met: ratio >= 0.7 } }),
  line({ benchmark: BENCHMARK, metric: `GET /api/quickbooks/status p95, ${CONCURRENCY} clients`, value: p95, unit: "ms", baseline: { label: "empty Next.js GET route", value: emptyP95 }, target: { text: "p95 ≤ 20 ms", met: p95 <= 20 } }),
  line({ benchmark: BENCHMARK, metric: "same route without a session (401: no JWT, no database) requests/s", value: unauthRps, unit: "/s", baseline: { label: "empty Next.js GET route", value: emptyRps } }),
  line({ benchmark: BENCHMARK, metric: "app server CPU per status request", value: statusCpu, unit: "ms", baseline: { label: "empty Next.js GET route", value: emptyCpu } }),
  line({ benchmark: BENCHMARK, metric: "PostgreSQL CPU per status request", value: statusPgCpu, unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "session JWT decode (Auth.js JWE) when not cached; the app now decodes a cookie once", value: jwtDecodeUs / 1000, unit: "ms" }),
  line({ benchmark: BENCHMARK, metric: "database transactions per status request", value: median(runs.map((r) => r.statementsPerRequest)), unit: "count" }),
];
await stack.stop();
finish({
  settings,
  lines,
  problems,
  details: {
    build: stack.build,
    emptyAppBuild: empty.build,
    commit: stack.commit,
    postgres: stack.serverVersion,
    data: counts,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    rounds: runs.map((r) => ({
      machine: r.machine,
      emptyRoute: { perSecond: r.emptyRoute.perSecond, latencyMs: r.emptyRoute.latencyMs, cpu: r.emptyRoute.cpu },
      status: { perSecond: r.status.perSecond, latencyMs: r.status.latencyMs, cpu: r.status.cpu },
      unauthenticated: { perSecond: r.unauthenticated.perSecond, latencyMs: r.unauthenticated.latencyMs },
      statementsPerRequest: r.statementsPerRequest,
    })),
    jwtDecodeUs,
  },
});
