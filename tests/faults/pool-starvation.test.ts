// Fault suite (issue 15, point 5): the built app's database pool cannot be starved. Ten CSV exports read slowly by
// their clients, and twelve token renewals whose Intuit token endpoint hangs for 20 s, all at once; meanwhile the
// console's status route (GET /api/quickbooks/status, as the console polls it) answers within its normal time.
//
// What keeps it so: exports stream in an export pool of their own, at most 4 per process and 2 per tenant (429 above
// it), so a slow reader never holds a request-pool connection (db/client.ts, lib/logs/export-response.ts); and
// renewals are limited process-wide and hold no connection while Intuit answers (lib/quickbooks/client). Each export
// here has tens of MB to send, so that its COPY is still running on the server while its client dawdles.
//
// PostgreSQL only (the app and this test share the database). Needs `next build` first.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TENANT_HEADER } from "@/lib/http/tenant-binding";
import { loadTestRealmId } from "@/mocks/intuit/fixtures";
import { freePort, keepLogsOnExit, migrateAndSeed, productionEnv, recreateDatabase, startBuiltApp, startEmulatorProcess, stopProcess, tail, type BuiltApp, type Launched } from "@/scripts/built-app";
import { connectOverHttp, createTenants, emulatorControl, emulatorState, openSql, postHeaders, waitUntil, type Sql, type TestTenant } from "./support/built-tenants";

const DATABASE = "qbc_faults_pool";
/** More renewals than the request pool has connections (10, db/client.ts). */
const RENEWING_TENANTS = 12;
/** Five tenants ask for two exports each: ten slow-reading exports. */
const EXPORTING_TENANTS = 5;
const ROWS_PER_EXPORT = 60_000;
/** How long Intuit's token endpoint holds each request. */
const TOKEN_HANG_MS = 20_000;
/** How long the status route is watched while the exports and renewals are in progress. */
const WATCH_MS = 8_000;
/** The status route's normal time on this machine is tens of milliseconds; a starved pool makes it wait ~20 s. */
const STATUS_LIMIT_MS = 1_500;
/** The export limits the app runs with (lib/env.ts defaults). */
const EXPORTS_PER_PROCESS = 4;
const EXPORTS_PER_TENANT = 2;

interface SlowExport {
  tenant: number;
  status: number;
  retryAfter: string | null;
  body: string;
  bytes: number;
  request: http.ClientRequest;
}

/** An export whose client takes one chunk, then waits 250 ms before the next: a download over a slow link. */
function slowExport(app: BuiltApp, tenant: TestTenant, index: number): Promise<SlowExport> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${app.url}/api/quickbooks/logs/callback.csv`, { agent: false, headers: { cookie: tenant.cookie } }, (res) => {
      const answer: SlowExport = { tenant: index, status: res.statusCode ?? 0, retryAfter: (res.headers["retry-after"] as string | undefined) ?? null, body: "", bytes: 0, request };
      if (answer.status !== 200) {
        res.setEncoding("utf8");
        res.on("data", (text: string) => (answer.body += text));
        res.on("end", () => resolve(answer));
        return;
      }
      res.on("data", (chunk: Buffer) => {
        answer.bytes += chunk.length;
        res.pause();
        setTimeout(() => res.resume(), 250).unref();
      });
      res.on("error", () => {});
      // Resolved once the download is under way; the test ends it.
      resolve(answer);
    });
    request.on("error", (error) => (request.destroyed ? undefined : reject(error)));
  });
}

describe.runIf(process.env.DATABASE_URL)("the request pool under slow exports and a hanging token endpoint (built app)", () => {
  let emulator: Launched & { url: string };
  let env: NodeJS.ProcessEnv;
  let app: BuiltApp;
  let sql: Sql;
  let tenants: TestTenant[] = [];
  const serverUrl = (process.env.DATABASE_URL ?? "").replace(/\/[^/]*$/, "");

  beforeAll(async () => {
    const databaseUrl = await recreateDatabase(DATABASE, serverUrl);
    emulator = await startEmulatorProcess({ name: "pool-emulator" });
    // Background jobs off: the renewals here are the ones the test starts, nothing renews behind its back.
    env = { ...productionEnv({ databaseUrl, appUrl: `http://127.0.0.1:${await freePort()}`, intuitUrl: emulator.url }), QBC_BACKGROUND_JOBS: "off" };
    await migrateAndSeed(env);
    sql = openSql(databaseUrl);
    app = await startBuiltApp({ name: "pool-app", env });
    const created = await createTenants(sql, RENEWING_TENANTS, env.AUTH_SECRET!, "pool");
    tenants = created.map((t, i) => ({ ...t, realmId: loadTestRealmId(i) }));
    let next = 0;
    const connector = async () => {
      for (let i = next++; i < tenants.length; i = next++) {
        const outcome = await connectOverHttp(app, tenants[i]!.cookie, tenants[i]!.realmId);
        if (outcome !== "connected") throw new Error(`tenant ${i} did not connect: ${outcome}`);
      }
    };
    await Promise.all(Array.from({ length: 3 }, connector));
    await sql`
      insert into callback_logs (tenant_id, environment, realm_id, outcome, error_code, message, intuit_tid, latency_ms, created_at)
      select t, 'sandbox', '9341452000000001', 'failure'::callback_outcome, 'access_denied',
             'The user declined access on Intuit''s consent page; the connection stays as it was. ' || repeat('x', 120) || g,
             'tid-' || g, g % 1000, now() - g * interval '1 second'
      from unnest(${tenants.slice(0, EXPORTING_TENANTS).map((t) => t.tenantId)}::uuid[]) as t, generate_series(1, ${ROWS_PER_EXPORT}::int) as g`;
  });

  afterAll(async () => {
    if (app) await stopProcess(app);
    if (emulator) await stopProcess(emulator);
    await sql?.end();
  });

  const status = async (tenant: TestTenant) => {
    const started = performance.now();
    try {
      const response = await fetch(`${app.url}/api/quickbooks/status`, {
        headers: { cookie: tenant.cookie, accept: "application/json", [TENANT_HEADER]: tenant.tenantId },
        signal: AbortSignal.timeout(TOKEN_HANG_MS + 5_000),
      });
      const body = (await response.json()) as { indicator?: string };
      return { status: response.status, indicator: body.indicator, ms: performance.now() - started };
    } catch (error) {
      return { status: 0, indicator: String(error), ms: performance.now() - started };
    }
  };

  it("answers the console's status poll within its normal time while 10 slow exports run and the token endpoint hangs for 20 s", async () => {
    const exports: SlowExport[] = [];
    try {
      const watched = tenants[0]!;
      const baseline: number[] = [];
      for (let i = 0; i < 10; i++) baseline.push((await status(watched)).ms);

      // Intuit's token endpoint holds every request for 20 s (each renewal may try twice within its time limit).
      await emulatorControl(emulator.url, "faults", { target: "token", delayMs: TOKEN_HANG_MS, times: RENEWING_TENANTS * 3 });
      const tokenRequestsBefore = (await emulatorState(emulator.url)).calls.tokenRefreshToken;
      const renewalAnswers: (number | null)[] = tenants.map(() => null);
      tenants.forEach((tenant, i) =>
        fetch(`${app.url}/api/quickbooks/refresh`, { method: "POST", headers: { ...postHeaders(app, tenant.cookie), [TENANT_HEADER]: tenant.tenantId }, signal: AbortSignal.timeout(60_000) }).then(
          async (r) => {
            await r.arrayBuffer();
            renewalAnswers[i] = r.status;
          },
          () => (renewalAnswers[i] = 0),
        ),
      );
      for (let t = 0; t < EXPORTING_TENANTS; t++) for (let n = 0; n < 2; n++) exports.push(await slowExport(app, tenants[t]!, t));
      await waitUntil("a renewal to reach Intuit's token endpoint", async () => (await emulatorState(emulator.url)).calls.tokenRefreshToken > tokenRequestsBefore, 10_000);

      // Watched while everything is in progress: a poll every 200 ms, as a few open consoles would.
      const samples: Awaited<ReturnType<typeof status>>[] = [];
      let runningCopies = 0;
      const watchUntil = Date.now() + WATCH_MS;
      while (Date.now() < watchUntil) {
        samples.push(await status(watched));
        if (samples.length === 10) {
          const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and state = 'active' and query ilike 'copy%'`;
          runningCopies = row!.n;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const unansweredRenewals = renewalAnswers.filter((a) => a === null).length;

      const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
      const p = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!);
      console.log(
        `status route: baseline median ${Math.round(baseline.sort((a, b) => a - b)[5]!)} ms; under load ${samples.length} polls, ` +
          `p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${p(1)} ms; exports ${exports.map((e) => e.status).join(",")}; ` +
          `${runningCopies} COPY running; ${unansweredRenewals} renewals still waiting at the end`,
      );

      // The status route answered every poll, each within its normal time.
      expect(samples.every((s) => s.status === 200 && (s.indicator === "green" || s.indicator === "red")), JSON.stringify(samples.filter((s) => s.status !== 200))).toBe(true);
      expect(p(1), `slowest status poll under load (baseline ${baseline.map(Math.round).join(", ")} ms)`).toBeLessThan(STATUS_LIMIT_MS);

      // The load was real: renewals were still waiting on Intuit when the watch ended, and the exports ran slowly.
      expect(unansweredRenewals).toBeGreaterThan(0);
      const accepted = exports.filter((e) => e.status === 200);
      expect(accepted).toHaveLength(EXPORTS_PER_PROCESS);
      expect(runningCopies).toBe(EXPORTS_PER_PROCESS);
      for (const e of accepted) expect(e.bytes).toBeGreaterThan(0);
      for (let t = 0; t < EXPORTING_TENANTS; t++) expect(accepted.filter((e) => e.tenant === t).length).toBeLessThanOrEqual(EXPORTS_PER_TENANT);
      // Above the limits: 429 too_many_exports with Retry-After.
      for (const refused of exports.filter((e) => e.status !== 200)) {
        expect(refused.status).toBe(429);
        expect(refused.retryAfter).toBe("5");
        expect(JSON.parse(refused.body)).toEqual({ error: { code: "too_many_exports", message: expect.any(String) } });
      }

      // The slow clients go away: their slots are free again, and an export is taken at once.
      for (const e of exports) e.request.destroy();
      await waitUntil(
        "the cancelled exports to end on the server",
        async () => (await sql`select 1 from pg_stat_activity where datname = current_database() and state = 'active' and query ilike 'copy%'`).length === 0,
        10_000,
      );
      const after = await fetch(`${app.url}/api/quickbooks/logs/refresh.csv`, { headers: { cookie: tenants[EXPORTING_TENANTS]!.cookie } });
      expect(after.status).toBe(200);
      await after.arrayBuffer();
    } catch (error) {
      console.log(`app log (${keepLogsOnExit()}):\n${tail(app.log, 60)}`);
      throw error;
    } finally {
      for (const e of exports) e.request.destroy();
    }
  });
});
