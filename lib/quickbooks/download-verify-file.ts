import "server-only";
import { db } from "@/db";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { findConnection } from "./store/connections";
import { intuitAppFor } from "./client/intuit-app";
import { verifyEvidenceSchema, verifyFileName, verifyFileOf, type VerifyFile } from "./rules/verify-evidence";

export interface DownloadVerifyFileOptions {
  tenantId: string;
  tenantName: string;
  actorUserId: string | null;
  /** Set when an API key (scope status:read) downloaded it. */
  actorApiKeyId?: string | null;
  meta?: RequestMeta;
  now?: Date;
}

export interface DownloadedVerifyFile {
  filename: string;
  file: VerifyFile;
}

const noVerification = () =>
  new AppError(
    "no_verification",
    404,
    "There is no successful Verify of this tenant's QuickBooks connection to export yet. Click “Verify connection” first.",
  );

/**
 * The company verify file: the evidence of the last successful Verify of the tenant's current connection, as a
 * document for a security review. Each download is recorded in the audit trail, since evidence handed out is itself
 * something an auditor asks about.
 */
export async function downloadVerifyFile({ tenantId, tenantName, actorUserId, actorApiKeyId, meta, now = new Date() }: DownloadVerifyFileOptions): Promise<DownloadedVerifyFile> {
  const app = await intuitAppFor(tenantId);
  const row = await findConnection(db(), tenantId, app.environment);
  // A reconnect to another company clears verified_at; the evidence of the old company must not pass for the new one.
  if (!row?.verifiedAt || !row.verifyEvidence) throw noVerification();
  const parsed = verifyEvidenceSchema.safeParse(row.verifyEvidence);
  if (!parsed.success || parsed.data.realmId !== row.realmId) throw noVerification();
  const evidence = parsed.data;

  const file = verifyFileOf(evidence, { tenantName, connectionStatus: row.status, generatedAt: now });
  await recordAudit(db(), {
    tenantId,
    actorUserId,
    actorApiKeyId,
    action: "evidence.downloaded",
    target: `quickbooks:${evidence.environment}:${evidence.realmId}`,
    outcome: "success",
    details: { file: "company_verify", verifiedAt: evidence.verifiedAt, intuitTid: evidence.intuitTid },
    meta,
  });
  return { filename: verifyFileName(evidence), file };
}
