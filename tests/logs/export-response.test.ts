// The limits every CSV export runs under (lib/logs/export-response.ts), through the routes: at most N at once per
// process and per tenant, 429 too_many_exports with Retry-After above them, and a client that stops reading is cut,
// which frees its slot and (PostgreSQL) its database connection. Small limits here so that each case is quick; the
// defaults and their reasons are in lib/env.ts.
process.env.QBC_EXPORTS_PER_PROCESS = "3";
process.env.QBC_EXPORTS_PER_TENANT = "2";
process.env.QBC_EXPORT_IDLE_TIMEOUT_MS = "2500";

import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { GET as exportRoute } from "@/app/api/quickbooks/logs/[file]/route";
import { GET as runsCsvRoute } from "@/app/api/quickbooks/sync/runs.csv/route";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { exportSlots } from "@/lib/logs/export-slots";
import { useTestDatabase } from "../database";
import { exportSessions, insertBulkCallbackLogs } from "../fixtures/bulk-log-rows";
import { appRequest, sessionCookie, tenantId } from "../session";

useTestDatabase();

const onPostgres = Boolean(process.env.DATABASE_URL);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const download = (cookie: string, file = "callback.csv", query = "") =>
  exportRoute(appRequest(`/api/quickbooks/logs/${file}${query}`, { cookie, accept: "text/csv" }), { params: Promise.resolve({ file }) });
const runsCsv = (cookie: string) => runsCsvRoute(appRequest("/api/quickbooks/sync/runs.csv", { cookie, accept: "text/csv" }));

/** Bodies left open by a case: cancelled after it, so that no slot outlives its case. */
const open: Response[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.body?.cancel().catch(() => undefined)));
  expect(exportSlots().inUse()).toBe(0);
});
const held = (response: Response) => {
  open.push(response);
  return response;
};

async function expectTooMany(response: Response, limit: RegExp) {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe("5");
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code: "too_many_exports", message: expect.stringMatching(limit) } });
}

/** The end of the tenant's latest export recorded after audit event `afterId`, or null. */
async function lastExportEnd(tenant: string, afterId: number) {
  const [row] = rowsOf<{ outcome: string; reason: string | null }>(
    await db().execute(sql`select outcome, details->>'reason' as reason from audit_events
      where tenant_id = ${tenant} and action = 'logs.exported' and id > ${afterId} order by id desc limit 1`),
  );
  return row ?? null;
}

const lastAuditId = async () => rowsOf<{ id: number }>(await db().execute(sql`select coalesce(max(id), 0)::int as id from audit_events`))[0]!.id;

describe("CSV exports under the process's limits", () => {
  it("answers 429 too_many_exports with Retry-After above the tenant's and the process's limits, and takes exports again as they end", async () => {
    const acmeAuditor = await sessionCookie("auditor@acme.test");
    const globexAdmin = await sessionCookie("admin@acme.test", "globex");

    expect(held(await download(acmeAuditor)).status).toBe(200);
    expect(held(await download(acmeAuditor, "refresh.csv")).status).toBe(200);
    // A third for the same tenant: refused, whichever export it is.
    await expectTooMany(await download(acmeAuditor, "access.csv"), /tenant already has 2 exports/);
    await expectTooMany(await runsCsv(acmeAuditor), /tenant already has 2 exports/);
    // Bad input is still answered as such, and takes no slot.
    expect((await download(acmeAuditor, "callback.csv", "?outcome=bogus")).status).toBe(400);

    // Another tenant gets one, up to the process's limit.
    expect(held(await download(globexAdmin)).status).toBe(200);
    await expectTooMany(await download(globexAdmin, "refresh.csv"), /server is already running 3 exports/);
    expect(exportSlots().inUse()).toBe(3);

    // One ends (its client went away): its slot is free again.
    await open.shift()!.body!.cancel();
    const again = held(await download(globexAdmin, "refresh.csv"));
    expect(again.status).toBe(200);
    expect(again.headers.get("content-type")).toBe("text/csv; charset=utf-8");

    // One read to its end frees its slot too.
    await open.pop()!.text();
    expect(exportSlots().inUse()).toBe(2);
    const runs = await runsCsv(globexAdmin);
    expect(runs.status).toBe(200);
    expect(await runs.text()).toMatch(/^id,/);
  });

  it("cuts an export whose client stops reading: its connection and its slot are freed, and it is on record as stalled", async () => {
    const acme = await tenantId("acme");
    // Tens of MB on PostgreSQL, so that the COPY is still running on the server when the client stops.
    if (onPostgres) await insertBulkCallbackLogs(acme, 80_000);
    const cookie = await sessionCookie("auditor@acme.test");
    const before = await lastAuditId();
    const response = await download(cookie);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    const runningCopies = async () => (await exportSessions()).filter((s) => s.state === "active" && /^copy/i.test(s.query)).length;
    if (onPostgres) expect(await runningCopies()).toBe(1);
    expect(exportSlots().inUse(acme)).toBe(1);

    // The client reads nothing more. After the idle timeout (2.5 s here) the export is cut.
    const deadline = Date.now() + 10_000;
    while ((await lastExportEnd(acme, before)) === null && Date.now() < deadline) await sleep(100);
    expect(await lastExportEnd(acme, before)).toEqual({ outcome: "failure", reason: "stalled" });
    await expect(reader.read()).rejects.toThrow(/took no bytes for 2500 ms/);
    expect(exportSlots().inUse(acme)).toBe(0);
    if (onPostgres) {
      // The COPY was cancelled on the server: the export pool's connection is idle, ready for the next export.
      while ((await runningCopies()) > 0 && Date.now() < deadline) await sleep(50);
      expect(await runningCopies()).toBe(0);
    }

    const cut = await lastAuditId();
    const next = await download(cookie, "callback.csv", "?outcome=success");
    expect(next.status).toBe(200);
    expect((await next.text()).split("\n")[0]).toMatch(/^id,time,outcome/);
    expect(await lastExportEnd(acme, cut)).toEqual({ outcome: "success", reason: null });
  });

  it.runIf(onPostgres)("starts new exports at once in place of cancelled ones, while their COPYs are still stopping", async () => {
    // The previous case left tens of MB of Acme's callback log: each COPY below is still running when it is cancelled.
    const cookie = await sessionCookie("auditor@acme.test");
    for (let round = 0; round < 3; round++) {
      const running = [held(await download(cookie)), held(await download(cookie))];
      for (const response of running) expect(response.status).toBe(200);
      await Promise.all(running.map((r) => r.body!.cancel()));
      open.length = 0;
      // Their slots are free at once; their connections may still be finishing the cancelled COPYs.
      const next = await Promise.all([download(cookie, "callback.csv", "?outcome=success"), download(cookie, "callback.csv", "?outcome=success")]);
      for (const response of next) {
        expect(response.status, await response.clone().text()).toBe(200);
        await response.arrayBuffer();
      }
    }
  });
});
