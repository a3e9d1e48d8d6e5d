import { z } from "zod";
import type { CompanyInfo } from "@/lib/intuit/company-info";

/**
 * What a successful Verify proved, kept on the connection (`verify_evidence`) so that the company verify file can be
 * produced later for a security review. Built from CompanyInfo fields and facts about the call only: it never holds
 * a token, a code or a secret. Read back through the schema, because rows written by older versions may lack fields.
 */

export const verifyEvidenceSchema = z.object({
  company: z.object({
    id: z.string(),
    companyName: z.string(),
    legalName: z.string().nullable(),
    country: z.string().nullable(),
    emailAddress: z.string().nullable(),
  }),
  realmId: z.string(),
  environment: z.enum(["sandbox", "production"]),
  verifiedAt: z.iso.datetime(),
  intuitTid: z.string().nullable(),
  /** The version of the app that made the Verify call. */
  appVersion: z.string(),
});
export type VerifyEvidence = z.infer<typeof verifyEvidenceSchema>;

export function verifyEvidenceOf(input: {
  companyInfo: CompanyInfo;
  realmId: string;
  environment: "sandbox" | "production";
  verifiedAt: Date;
  intuitTid: string | null;
  appVersion: string;
}): VerifyEvidence {
  const { companyInfo } = input;
  return {
    company: {
      id: companyInfo.id,
      companyName: companyInfo.companyName,
      legalName: companyInfo.legalName,
      country: companyInfo.country,
      emailAddress: companyInfo.email,
    },
    realmId: input.realmId,
    environment: input.environment,
    verifiedAt: input.verifiedAt.toISOString(),
    intuitTid: input.intuitTid,
    appVersion: input.appVersion,
  };
}

/** The downloadable file: the evidence, for whom, and when the file was made. */
export interface VerifyFile {
  kind: "quickbooks-company-verify";
  tenant: { name: string };
  company: { id: string; companyName: string; legalName: string | null; country: string | null; emailAddress?: string };
  realmId: string;
  environment: "sandbox" | "production";
  verifiedAt: string;
  intuitTid: string | null;
  appVersion: string;
  /** The connection's status when the file was generated: evidence of a past Verify says nothing about today. */
  connectionStatus: string;
  generatedAt: string;
}

export function verifyFileOf(evidence: VerifyEvidence, context: { tenantName: string; connectionStatus: string; generatedAt: Date }): VerifyFile {
  const { emailAddress, ...company } = evidence.company;
  return {
    kind: "quickbooks-company-verify",
    tenant: { name: context.tenantName },
    // The email address only when QuickBooks has one: an absent field is clearer to a reviewer than a null.
    company: emailAddress ? { ...company, emailAddress } : company,
    realmId: evidence.realmId,
    environment: evidence.environment,
    verifiedAt: evidence.verifiedAt,
    intuitTid: evidence.intuitTid,
    appVersion: evidence.appVersion,
    connectionStatus: context.connectionStatus,
    generatedAt: context.generatedAt.toISOString(),
  };
}

/** quickbooks-verify-<realmId>-<yyyy-mm-dd>.json, dated by the Verify (UTC): the same evidence keeps one name. */
export function verifyFileName(evidence: Pick<VerifyEvidence, "realmId" | "verifiedAt">): string {
  const realm = evidence.realmId.replaceAll(/[^A-Za-z0-9_-]/g, "");
  return `quickbooks-verify-${realm}-${evidence.verifiedAt.slice(0, 10)}.json`;
}
