import { describe, expect, it } from "vitest";
import type { CompanyInfo } from "@/lib/intuit/company-info";
import { verifyEvidenceOf, verifyEvidenceSchema, verifyFileName, verifyFileOf } from "./verify-evidence";

const companyInfo: CompanyInfo = {
  id: "1",
  companyName: "Sandbox Company_US_1",
  legalName: null,
  country: "USA",
  email: null,
  phone: "(650) 944-4444",
  fiscalYearStartMonth: "January",
  address: { line1: "123 Sierra Way", city: "San Pablo", region: "CA", postalCode: "87999" },
  syncToken: "3",
  createdAt: null,
  updatedAt: null,
};
const verifiedAt = new Date("2026-03-01T23:59:59.500Z");

describe("the company verify file", () => {
  const evidence = verifyEvidenceOf({ companyInfo, realmId: "9341452000000001", environment: "sandbox", verifiedAt, intuitTid: "tid-1", appVersion: "1.2.3" });

  it("keeps only the company's identity from CompanyInfo, and reads back through its schema", () => {
    expect(evidence).toEqual({
      company: { id: "1", companyName: "Sandbox Company_US_1", legalName: null, country: "USA", emailAddress: null },
      realmId: "9341452000000001",
      environment: "sandbox",
      verifiedAt: "2026-03-01T23:59:59.500Z",
      intuitTid: "tid-1",
      appVersion: "1.2.3",
    });
    expect(verifyEvidenceSchema.parse(JSON.parse(JSON.stringify(evidence)))).toEqual(evidence);
    expect(verifyEvidenceSchema.safeParse({ ...evidence, realmId: undefined }).success).toBe(false);
  });

  it("leaves out an email address QuickBooks does not have", () => {
    const file = verifyFileOf(evidence, { tenantName: "Acme", connectionStatus: "active", generatedAt: new Date("2026-03-02T08:00:00Z") });
    expect(file.company).toEqual({ id: "1", companyName: "Sandbox Company_US_1", legalName: null, country: "USA" });
    const withEmail = verifyFileOf({ ...evidence, company: { ...evidence.company, emailAddress: "a@b.test" } }, {
      tenantName: "Acme",
      connectionStatus: "active",
      generatedAt: new Date(),
    });
    expect(withEmail.company.emailAddress).toBe("a@b.test");
    expect(file).toMatchObject({ tenant: { name: "Acme" }, generatedAt: "2026-03-02T08:00:00.000Z", verifiedAt: "2026-03-01T23:59:59.500Z" });
  });

  it("is named after the realm and the UTC day of the Verify, with nothing unsafe in a header", () => {
    expect(verifyFileName(evidence)).toBe("quickbooks-verify-9341452000000001-2026-03-01.json");
    expect(verifyFileName({ realmId: '12"; x=\r\n3', verifiedAt: evidence.verifiedAt })).toBe("quickbooks-verify-12x3-2026-03-01.json");
  });
});
