import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as verifyFileRoute } from "@/app/api/quickbooks/verify-file/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { db } from "@/db";
import { auditEvents } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import packageJson from "@/package.json";
import { connectTenant, connectionRow, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const REALM = "9341452000000001";

const download = (cookie?: string) => verifyFileRoute(appRequest("/api/quickbooks/verify-file", { cookie }));

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

describe("GET /api/quickbooks/verify-file", () => {
  it("should be protected: no session is 401", async () => {
    const response = await download();
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
  });

  it("is 404 no_verification before the tenant has ever verified", async () => {
    const response = await download(await sessionCookie("accountant@acme.test"));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "no_verification", message: expect.stringContaining("Verify") } });
  });

  it("serves the last successful Verify as a JSON attachment to every role, without any token, and audits the download", async () => {
    const { outcome, tenantId: acme } = await connectTenant("accountant@acme.test", REALM);
    expect(outcome).toBe("connected");
    const row = (await connectionRow(acme))!;
    const before = new Date();

    for (const email of ["accountant@acme.test", "auditor@acme.test", "admin@acme.test"]) {
      const response = await download(await sessionCookie(email));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="quickbooks-verify-${REALM}-${row.verifiedAt!.toISOString().slice(0, 10)}.json"`,
      );

      const body = await response.text();
      const tokens = intuit.emulator.activeTokens({ realmId: REALM });
      expect(tokens.map((t) => t.kind).sort()).toEqual(["access", "refresh"]);
      for (const { token } of tokens) expect(body).not.toContain(token);
      expect(body).not.toContain(row.accessTokenEnc!);
      expect(body).not.toContain(row.refreshTokenEnc!);

      const file = JSON.parse(body);
      expect(file).toEqual({
        kind: "quickbooks-company-verify",
        tenant: { name: "Acme Field Services" },
        company: { id: "1", companyName: "Sandbox Company_US_1", legalName: "Sandbox Company_US_1", country: "USA", emailAddress: "noreply@quickbooks.com" },
        realmId: REALM,
        environment: "sandbox",
        verifiedAt: row.verifiedAt!.toISOString(),
        intuitTid: row.verifyIntuitTid,
        appVersion: packageJson.version,
        connectionStatus: "active",
        generatedAt: expect.any(String),
      });
      expect(file.intuitTid).toMatch(/\S/);
      expect(new Date(file.generatedAt).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    }

    // The stored evidence holds no token either.
    const stored = JSON.stringify(row.verifyEvidence);
    for (const { token } of intuit.emulator.activeTokens({ realmId: REALM })) expect(stored).not.toContain(token);

    const downloads = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme), eq(auditEvents.action, "evidence.downloaded")));
    expect(downloads).toHaveLength(3);
    expect(downloads[0]).toMatchObject({ outcome: "success", target: `quickbooks:sandbox:${REALM}`, details: { file: "company_verify", intuitTid: row.verifyIntuitTid } });
    expect(downloads.every((event) => event.requestId !== null)).toBe(true);
  });

  it("follows the latest Verify, and stays with the tenant that made it", async () => {
    const { cookie } = await connectTenant("accountant@acme.test", REALM);
    const first = JSON.parse(await (await download(cookie)).text());

    await new Promise((resolve) => setTimeout(resolve, 5));
    const verified = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie }));
    expect(verified.status).toBe(200);
    const second = JSON.parse(await (await download(cookie)).text());
    expect(second.verifiedAt > first.verifiedAt).toBe(true);
    expect(second.intuitTid).toBe((await connectionRow(await tenantId("acme")))!.verifyIntuitTid);

    // Globex has not connected: Acme's evidence is not Globex's.
    expect((await download(await sessionCookie("accountant@globex.test"))).status).toBe(404);
  });
});
