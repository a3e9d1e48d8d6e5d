import { parse } from "csv-parse/sync";
import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as callbackRoute } from "@/app/api/quickbooks/callback/route";
import { GET as connectRoute } from "@/app/api/quickbooks/connect/route";
import { GET as exportRoute } from "@/app/api/quickbooks/logs/[file]/route";
import { POST as refreshRoute } from "@/app/api/quickbooks/refresh/route";
import { databaseHandle, db } from "@/db";
import { auditEvents, callbackLogs, users } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { LOG_COLUMNS, LOG_NAMES } from "@/lib/logs/columns";
import { rowsOf } from "@/db/rows";
import { exportLog, type CsvWriter } from "@/lib/logs/export-log";
import { completeConsent } from "@/mocks/intuit/node";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { DEFAULT_REALM, connectionRow, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const download = (path: string, cookie?: string) => {
  const file = /\/logs\/([^?]+)/.exec(path)![1]!;
  return exportRoute(appRequest(path, { cookie, accept: "text/csv" }), { params: Promise.resolve({ file }) });
};
const records = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

/** Rows whose values are the tricky ones: every dangerous first character, quoting, newlines, unicode, NULL, "". */
const TRICKY = [
  { message: "=HYPERLINK(\"http://evil.test\",\"click\")", errorCode: "=cmd" },
  { message: "+1+2", errorCode: "+x" },
  { message: "-2+3", errorCode: "-x" },
  { message: "@SUM(A1:A2)", errorCode: "@x" },
  { message: "\t=1 after a tab", errorCode: "\tx" },
  { message: "\r=1 after a carriage return", errorCode: "\rx" },
  { message: "a, b and c", errorCode: null },
  { message: 'she said "hi"', errorCode: "" },
  { message: "line one\nline two\r\nline three", errorCode: "x\ny" },
  { message: "ünïcødé ✓ 日本語 🙂", errorCode: "'already quoted" },
  { message: "", errorCode: "a=b" },
];

async function insertTricky(tenant: string, userId: string | null) {
  // Microseconds on purpose: the export shows milliseconds, truncated, on both paths.
  const base = Date.parse("2026-03-01T10:00:00.000Z");
  for (const [i, row] of TRICKY.entries()) {
    await db().execute(sql`
      insert into callback_logs (tenant_id, user_id, environment, realm_id, outcome, error_code, message, intuit_tid, latency_ms, created_at)
      values (${tenant}::uuid, ${userId}::uuid, 'sandbox', ${i % 2 ? "=9341" : "9341452000000001"}, ${i % 3 ? "failure" : "success"}::callback_outcome,
              ${row.errorCode}, ${row.message}, ${i === 0 ? null : `tid-${i}`}, ${i === 3 ? -5 : 100 + i},
              ${new Date(base + i * 1000).toISOString()}::timestamptz + interval '123999 microseconds')`);
  }
}

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

describe("GET /api/quickbooks/logs/{log}.csv", () => {
  it("should be protected: 401 without a session, 403 JSON for accountants", async () => {
    const anonymous = await download("/api/quickbooks/logs/callback.csv");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
    const accountant = await download("/api/quickbooks/logs/callback.csv", await sessionCookie("accountant@acme.test"));
    expect(accountant.status).toBe(403);
    expect(await accountant.json()).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
  });

  it("answers 400 JSON for bad filters and 404 for an unknown log", async () => {
    const cookie = await sessionCookie("auditor@acme.test");
    for (const query of ["outcome=bogus", "from=yesterday", "from=2026-05-02&to=2026-05-01", "q=%00", "outcome=skipped"]) {
      const response = await download(`/api/quickbooks/logs/callback.csv?${query}`, cookie);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toEqual({ error: { code: "invalid_filter", message: expect.any(String) } });
    }
    expect((await download("/api/quickbooks/logs/refresh.csv?actor=a@b.test", cookie)).status).toBe(400);
    expect((await download("/api/quickbooks/logs/secrets.csv", cookie)).status).toBe(404);
    expect((await download("/api/quickbooks/logs/callback.json", cookie)).status).toBe(404);
  });

  it("streams the filtered callback log as neutralised RFC 4180 CSV to auditors and admins, and records each export", async () => {
    const acme = await tenantId("acme");
    const [auditor] = await db().select().from(users).where(eq(users.email, "auditor@acme.test"));
    await insertTricky(acme, auditor!.id);
    await insertTricky(await tenantId("globex"), null); // another tenant's rows never show

    for (const email of ["auditor@acme.test", "admin@acme.test"]) {
      const response = await download("/api/quickbooks/logs/callback.csv", await sessionCookie(email));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="quickbooks-callback-log-\d{8}T\d{6}Z\.csv"$/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const csv = await response.text();
      expect(csv.split("\n")[0]).toBe(LOG_COLUMNS.callback.map((c) => c.name).join(","));
      const rows = records(csv);
      expect(rows).toHaveLength(TRICKY.length);
      // Newest first; times in ISO 8601 UTC, milliseconds truncated.
      expect(rows[0]!.time).toBe("2026-03-01T10:00:10.123Z");
      expect(rows.at(-1)!.time).toBe("2026-03-01T10:00:00.123Z");
      const byMessage = new Map(rows.map((r) => [r.message, r]));
      expect(byMessage.get("'=HYPERLINK(\"http://evil.test\",\"click\")")!.code).toBe("'=cmd");
      expect(byMessage.get("'+1+2")!.code).toBe("'+x");
      expect(byMessage.get("'-2+3")!.code).toBe("'-x");
      const at = byMessage.get("'@SUM(A1:A2)")!;
      expect(at.code).toBe("'@x");
      expect(at.latency_ms).toBe("'-5");
      expect(byMessage.get("'\t=1 after a tab")!.code).toBe("'\tx");
      expect(byMessage.get("'\r=1 after a carriage return")!.code).toBe("'\rx");
      expect(byMessage.get("line one\nline two\r\nline three")!.code).toBe("x\ny");
      expect(byMessage.get("ünïcødé ✓ 日本語 🙂")!.code).toBe("'already quoted");
      expect(byMessage.get("a, b and c")!.code).toBe("");
      expect(byMessage.get('she said "hi"')).toBeDefined();
      expect(rows.filter((r) => r.realm_id === "'=9341")).toHaveLength(5);
      expect(rows.every((r) => r.user === "auditor@acme.test")).toBe(true);
      // NULL is an empty field, the empty string a quoted one.
      expect(csv).toContain(`,success,,"a, b and c",auditor@acme.test,sandbox,9341452000000001,tid-6,106,1,\n`);
      expect(csv).toContain(`,failure,"","she said ""hi""",auditor@acme.test,sandbox,'=9341,tid-7,107,1,\n`);
      // No cell starts with a formula character.
      for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }

    const exports = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme), sql`${auditEvents.action} like 'logs.export%'`))
      .orderBy(auditEvents.id);
    expect(exports.map((e) => [e.action, e.outcome])).toEqual([
      ["logs.export_started", "success"],
      ["logs.exported", "success"],
      ["logs.export_started", "success"],
      ["logs.exported", "success"],
    ]);
    expect(exports[1]!.details).toMatchObject({ log: "callback", rows: TRICKY.length, writer: databaseHandle().kind === "postgres" ? "copy" : "batches" });
    expect(exports[1]!.target).toBe("logs:callback");
    expect(exports[1]!.actorUserId).toBe(auditor!.id);
  });

  it("applies the page's filters: outcome, dates, actor and text", async () => {
    const acme = await tenantId("acme");
    const [auditor] = await db().select().from(users).where(eq(users.email, "auditor@acme.test"));
    await insertTricky(acme, auditor!.id);
    await db().insert(callbackLogs).values({ tenantId: acme, outcome: "failure", message: "older one", latencyMs: 1, createdAt: new Date("2026-02-27T23:59:59.999Z") });
    const cookie = await sessionCookie("auditor@acme.test");
    const rowsFor = async (query: string) => {
      const response = await download(`/api/quickbooks/logs/callback.csv?${query}`, cookie);
      expect(response.status, query).toBe(200);
      return records(await response.text());
    };
    const failures = await rowsFor("outcome=failure");
    expect(failures).toHaveLength(TRICKY.filter((_, i) => i % 3).length + 1);
    expect(failures.every((r) => r.outcome === "failure")).toBe(true);
    expect((await rowsFor("outcome=success")).every((r) => r.outcome === "success")).toBe(true);
    expect((await rowsFor("from=2026-03-01")).map((r) => r.message)).not.toContain("older one");
    expect((await rowsFor("to=2026-02-27")).map((r) => r.message)).toEqual(["older one"]);
    expect(await rowsFor("from=2026-03-01T10:00:05Z&to=2026-03-01T10:00:07Z")).toHaveLength(2);
    expect(await rowsFor("actor=AUDITOR@acme.test")).toHaveLength(TRICKY.length);
    expect(await rowsFor("actor=admin@acme.test")).toHaveLength(0);
    expect((await rowsFor("q=LINE%20TWO")).map((r) => r.message)).toEqual(["line one\nline two\r\nline three"]);
    expect((await rowsFor("q=%2Bx")).map((r) => r.code)).toEqual(["'+x"]); // matches the code, shown neutralised
    expect(await rowsFor("q=it's%20%25_%5C")).toHaveLength(0); // quotes, LIKE wildcards and backslashes are plain text
    const empty = await download("/api/quickbooks/logs/callback.csv?q=nothing-matches", cookie);
    expect(await empty.text()).toBe(`${LOG_COLUMNS.callback.map((c) => c.name).join(",")}\n`);
  });

  it("holds no token, authorization code or secret in any export", async () => {
    // A real connection through the routes and the emulator, then a renewal: every log and the audit trail fill up.
    const cookie = await sessionCookie("accountant@acme.test");
    const start = await connectRoute(appRequest("/api/quickbooks/connect", { cookie }));
    const intuitRedirect = await completeConsent(start.headers.get("location")!, { realmId: DEFAULT_REALM });
    const code = intuitRedirect.searchParams.get("code")!;
    expect(code).toMatch(/\S{8}/);
    const landing = await callbackRoute(appRequest(`/api/quickbooks/callback${intuitRedirect.search}`, { cookie }));
    expect(new URL(landing.headers.get("location")!).searchParams.get("callback")).toBe("connected");
    expect((await refreshRoute(appRequest("/api/quickbooks/refresh", { method: "POST", cookie }))).status).toBe(200);
    const row = (await connectionRow(await tenantId("acme")))!;

    const secrets = [
      ...intuit.emulator.activeTokens().map((t) => t.token),
      code,
      process.env.INTUIT_CLIENT_SECRET!,
      process.env.TOKEN_ENCRYPTION_KEY!,
      process.env.AUTH_SECRET!,
      row.accessTokenEnc!,
      row.refreshTokenEnc!,
    ];
    // Both generations of the access token (an old one stays valid until it expires) and the rotated refresh token.
    expect(new Set(intuit.emulator.activeTokens().map((t) => t.kind))).toEqual(new Set(["access", "refresh"]));
    expect(secrets.every((s) => s.length >= 8)).toBe(true);

    const admin = await sessionCookie("admin@acme.test");
    let total = 0;
    for (const log of LOG_NAMES) {
      const response = await download(`/api/quickbooks/logs/${log}.csv`, admin);
      expect(response.status, log).toBe(200);
      const csv = await response.text();
      total += records(csv).length;
      for (const secret of secrets) expect(csv.includes(secret), `${log}.csv holds a secret`).toBe(false);
    }
    expect(total).toBeGreaterThan(5);
    const access = records(await (await download("/api/quickbooks/logs/access.csv", admin)).text());
    expect(access.map((r) => r.action)).toEqual(expect.arrayContaining(["connection.tokens_stored", "token.rotated", "logs.export_started", "logs.exported"]));
  });
});

/** Reads an export's whole body through the use-case, with one writer or the other. */
async function exportBytes(writer: CsvWriter, tenant: string, filters = {}): Promise<Buffer> {
  const { body } = await exportLog({ log: "callback", tenantId: tenant, actorUserId: null, filters, writer });
  return Buffer.from(await new Response(body).arrayBuffer());
}

async function insertMany(tenant: string, count: number) {
  // Three rows per microsecond (ties broken by id) and text from the tricky set, across several batches.
  await db().execute(sql`
    insert into callback_logs (tenant_id, environment, realm_id, outcome, error_code, message, intuit_tid, latency_ms, created_at)
    select ${tenant}::uuid, 'sandbox', case when g % 7 = 0 then null else '=' || g end, case when g % 2 = 0 then 'success' else 'failure' end::callback_outcome,
           case g % 5 when 0 then '-' || g when 1 then '' when 2 then null else 'c,' || g end,
           case g % 4 when 0 then E'line\\n"' || g || '"' when 1 then '@' || g when 2 then E'\\t' || g else 'ü ' || g end,
           'tid-' || g, g - 1000, timestamptz '2026-04-01T00:00:00Z' + (g / 3) * interval '1 microsecond'
    from generate_series(1, ${count}) as g`);
}

describe("the batch writer", () => {
  it("pages through many rows by keyset, ties included, with the exact bytes PostgreSQL's COPY writes", async () => {
    const acme = await tenantId("acme");
    await insertTricky(acme, null);
    await insertMany(acme, 2_345);
    const bytes = await exportBytes("batches", acme);
    const rows = records(bytes.toString("utf8"));
    expect(rows).toHaveLength(TRICKY.length + 2_345);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    // A line as COPY writes it (checked against COPY itself on PostgreSQL below).
    expect(bytes.toString("utf8")).toContain(`,2026-04-01T00:00:00.000Z,failure,"c,3",ü 3,,sandbox,'=3,tid-3,'-997,1,\n`);
  });
});

// The same-bytes proof needs PostgreSQL's COPY, which PGlite cannot stream: it runs when DATABASE_URL is set (CI).
describe.runIf(Boolean(process.env.DATABASE_URL))("COPY and the batch writer on PostgreSQL", () => {
  it("produce the same bytes for the same rows, filtered or not", async () => {
    const acme = await tenantId("acme");
    await insertTricky(acme, null);
    await insertMany(acme, 2_345);
    const copy = await exportBytes("copy", acme);
    const batches = await exportBytes("batches", acme);
    expect(copy.length).toBeGreaterThan(100_000);
    expect(batches.equals(copy)).toBe(true);
    for (const filters of [{ outcome: "failure" }, { q: "ü" }, { from: new Date("2026-03-01T10:00:03Z"), to: new Date("2026-04-01T00:00:00.0005Z") }]) {
      const a = await exportBytes("copy", acme, filters);
      const b = await exportBytes("batches", acme, filters);
      expect(b.equals(a), JSON.stringify(filters)).toBe(true);
    }
    const empty = await exportBytes("copy", acme, { q: "nothing-matches" });
    expect(empty.equals(await exportBytes("batches", acme, { q: "nothing-matches" }))).toBe(true);
  });

  it("frees the database connection when the client stops reading", async () => {
    const acme = await tenantId("acme");
    await insertMany(acme, 50_000);
    const { body } = await exportLog({ log: "callback", tenantId: acme, actorUserId: null, filters: {}, writer: "copy" });
    const reader = body.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    // The COPY stops on the server (its connection goes back to the pool), and the export is on record as cancelled.
    // This file's database only: pg_stat_activity is the server's, and other test files run their own exports beside it.
    const copying = async () =>
      Number(
        rowsOf(await db().execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query like 'copy (select%'`))[0]!
          .n,
      );
    for (let i = 0; i < 100 && (await copying()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await copying()).toBe(0);
    const [last] = await db().select().from(auditEvents).where(eq(auditEvents.action, "logs.exported")).orderBy(sql`${auditEvents.id} desc`).limit(1);
    expect(last!.outcome).toBe("failure");
    expect(last!.details).toMatchObject({ reason: "cancelled" });
  });
});
