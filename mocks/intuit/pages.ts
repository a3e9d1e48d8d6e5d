// HTML pages of the emulator's consent screen. Self-contained (inline CSS, no scripts or external resources)
// so browser tests run offline, and accessible so Playwright can find things by role and name.

import type { EmulatorCompany } from "./fixtures";

export interface AuthorizeParams {
  client_id: string;
  response_type: string;
  scope: string;
  redirect_uri: string;
  state: string;
}

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f4f5f8; color: #1f2328; margin: 0; }
  main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem;
         box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  h1 { font-size: 1.35rem; margin-top: 0; }
  .banner { background: #fff4ce; border: 1px solid #e0c060; border-radius: 4px; padding: .5rem .75rem; font-size: .85rem; }
  fieldset { border: 1px solid #c9ced6; border-radius: 6px; margin: 1.25rem 0; padding: .75rem 1rem; }
  legend { font-weight: 600; padding: 0 .25rem; }
  label { display: block; padding: .35rem 0; cursor: pointer; }
  .realm { color: #5b6573; font-size: .8rem; margin-left: 1.6rem; display: block; }
  .scopes { font-size: .85rem; color: #3d4650; }
  /* Connect comes first in the markup so Enter submits it (the first submit button is a form's default). */
  .actions { display: flex; gap: .75rem; justify-content: flex-end; }
  button { font: inherit; border-radius: 4px; padding: .5rem 1.25rem; cursor: pointer; border: 1px solid #2ca01c; }
  button[value="connect"] { background: #2ca01c; color: #fff; }
  button[value="cancel"] { background: #fff; color: #2ca01c; }
  button:focus-visible { outline: 3px solid #0077c5; outline-offset: 2px; }
  .error { border-left: 4px solid #d52b1e; padding-left: 1rem; }
`;

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function hiddenInputs(params: AuthorizeParams): string {
  return Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n    ");
}

function companyOption(company: EmulatorCompany, checked: boolean): string {
  const id = `realm-${company.realmId}`;
  return `<label for="${id}"><input type="radio" id="${id}" name="realmId" value="${escapeHtml(company.realmId)}"${
    checked ? " checked" : ""
  } aria-describedby="${id}-hint"> ${escapeHtml(company.companyName)}<span class="realm" id="${id}-hint">Realm ID ${escapeHtml(
    company.realmId,
  )}</span></label>`;
}

export function renderAuthorizePage(params: AuthorizeParams, companies: readonly EmulatorCompany[], decisionPath: string): string {
  const options = companies.map((company, index) => companyOption(company, index === 0)).join("\n      ");
  const scopes = params.scope.split(" ").filter(Boolean).map(escapeHtml).join(", ");
  // Every company listed is of one environment: the one the app's keys reach.
  const environment = companies[0]?.environment === "production" ? "Production companies (production keys)" : "Sandbox companies (development keys)";
  return layout(
    "Connect to QuickBooks — Intuit emulator",
    `<h1>Connect to QuickBooks</h1>
  <p class="banner" role="note">Intuit emulator: no real Intuit account is involved.</p>
  <p>An app is asking to connect to your QuickBooks company.</p>
  <p class="scopes">Requested access: ${scopes}</p>
  <p class="scopes">${environment}</p>
  <form method="post" action="${escapeHtml(decisionPath)}">
    ${hiddenInputs(params)}
    <fieldset>
      <legend>Company</legend>
      ${options}
    </fieldset>
    <div class="actions">
      <button type="submit" name="decision" value="connect">Connect</button>
      <button type="submit" name="decision" value="cancel">Cancel</button>
    </div>
  </form>`,
  );
}

/** Intuit shows an error page (and does not redirect) when it cannot trust the client or the redirect URI. */
export function renderErrorPage(message: string): string {
  return layout(
    "Error — Intuit emulator",
    `<h1>Something went wrong</h1>
  <div class="error" role="alert"><p>${escapeHtml(message)}</p></div>`,
  );
}

export function htmlResponse(html: string, status = 200): Response {
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // No form-action directive: browsers apply it to the redirect after submit, which must reach the app.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
  });
}
