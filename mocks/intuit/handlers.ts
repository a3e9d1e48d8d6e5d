// The Intuit emulator, defined once as MSW handlers. Vitest uses it through `setupServer` (node.ts), the dev
// environment and Playwright through a real HTTP server (server.ts). Faithful to /work/shared/intuit.md:
// a test that passes against a wrong fake is worse than none.
//
// Endpoints (relative to `origin`):
//   GET  /.well-known/openid_sandbox_configuration, /.well-known/openid_configuration   discovery
//   GET  /connect/oauth2                  consent page (HTML)      POST /connect/oauth2/decision   Connect / Cancel
//   POST /oauth2/v1/tokens/bearer         authorization_code and refresh_token grants
//   POST /v2/oauth2/tokens/revoke         JSON {"token"}; 200 with an empty body
//   GET  /v1/openid_connect/userinfo      GET /op/v1/jwks
//   GET  /v3/company/:realmId/companyinfo/:id
//   GET  /v3/company/:realmId/query?query=…   select *|count(*) from Entity [where …] [orderby …] [startposition n]
//        [maxresults n ≤ 1000] over the company's live chart of accounts (query-parser.ts, accounts.ts)
//   GET  /v3/company/:realmId/cdc?entities=…&changedSince=…   change data capture, from the realm's change log (cdc.ts)
//   GET  /v3/company/:realmId/reports/TrialBalance?start_date&end_date&accounting_method   the Trial Balance, from the
//        realm's journal (reports.ts, journal.ts); one CorePlus read
//        Development keys (clientId) reach the sandbox companies only, production keys (productionClientId) the
//        production companies only (fixtures.ts); a token used on the other environment's company gets the 403
//        Every /v3/company/:realmId/… request counts against the realm's limits (INTUIT_REALM_LIMITS: requests per
//        sliding window, requests in flight); beyond them 429 ThrottleExceeded, errorCode 003001 (realm-limits.ts)
//   /__emulator/*                          test control, see control-handlers.ts
//
// State is kept in closures: every createIntuitEmulator() call is an independent Intuit.

import type { RequestHandler } from "msw";
import { apiHandlers } from "./api-handlers";
import type { EmulatorContext } from "./context";
import { controlHandlers } from "./control-handlers";
import { createEmulatorState, type EmulatorState } from "./emulator-state";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRODUCTION_CLIENT_ID, DEFAULT_PRODUCTION_CLIENT_SECRET, DEFAULT_WEBHOOK_VERIFIER_TOKEN } from "./fixtures";
import { createIdTokenSigner } from "./id-token";
import { oauthHandlers } from "./oauth-handlers";
import { createEmulatorStore } from "./store";

// What tests and tools import: the emulator's vocabulary, from the module that defines each part.
export type { EmulatorSnapshot, EmulatorState, TokenPreview } from "./emulator-state";
export type { ChangeInput, EmulatorChange } from "./change-log";
export type { EmulatorFault, FaultTarget } from "./fault-queue";
export type { ActiveToken, TokenIssue, TokenKind } from "./grants";
export type { GrantRefreshStats } from "./refresh-stats";
export type { EmulatorCalls } from "./store";
export type { ApiRequestRecord } from "./context";
export type { AccountPatch, EmulatorAccount, NewAccount } from "./accounts";
export { AccountChangeError } from "./accounts";
export { LARGE_COMPANY_ACCOUNT_COUNT, LARGE_COMPANY_REALM_ID, PRODUCTION_COMPANIES } from "./fixtures";
export type { CompanyEnvironment, EmulatorCompany, SandboxCompany } from "./fixtures";
export type { JournalEntry, JournalLine } from "./journal";
export { JournalError } from "./journal";
export type { JournalEntryInput } from "./store";
export type { EmulatorLimits, LimitsPatch, RealmLimitStats } from "./realm-limits";
export { DEFAULT_EMULATOR_LIMITS } from "./realm-limits";
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRODUCTION_CLIENT_ID, DEFAULT_PRODUCTION_CLIENT_SECRET, DEFAULT_WEBHOOK_VERIFIER_TOKEN, SANDBOX_COMPANIES } from "./fixtures";
export { PATHS as EMULATOR_PATHS } from "./context";

export interface IntuitEmulatorOptions {
  /** Where the emulator answers, e.g. "http://intuit.test" or "http://localhost:4010". No trailing slash needed. */
  origin: string;
  /** The app's development keys: they connect sandbox companies. Default emulator-client-id / emulator-client-secret. */
  clientId?: string;
  clientSecret?: string;
  /** The app's production keys: they connect production companies. Default emulator-production-client-id / …-secret. */
  productionClientId?: string;
  productionClientSecret?: string;
  /** Exact-match allow list. Empty or undefined: any http(s)://localhost or http(s)://127.0.0.1 URI. */
  redirectUris?: string[];
  /** Signs the webhooks sent by POST /__emulator/send-webhook. */
  webhookVerifierToken?: string;
  /** Default 3600 (Intuit's one hour). */
  accessTokenTtlSeconds?: number;
  /** Default 8726400 (Intuit's ~101 days, rolling). */
  refreshTokenTtlSeconds?: number;
  /** Clock in epoch milliseconds. Default Date.now. */
  now?: () => number;
}

export interface IntuitEmulator {
  handlers: RequestHandler[];
  state: EmulatorState;
}

const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;
const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 8_726_400;

function normaliseOrigin(origin: string): string {
  const url = new URL(origin);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

export function createIntuitEmulator(options: IntuitEmulatorOptions): IntuitEmulator {
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  const ctx: EmulatorContext = {
    origin: normaliseOrigin(options.origin),
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    productionClientId: options.productionClientId ?? DEFAULT_PRODUCTION_CLIENT_ID,
    productionClientSecret: options.productionClientSecret ?? DEFAULT_PRODUCTION_CLIENT_SECRET,
    redirectUris: options.redirectUris ?? [],
    accessTokenTtlSeconds,
    webhookVerifierToken: options.webhookVerifierToken ?? DEFAULT_WEBHOOK_VERIFIER_TOKEN,
    store: createEmulatorStore({
      accessTokenTtlSeconds,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
      now: options.now ?? Date.now,
    }),
    idTokens: createIdTokenSigner(),
    apiRequests: [],
  };
  const state = createEmulatorState(ctx);
  const handlers: RequestHandler[] = [...oauthHandlers(ctx), ...apiHandlers(ctx), ...controlHandlers(ctx, state)];
  return { handlers, state };
}
