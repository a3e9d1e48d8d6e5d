import { randomBytes } from "node:crypto";
import { eq, inArray, sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, type Transaction } from "@/db";
import { rowsOf } from "@/db/rows";
import { auditEvents } from "@/db/schema";
import { recordFoldableAudit } from "@/lib/audit/record";
import { useTestDatabase } from "./database";

// The audit trail keeps its own retention (audit_events_retention(), 7 years), and only the role that owns the table
// deletes from it, through purge_audit_events() (migration 0016). The app runs as another role in production (README,
// "Retention"): APP_ROLE has what the owner grants it with grant_app_role(), as README tells operators to;
// CARELESS_ROLE is made the way a careless operator would, every table granted, DELETE on the audit trail included.

useTestDatabase();

const suffix = randomBytes(4).toString("hex");
const APP_ROLE = `qbc_app_${suffix}`;
const CARELESS_ROLE = `qbc_careless_${suffix}`;

beforeAll(async () => {
  for (const statement of [
    `create role ${APP_ROLE} nologin`,
    `select grant_app_role('${APP_ROLE}')`,
    `create role ${CARELESS_ROLE} nologin`,
    `grant usage on schema public to ${CARELESS_ROLE}`,
    `grant select, insert, update, delete on all tables in schema public to ${CARELESS_ROLE}`,
    `grant usage, select on all sequences in schema public to ${CARELESS_ROLE}`,
  ]) {
    await db().execute(sql.raw(statement));
  }
});

afterAll(async () => {
  // Roles belong to the whole server: these go before the test database does.
  for (const role of [APP_ROLE, CARELESS_ROLE]) {
    const [exists] = rowsOf(await db().execute(sql`select 1 from pg_roles where rolname = ${role}`));
    if (!exists) continue;
    await db().execute(sql.raw(`drop owned by ${role}`));
    await db().execute(sql.raw(`drop role ${role}`));
  }
});

/** Runs `work` as `role`, in one transaction (SET LOCAL ROLE ends with it). */
function as(role: string, work: (tx: Transaction) => Promise<unknown>) {
  return db().transaction(async (tx) => {
    await tx.execute(sql.raw(`set local role ${role}`));
    await work(tx);
  });
}
const run =
  (...statements: SQL[]) =>
  async (tx: Transaction) => {
    for (const statement of statements) await tx.execute(statement);
  };
const asApp = (...statements: SQL[]) => as(APP_ROLE, run(...statements));
const asCareless = (...statements: SQL[]) => as(CARELESS_ROLE, run(...statements));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "allowed",
    (error: Error) => String((error.cause as Error | undefined)?.message ?? error.message),
  );

async function auditRow(createdAt: SQL, fold?: string): Promise<number> {
  const [row] = await db()
    .insert(auditEvents)
    .values({ tenantId: null, actorUserId: null, action: "connection.callback_failed", outcome: "failure", createdAt: createdAt as unknown as Date, foldKey: fold ?? null })
    .returning({ id: auditEvents.id });
  return row!.id;
}

describe("the audit trail's retention", () => {
  it("cannot be shortened by the app's role; the owner's purge deletes exactly the rows past it", async () => {
    const old = await auditRow(sql`now() - audit_events_retention() - interval '1 day'`);
    const young = await auditRow(sql`now() - audit_events_retention() + interval '1 day'`);

    // The app's role: no delete, no purge, no way around the guard.
    expect(await refusal(asApp(sql`delete from audit_events where id = ${old}`))).toMatch(/permission denied for table audit_events/);
    expect(await refusal(asApp(sql`select purge_audit_events()`))).toMatch(/permission denied for function purge_audit_events/);
    expect(await refusal(asApp(sql`select purge_audit_events(interval '100 years')`))).toMatch(/permission denied/);
    expect(await refusal(asApp(sql`alter table audit_events disable trigger audit_events_append_only`))).toMatch(/must be owner/);
    expect(await refusal(asApp(sql`drop function audit_events_refuse_change() cascade`))).toMatch(/must be owner/);
    expect(await refusal(asApp(sql`truncate audit_events`))).toMatch(/permission denied/);
    expect(await refusal(asApp(sql`select grant_app_role('postgres')`))).toMatch(/permission denied/);
    // Even a role granted DELETE on every table, and setting the purge's flag, deletes nothing: the trigger checks who.
    expect(await refusal(asCareless(sql`delete from audit_events where id = ${old}`))).toMatch(/append-only/);
    expect(await refusal(asCareless(sql`select set_config('qbc.audit_purge', 'on', true)`, sql`delete from audit_events where id = ${old}`))).toMatch(/append-only/);
    expect(await refusal(asCareless(sql`select purge_audit_events()`))).toMatch(/permission denied for function purge_audit_events/);

    // The owner: only through the function, never below the retention, and exactly what is older.
    expect(await refusal(db().execute(sql`delete from audit_events where id = ${old}`))).toMatch(/append-only/);
    expect(await refusal(db().execute(sql`select purge_audit_events(interval '1 year')`))).toMatch(/kept at least/);
    const [purged] = rowsOf<{ deleted: number | string }>(await db().execute(sql`select purge_audit_events() as deleted`));
    expect(Number(purged!.deleted)).toBe(1);
    const left = await db()
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(inArray(auditEvents.id, [old, young]));
    expect(left.map((r) => r.id)).toEqual([young]);
    // The purge's flag does not outlive it: a delete after it in the same transaction is refused.
    expect(
      await refusal(
        db().transaction(async (tx) => {
          await tx.execute(sql`select purge_audit_events()`);
          await tx.execute(sql`delete from audit_events where id = ${young}`);
        }),
      ),
    ).toMatch(/append-only/);
  });

  it("lets a folded row's count grow, and nothing else of any row change", async () => {
    const folded = await auditRow(sql`now()`, `fold-${randomBytes(4).toString("hex")}`);
    const single = await auditRow(sql`now()`);
    expect(await refusal(asApp(sql`update audit_events set repeat_count = repeat_count + 1, last_seen_at = now() where id = ${folded}`))).toBe("allowed");
    // Beyond the two columns the app's role may not even try; a role that may is stopped by the trigger.
    expect(await refusal(asApp(sql`update audit_events set repeat_count = repeat_count + 1, outcome = 'success' where id = ${folded}`))).toMatch(/permission denied/);
    expect(await refusal(asCareless(sql`update audit_events set repeat_count = repeat_count + 1, outcome = 'success' where id = ${folded}`))).toMatch(/append-only/);
    expect(await refusal(asApp(sql`update audit_events set repeat_count = 1 where id = ${folded}`))).toMatch(/append-only/);
    expect(await refusal(asApp(sql`update audit_events set repeat_count = repeat_count + 1 where id = ${single}`))).toMatch(/append-only/);
    const [row] = await db().select().from(auditEvents).where(eq(auditEvents.id, folded));
    expect(row).toMatchObject({ repeatCount: 2, outcome: "failure" });
  });
});

describe("the app's own role (grant_app_role)", () => {
  it("writes and folds the audit trail, sweeps the logs, and passes the start-up migration check", async () => {
    const meta = { requestId: "r", ip: "203.0.113.77", userAgent: null };
    const entry = { tenantId: null, actorUserId: null, action: "connection.callback_failed" as const, outcome: "failure" as const, details: { code: "state_unknown" }, meta };
    await as(APP_ROLE, async (tx) => {
      await recordFoldableAudit(tx, entry, ["code"]);
      await recordFoldableAudit(tx, entry, ["code"]);
    });
    const [row] = await db().select().from(auditEvents).where(eq(auditEvents.ip, meta.ip));
    expect(row).toMatchObject({ repeatCount: 2 });
    expect(await refusal(asApp(sql`delete from callback_logs where created_at < now() - interval '400 days'`))).toBe("allowed");
    // What drizzle's migrator runs at start, with every migration already applied by the owner.
    expect(
      await refusal(
        asApp(
          sql`create schema if not exists drizzle`,
          sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
          sql`select id, hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
        ),
      ),
    ).toBe("allowed");
  });
});
