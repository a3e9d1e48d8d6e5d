// The usage routes: the daily CSV and the two plan routes. Who may call each (a tenant admin its own app's, the
// platform operator the platform's), and bad input answered 400 with the reason, never a 500.
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as dailyCsvRoute } from "@/app/api/quickbooks/usage/daily.csv/route";
import { PUT as planRoute } from "@/app/api/quickbooks/usage/plan/route";
import { PUT as platformPlanRoute } from "@/app/api/quickbooks/usage/platform-plan/route";
import { db } from "@/db";
import { intuitAppPlans } from "@/db/schema";
import { PLATFORM_APP_KEY } from "@/lib/usage/app-key";
import { useTestDatabase } from "@/tests/database";
import { appRequest, consoleHeaders, sessionCookie, tenantId } from "@/tests/session";

useTestDatabase();

let admin = "";
let operator = "";
let accountant = "";
beforeEach(async () => {
  await db().delete(intuitAppPlans).where(sql`true`);
  [admin, operator, accountant] = await Promise.all([sessionCookie("admin@acme.test"), sessionCookie("operator@awra.test", "acme"), sessionCookie("accountant@acme.test")]);
});

const csv = (cookie: string, query = "") => dailyCsvRoute(appRequest(`/api/quickbooks/usage/daily.csv${query}`, { cookie }));
const put = (route: typeof planRoute, path: string, cookie: string, body: unknown) =>
  route(new Request(new URL(path, "http://localhost:3000"), { method: "PUT", headers: { ...consoleHeaders(cookie), "content-type": "application/json" }, body: JSON.stringify(body) }));
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

describe("GET /api/quickbooks/usage/daily.csv", () => {
  it("gives a tenant admin the CSV of the quota month, with its header row", async () => {
    const response = await csv(admin);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await response.text()).split("\n")[0]).toMatch(/^day,/);
  });

  it("refuses a day that is not a calendar day with 400 and the reason (9999-99-99 threw a RangeError: a 500)", async () => {
    for (const query of ["?from=9999-99-99", "?to=9999-99-99", "?from=2026-02-30&to=2026-03-01", "?from=2026-13-01"]) {
      const response = await csv(admin, query);
      expect(response.status, query).toBe(400);
      expect((await errorOf(response)).code, query).toBe("invalid_request");
    }
  });

  it("refuses a range the wrong way round or longer than an export covers", async () => {
    expect((await csv(admin, "?from=2026-11-02&to=2026-11-01")).status).toBe(400);
    expect((await csv(admin, "?from=2020-01-01&to=2026-11-01")).status).toBe(400);
  });

  it("refuses an accountant, and a tenant admin naming another Intuit app than its tenant's", async () => {
    expect((await csv(accountant)).status).toBe(403);
    expect((await csv(admin, "?app=tenant:00000000-0000-4000-8000-000000000000")).status).toBe(403);
    expect((await csv(operator, "?app=tenant:00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });
});

describe("PUT /api/quickbooks/usage/platform-plan and /plan", () => {
  it("lets the operator set the platform app's plan, and no tenant admin", async () => {
    expect((await put(platformPlanRoute, "/api/quickbooks/usage/platform-plan", admin, { tier: "silver" })).status).toBe(403);
    const response = await put(platformPlanRoute, "/api/quickbooks/usage/platform-plan", operator, { tier: "silver" });
    expect(response.status).toBe(200);
    const [plan] = await db().select().from(intuitAppPlans).where(eq(intuitAppPlans.appKey, PLATFORM_APP_KEY));
    expect(plan).toMatchObject({ tier: "silver", monthlyQuota: 1_000_000 });
  });

  it("answers a bad plan with 400 and the field, and stores nothing", async () => {
    for (const body of [{ tier: "custom" }, { tier: "builder", monthlyQuota: -1 }, { tier: "builder", monthStartDay: 31 }, { tier: "diamond" }, { tier: "builder", extra: 1 }]) {
      const response = await put(platformPlanRoute, "/api/quickbooks/usage/platform-plan", operator, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect(await db().select().from(intuitAppPlans)).toEqual([]);
  });

  it("refuses a tenant admin's plan while the tenant calls through the platform's app (it has none of its own)", async () => {
    const response = await put(planRoute, "/api/quickbooks/usage/plan", admin, { tier: "gold" });
    expect(response.status).toBe(409);
    expect(await db().select().from(intuitAppPlans)).toEqual([]);
  });

  it("lets an admin change the plan of the tenant's own app that has one, before its production credentials are in (the page offers its form)", async () => {
    const ownKey = `tenant:${await tenantId("acme")}`;
    await db().insert(intuitAppPlans).values({ appKey: ownKey, tier: "custom", monthlyQuota: 1_000 });
    const response = await put(planRoute, "/api/quickbooks/usage/plan", admin, { tier: "custom", monthlyQuota: 2_000 });
    expect(response.status).toBe(200);
    const [plan] = await db().select().from(intuitAppPlans).where(eq(intuitAppPlans.appKey, ownKey));
    expect(plan).toMatchObject({ tier: "custom", monthlyQuota: 2_000 });
  });
});
