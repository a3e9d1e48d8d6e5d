import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { IntuitApiError } from "@/lib/intuit/faults";
import { QBO_MINOR_VERSION } from "@/lib/intuit/qbo-request";
import { connectedCallInput } from "@/tests/intuit/connect-through-emulator";
import { rejectionOf } from "@/tests/rejection";

const intuit = useIntuitMock();
afterEach(() => clearDiscoveryCache());

const COMPANY_INFO_URL = `${intuit.origin}/v3/company/:realmId/companyinfo/:id`;

const apiFailure = (promise: Promise<unknown>) => rejectionOf(promise, IntuitApiError);
const connected = () => connectedCallInput(intuit);

describe("getCompanyInfo", () => {
  it("returns the company with Intuit's trace id, sending minorversion=75 and Accept JSON", async () => {
    const input = await connected();
    const result = await getCompanyInfo(input);
    expect(result.companyInfo).toMatchObject({
      id: "1",
      companyName: "Sandbox Company_US_1",
      legalName: "Sandbox Company_US_1",
      country: "USA",
      email: "noreply@quickbooks.com",
      fiscalYearStartMonth: "January",
      address: { line1: "123 Sierra Way", city: "San Pablo", region: "CA", postalCode: "87999" },
    });
    expect(result.intuitTid).toMatch(/^1-/);
    expect(QBO_MINOR_VERSION).toBe(75);
    expect(intuit.emulator.apiRequests()).toEqual([
      expect.objectContaining({ path: `/v3/company/${input.realmId}/companyinfo/${input.realmId}`, minorVersion: "75", accept: "application/json" }),
    ]);
  });

  it("throws authentication (3200) for an expired access token", async () => {
    const input = await connected();
    intuit.emulator.advanceTime(3601);
    const error = await apiFailure(getCompanyInfo(input));
    expect(error).toMatchObject({ kind: "authentication", status: 401, code: "3200", faultType: "AUTHENTICATION" });
    expect(error.intuitTid).toBeTruthy();
    // Intuit echoes the token in the detail; it must not survive into the error.
    expect(`${error.message} ${error.detail} ${JSON.stringify(error)}`).not.toContain(input.accessToken);
    expect(`${error.detail}`).toContain("[redacted]");
  });

  it("throws authorization (3100) for another company's token", async () => {
    const input = await connected();
    const error = await apiFailure(getCompanyInfo({ ...input, realmId: "9341452000000002" }));
    expect(error).toMatchObject({ kind: "authorization", status: 403, code: "3100" });
  });

  it("throws authentication after a disconnect inside QuickBooks", async () => {
    const input = await connected();
    intuit.emulator.revokeGrant(input.realmId);
    expect(await apiFailure(getCompanyInfo(input))).toMatchObject({ kind: "authentication" });
  });

  it("throws throttled for Intuit's XML 429 and server for a SystemFault", async () => {
    const input = await connected();
    intuit.emulator.injectFault({ target: "api", status: 429 });
    expect(await apiFailure(getCompanyInfo(input))).toMatchObject({ kind: "throttled", status: 429, code: "3001", retryable: true });
    intuit.emulator.injectFault({ target: "api", status: 503 });
    expect(await apiFailure(getCompanyInfo(input))).toMatchObject({ kind: "server", status: 503, code: "10000" });
  });

  it("throws validation for a capitalised ValidationFault", async () => {
    const input = await connected();
    intuit.server.use(
      http.get(COMPANY_INFO_URL, () =>
        HttpResponse.json(
          { Fault: { Error: [{ Message: "Invalid Reference Id", Detail: "Invalid Reference Id : Something", code: "2500" }], type: "ValidationFault" } },
          { status: 400, headers: { intuit_tid: "1-abc" } },
        ),
      ),
    );
    expect(await apiFailure(getCompanyInfo(input))).toMatchObject({ kind: "validation", code: "2500", message: "Invalid Reference Id", intuitTid: "1-abc" });
  });

  it("throws unexpected for a 2xx of the wrong shape or not JSON", async () => {
    const input = await connected();
    intuit.server.use(http.get(COMPANY_INFO_URL, () => HttpResponse.json({ CompanyInfo: { Id: "1" } })));
    expect(await apiFailure(getCompanyInfo(input))).toMatchObject({ kind: "unexpected", status: 200 });
    intuit.server.use(http.get(COMPANY_INFO_URL, () => HttpResponse.xml("<IntuitResponse/>")));
    expect(await apiFailure(getCompanyInfo(input))).toMatchObject({ kind: "unexpected", status: 200 });
  });

  it("throws timeout when Intuit is slower than timeoutMs, network when unreachable", async () => {
    const input = await connected();
    intuit.emulator.injectFault({ target: "api", delayMs: 400 });
    expect(await apiFailure(getCompanyInfo({ ...input, timeoutMs: 40 }))).toMatchObject({ kind: "timeout", status: null, retryable: true });
    const failingFetch: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
    expect(await apiFailure(getCompanyInfo({ ...input, fetch: failingFetch }))).toMatchObject({ kind: "network" });
  });

  it("refuses to send a token over plain http to a non-local host", async () => {
    const error = await apiFailure(getCompanyInfo({ apiBaseUrl: "http://quickbooks.api.intuit.com", realmId: "1", accessToken: "t" }));
    expect(error.kind).toBe("unexpected");
  });
});
