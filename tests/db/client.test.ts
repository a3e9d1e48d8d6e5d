// PostgreSQL's time limits on the app's sessions (db/client.ts): a statement, a lock wait and a forgotten transaction
// each end at their limit and give the connection back, while a CSV export read steadily for longer than the
// statement limit still runs to its end (it streams in the export pool, which has none). Short limits here, so that
// each case takes a second or two; the defaults and their reasons are in lib/env.ts. PostgreSQL only: PGlite is
// one embedded connection with no time limits.
process.env.QBC_DB_STATEMENT_TIMEOUT_MS = "1000";
process.env.QBC_DB_LOCK_TIMEOUT_MS = "500";
process.env.QBC_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = "1500";

import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as exportRoute } from "@/app/api/quickbooks/logs/[file]/route";
import { databaseHandle, db } from "@/db";
import { rowsOf } from "@/db/rows";
import { databaseTimeoutCode } from "@/db/timeouts";
import { databaseUnavailableCode } from "@/db/unavailable";
import { toErrorResponse } from "@/lib/errors";
import { useTestDatabase } from "../database";
import { exportSessions, insertBulkCallbackLogs } from "../fixtures/bulk-log-rows";
import { appRequest, sessionCookie, tenantId } from "../session";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.env.DATABASE_URL)("the app's PostgreSQL sessions and their time limits", () => {
  useTestDatabase();
  afterEach(() => vi.restoreAllMocks());

  /** A connection of the test's own, outside the app's pools and their limits. */
  const ownConnection = () => postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });

  it("sets the configured limits on the request pool and none on the export pool's statements", async () => {
    const [request] = await databaseHandle().sql!`select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock,
      current_setting('idle_in_transaction_session_timeout') as idle`;
    expect(request).toEqual({ statement: "1s", lock: "500ms", idle: "1500ms" });
    const [exporting] = await databaseHandle().exportSql!`select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock`;
    expect(exporting).toEqual({ statement: "0", lock: "500ms" });
  });

  it("cancels a statement that runs past statement_timeout, answers 503 database_timeout, and keeps the pool working", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const started = Date.now();
    const error = await db()
      .execute(sql`select pg_sleep(5)`)
      .then(() => null, (e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(databaseTimeoutCode(error)).toBe("57014");
    expect(String((error as { cause?: { message?: string } }).cause?.message)).toMatch(/statement timeout/);

    const response = toErrorResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toEqual({ error: { code: "database_timeout", message: expect.stringMatching(/took too long.*try again/i) } });
    // Logged by its code only: never the query or its parameters.
    expect(errors.mock.calls.map((call) => call.join(" "))).toEqual(["Database time limit reached (57014): answered 503"]);

    expect(rowsOf(await db().execute(sql`select 1 as ok`))).toEqual([{ ok: 1 }]);
  });

  it("gives up waiting for a lock after lock_timeout", async () => {
    const holder = ownConnection();
    const acme = await tenantId("acme");
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = holder.begin(async (tx) => {
      await tx`select id from tenants where id = ${acme} for update`;
      locked();
      await released;
    });
    try {
      await isLocked;
      const started = Date.now();
      const error = await db()
        .execute(sql`select id from tenants where id = ${acme} for update`)
        .then(() => null, (e: unknown) => e);
      expect(databaseTimeoutCode(error)).toBe("55P03");
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      release();
      await holding;
      await holder.end();
    }
  });

  it("ends a session left idle in a transaction, releasing its locks; the pool carries on, and the dead transaction's later statements run nowhere", async () => {
    const acme = await tenantId("acme");
    const watcher = ownConnection();
    const acmeName = async () => (await watcher<{ name: string }[]>`select name from tenants where id = ${acme}`)[0]!.name;
    const nameBefore = await acmeName();
    let lateStatement: unknown = "not reached";
    try {
      const forgotten = db()
        .transaction(async (tx) => {
          await tx.execute(sql`select id from tenants where id = ${acme} for update`);
          await sleep(3_000);
          // By now PostgreSQL has ended this session. postgres.js 3.4.9 on its own would send this on whatever session
          // the pool has since opened on the same connection object, outside any transaction (db/client.ts).
          lateStatement = await tx.execute(sql`update tenants set name = 'Renamed by a dead transaction' where id = ${acme}`).then(
            () => "applied",
            (e: unknown) => databaseUnavailableCode(e),
          );
        })
        .then(() => null, (e: unknown) => e);
      await sleep(500);
      const idle = () => watcher`select pid from pg_stat_activity where datname = current_database() and state = 'idle in transaction'`;
      expect(await idle()).toHaveLength(1);
      await sleep(1_500);
      // PostgreSQL ended it at 1.5 s: no session idles in a transaction, the row lock is free, the caller was told.
      expect(await idle()).toHaveLength(0);
      await watcher.begin(async (tx) => {
        await tx`set local lock_timeout = '200ms'`;
        expect(await tx`select id from tenants where id = ${acme} for update`).toHaveLength(1);
      });
      expect(databaseUnavailableCode(await forgotten)).toBe("CONNECTION_CLOSED");
      // The pool reopens every connection, the dead transaction's included, before its callback wakes up.
      await Promise.all(Array.from({ length: 12 }, () => db().execute(sql`select pg_sleep(0.05)`)));
      await sleep(1_200);
      expect(lateStatement).toBe("CONNECTION_CLOSED");
      expect(await acmeName()).toBe(nameBefore);
      expect(rowsOf(await db().execute(sql`select 1 as ok`))).toEqual([{ ok: 1 }]);
    } finally {
      await watcher.end();
    }
  });

  it("ends a transaction whose session PostgreSQL ends under a statement, and sends nothing more for it", async () => {
    const acme = await tenantId("acme");
    const watcher = ownConnection();
    try {
      const acmeName = async () => (await watcher<{ name: string }[]>`select name from tenants where id = ${acme}`)[0]!.name;
      const nameBefore = await acmeName();
      const ended = db()
        .transaction(async (tx) => {
          await tx.execute(sql`update tenants set name = 'Renamed inside the transaction' where id = ${acme}`);
          await tx.execute(sql`select pg_sleep(0.8)`);
        })
        .then(() => null, (e: unknown) => e);
      await sleep(300);
      const [{ n }] = (await watcher`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = current_database() and query like 'select pg_sleep(0.8)%'`) as unknown as [{ n: number }];
      expect(n).toBe(1);
      expect(databaseUnavailableCode(await ended)).not.toBeNull();
      // The pool reopens its connections while postgres.js would still be sending the transaction's ROLLBACK. (One of
      // these may fail: postgres.js 3.4.9 hands the ended session's error to the first query on the reopened
      // connection, porsager/postgres#1215; it answers 503 like any lost connection.)
      await Promise.allSettled(Array.from({ length: 12 }, () => db().execute(sql`select pg_sleep(0.05)`)));
      await sleep(300);
      expect(await acmeName()).toBe(nameBefore);
      expect(rowsOf(await db().execute(sql`select 1 as ok`))).toEqual([{ ok: 1 }]);
    } finally {
      await watcher.end();
    }
  });

  it("lets a CSV export run past the statement limit while its client reads steadily", async () => {
    const acme = await tenantId("acme");
    await insertBulkCallbackLogs(acme, 80_000);
    const response = await exportRoute(appRequest("/api/quickbooks/logs/callback.csv", { cookie: await sessionCookie("auditor@acme.test"), accept: "text/csv" }), {
      params: Promise.resolve({ file: "callback.csv" }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let bytes = 0;
    // 1.6 s of steady, slow reading (a chunk every 100 ms), past the 1 s statement limit: the COPY is still running.
    const started = Date.now();
    while (Date.now() - started < 1_600) {
      const { value } = await reader.read();
      bytes += value!.byteLength;
      await sleep(100);
    }
    expect((await exportSessions()).filter((s) => s.state === "active" && /^copy/i.test(s.query))).toHaveLength(1);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    expect(bytes).toBeGreaterThan(15_000_000);
    const [ended] = rowsOf<{ outcome: string; rows: number }>(
      await db().execute(sql`select outcome, (details->>'rows')::int as rows from audit_events where tenant_id = ${acme} and action = 'logs.exported' order by id desc limit 1`),
    );
    expect(ended).toEqual({ outcome: "success", rows: 80_000 });
  });
});
