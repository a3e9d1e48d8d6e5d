// Every error shape of /work/shared/intuit.md §4, as Intuit sends it.
import { describe, expect, it } from "vitest";
import { IntuitApiError, MAX_RETRY_AFTER_MS, parseIntuitError, retryAfterMsOf } from "./faults";

const TID = "1-5f8a0b2c-3d4e5f6a7b8c9d0e1f2a3b4c";
const JSON_TYPE = "application/json;charset=UTF-8";

describe("parseIntuitError", () => {
  it("reads the capitalised data-service Fault (ValidationFault)", () => {
    const body = JSON.stringify({
      Fault: {
        Error: [{ Message: "Duplicate Name Exists Error", Detail: "The name supplied already exists. : Another customer is already using this name.", code: "6240", element: "" }],
        type: "ValidationFault",
      },
      time: "2025-10-01T10:00:00.000-07:00",
    });
    const error = parseIntuitError(400, JSON_TYPE, body, TID);
    expect(error).toBeInstanceOf(IntuitApiError);
    expect(error).toMatchObject({
      kind: "validation",
      status: 400,
      code: "6240",
      message: "Duplicate Name Exists Error",
      detail: "The name supplied already exists. : Another customer is already using this name.",
      faultType: "ValidationFault",
      intuitTid: TID,
      retryable: false,
    });
  });

  it("reads Object Not Found (610) as not_found", () => {
    const body = JSON.stringify({ Fault: { Error: [{ Message: "Object Not Found", Detail: "Object Not Found : Something you're trying to use has been made inactive.", code: "610" }], type: "ValidationFault" } });
    expect(parseIntuitError(400, JSON_TYPE, body, null)).toMatchObject({ kind: "not_found", code: "610" });
  });

  it("reads the lowercase gateway fault for 401 AuthenticationFailed, with the null siblings Intuit sends", () => {
    const body = JSON.stringify({
      warnings: null,
      intuitObject: null,
      fault: {
        error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: "Malformed bearer token: too short or too long", code: "3200", element: null }],
        type: "AUTHENTICATION",
      },
      report: null,
      queryResponse: null,
      batchItemResponse: [],
      time: 1633520295688,
    });
    expect(parseIntuitError(401, JSON_TYPE, body, TID)).toMatchObject({
      kind: "authentication",
      status: 401,
      code: "3200",
      message: "Authentication failed",
      detail: "Malformed bearer token: too short or too long",
      faultType: "AUTHENTICATION",
    });
  });

  it("takes the code from errorCode= when the entry has none, and tolerates a null detail", () => {
    const body = JSON.stringify({ fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: null }], type: "AUTHENTICATION" } });
    expect(parseIntuitError(401, JSON_TYPE, body, null)).toMatchObject({ code: "3200", detail: null });
  });

  it("redacts a token echoed in 'Token expired: …'", () => {
    const token = `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..${"x".repeat(40)}.${"y".repeat(300)}.${"z".repeat(22)}`;
    const body = JSON.stringify({ fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: `Token expired: ${token}`, code: "3200" }], type: "AUTHENTICATION" } });
    const error = parseIntuitError(401, JSON_TYPE, body, null);
    expect(error.detail).toBe("Token expired: [redacted]");
    expect(JSON.stringify(error) + error.message).not.toContain("yyyyyyyy");
  });

  it("reads 403 ApplicationAuthorizationFailed (003100, SERVICE) as authorization", () => {
    const body = JSON.stringify({ fault: { error: [{ message: "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", detail: null, code: "3100" }], type: "SERVICE" } });
    expect(parseIntuitError(403, JSON_TYPE, body, TID)).toMatchObject({
      kind: "authorization",
      code: "3100",
      message: "Application authorization failed",
      faultType: "SERVICE",
    });
  });

  it("reads an XML fault even under a JSON content type", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2018-08-20T02:23:36.095-07:00"><Fault type="AuthenticationFault"><Error code="100"><Message>General Authentication Error</Message><Detail>AuthenticationErrorGeneral: SRV-110-Authentication Failure , statusCode: 401</Detail></Error></Fault></IntuitResponse>`;
    expect(parseIntuitError(401, JSON_TYPE, xml, TID)).toMatchObject({
      kind: "authentication",
      code: "100",
      message: "General Authentication Error",
      detail: "AuthenticationErrorGeneral: SRV-110-Authentication Failure , statusCode: 401",
      faultType: "AuthenticationFault",
    });
  });

  it("reads the XML ThrottleExceeded (003001) as throttled, with 429 and with the older 403", () => {
    const xml = (status: number) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time="2017-07-30T22:45:22.933-07:00" xmlns="http://schema.intuit.com/finance/v3">
    <Fault type="SERVICE">
        <Error code="3001">
            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=${status}</Message>
            <Detail>The request limit was reached.  Try again later</Detail>
        </Error>
    </Fault>
</IntuitResponse>`;
    for (const status of [429, 403]) {
      const error = parseIntuitError(status, "application/xml", xml(status), TID);
      expect(error).toMatchObject({ kind: "throttled", status, code: "3001", message: "Throttle exceeded", faultType: "SERVICE", retryable: true });
    }
  });

  it("reads a JSON throttle fault and a bare 429", () => {
    const body = JSON.stringify({ fault: { error: [{ message: "message=ThrottleExceeded; errorCode=003001; statusCode=429", detail: "The request limit was reached.", code: "3001" }], type: "SERVICE" } });
    expect(parseIntuitError(429, JSON_TYPE, body, null)).toMatchObject({ kind: "throttled", code: "3001" });
    expect(parseIntuitError(429, "", "", null)).toMatchObject({ kind: "throttled", code: null });
  });

  it("reads a 429 that names the monthly limit as quota_exhausted, in either dialect, apart from the per-minute throttle", () => {
    const detail = "The monthly limit of CorePlus API calls for this app's workspace was reached. CorePlus calls are blocked until 2027-01-01T00:00:00.000Z.";
    const json = JSON.stringify({ fault: { error: [{ message: "message=MonthlyLimitExceeded; statusCode=429", detail }], type: "SERVICE" }, time: "2026-12-07T10:00:00.000Z" });
    const error = parseIntuitError(429, JSON_TYPE, json, TID);
    expect(error).toMatchObject({ kind: "quota_exhausted", status: 429, code: null, message: "Monthly limit exceeded", intuitTid: TID, retryable: false, resumesAt: null });
    const xml = `<IntuitResponse><Fault type="SERVICE"><Error code=""><Message>message=MonthlyLimitExceeded; statusCode=429</Message><Detail>${detail}</Detail></Error></Fault></IntuitResponse>`;
    expect(parseIntuitError(429, "application/xml", xml, null)).toMatchObject({ kind: "quota_exhausted", retryable: false });
    // Words alone do not make a block: a validation error that mentions a monthly limit stays a validation error.
    const validation = JSON.stringify({ Fault: { Error: [{ Message: "Invalid", Detail: "monthly limit field", code: "2010" }], type: "ValidationFault" } });
    expect(parseIntuitError(400, JSON_TYPE, validation, null)).toMatchObject({ kind: "validation" });
  });

  it("decodes XML entities", () => {
    const xml = `<IntuitResponse><Fault type="ValidationFault"><Error code="2050"><Message>Bad &amp; wrong</Message><Detail>Value &lt;5&gt; &quot;x&quot;</Detail></Error></Fault></IntuitResponse>`;
    expect(parseIntuitError(400, "text/xml", xml, null)).toMatchObject({ message: "Bad & wrong", detail: 'Value <5> "x"', code: "2050" });
  });

  it("reads a SystemFault 500 as server", () => {
    const body = JSON.stringify({ Fault: { Error: [{ Message: "An application error has occurred while processing your request", Detail: "System Failure Error: …", code: "10000" }], type: "SystemFault" } });
    expect(parseIntuitError(500, JSON_TYPE, body, TID)).toMatchObject({ kind: "server", code: "10000", retryable: true });
  });

  it("falls back to the status for empty, HTML and garbage bodies", () => {
    expect(parseIntuitError(401, "", "", TID)).toMatchObject({ kind: "authentication", code: null, detail: null, faultType: null, intuitTid: TID });
    expect(parseIntuitError(403, null, "   ", null)).toMatchObject({ kind: "authorization" });
    expect(parseIntuitError(404, undefined, "Not Found", null)).toMatchObject({ kind: "not_found" });
    const html = parseIntuitError(502, new Headers({ "content-type": "text/html; charset=utf-8" }), "<html><body>Bad Gateway</body></html>", null);
    expect(html).toMatchObject({ kind: "server", status: 502, code: null });
    expect(html.message).toBe("QuickBooks answered HTTP 502 (text/html) without a readable error");
    expect(parseIntuitError(400, JSON_TYPE, "{not json", null)).toMatchObject({ kind: "validation", code: null });
    expect(parseIntuitError(400, JSON_TYPE, JSON.stringify({ unrelated: true }), null)).toMatchObject({ kind: "validation" });
    expect(parseIntuitError(302, "", "", null)).toMatchObject({ kind: "unexpected" });
  });

  it("copes with an empty Error list", () => {
    const body = JSON.stringify({ Fault: { Error: [], type: "ValidationFault" } });
    expect(parseIntuitError(400, JSON_TYPE, body, null)).toMatchObject({ kind: "validation", code: null, faultType: "ValidationFault" });
  });

  it("reads 401 'Accessing Wrong Cluster' (a sandbox token sent to production) as authentication", () => {
    const body = JSON.stringify({ fault: { error: [{ message: "message=Accessing Wrong Cluster; errorCode=003200; statusCode=401", detail: null, code: "3200" }], type: "AUTHENTICATION" } });
    expect(parseIntuitError(401, JSON_TYPE, body, TID)).toMatchObject({ kind: "authentication", code: "3200", intuitTid: TID });
  });

  it("carries a Retry-After header of a 429 as milliseconds", () => {
    const headers = new Headers({ "content-type": JSON_TYPE, "retry-after": "3" });
    expect(parseIntuitError(429, headers, "", TID)).toMatchObject({ kind: "throttled", retryAfterMs: 3000 });
    expect(parseIntuitError(429, new Headers(), "", TID).retryAfterMs).toBeNull();
  });
});

describe("retryAfterMsOf", () => {
  const now = Date.parse("2026-11-29T06:00:00Z");
  it("reads delta-seconds and HTTP dates, and caps what it is asked to wait", () => {
    expect(retryAfterMsOf("0", now)).toBe(0);
    expect(retryAfterMsOf(" 12 ", now)).toBe(12_000);
    expect(retryAfterMsOf("Sun, 29 Nov 2026 06:00:05 GMT", now)).toBe(5_000);
    expect(retryAfterMsOf("Sun, 29 Nov 2026 05:59:00 GMT", now)).toBe(0);
    expect(retryAfterMsOf("86400", now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it("ignores what is missing or unreadable", () => {
    expect(retryAfterMsOf(null, now)).toBeNull();
    expect(retryAfterMsOf("", now)).toBeNull();
    expect(retryAfterMsOf("soon", now)).toBeNull();
    expect(retryAfterMsOf("-5", now)).toBeNull();
  });
});
