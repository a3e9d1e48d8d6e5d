// Plays the user on the emulator's consent screen without a browser: what a person does by opening the
// authorize URL and pressing Connect (or Cancel). Returns the callback URL Intuit redirects to.

import { DEFAULT_PRODUCTION_CLIENT_ID, PRODUCTION_COMPANIES, SANDBOX_COMPANIES } from "./fixtures";

export interface ConsentOptions {
  /**
   * Which company to connect: one of those the page offers the app's keys. Default: the first one listed, for the
   * emulator's default development or production keys.
   */
  realmId?: string;
  decision?: "connect" | "cancel";
  fetch?: typeof fetch;
}

/** The first company the consent page lists for these keys (the default production keys: the production companies). */
function defaultRealmId(clientId: string | null): string {
  return (clientId === DEFAULT_PRODUCTION_CLIENT_ID ? PRODUCTION_COMPANIES : SANDBOX_COMPANIES)[0]!.realmId;
}

/**
 * POSTs the consent form for `authorizeUrl` (as built by the app) and returns the redirect's Location.
 * Throws if the emulator does not redirect (for example an invalid redirect_uri, which Intuit shows as a page).
 */
export async function completeConsent(authorizeUrl: string | URL, options: ConsentOptions = {}): Promise<URL> {
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams();
  for (const name of ["client_id", "response_type", "scope", "redirect_uri", "state"]) {
    form.set(name, url.searchParams.get(name) ?? "");
  }
  form.set("realmId", options.realmId ?? defaultRealmId(url.searchParams.get("client_id")));
  form.set("decision", options.decision ?? "connect");
  // The form posts to the authorize path + "/decision", wherever the emulator is mounted.
  const decisionUrl = new URL(url.href);
  decisionUrl.search = "";
  decisionUrl.pathname = `${url.pathname.replace(/\/+$/, "")}/decision`;
  const response = await (options.fetch ?? fetch)(decisionUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
    redirect: "manual",
  });
  const location = response.headers.get("location");
  if (response.status !== 302 || !location) {
    throw new Error(`Intuit emulator did not redirect after consent (HTTP ${response.status})`);
  }
  return new URL(location);
}
