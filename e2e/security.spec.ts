// The security headers on the built app's real responses, pages still hydrating and working under the nonce CSP,
// and the sign-in rate limit's message.
import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { E2E } from "./config";
import { signIn } from "./fixtures";

function expectCommonHeaders(response: APIResponse, what: string): void {
  const headers = response.headers();
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["x-frame-options"], what).toBe("DENY");
  expect(headers["permissions-policy"], what).toContain("camera=()");
  expect(headers["cross-origin-opener-policy"], what).toBe("same-origin");
  expect(headers["x-powered-by"], what).toBeUndefined();
  // Plain http (as here): no HSTS.
  expect(headers["strict-transport-security"], what).toBeUndefined();
  expect(headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
}

/** Collects every CSP violation the page reports (the init script runs outside the page's CSP). */
async function watchCspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("__reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportCspViolation: (t: string) => void }).__reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** True once React has hydrated the element (it attaches its fiber to every node it owns). */
async function isHydrated(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).first().evaluate((node) => Object.keys(node).some((key) => key.startsWith("__reactFiber$")));
}

test("a page carries the security headers and a fresh nonce CSP, and is never cached", async ({ request }) => {
  const first = await request.get("/login");
  expect(first.status()).toBe(200);
  expectCommonHeaders(first, "/login");
  const headers = first.headers();
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["cache-control"]).toContain("no-store");
  const csp = headers["content-security-policy"]!;
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'(;|$)/);
  expect(csp).not.toContain("unsafe-eval");
  expect(csp).toContain("object-src 'none'");
  // Every script Next rendered carries that nonce.
  const html = await first.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

  const second = await request.get("/login");
  expect(second.headers()["content-security-policy"]).not.toBe(csp);
});

test("an API response carries the security headers, a no-document CSP and no-store", async ({ request }) => {
  for (const path of ["/api/quickbooks/status", "/api/auth/session", "/api/quickbooks/verify-file"]) {
    const response = await request.get(path);
    expectCommonHeaders(response, path);
    const headers = response.headers();
    expect(headers["content-security-policy"], path).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    expect(headers["cache-control"], path).toContain("no-store");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
  }
  // The OAuth round trip sends no Referer at all.
  const connect = await request.get("/api/quickbooks/connect", { maxRedirects: 0 });
  expect(connect.headers()["referrer-policy"]).toBe("no-referrer");
  expect(connect.headers()["cache-control"]).toContain("no-store");
  const disconnected = await request.get("/quickbooks/disconnected");
  expect(disconnected.headers()["referrer-policy"]).toBe("no-referrer");
});

test("HSTS (two years, subdomains) only on a response that went out over https", async ({ request }) => {
  for (const path of ["/login", "/api/quickbooks/status"]) {
    const overHttps = await request.get(path, { headers: { "x-forwarded-proto": "https" } });
    expect(overHttps.headers()["strict-transport-security"], path).toBe("max-age=63072000; includeSubDomains");
    const overHttp = await request.get(path);
    expect(overHttp.headers()["strict-transport-security"], path).toBeUndefined();
  }
});

test("pages hydrate and work under the CSP, with no violation reported", async ({ page }) => {
  test.setTimeout(120_000); // every screen of the console, one after the other
  const violations = await watchCspViolations(page);

  // Sign in through the form: a server action, answered without reloading the page once React runs it.
  await page.goto("/login");
  await expect.poll(() => isHydrated(page, "form")).toBe(true);
  await signIn(page, "admin@acme.test");
  await expect.poll(() => isHydrated(page, "main")).toBe(true);

  // A client-side handler: "Re-run checks" fetches from the API and shows each step as it runs.
  await page.goto("/integrations/quickbooks/readiness");
  await expect.poll(() => isHydrated(page, "button")).toBe(true);
  const checks = page.waitForRequest((r) => r.url().endsWith("/api/quickbooks/checks") && r.method() === "POST");
  await page.getByRole("button", { name: "Re-run checks" }).click();
  await checks;

  // Client-side navigation (Next's router, prefetched RSC payloads) keeps working: no full page load in between.
  await page.evaluate(() => ((window as unknown as { __samePage?: boolean }).__samePage = true));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Logs" }).click();
  await expect(page).toHaveURL(/\/integrations\/quickbooks\/logs/);
  expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);

  // Every other screen renders and hydrates under the same policy (charts' inline styles included).
  for (const path of [
    "/integrations/quickbooks",
    "/integrations/quickbooks/health",
    "/integrations/quickbooks/settings",
    "/integrations/quickbooks/tenants",
    "/integrations/quickbooks/api-keys",
    "/quickbooks/disconnected",
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await expect.poll(() => isHydrated(page, "body"), { message: path }).toBe(true);
  }

  expect(violations).toEqual([]);
});

test("a page refuses injected markup's inline script (the usual XSS payload)", async ({ page }) => {
  const violations = await watchCspViolations(page);
  await page.goto("/login");
  await page.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", `<img src="/none.png" alt="" onerror="window.__injected = true">`);
  });
  await expect.poll(() => violations.length).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
});

test("the app cannot be framed", async ({ page }) => {
  await page.setContent(`<iframe src="${E2E.appUrl}/login" title="framed"></iframe>`);
  const frame = page.frameLocator("iframe");
  await expect(frame.getByLabel("Email")).toHaveCount(0);
});

test("after 5 wrong passwords for one email, the login page says to wait", async ({ page }) => {
  const email = "locked-out@acme.test";
  await page.goto("/login");
  await expect.poll(() => isHydrated(page, "form")).toBe(true);
  const attempt = async (password: string) => {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // React resets the form once the action has answered: only then is the next attempt typed in.
    await expect(page.getByLabel("Password")).toHaveValue("");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  };
  for (let i = 0; i < 5; i++) {
    await attempt(`guess-${i}`);
    await expect(page.getByText("The email or password is not correct.")).toBeVisible();
  }
  await attempt("guess-5");
  await expect(page.getByText("Too many sign-in attempts. Try again in 15 minutes.")).toBeVisible();
});

test("the session cookie is HttpOnly and SameSite=Lax", async ({ page, context }) => {
  await signIn(page, "accountant@acme.test");
  const session = (await context.cookies()).find((c) => c.name === "authjs.session-token");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  // http://localhost here; over https the cookie is __Secure- and Secure (tests/sign-in.test.ts).
  expect(await page.evaluate(() => document.cookie)).not.toContain("authjs.session-token");
});
