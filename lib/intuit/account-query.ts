// The chart of accounts through the query endpoint (GET /v3/company/{realmId}/query): pages of accounts, active and
// inactive, in a stable order, and their count. A row that does not read as an Account is counted, never stored.

import { z } from "zod";
import { formatChangedSince } from "./change-data-capture";
import { qboRequest, type QboCallInput } from "./qbo-request";

/** Intuit's query endpoint answers at most 1,000 rows per page (intuit.md §4). */
export const QUERY_MAX_RESULTS = 1000;

const accountSchema = z.looseObject({
  Id: z.string().min(1),
  Name: z.string(),
  FullyQualifiedName: z.string().optional(),
  AcctNum: z.string().optional(),
  Active: z.boolean().optional(),
  Classification: z.string().optional(),
  AccountType: z.string(),
  AccountSubType: z.string().optional(),
  CurrentBalance: z.number().optional(),
  CurrentBalanceWithSubAccounts: z.number().optional(),
  SyncToken: z.string().optional(),
  MetaData: z.looseObject({ LastUpdatedTime: z.string().optional() }).optional(),
});

const accountQueryResponseSchema = z.looseObject({
  QueryResponse: z.looseObject({
    // Rows that do not read as an Account are kept apart (see `rejected`), so one odd row does not fail a page.
    Account: z.array(z.unknown()).optional(),
    startPosition: z.number().optional(),
    maxResults: z.number().optional(),
    totalCount: z.number().optional(),
  }),
});

export interface QboAccount {
  id: string;
  name: string;
  fullyQualifiedName: string | null;
  /** AcctNum: null when the company does not number its accounts. */
  number: string | null;
  active: boolean;
  classification: string | null;
  accountType: string;
  accountSubType: string | null;
  /** The account's own balance, to the cent, as a decimal string. */
  currentBalance: string;
  syncToken: string | null;
  lastUpdatedAt: Date | null;
}

export interface AccountPageInput extends QboCallInput {
  /** 1-based, as Intuit counts. */
  startPosition: number;
  maxResults: number;
  /** Only accounts changed since then (MetaData.LastUpdatedTime). */
  changedSince?: Date;
  /** Only these ids. */
  ids?: readonly string[];
}

export interface AccountPage {
  accounts: QboAccount[];
  /** Rows that did not parse as an Account: counted as sync errors, never stored. */
  rejected: number;
  intuitTid: string | null;
}

/** Intuit's query language quotes with single quotes; an id never needs escaping, but make sure. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

/** The query text for a page of accounts, active and inactive, in a stable order (by Id) so that pages do not overlap. */
export function accountPageQuery(input: Pick<AccountPageInput, "startPosition" | "maxResults" | "changedSince" | "ids">): string {
  const where = ["Active in (true, false)"];
  if (input.changedSince) where.push(`MetaData.LastUpdatedTime >= ${quoted(formatChangedSince(input.changedSince))}`);
  if (input.ids?.length) where.push(`Id in (${input.ids.map(quoted).join(", ")})`);
  const maxResults = Math.min(Math.max(1, Math.floor(input.maxResults)), QUERY_MAX_RESULTS);
  return `select * from Account where ${where.join(" and ")} orderby Id startposition ${Math.max(1, Math.floor(input.startPosition))} maxresults ${maxResults}`;
}

function toQboAccount(row: z.infer<typeof accountSchema>): QboAccount {
  const updated = row.MetaData?.LastUpdatedTime ? Date.parse(row.MetaData.LastUpdatedTime) : Number.NaN;
  return {
    id: row.Id,
    name: row.Name,
    fullyQualifiedName: row.FullyQualifiedName ?? null,
    number: row.AcctNum?.trim() || null,
    active: row.Active ?? true,
    classification: row.Classification ?? null,
    accountType: row.AccountType,
    accountSubType: row.AccountSubType ?? null,
    currentBalance: (row.CurrentBalance ?? 0).toFixed(2),
    syncToken: row.SyncToken ?? null,
    lastUpdatedAt: Number.isNaN(updated) ? null : new Date(updated),
  };
}

/** GET /v3/company/{realmId}/query?query=select * from Account …: one page of the chart of accounts. */
export async function queryAccountPage(input: AccountPageInput): Promise<AccountPage> {
  const result = await qboRequest(input, { path: "/query", query: { query: accountPageQuery(input) }, schema: accountQueryResponseSchema });
  const accounts: QboAccount[] = [];
  let rejected = 0;
  for (const row of result.data.QueryResponse.Account ?? []) {
    const parsed = accountSchema.safeParse(row);
    if (parsed.success) accounts.push(toQboAccount(parsed.data));
    else rejected++;
  }
  return { accounts, rejected, intuitTid: result.intuitTid };
}

const countResponseSchema = z.looseObject({ QueryResponse: z.looseObject({ totalCount: z.number().int().nonnegative().optional() }) });

/** select count(*) from Account (active and inactive): the size of a full sync, for its progress bar. */
export async function countAccounts(input: QboCallInput): Promise<{ count: number; intuitTid: string | null }> {
  const query = "select count(*) from Account where Active in (true, false)";
  const result = await qboRequest(input, { path: "/query", query: { query }, schema: countResponseSchema });
  return { count: result.data.QueryResponse.totalCount ?? 0, intuitTid: result.intuitTid };
}
