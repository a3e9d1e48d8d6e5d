// The emulator inside a Vitest process: MSW's setupServer intercepts fetch, so nothing listens on a port.
//
// Either wire the hooks yourself:
//   const intuit = setupIntuitMock();
//   beforeAll(() => intuit.server.listen({ onUnhandledRequest: "error" }));
//   afterEach(() => { intuit.server.resetHandlers(); intuit.emulator.reset(); });
//   afterAll(() => intuit.server.close());
// or call useIntuitMock() from "mocks/intuit/vitest" which does exactly that.
// Override one endpoint for one test with `intuit.server.use(http.post(intuit.tokenUrl, …))`; resetHandlers drops it.

import { setupServer, type SetupServer } from "msw/node";
import { EMULATOR_PATHS, createIntuitEmulator, type EmulatorState, type IntuitEmulatorOptions } from "./handlers";

export { completeConsent, type ConsentOptions } from "./consent";

export interface IntuitMock {
  server: SetupServer;
  emulator: EmulatorState;
  origin: string;
  /** The sandbox discovery document, as the app is configured in tests. */
  discoveryUrl: string;
  /** The production discovery document (the same endpoints: the keys decide which companies are reached). */
  productionDiscoveryUrl: string;
  /** QuickBooks API base: the emulator serves the API on the same origin. */
  apiBaseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** The development keys: sandbox companies. */
  clientId: string;
  clientSecret: string;
  /** The production keys: production companies. */
  productionClientId: string;
  productionClientSecret: string;
}

export function setupIntuitMock(
  origin = "http://intuit.test",
  options: Omit<IntuitEmulatorOptions, "origin"> = {},
): IntuitMock {
  const { handlers, state } = createIntuitEmulator({ ...options, origin });
  return {
    server: setupServer(...handlers),
    emulator: state,
    origin: state.origin,
    discoveryUrl: `${state.origin}${EMULATOR_PATHS.discoverySandbox}`,
    productionDiscoveryUrl: `${state.origin}${EMULATOR_PATHS.discoveryProduction}`,
    apiBaseUrl: state.origin,
    authorizeUrl: `${state.origin}${EMULATOR_PATHS.authorize}`,
    tokenUrl: `${state.origin}${EMULATOR_PATHS.token}`,
    revokeUrl: `${state.origin}${EMULATOR_PATHS.revoke}`,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    productionClientId: state.productionClientId,
    productionClientSecret: state.productionClientSecret,
  };
}
