// The Intuit vendor client: OAuth (discovery, consent URL, tokens, revoke) and the QuickBooks Online API.
export { clearDiscoveryCache, fetchDiscovery, supportsPkceS256, DISCOVERY_CACHE_TTL_MS, type FetchDiscoveryOptions } from "./discovery";
export {
  buildAuthorizationUrl,
  exchangeAuthorizationCode,
  refreshAccessToken,
  revokeToken,
  HARD_EXPIRY_HEADER,
  IntuitOAuthError,
  type IntuitOAuthErrorCode,
  type IntuitClientCredentials,
  type IntuitTokenSet,
} from "./oauth";
export { getCompanyInfo, qboRequest, QBO_MINOR_VERSION, type CompanyInfo, type QboCallInput } from "./api-client";
export { IntuitApiError, parseIntuitError, type IntuitApiErrorKind } from "./faults";
export { allowsInsecureRequests, DEFAULT_TIMEOUT_MS, type IntuitCallOptions } from "./http";
