// Intuit's monthly quota of CorePlus reads per workspace (intuit.md §9) as the emulator models it per client id:
// counted on the emulator's clock, refused past the quota with the monthly block's 429 (not the per-minute 003001),
// OAuth untouched, over again when the month turns. Exercised with raw HTTP like realm-limits.test.ts.

import { describe, expect, it } from "vitest";
import { parseIntuitError } from "../../lib/intuit/faults";
import { useIntuitMock } from "./vitest";

const intuit = useIntuitMock();
const REALM = "9341452000000001";

const READS = [
  `/v3/company/${REALM}/companyinfo/${REALM}?minorversion=75`,
  `/v3/company/${REALM}/query?query=${encodeURIComponent("select * from Account")}&minorversion=75`,
  `/v3/company/${REALM}/cdc?entities=Customer&changedSince=${new Date(Date.now() - 60_000).toISOString()}&minorversion=75`,
];

function grant(): { accessToken: string; refreshToken: string } {
  const [issued] = intuit.emulator.createGrants([REALM]);
  return issued!;
}

function read(token: string, index = 0, accept = "application/json"): Promise<Response> {
  return fetch(`${intuit.origin}${READS[index % READS.length]}`, { headers: { authorization: `Bearer ${token}`, accept } });
}

function control(method: "GET" | "POST", body?: unknown): Promise<Response> {
  return fetch(`${intuit.origin}/__emulator/monthly-quota`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Seconds from the emulator's clock to the first instant of its next calendar month (UTC). */
function secondsToNextMonth(): number {
  const now = intuit.emulator.now();
  return (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 1000;
}

describe("the emulator's monthly quota of CorePlus reads", () => {
  it("counts reads and sets no quota by default", async () => {
    const { accessToken } = grant();
    for (let i = 0; i < 6; i++) expect((await read(accessToken, i)).status).toBe(200);
    expect(intuit.emulator.monthlyQuotaStats()[intuit.clientId]).toMatchObject({ reads: 6, blocked: 0, quota: null });
    // Every request is classified by the one table the app meters by.
    expect(intuit.emulator.apiRequests().map((r) => r.operation)).toEqual(["companyinfo", "query", "cdc", "companyinfo", "query", "cdc"]);
  });

  it("refuses every read past the quota with a 429 that names the monthly limit, not the per-minute throttle", async () => {
    const { accessToken } = grant();
    intuit.emulator.setMonthlyQuota(intuit.clientId, 2);
    expect((await read(accessToken, 0)).status).toBe(200);
    expect((await read(accessToken, 1)).status).toBe(200);

    const blocked = await read(accessToken, 2);
    expect(blocked.status).toBe(429);
    const text = await blocked.text();
    expect(text).not.toContain("003001");
    expect(JSON.parse(text)).toMatchObject({ fault: { error: [{ message: "message=MonthlyLimitExceeded; statusCode=429", detail: expect.stringMatching(/monthly limit/) }], type: "SERVICE" } });
    const error = parseIntuitError(429, blocked.headers, text, blocked.headers.get("intuit_tid"));
    expect(error).toMatchObject({ kind: "quota_exhausted", retryable: false });

    // A client that did not ask for JSON gets Intuit's XML, which reads the same.
    const xml = await read(accessToken, 0, "application/xml");
    expect(xml.status).toBe(429);
    expect(parseIntuitError(429, xml.headers, await xml.text(), null).kind).toBe("quota_exhausted");
    expect(intuit.emulator.monthlyQuotaStats()[intuit.clientId]).toMatchObject({ reads: 2, blocked: 2, quota: 2 });
  });

  it("keeps OAuth working while reads are blocked, and holds the quota per client id", async () => {
    const { accessToken, refreshToken } = grant();
    intuit.emulator.setMonthlyQuota("another-workspace", 0);
    expect((await read(accessToken)).status).toBe(200);

    intuit.emulator.setMonthlyQuota(intuit.clientId, 0);
    expect((await read(accessToken)).status).toBe(429);
    const renewed = await fetch(intuit.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${intuit.clientId}:${intuit.clientSecret}`)}`, accept: "application/json" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
    });
    expect(renewed.status).toBe(200);
    // null removes the quota.
    intuit.emulator.setMonthlyQuota(intuit.clientId, null);
    expect((await read(((await renewed.json()) as { access_token: string }).access_token)).status).toBe(200);
  });

  it("lets reads through again when the emulator's month turns", async () => {
    intuit.emulator.setMonthlyQuota(intuit.clientId, 1);
    const first = grant();
    expect((await read(first.accessToken)).status).toBe(200);
    expect((await read(first.accessToken)).status).toBe(429);
    const before = intuit.emulator.monthlyQuotaStats()[intuit.clientId]!.month;

    intuit.emulator.advanceTime(secondsToNextMonth());
    // The access token expired meanwhile (an hour); a fresh grant reads again, once, under the same quota.
    const next = grant();
    expect((await read(next.accessToken)).status).toBe(200);
    expect((await read(next.accessToken)).status).toBe(429);
    const stats = intuit.emulator.monthlyQuotaStats()[intuit.clientId]!;
    expect(stats.month).not.toBe(before);
    expect(stats).toMatchObject({ reads: 1, blocked: 1, quota: 1 });
  });

  it("is set and read over the control endpoints, refuses bad bodies and is forgotten by reset", async () => {
    const set = await control("POST", { clientId: intuit.clientId, quota: 0 });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ ok: true, client: { quota: 0, reads: 0, blocked: 0 } });
    const { accessToken } = grant();
    expect((await read(accessToken)).status).toBe(429);
    expect(await (await control("GET")).json()).toMatchObject({ clients: { [intuit.clientId]: { quota: 0, blocked: 1 } } });

    for (const body of [{}, { clientId: "" , quota: 1 }, { clientId: "x", quota: -1 }, { clientId: "x", quota: 1.5 }, { clientId: "x", quota: 1, extra: true }]) {
      const response = await control("POST", body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_request");
    }

    await fetch(`${intuit.origin}/__emulator/reset`, { method: "POST" });
    expect(await (await control("GET")).json()).toEqual({ clients: {} });
    expect((await read(grant().accessToken)).status).toBe(200);
  });
});
