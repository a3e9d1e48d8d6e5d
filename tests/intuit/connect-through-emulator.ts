// Test helper: a full consent → callback → token exchange against the Intuit emulator, the way the app does it.
// Lives in tests/: product code never imports the emulator (.dependency-cruiser.cjs).

import { completeConsent, type IntuitMock } from "@/mocks/intuit/node";
import { fetchDiscovery } from "@/lib/intuit/discovery";
import { buildAuthorizationUrl, exchangeAuthorizationCode, type IntuitTokenSet } from "@/lib/intuit/oauth";

export const TEST_REDIRECT_URI = "http://localhost:3000/api/quickbooks/callback";
export const ACCOUNTING = "com.intuit.quickbooks.accounting";

export interface ConnectedRealm {
  realmId: string;
  code: string;
  tokens: IntuitTokenSet;
}

/** Consents in the emulator and returns the callback's code (not yet exchanged) with its realmId. */
export async function obtainAuthorizationCode(
  intuit: IntuitMock,
  options: { realmId?: string; scope?: string; redirectUri?: string } = {},
): Promise<{ code: string; realmId: string; state: string }> {
  const as = await fetchDiscovery(intuit.discoveryUrl);
  const state = crypto.randomUUID();
  const url = buildAuthorizationUrl({
    as,
    clientId: intuit.clientId,
    redirectUri: options.redirectUri ?? TEST_REDIRECT_URI,
    state,
    scope: options.scope ?? ACCOUNTING,
  });
  const callback = await completeConsent(url, { realmId: options.realmId });
  const code = callback.searchParams.get("code");
  const realmId = callback.searchParams.get("realmId");
  if (!code || !realmId) throw new Error("emulator callback carried no code or realmId");
  return { code, realmId, state: callback.searchParams.get("state") ?? "" };
}

export async function connectThroughEmulator(
  intuit: IntuitMock,
  options: { realmId?: string; scope?: string } = {},
): Promise<ConnectedRealm> {
  const { code, realmId } = await obtainAuthorizationCode(intuit, options);
  const tokens = await exchangeAuthorizationCode({
    as: await fetchDiscovery(intuit.discoveryUrl),
    client: { clientId: intuit.clientId, clientSecret: intuit.clientSecret },
    code,
    redirectUri: TEST_REDIRECT_URI,
  });
  return { realmId, code, tokens };
}

/** Connects through the emulator and returns what a QuickBooks API call needs: the API's base URL, realm and token. */
export async function connectedCallInput(intuit: IntuitMock): Promise<{ apiBaseUrl: string; realmId: string; accessToken: string }> {
  const { realmId, tokens } = await connectThroughEmulator(intuit);
  return { apiBaseUrl: intuit.apiBaseUrl, realmId, accessToken: tokens.accessToken };
}
