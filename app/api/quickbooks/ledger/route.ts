// GET /api/quickbooks/ledger – AWRA's chart of accounts and balances for the active tenant.
// POST /api/quickbooks/ledger – load it: `text/csv` (header code,name,type,balance,as_of) or `application/json` (an
// array of the same fields). All or nothing: any bad row is 400 `invalid_ledger` with every problem in
// `error.details` ([{line, field, message}]) and nothing stored; at most 10,000 rows and 2 MB (413 beyond).
// Audit policy: every load, good or refused, writes ledger.imported (details: rows, source, created, updated / errors);
// listing is not audited (the same data the console shows).
import { requestMetaFrom } from "@/lib/audit/record";
import { auditActorOf, requireActor } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { privateJson, respond } from "@/lib/http/respond";
import { readBodyWithLimit } from "@/lib/http/read-body";
import { importLedger, LEDGER_IMPORT_MAX_BYTES, type ImportLedgerOptions } from "@/lib/ledger/import-ledger";
import { listLedgerAccounts } from "@/lib/ledger/list-ledger-accounts";

export async function GET(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "ledger.read");
    return privateJson({ accounts: await listLedgerAccounts({ tenantId: actor.tenantId }) });
  });
}

export async function POST(req: Request) {
  return respond(req, async () => {
    const actor = await requireActor(req, "ledger.write");
    const input = await readLedgerInput(req);
    const imported = await importLedger({ tenantId: actor.tenantId, ...auditActorOf(actor), input, meta: requestMetaFrom(req) });
    return privateJson({ imported });
  });
}

async function readLedgerInput(req: Request): Promise<ImportLedgerOptions["input"]> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "text/csv" && mediaType !== "application/json") {
    throw new AppError("unsupported_media_type", 415, "Send the ledger as text/csv or application/json.");
  }
  const bytes = await readBodyWithLimit(req, LEDGER_IMPORT_MAX_BYTES);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("invalid_encoding", 400, "The ledger must be UTF-8 text.");
  }
  if (mediaType === "text/csv") return { format: "csv", text };
  try {
    return { format: "api", json: JSON.parse(text) as unknown };
  } catch {
    throw new AppError("invalid_json", 400, "The request body must be JSON.");
  }
}
