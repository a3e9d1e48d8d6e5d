// Fault suite (issue 9): the BUILT app (`npm start`) SIGKILLed in the middle of its work, then started again.
//
// - A token renewal. The dangerous moment is after Intuit rotated the refresh token and before the app committed the
//   new one. The renewal runs in one transaction holding the connection's row lock, and commits the new pair only
//   after Intuit answered (lib/quickbooks/access-token.ts), so a kill at any moment leaves the previous, consistent
//   pair; nothing is half-written. Whether that previous pair still renews is Intuit's decision: the tests show both
//   Intuit behaviours intuit.md §3 reports (the previous token refused at once, the worst case; or honoured for 24 h,
//   jsclient's README), at three moments: before Intuit acted, after it acted but before its answer arrived, and after
//   the answer arrived but before the commit.
// - A webhook batch: processing runs in the app after the answer (`after()`), so the app itself is killed while a
//   batch is inside its transaction; after the restart and once the batch's lease has run out, every event is
//   processed exactly once.
// - A sync run: not repeated here. tests/sync-kill.test.ts already kills (SIGKILL) a second process running a sync
//   half-way and proves the sweep resumes it from its cursor with the records of an uninterrupted run. In the built
//   app the same library call (runSync, from `after()` or the sweep) does the same work against the same tables, so
//   a built-app variant would add only a slower start-up.
//
// PostgreSQL only: the killed app and its successor share the database with this test. Needs `next build` first.
import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  killProcess,
  keepLogsOnExit,
  migrateAndSeed,
  productionEnv,
  recreateDatabase,
  startBuiltApp,
  startEmulatorProcess,
  stopProcess,
  type BuiltApp,
  type Launched,
} from "@/scripts/built-app";
import {
  connectOverHttp,
  emulatorControl,
  emulatorState,
  emulatorTokens,
  openSql,
  openStoredRefreshToken,
  postHeaders,
  seededUser,
  waitUntil,
  type Sql,
  type TestTenant,
} from "./support/built-tenants";

const DATABASE = "qbc_faults2_kills";
const ACME_REALM = "9341452000000001";
const GLOBEX_REALM = "9341452000000002";
/** processPendingWebhookEvents' lease (LEASE_MS in lib/quickbooks/process-webhook-events.ts). */
const WEBHOOK_LEASE_MS = 5 * 60 * 1000;

describe.runIf(process.env.DATABASE_URL)("the built app killed (SIGKILL) mid-work", () => {
  let emulator: Launched & { url: string };
  let env: NodeJS.ProcessEnv;
  let app: BuiltApp;
  let sql: Sql;
  let acme: TestTenant;
  let globex: TestTenant;
  // The PostgreSQL server of DATABASE_URL (its database part dropped): this file creates its own database there.
  const serverUrl = (process.env.DATABASE_URL ?? "").replace(/\/[^/]*$/, "");

  const start = async () => {
    app = await startBuiltApp({ name: "kills-app", env });
  };

  beforeAll(async () => {
    const databaseUrl = await recreateDatabase(DATABASE, serverUrl);
    emulator = await startEmulatorProcess({ name: "kills-emulator" });
    // Background jobs off: each test decides when a sweep runs, so nothing renews or processes behind its back.
    env = { ...productionEnv({ databaseUrl, appUrl: `http://127.0.0.1:${await freePort()}`, intuitUrl: emulator.url }), QBC_BACKGROUND_JOBS: "off" };
    await migrateAndSeed(env);
    sql = openSql(databaseUrl);
    await start();
    acme = { ...(await seededUser(sql, "accountant@acme.test", "acme", env.AUTH_SECRET!)), realmId: ACME_REALM };
    globex = { ...(await seededUser(sql, "accountant@globex.test", "globex", env.AUTH_SECRET!)), realmId: GLOBEX_REALM };
    for (const tenant of [acme, globex]) expect(await connectOverHttp(app, tenant.cookie, tenant.realmId)).toBe("connected");
  });

  afterAll(async () => {
    if (app) await stopProcess(app);
    if (emulator) await stopProcess(emulator);
    await sql?.end();
  });

  // ----------------------------------------------------------------------------------------------- token renewal

  const connection = async (tenant: TestTenant) => {
    const [row] = await sql<{ status: string; access_token_enc: string; refresh_token_enc: string; access_token_expires_at: Date; last_refreshed_at: Date | null }[]>`
      select status, access_token_enc, refresh_token_enc, access_token_expires_at, last_refreshed_at from quickbooks_connections where tenant_id = ${tenant.tenantId}`;
    return row!;
  };
  const storedRefreshToken = async (tenant: TestTenant) => openStoredRefreshToken(sql, env, tenant.tenantId);
  const renew = (tenant: TestTenant) => fetch(`${app.url}/api/quickbooks/refresh`, { method: "POST", headers: postHeaders(app, tenant.cookie) });
  const verify = (tenant: TestTenant) => fetch(`${app.url}/api/quickbooks/verify`, { method: "POST", headers: postHeaders(app, tenant.cookie) });
  const refreshRequests = async () => (await emulatorState(emulator.url)).calls.tokenRefreshToken;
  const successfulRenewals = async (tenant: TestTenant) =>
    Number((await sql<{ n: number }[]>`select count(*)::int as n from refresh_logs where tenant_id = ${tenant.tenantId} and outcome = 'success'`)[0]!.n);

  /** Starts "Renew token", waits for `moment`, kills the app (SIGKILL), and makes sure the request got no answer. */
  async function killDuringRenewal(tenant: TestTenant, moment: () => Promise<void>) {
    const before = await connection(tenant);
    const renewals = await successfulRenewals(tenant);
    const answer = renew(tenant).then(
      (r) => `answered ${r.status}`,
      () => "no answer",
    );
    await moment();
    await killProcess(app);
    expect(await answer).toBe("no answer");
    return { before, renewals };
  }

  /** The killed app's database sessions: PostgreSQL ends them (rolling back) once it reads their closed sockets. */
  const killedSessionsGone = () =>
    waitUntil(
      "the killed app's transactions to end",
      async () =>
        (await sql`select 1 from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and (state like 'idle in transaction%' or wait_event_type = 'Lock')`).length === 0,
    );

  /** After a kill: the row is exactly as before the renewal began, and no renewal was logged. */
  async function expectUntouched(tenant: TestTenant, before: Awaited<ReturnType<typeof connection>>, renewals: number) {
    // The killed process's database session may outlive it by a moment (until PostgreSQL reads the closed socket).
    await killedSessionsGone();
    expect(await connection(tenant)).toEqual(before);
    expect(await successfulRenewals(tenant)).toBe(renewals);
  }

  it("killed while a slow token endpoint has not acted yet: the stored pair still renews, nothing is lost", async () => {
    // Intuit slow, then failing (a gateway timeout): the token service never sees the request, the refresh token is not rotated.
    await emulatorControl(emulator.url, "faults", { target: "token", delayMs: 3_000, status: 504 });
    const asked = await refreshRequests();
    const { before, renewals } = await killDuringRenewal(acme, () => waitUntil("the token request to reach Intuit", async () => (await refreshRequests()) > asked));
    await expectUntouched(acme, before, renewals);
    const storedRefresh = await storedRefreshToken(acme);
    // Let the emulator finish answering the dead client: the token must still be valid afterwards.
    await new Promise((r) => setTimeout(r, 3_200));
    expect((await emulatorTokens(emulator.url)).refresh.has(storedRefresh)).toBe(true);

    await start();
    const reuses = (await emulatorState(emulator.url)).refreshTokenReuses;
    expect((await renew(acme)).status).toBe(200);
    expect((await verify(acme)).status).toBe(200);
    expect((await emulatorTokens(emulator.url)).refresh.has(await storedRefreshToken(acme))).toBe(true);
    expect((await emulatorState(emulator.url)).refreshTokenReuses).toBe(reuses);
  });

  it("killed after Intuit rotated the refresh token, before its answer arrived: flagged for reconnect if Intuit refuses the previous token, renewed if it honours it", async () => {
    // Worst case (intuit.md §3: assume the previous token expires at once). The emulator rotates, then holds the answer.
    await emulatorControl(emulator.url, "faults", { target: "token", answerDelayMs: 3_000 });
    const storedRefresh = await storedRefreshToken(acme);
    const { before, renewals } = await killDuringRenewal(acme, () =>
      waitUntil("Intuit to rotate the stored refresh token", async () => !(await emulatorTokens(emulator.url)).refresh.has(storedRefresh)),
    );
    await expectUntouched(acme, before, renewals);

    await start();
    // The stored access token was never touched and keeps working until it expires.
    expect((await verify(acme)).status).toBe(200);
    // The refresh token is gone at Intuit; the app re-reads, retries once, and asks for a reconnect rather than loop.
    const refused = await renew(acme);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("reauthorization_required");
    expect((await connection(acme)).status).toBe("reauthorization_required");
    // One reconnect restores it.
    expect(await connectOverHttp(app, acme.cookie, ACME_REALM)).toBe("connected");
    expect((await renew(acme)).status).toBe(200);

    // Intuit honouring the previous token for 24 h (jsclient's README): the same kill loses nothing.
    await emulatorControl(emulator.url, "rotation-grace", { seconds: 24 * 60 * 60 });
    try {
      await emulatorControl(emulator.url, "faults", { target: "token", answerDelayMs: 3_000 });
      const previous = await storedRefreshToken(acme);
      const killed = await killDuringRenewal(acme, () =>
        waitUntil("Intuit to rotate the stored refresh token", async () => !(await emulatorTokens(emulator.url)).refresh.has(previous)),
      );
      await expectUntouched(acme, killed.before, killed.renewals);
      await start();
      expect((await renew(acme)).status).toBe(200);
      expect((await verify(acme)).status).toBe(200);
      expect((await connection(acme)).status).toBe("active");
      expect((await emulatorTokens(emulator.url)).refresh.has(await storedRefreshToken(acme))).toBe(true);
    } finally {
      await emulatorControl(emulator.url, "rotation-grace", { seconds: null });
    }
  });

  it("killed after Intuit's answer reached the app, before its commit: the previous pair is intact", async () => {
    await emulatorControl(emulator.url, "rotation-grace", { seconds: 24 * 60 * 60 });
    // Freeze the renewal between Intuit's answer and the commit: its transaction has updated the connection and now
    // writes the refresh log, which this SHARE lock blocks until the app is dead.
    const blocker = await sql.reserve();
    try {
      await blocker`begin`;
      await blocker`lock table refresh_logs in share mode`;
      const previous = await storedRefreshToken(acme);
      const { before, renewals } = await killDuringRenewal(acme, () =>
        waitUntil(
          "the renewal to wait on the refresh log after Intuit's answer",
          async () => (await sql`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'insert into "refresh_logs"%'`).length > 0,
        ),
      );
      expect((await emulatorTokens(emulator.url)).refresh.has(previous)).toBe(false);
      await blocker`rollback`;
      await expectUntouched(acme, before, renewals);
    } finally {
      blocker.release();
    }
    try {
      await start();
      expect((await renew(acme)).status).toBe(200);
      expect((await verify(acme)).status).toBe(200);
      expect((await emulatorTokens(emulator.url)).refresh.has(await storedRefreshToken(acme))).toBe(true);
    } finally {
      await emulatorControl(emulator.url, "rotation-grace", { seconds: null });
    }
  });

  // ------------------------------------------------------------------------------------------------ webhook batch

  const VERIFIER = () => env.INTUIT_WEBHOOK_VERIFIER_TOKEN!;
  let nextEntityId = 1;
  // Events of the last hour (one second apart), as Intuit sends them.
  const base = Date.now() - 60 * 60 * 1000;
  /** One legacy delivery of `size` distinct Invoice updates, half for each realm. */
  function delivery(size: number) {
    const entities = () =>
      Array.from({ length: size / 2 }, () => {
        const id = nextEntityId++;
        return { name: "Invoice", id: String(id), operation: "Update", lastUpdated: new Date(base + id * 1000).toISOString() };
      });
    const body = JSON.stringify({ eventNotifications: [ACME_REALM, GLOBEX_REALM].map((realmId) => ({ realmId, dataChangeEvent: { entities: entities() } })) });
    return { body, events: size };
  }
  const post = (body: string) =>
    fetch(`${app.url}/api/quickbooks/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "intuit-signature": createHmac("sha256", VERIFIER()).update(body).digest("base64") },
      body,
    });
  const counts = async () =>
    (
      await sql<{ pending: number; processed: number; events: number; changes: number; deliveries: number; new_events: number }[]>`
      select (select count(*)::int from webhook_events where status = 'pending') as pending,
             (select count(*)::int from webhook_events where status = 'processed') as processed,
             (select count(*)::int from webhook_events) as events,
             (select count(*)::int from quickbooks_changes where source = 'webhook') as changes,
             (select count(*)::int from webhook_deliveries where status = 'accepted') as deliveries,
             (select coalesce(sum(new_event_count), 0)::int from webhook_deliveries where status = 'accepted') as new_events`
    )[0]!;

  it("killed mid-batch: after the restart and the lease, every event is processed exactly once", async () => {
    await sql`update quickbooks_connections set status = 'active' where tenant_id in (${acme.tenantId}, ${globex.tenantId})`;
    const sent: string[] = [];
    let answered = 0;
    const send = async (body: string) => {
      const response = await post(body);
      expect(response.status).toBe(200);
      answered += 1;
    };

    // 1. 20 deliveries processed normally.
    for (let i = 0; i < 20; i++) {
      const d = delivery(10);
      sent.push(d.body);
      await send(d.body);
    }
    await waitUntil("the first deliveries to be processed", async () => (await counts()).processed === 200);

    // 2. Processing held inside its batch transaction: it has recorded the batch's changes and waits to move the
    //    tenants' "last change seen" (this transaction holds Globex's connection row). Deliveries are still answered.
    const blocker = await sql.reserve();
    let killedBatch: number[] = [];
    const unanswered: string[] = [];
    try {
      await blocker`begin`;
      await blocker`select 1 from quickbooks_connections where tenant_id = ${globex.tenantId} for update`;
      for (let i = 0; i < 40; i++) {
        const d = delivery(10);
        sent.push(d.body);
        await send(d.body);
      }
      await waitUntil(
        "a processing batch to wait inside its transaction",
        async () => (await sql`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%update%quickbooks_connections%last_change_seen_at%'`).length > 0,
      );
      // Deliveries arriving at the moment of the kill: some may be answered, the rest Intuit will send again.
      const racing = Array.from({ length: 5 }, () => delivery(10).body);
      sent.push(...racing);
      const racingAnswers = racing.map((body) =>
        post(body).then(
          (r) => (r.status === 200 ? "ok" : body),
          () => body,
        ),
      );
      await new Promise((r) => setTimeout(r, 20));
      await killProcess(app);
      for (const outcome of await Promise.all(racingAnswers)) {
        if (outcome === "ok") answered += 1;
        else unanswered.push(outcome);
      }
      killedBatch = (await sql<{ id: number }[]>`select id from webhook_events where status = 'pending' and attempts = 1 order by id`).map((r) => Number(r.id));
      expect(killedBatch.length).toBeGreaterThan(0);
    } finally {
      await blocker`rollback`.catch(() => {});
      blocker.release();
    }
    await killedSessionsGone();

    // Nothing of the killed batch was committed: its events are leased (pending, attempted once) and their changes absent.
    const afterKill = await counts();
    expect(afterKill.processed).toBe(200);
    expect(afterKill.changes).toBe(200);
    const [lease] = await sql<{ earliest: Date }[]>`select min(next_attempt_at) as earliest from webhook_events where id in ${sql(killedBatch)}`;
    expect(lease!.earliest.getTime()).toBeGreaterThan(Date.now() + WEBHOOK_LEASE_MS - 60_000);

    // 3. Restart. Intuit sends again what got no answer, and (as it may) one delivery that did; new deliveries too.
    await start();
    for (const body of [...unanswered, sent[25]!]) await send(body);
    for (let i = 0; i < 5; i++) {
      const d = delivery(10);
      sent.push(d.body);
      await send(d.body);
    }
    const total = sent.length * 10;
    // The restarted app processes what it received and the unclaimed backlog; the killed batch waits for its lease.
    await waitUntil("the restarted app to process everything but the leased batch", async () => (await counts()).processed === total - killedBatch.length, 60_000);
    expect((await counts()).pending).toBe(killedBatch.length);

    // 4. The scheduled sweep, once the lease has run out (its clock moved past it instead of waiting 5 minutes).
    const sweep = await sweepWebhooks(env.DATABASE_URL!, new Date(Date.now() + WEBHOOK_LEASE_MS + 1_000));
    expect(sweep).toEqual({ processed: killedBatch.length, retried: 0, dead: 0 });

    const final = await counts();
    expect(final).toMatchObject({ pending: 0, processed: total, events: total, changes: total, new_events: total });
    // One delivery row per delivery received. A delivery stored just before the kill whose answer never left is
    // received again when Intuit resends it: two rows, but its events were new only once (new_events above).
    expect(final.deliveries).toBeGreaterThanOrEqual(answered);
    expect(final.deliveries).toBeLessThanOrEqual(answered + unanswered.length);
    // Each change once (the unique index would hide a double insert, so count per entity too).
    const doubled = await sql`select entity_id from quickbooks_changes group by tenant_id, entity_id having count(*) > 1`;
    expect(doubled).toHaveLength(0);
    const [attempts] = await sql<{ twice: number; more: number }[]>`
      select count(*) filter (where attempts = 2)::int as twice, count(*) filter (where attempts > 2)::int as more from webhook_events`;
    expect(attempts).toEqual({ twice: killedBatch.length, more: 0 });
    console.log(`webhook kill: ${total} events in ${sent.length} deliveries (${answered} answered; ${unanswered.length} unanswered at the kill, resent after the restart, ${final.deliveries - answered} of them stored before it); ${killedBatch.length} events in the killed batch, processed by the sweep after the lease`);
  });

  afterEach(({ task }) => {
    // The processes' logs are deleted at exit unless something failed.
    if (task.result?.state === "fail") console.error(`process logs kept in ${keepLogsOnExit()}`);
  });
});

/** The sweep's webhook pass (lib/jobs/queue.ts runs processPendingWebhookEvents) in this process, at `now`. */
async function sweepWebhooks(databaseUrl: string, now: Date) {
  const previous = process.env.DATABASE_URL;
  const { resetEnvForTests } = await import("@/lib/env");
  const { closeDatabase } = await import("@/db");
  const { processPendingWebhookEvents } = await import("@/lib/quickbooks/process-webhook-events");
  process.env.DATABASE_URL = databaseUrl;
  resetEnvForTests();
  try {
    return await processPendingWebhookEvents({ now });
  } finally {
    await closeDatabase();
    process.env.DATABASE_URL = previous;
    resetEnvForTests();
  }
}
