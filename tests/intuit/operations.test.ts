// The one table of Intuit's operations (lib/intuit/operations.ts) covers every request the API client can send: each
// endpoint function of lib/intuit (every module that sends through qboRequest) is called against the emulator and its
// request must be classified, Core or CorePlus, as the operation the client meters it as. A new endpoint function fails
// here until it is called below and its request has a row in the table.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countAccounts, queryAccountPage } from "@/lib/intuit/account-query";
import { getChangeDataCapture } from "@/lib/intuit/change-data-capture";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { INTUIT_OPERATIONS, operationOfRequest, type IntuitOperation } from "@/lib/intuit/operations";
import type { QboCallInput } from "@/lib/intuit/qbo-request";
import { getTrialBalance } from "@/lib/intuit/trial-balance";
import { useIntuitMock } from "@/mocks/intuit/vitest";

const intuit = useIntuitMock();
const REALM = "9341452000000001";

/** Each endpoint function, how to call it, and the operation the product's callers name it as (callQuickBooks). */
const ENDPOINTS: Record<string, { operation: IntuitOperation; call: (input: QboCallInput) => Promise<unknown> }> = {
  getCompanyInfo: { operation: "companyinfo", call: getCompanyInfo },
  getChangeDataCapture: { operation: "cdc", call: (input) => getChangeDataCapture({ ...input, entities: ["Account", "Customer"], changedSince: new Date(Date.now() - 60_000) }) },
  queryAccountPage: { operation: "query", call: (input) => queryAccountPage({ ...input, startPosition: 1, maxResults: 10 }) },
  countAccounts: { operation: "query", call: countAccounts },
  getTrialBalance: { operation: "report", call: (input) => getTrialBalance({ ...input, startDate: "2026-01-01", endDate: "2026-11-30", accountingMethod: "Accrual" }) },
};

/** The exported async functions of every lib/intuit module that sends Accounting API requests. */
function endpointFunctions(): string[] {
  const dir = path.join(process.cwd(), "lib/intuit");
  const names: string[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file === "qbo-request.ts") continue;
    const text = readFileSync(path.join(dir, file), "utf8");
    if (!text.includes("qboRequest(")) continue;
    for (const match of text.matchAll(/export async function (\w+)/g)) names.push(match[1]!);
  }
  return names.sort();
}

describe("Intuit's operations table", () => {
  it("knows every endpoint function of lib/intuit", () => {
    expect(endpointFunctions()).toEqual(Object.keys(ENDPOINTS).sort());
  });

  it("classifies the request of each endpoint function as the operation it is metered as, and every row is used", async () => {
    const [grant] = intuit.emulator.createGrants([REALM]);
    const input: QboCallInput = { apiBaseUrl: intuit.apiBaseUrl, realmId: REALM, accessToken: grant!.accessToken };
    for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
      const before = intuit.emulator.apiRequests().length;
      await endpoint.call(input);
      const sent = intuit.emulator.apiRequests().slice(before);
      expect(sent, name).toHaveLength(1);
      const [request] = sent;
      expect(operationOfRequest(request!.method, request!.path), name).toBe(endpoint.operation);
      // The emulator meters by the same table.
      expect(request!.operation, name).toBe(endpoint.operation);
    }
    expect(new Set(Object.values(ENDPOINTS).map((e) => e.operation))).toEqual(new Set(Object.keys(INTUIT_OPERATIONS)));
  });

  it("meters every report as one read, whichever report it is", () => {
    for (const report of ["TrialBalance", "BalanceSheet", "ProfitAndLoss"]) expect(operationOfRequest("GET", `/v3/company/${REALM}/reports/${report}`), report).toBe("report");
    expect(operationOfRequest("GET", `/v3/company/${REALM}/reports`)).toBeNull();
    expect(operationOfRequest("POST", `/v3/company/${REALM}/reports/TrialBalance`)).toBeNull();
  });

  it("leaves OAuth out: it is not metered", () => {
    expect(operationOfRequest("POST", "/oauth2/v1/tokens/bearer")).toBeNull();
    expect(operationOfRequest("POST", "/v2/oauth2/tokens/revoke")).toBeNull();
  });
});
