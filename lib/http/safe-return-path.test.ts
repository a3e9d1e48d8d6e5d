import { describe, expect, it } from "vitest";
import { safeRedirectUrl, safeReturnPath } from "./safe-return-path";

const FALLBACK = "/integrations/quickbooks";

// Every way seen in open-redirect write-ups of getting a browser off-site through a "relative" return URL.
const HOSTILE: unknown[] = [
  "https://evil.test/",
  "http://evil.test",
  "//evil.test",
  "//evil.test/integrations/quickbooks",
  "///evil.test",
  "/\\evil.test",
  "\\/evil.test",
  "\\\\evil.test",
  "/\\/evil.test",
  "/integrations\\..\\..\\/evil.test",
  "/..//evil.test",
  "/%2e%2e//evil.test",
  "/./..//evil.test",
  "javascript:alert(1)",
  "JavaScript:alert(1)",
  " javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "%2F%2Fevil.test",
  "%2f%2fevil.test",
  "%5C%5Cevil.test",
  "%252F%252Fevil.test",
  "https:evil.test",
  "evil.test",
  "/\t/evil.test",
  "/\n/evil.test",
  "/\r\n//evil.test",
  "/\u0000//evil.test",
  " //evil.test",
  "",
  null,
  undefined,
  42,
  ["/integrations/quickbooks"],
  `/${"a".repeat(600)}`,
];

describe("safeReturnPath", () => {
  it("keeps paths on this site, with their query and fragment", () => {
    expect(safeReturnPath("/integrations/quickbooks?x=1")).toBe("/integrations/quickbooks?x=1");
    expect(safeReturnPath("/quickbooks/reconnect?realmId=9341452000000001")).toBe("/quickbooks/reconnect?realmId=9341452000000001");
    expect(safeReturnPath("/integrations/quickbooks/logs#access")).toBe("/integrations/quickbooks/logs#access");
  });

  it("keeps an encoded slash inside a path: the browser never decodes it into a host", () => {
    expect(safeReturnPath("/%2F%2Fevil.test")).toBe("/%2F%2Fevil.test");
    expect(new URL(safeReturnPath("/%2F%2Fevil.test"), "http://localhost:3000").origin).toBe("http://localhost:3000");
  });

  it.each(HOSTILE.map((value) => [value]))("refuses %j", (value) => {
    expect(safeReturnPath(value)).toBe(FALLBACK);
  });

  it("answers with a path that resolves to this origin for every input", () => {
    for (const value of HOSTILE) {
      expect(new URL(safeReturnPath(value), "http://localhost:3000").origin).toBe("http://localhost:3000");
    }
  });
});

describe("safeRedirectUrl (Auth.js redirect callback)", () => {
  const app = "https://connect.example.com";

  it("turns a safe path or a same-origin URL into an absolute URL on APP_URL", () => {
    expect(safeRedirectUrl("/integrations/quickbooks/logs", app)).toBe(`${app}/integrations/quickbooks/logs`);
    expect(safeRedirectUrl(`${app}/quickbooks/reconnect?realmId=1`, app)).toBe(`${app}/quickbooks/reconnect?realmId=1`);
    expect(safeRedirectUrl("/login", app)).toBe(`${app}/login`);
  });

  it.each(HOSTILE.filter((v): v is string => typeof v === "string").map((value) => [value]))("sends %j to the console", (value) => {
    expect(safeRedirectUrl(value, app)).toBe(`${app}${FALLBACK}`);
  });

  it("does not trust another origin, even one the request claims to be (Host / X-Forwarded-Host)", () => {
    expect(safeRedirectUrl("https://evil.test/integrations/quickbooks", app)).toBe(`${app}${FALLBACK}`);
    expect(safeRedirectUrl("http://connect.example.com/integrations/quickbooks", app)).toBe(`${app}${FALLBACK}`);
    expect(safeRedirectUrl("https://connect.example.com.evil.test/", app)).toBe(`${app}${FALLBACK}`);
    expect(safeRedirectUrl("https://connect.example.com@evil.test/", app)).toBe(`${app}${FALLBACK}`);
    expect(safeRedirectUrl(`${app}//evil.test`, app)).toBe(`${app}${FALLBACK}`);
  });
});
