// GET /v3/company/{realmId}/companyinfo/{realmId}: the company's name and address, and the cheapest call that proves a
// token works for a company (the Verify step).

import { qboRequest, type QboCallInput } from "./qbo-request";
import { companyInfoResponseSchema, type CompanyInfoRecord } from "./schemas";

export interface CompanyInfo {
  id: string;
  companyName: string;
  legalName: string | null;
  /** ISO-3 since Oct 2025 ("USA"), older answers may hold ISO-2. */
  country: string | null;
  email: string | null;
  phone: string | null;
  fiscalYearStartMonth: string | null;
  address: { line1: string | null; city: string | null; region: string | null; postalCode: string | null } | null;
  syncToken: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

function toCompanyInfo(record: CompanyInfoRecord): CompanyInfo {
  const address = record.CompanyAddr;
  return {
    id: record.Id,
    companyName: record.CompanyName,
    legalName: record.LegalName ?? null,
    country: record.Country ?? null,
    email: record.Email?.Address ?? null,
    phone: record.PrimaryPhone?.FreeFormNumber ?? null,
    fiscalYearStartMonth: record.FiscalYearStartMonth ?? null,
    address: address
      ? {
          line1: address.Line1 ?? null,
          city: address.City ?? null,
          region: address.CountrySubDivisionCode ?? null,
          postalCode: address.PostalCode ?? null,
        }
      : null,
    syncToken: record.SyncToken ?? null,
    createdAt: record.MetaData?.CreateTime ?? null,
    updatedAt: record.MetaData?.LastUpdatedTime ?? null,
  };
}

/** GET /v3/company/{realmId}/companyinfo/{realmId}: the cheapest call that proves a token works for a company. */
export async function getCompanyInfo(input: QboCallInput): Promise<{ companyInfo: CompanyInfo; intuitTid: string | null }> {
  const path = `/companyinfo/${encodeURIComponent(input.realmId)}`;
  const result = await qboRequest(input, { path, schema: companyInfoResponseSchema });
  return { companyInfo: toCompanyInfo(result.data.CompanyInfo), intuitTid: result.intuitTid };
}
