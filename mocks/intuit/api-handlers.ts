// The QuickBooks Online Accounting API, as far as the product uses it: CompanyInfo, the query endpoint (query-parser.ts: the
// WHERE / ORDERBY / STARTPOSITION / MAXRESULTS a sync needs, over each company's live chart of accounts, accounts.ts,
// and its journal entries, journal.ts), change data capture (cdc.ts) and the Trial Balance report (reports.ts).
// A token opens the companies of its keys' environment only: development keys the sandbox companies, production keys
// the production ones; anything else is the gateway's 403 (intuit.md §4).
// Every request counts against its realm's limits (realm-limits.ts), authenticated or not: Intuit does not say which
// it counts, and counting all is the stricter case for the app. Beyond them the gateway answers 429.
// Every authenticated CorePlus read (lib/intuit/operations.ts says which requests are) counts against its client id's
// monthly quota (monthly-quota.ts); past it the read is refused with the monthly block's 429.
// Authentication failures use the gateway's lowercase `fault` dialect, data errors the capitalised `Fault`
// (intuit.md §4). Clients that do not ask for JSON get XML, as from Intuit.

import type { HttpHandler } from "msw";
import { meterCategoryOf, operationOfRequest, type IntuitOperation } from "../../lib/intuit/operations";
import { cdcResponseBody, parseCdcRequest } from "./cdc";
import { PATHS, environmentOfClient, route, type EmulatorContext, type RouteResolver } from "./context";
import { ACCOUNTING_SCOPE, QUERYABLE_ENTITIES, companyInfoRecord, findCompany, type EmulatorCompany } from "./fixtures";
import type { AccessCheck, ActiveToken } from "./grants";
import {
  gatewayFaultBody,
  jsonResponse,
  monthlyLimitExceededBody,
  monthlyLimitExceededSpec,
  serviceFaultBody,
  wantsJson,
  xmlEntityResponse,
  xmlFault,
  xmlResponse,
  type FaultSpec,
  type ServiceError,
} from "./intuit-responses";
import { intuitTime } from "./intuit-time";
import { nextQuotaMonth } from "./monthly-quota";
import { queryResponseBody } from "./query-evaluator";
import { TRIAL_BALANCE, parseReportRequest } from "./reports";
import type { QueryError } from "./query-lexer";
import { parseQuery } from "./query-parser";

type ApiAuth = { ok: true; token: ActiveToken; company: EmulatorCompany } | { ok: false; response: Response };

function readBearerToken(request: Request): string | null {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;
}

function gatewayFault(ctx: EmulatorContext, request: Request, spec: FaultSpec): Response {
  const now = ctx.store.now();
  if (wantsJson(request)) return jsonResponse(gatewayFaultBody(spec, now), spec.status);
  const message = `message=${spec.name}; errorCode=${spec.errorCode}; statusCode=${spec.status}`;
  const code = String(Number(spec.errorCode));
  return xmlResponse(xmlFault(spec.type, { message, detail: spec.detail ?? "", code }, now), spec.status);
}

function serviceFault(ctx: EmulatorContext, request: Request, status: number, type: string, error: ServiceError): Response {
  const now = ctx.store.now();
  if (wantsJson(request)) return jsonResponse(serviceFaultBody(type, error, now), status);
  return xmlResponse(xmlFault(type, error, now), status);
}

function authenticationDetail(token: string, check: Exclude<AccessCheck, { ok: true }>): string {
  // Intuit echoes the token in "Token expired: …" (QuickBooks-V3-Java-SDK#159): the worst case for clients that log details.
  if (check.reason === "expired") return `Token expired: ${token}`;
  if (check.reason === "revoked") return "Token revoked";
  return token.length < 100 ? "Malformed bearer token: too short or too long" : "Token invalid";
}

function authenticationFailed(ctx: EmulatorContext, request: Request, detail: string): Response {
  return gatewayFault(ctx, request, { status: 401, name: "AuthenticationFailed", errorCode: "003200", detail, type: "AUTHENTICATION" });
}

function authorizationFailed(ctx: EmulatorContext, request: Request): Response {
  return gatewayFault(ctx, request, {
    status: 403,
    name: "ApplicationAuthorizationFailed",
    errorCode: "003100",
    detail: null,
    type: "SERVICE",
  });
}

function authenticateApiRequest(ctx: EmulatorContext, request: Request, realmId: string): ApiAuth {
  const token = readBearerToken(request);
  if (!token) return { ok: false, response: authenticationFailed(ctx, request, "Authorization header missing") };
  const check = ctx.store.checkAccessToken(token);
  if (!check.ok) return { ok: false, response: authenticationFailed(ctx, request, authenticationDetail(token, check)) };
  // A token for another company, of the other environment's keys, or without the accounting scope is authenticated
  // but not authorised (intuit.md §4).
  const company = findCompany(realmId);
  const environment = environmentOfClient(ctx, check.token.clientId);
  const wrongEnvironment = company !== undefined && environment !== null && company.environment !== environment;
  if (check.token.realmId !== realmId || !company || wrongEnvironment || !check.token.scope.includes(ACCOUNTING_SCOPE)) {
    return { ok: false, response: authorizationFailed(ctx, request) };
  }
  return { ok: true, token: check.token, company };
}

function entityResponse(ctx: EmulatorContext, request: Request, body: Record<string, unknown>): Response {
  const now = ctx.store.now();
  if (wantsJson(request)) return jsonResponse({ ...body, time: intuitTime(now) });
  return xmlResponse(xmlEntityResponse(body, now), 200);
}

function objectNotFound(ctx: EmulatorContext, request: Request): Response {
  return serviceFault(ctx, request, 400, "ValidationFault", {
    message: "Object Not Found",
    detail: "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
    code: "610",
  });
}

function queryFault(ctx: EmulatorContext, request: Request, error: QueryError): Response {
  if (error.kind === "validation") {
    return serviceFault(ctx, request, 400, "ValidationFault", { message: "Invalid query", detail: `QueryValidationError: ${error.detail}`, code: "4001" });
  }
  return serviceFault(ctx, request, 400, "ValidationFault", { message: "Error parsing query", detail: `QueryParserError: ${error.detail}`, code: "4000" });
}

function rowsFor(ctx: EmulatorContext, entity: string, company: EmulatorCompany): Record<string, unknown>[] {
  if (entity === "Account") return ctx.store.accountRecords(company.realmId);
  if (entity === "CompanyInfo") return [companyInfoRecord(company)];
  if (entity === "JournalEntry") return ctx.store.journalRecords(company.realmId);
  return [];
}

/** The monthly block (intuit.md §9): a 429 naming the monthly limit, in JSON or, for clients that did not ask for it, XML. */
function monthlyLimitExceeded(ctx: EmulatorContext, request: Request): Response {
  const now = ctx.store.now();
  const resumesAt = nextQuotaMonth(now);
  if (wantsJson(request)) return jsonResponse(monthlyLimitExceededBody(now, resumesAt), 429);
  const { message, detail } = monthlyLimitExceededSpec(resumesAt);
  return xmlResponse(xmlFault("SERVICE", { message, detail, code: "" }, now), 429);
}

/** A CorePlus read of a workspace whose monthly quota is used up: refused before the service sees it. */
function blockedByMonthlyQuota(ctx: EmulatorContext, operation: IntuitOperation | null, auth: Extract<ApiAuth, { ok: true }>): boolean {
  return operation !== null && meterCategoryOf(operation) === "coreplus" && !ctx.store.admitMeteredRead(auth.token.clientId);
}

/**
 * Counts, throttles per realm (see route()), logs, authenticates and meters every API call before the route-specific
 * part runs.
 */
function apiRoute(ctx: EmulatorContext, path: string, handle: (request: Request, params: Record<string, string>, auth: Extract<ApiAuth, { ok: true }>) => Response): HttpHandler {
  const resolver: RouteResolver = async (request, params) => {
    const realmId = params.realmId ?? "";
    const url = new URL(request.url);
    const operation = operationOfRequest(request.method, url.pathname);
    const auth = authenticateApiRequest(ctx, request, realmId);
    const response = !auth.ok ? auth.response : blockedByMonthlyQuota(ctx, operation, auth) ? monthlyLimitExceeded(ctx, request) : handle(request, params, auth);
    ctx.apiRequests.push({
      method: request.method,
      path: url.pathname,
      operation,
      realmId,
      // Since Aug 2025 versions 1–74 are ignored and 75 is the default (intuit.md §4); recorded so tests can check it.
      minorVersion: url.searchParams.get("minorversion"),
      accept: request.headers.get("accept"),
      status: response.status,
      query: Object.fromEntries(url.searchParams),
    });
    return response;
  };
  return route(ctx, "get", path, { faultTarget: "api", count: () => "api", limitedByRealm: true }, resolver);
}

export function apiHandlers(ctx: EmulatorContext): HttpHandler[] {
  const companyInfo = apiRoute(ctx, PATHS.companyInfo, (request, params, auth) => {
    if (params.id !== auth.company.realmId) return objectNotFound(ctx, request);
    return entityResponse(ctx, request, { CompanyInfo: companyInfoRecord(auth.company) });
  });

  const query = apiRoute(ctx, PATHS.query, (request, _params, auth) => {
    const text = new URL(request.url).searchParams.get("query") ?? "";
    const parsed = parseQuery(text, QUERYABLE_ENTITIES);
    if ("kind" in parsed) return queryFault(ctx, request, parsed);
    return entityResponse(ctx, request, queryResponseBody(parsed, rowsFor(ctx, parsed.entity, auth.company)));
  });

  const cdc = apiRoute(ctx, PATHS.cdc, (request, _params, auth) => {
    const parsed = parseCdcRequest(new URL(request.url), ctx.store.now());
    if ("error" in parsed) return serviceFault(ctx, request, 400, "ValidationFault", parsed.error);
    const realmId = auth.company.realmId;
    // Accounts and journal entries come back as they are now; each is rendered once per request, only if one of its
    // kind changed.
    let accounts: Map<unknown, Record<string, unknown>> | null = null;
    let journal: Map<unknown, Record<string, unknown>> | null = null;
    const current = (entity: string, id: string) => {
      if (entity === "JournalEntry") {
        journal ??= new Map(ctx.store.journalRecords(realmId).map((record) => [record.Id, record]));
        return journal.get(id);
      }
      if (entity !== "Account") return undefined;
      accounts ??= new Map(ctx.store.accountRecords(realmId).map((record) => [record.Id, record]));
      return accounts.get(id);
    };
    return entityResponse(ctx, request, cdcResponseBody(ctx.store.changes(realmId), parsed, current));
  });

  // A report is one CorePlus read like any other (lib/intuit/operations.ts "report"), through the same gateway.
  const report = apiRoute(ctx, PATHS.report, (request, params, auth) => {
    const realmId = auth.company.realmId;
    if (params.reportName?.toLowerCase() !== TRIAL_BALANCE.toLowerCase()) {
      return serviceFault(ctx, request, 400, "ValidationFault", {
        message: "Request has invalid or unsupported property",
        detail: `The emulator produces the ${TRIAL_BALANCE} report only, not ${params.reportName ?? ""}`,
        code: "2010",
      });
    }
    const parsed = parseReportRequest(new URL(request.url), ctx.store.today(), ctx.store.fiscalYearStartMonth(realmId));
    if ("error" in parsed) return serviceFault(ctx, request, 400, "ValidationFault", parsed.error);
    const body = ctx.store.trialBalance(realmId, parsed);
    // Reports carry their time in Header.Time and have no `time` of their own; XML clients get the same as XML.
    if (wantsJson(request)) return jsonResponse(body);
    return xmlResponse(xmlEntityResponse({ Report: body }, ctx.store.now()), 200);
  });

  return [companyInfo, query, cdc, report];
}
