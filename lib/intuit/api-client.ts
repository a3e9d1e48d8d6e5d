// QuickBooks Online Accounting API calls. One internal request function (qboRequest) does what every endpoint
// needs: the base URL rule, Bearer auth, Accept JSON, minorversion, timeout, intuit_tid, fault parsing, zod.
// New endpoints are a schema plus a few lines on top of it.

import { z } from "zod";
import { IntuitApiError, parseIntuitError } from "./faults";
import { intuitFetch } from "../http/server-timing";
import { classifyTransportFailure, isPermittedEndpoint, readIntuitTid, timeoutSignal, type IntuitCallOptions } from "./http";
import { companyInfoResponseSchema, type CompanyInfoRecord } from "./schemas";

/** Since Aug 2025 Intuit ignores 1–74 and defaults to 75; send it explicitly anyway (intuit.md §4). */
export const QBO_MINOR_VERSION = 75;

export interface QboCallInput extends IntuitCallOptions {
  /** https://sandbox-quickbooks.api.intuit.com or https://quickbooks.api.intuit.com (or the emulator). */
  apiBaseUrl: string;
  realmId: string;
  accessToken: string;
  minorVersion?: number;
}

export interface QboRequest<S extends z.ZodType> {
  /** Path below /v3/company/{realmId}, e.g. "/companyinfo/123". */
  path: string;
  schema: S;
  method?: "GET" | "POST";
  query?: Record<string, string>;
  body?: unknown;
}

export interface QboResult<T> {
  data: T;
  intuitTid: string | null;
}

function apiUrl(input: QboCallInput, request: { path: string; query?: Record<string, string> }): URL {
  const base = input.apiBaseUrl.replace(/\/+$/, "");
  const url = new URL(`${base}/v3/company/${encodeURIComponent(input.realmId)}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  url.searchParams.set("minorversion", String(input.minorVersion ?? QBO_MINOR_VERSION));
  return url;
}

function transportError(error: unknown): IntuitApiError {
  const failure = classifyTransportFailure(error);
  const kind = failure === "network" ? "network" : "timeout";
  const message = failure === "network" ? "QuickBooks could not be reached" : "QuickBooks did not answer in time";
  return new IntuitApiError({
    kind,
    status: null,
    code: failure === "aborted" ? "aborted" : null,
    message,
    detail: null,
    faultType: null,
    intuitTid: null,
    cause: failure === "network" ? error : undefined,
  });
}

function unexpected(status: number | null, intuitTid: string | null, message: string): IntuitApiError {
  return new IntuitApiError({ kind: "unexpected", status, code: null, message, detail: null, faultType: null, intuitTid });
}

async function send(url: URL, input: QboCallInput, method: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${input.accessToken}`,
    accept: "application/json",
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  try {
    return await (input.fetch ?? intuitFetch)(url.href, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
      signal: timeoutSignal(input),
    });
  } catch (error) {
    throw transportError(error);
  }
}

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw transportError(error);
  }
}

/** Calls one Accounting API endpoint; throws IntuitApiError for every failure, including a 2xx of the wrong shape. */
export async function qboRequest<S extends z.ZodType>(input: QboCallInput, request: QboRequest<S>): Promise<QboResult<z.infer<S>>> {
  const url = apiUrl(input, request);
  if (!isPermittedEndpoint(url)) throw unexpected(null, null, "QuickBooks API base URL must be https");
  const response = await send(url, input, request.method ?? "GET", request.body);
  const intuitTid = readIntuitTid(response.headers);
  const text = await readText(response);
  if (response.status < 200 || response.status >= 300) {
    throw parseIntuitError(response.status, response.headers, text, intuitTid);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unexpected(response.status, intuitTid, "QuickBooks answered with a body that is not JSON");
  }
  const parsed = request.schema.safeParse(json);
  if (!parsed.success) throw unexpected(response.status, intuitTid, "QuickBooks answered with an unexpected shape");
  return { data: parsed.data, intuitTid };
}

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

// ---------------------------------------------------------------- change data capture

/** Intuit keeps 30 days of changes for CDC; an older changedSince is refused (intuit.md §6). */
export const CDC_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;
/** Objects per CDC answer, shared by all the entities asked for; there is no paging (intuit.md §6). */
export const CDC_MAX_OBJECTS = 1000;

export type CdcOperation = "create" | "update" | "delete";

export interface CdcChange {
  /** Lower-cased like webhook events (lib/intuit/webhook-payload.ts): "customer", "billpayment". */
  entity: string;
  entityId: string;
  operation: CdcOperation;
  /** The object's MetaData.LastUpdatedTime: when its latest change was made. */
  lastUpdated: Date;
}

export interface ChangeDataCaptureInput extends QboCallInput {
  /** Intuit's entity names, e.g. ["Customer", "Invoice"]. */
  entities: readonly string[];
  changedSince: Date;
}

export interface ChangeDataCaptureResult {
  changes: CdcChange[];
  intuitTid: string | null;
  /**
   * The answer held CDC_MAX_OBJECTS objects: Intuit may have left some out, and says nothing about which. Ask again
   * for fewer entities, or from a later changedSince.
   */
  capped: boolean;
}

/** Intuit's query bookkeeping keys, next to the entity arrays in each QueryResponse element. */
const QUERY_RESPONSE_KEYS = new Set(["startPosition", "maxResults", "totalCount"]);

/** The objects CDC returns are full entities; only what says which object changed, how and when is read. */
const cdcObjectSchema = z.looseObject({
  Id: z.string().min(1),
  status: z.string().optional(),
  MetaData: z.looseObject({
    CreateTime: z.string().optional(),
    LastUpdatedTime: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "LastUpdatedTime must be a date-time"),
  }),
});

const cdcResponseSchema = z.looseObject({
  CDCResponse: z.array(
    z.looseObject({
      // One element per entity with changes, `[{}]` when nothing changed.
      QueryResponse: z
        .array(
          z.record(z.string(), z.unknown()).transform((element, zctx) => {
            const objects: { entity: string; object: z.infer<typeof cdcObjectSchema> }[] = [];
            for (const [key, value] of Object.entries(element)) {
              // Bookkeeping, or a scalar Intuit may add one day: not a list of objects. An object where a list belongs
              // is refused below rather than skipped, so a change can never be dropped unnoticed.
              if (QUERY_RESPONSE_KEYS.has(key) || value === null || typeof value !== "object") continue;
              const parsed = z.array(cdcObjectSchema).safeParse(value);
              if (!parsed.success) {
                zctx.addIssue({ code: "custom", message: `${key} is not a list of QuickBooks objects` });
                return z.NEVER;
              }
              for (const object of parsed.data) objects.push({ entity: key, object });
            }
            return objects;
          }),
        )
        .optional(),
    }),
  ),
  time: z.string().optional(),
});

function cdcOperation(object: z.infer<typeof cdcObjectSchema>): CdcOperation {
  if (object.status?.toLowerCase() === "deleted") return "delete";
  const created = object.MetaData.CreateTime ? Date.parse(object.MetaData.CreateTime) : Number.NaN;
  // Created and not touched since: the only change is the creation. Anything else is reported as an update (CDC
  // cannot tell a void or an email from an edit).
  return created === Date.parse(object.MetaData.LastUpdatedTime) ? "create" : "update";
}

/** ISO 8601 in UTC to the second, the form Intuit documents; the milliseconds are dropped (an earlier bound). */
export function formatChangedSince(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * GET /v3/company/{realmId}/cdc?entities=…&changedSince=…: each object of the given entities changed since then,
 * once, in its latest state. Intuit answers for 30 days back at most and 1,000 objects at most (see `capped`).
 */
export async function getChangeDataCapture(input: ChangeDataCaptureInput): Promise<ChangeDataCaptureResult> {
  if (input.entities.length === 0) throw new RangeError("getChangeDataCapture needs at least one entity");
  const query = { entities: input.entities.join(","), changedSince: formatChangedSince(input.changedSince) };
  const result = await qboRequest(input, { path: "/cdc", query, schema: cdcResponseSchema });
  const objects = result.data.CDCResponse.flatMap((response) => (response.QueryResponse ?? []).flat());
  const changes = objects.map(
    ({ entity, object }): CdcChange => ({
      entity: entity.toLowerCase(),
      entityId: object.Id,
      operation: cdcOperation(object),
      lastUpdated: new Date(Date.parse(object.MetaData.LastUpdatedTime)),
    }),
  );
  return { changes, intuitTid: result.intuitTid, capped: objects.length >= CDC_MAX_OBJECTS };
}

// ---------------------------------------------------------------- accounts (query endpoint)

/** Intuit's query endpoint answers at most 1,000 rows per page (intuit.md §4). */
export const QUERY_MAX_RESULTS = 1000;

const accountSchema = z.looseObject({
  Id: z.string().min(1),
  Name: z.string(),
  FullyQualifiedName: z.string().optional(),
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
