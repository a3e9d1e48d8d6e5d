// Plays the user on the emulator's consent screen without a browser: what a person does by opening the
// authorize URL and pressing Connect (or Cancel). Returns the callback URL Intuit redirects to.

export interface ConsentOptions {
  /** Which sandbox company to connect. Default: the first one listed on the page. */
  realmId?: string;
  decision?: "connect" | "cancel";
  fetch?: typeof fetch;
}

const DEFAULT_REALM_ID = "9341452000000001";

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
  form.set("realmId", options.realmId ?? DEFAULT_REALM_ID);
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
