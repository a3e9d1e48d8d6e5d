// Intuit-shaped response bodies: OAuth errors, API faults in their three dialects, and XML rendering.
// Every builder returns a plain Response; the handler wrapper adds the intuit_tid header.

import type { OAuthFailure } from "./grants";
import { intuitTime } from "./intuit-time";

const XML_NAMESPACE = "http://schema.intuit.com/finance/v3";

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", "cache-control": "no-store", ...headers },
  });
}

export function xmlResponse(xml: string, status: number): Response {
  return new Response(xml, { status, headers: { "content-type": "application/xml;charset=UTF-8" } });
}

export function emptyResponse(status: number): Response {
  return new Response(null, { status });
}

/** Token endpoint errors: `{"error":"invalid_grant","error_description":"Token invalid"}` (jsclient test mocks). */
export function oauthErrorResponse(failure: OAuthFailure): Response {
  const body: Record<string, string> = { error: failure.error };
  if (failure.description) body.error_description = failure.description;
  return jsonResponse(body, failure.status);
}

export interface FaultSpec {
  status: number;
  /** Gateway message name, e.g. "AuthenticationFailed". */
  name: string;
  /** Six-digit gateway code, e.g. "003200". */
  errorCode: string;
  detail: string | null;
  type: string;
}

/**
 * The API gateway's lowercase dialect (routablehq/python-quickbooks#118, #250), with the null siblings the gateway
 * really sends, so a client that only checks `fault` in the body is exercised.
 */
export function gatewayFaultBody(spec: FaultSpec, epochMs: number): Record<string, unknown> {
  return {
    warnings: null,
    intuitObject: null,
    fault: {
      error: [
        {
          message: `message=${spec.name}; errorCode=${spec.errorCode}; statusCode=${spec.status}`,
          detail: spec.detail,
          code: String(Number(spec.errorCode)),
          element: null,
        },
      ],
      type: spec.type,
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: epochMs,
    status: null,
    cdcresponse: [],
  };
}

/**
 * The gateway's answer when a realm's request or concurrency limit is exceeded (intuit.md §4), in its lowercase dialect.
 * Only `fault` and an ISO `time`, without gatewayFaultBody's null siblings: a client must not depend on those.
 */
export function throttleExceededBody(epochMs: number): Record<string, unknown> {
  return {
    fault: {
      error: [
        { message: "message=ThrottleExceeded; errorCode=003001; statusCode=429", detail: "The request limit was reached.", code: "3001" },
      ],
      type: "SERVICE",
    },
    time: intuitTime(epochMs),
  };
}

/**
 * The gateway's answer to a CorePlus read past the workspace's monthly quota (intuit.md §9): HTTP 429 like
 * ThrottleExceeded, but naming the monthly limit and when calls resume, and without 003001 (waiting a minute does not
 * help). intuit.md §9 rates the exact shape [M]: Intuit describes the block as throttling with a 429 and publishes no
 * body or code for it, so this is the gateway's lowercase dialect with no error code, and the app recognises the block
 * by the status and the words "monthly limit" (lib/intuit/faults.ts), never by a code.
 */
export function monthlyLimitExceededSpec(resumesAt: Date): { status: 429; message: string; detail: string } {
  return {
    status: 429,
    message: "message=MonthlyLimitExceeded; statusCode=429",
    detail: `The monthly limit of CorePlus API calls for this app's workspace was reached. CorePlus calls are blocked until ${resumesAt.toISOString()}.`,
  };
}

export function monthlyLimitExceededBody(epochMs: number, resumesAt: Date): Record<string, unknown> {
  const { message, detail } = monthlyLimitExceededSpec(resumesAt);
  return { fault: { error: [{ message, detail }], type: "SERVICE" }, time: intuitTime(epochMs) };
}

export interface ServiceError {
  message: string;
  detail: string;
  code: string;
  element?: string;
}

/** The data service's capitalised dialect: `{"Fault":{"Error":[{Message,Detail,code}],"type"},"time"}`. */
export function serviceFaultBody(type: string, error: ServiceError, epochMs: number): Record<string, unknown> {
  return {
    Fault: {
      Error: [{ Message: error.message, Detail: error.detail, code: error.code, element: error.element ?? "" }],
      type,
    },
    time: intuitTime(epochMs),
  };
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** `<IntuitResponse><Fault type><Error code><Message/><Detail/></Error></Fault></IntuitResponse>` as Intuit sends it. */
export function xmlFault(type: string, error: { message: string; detail: string; code: string }, epochMs: number): string {
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<IntuitResponse xmlns="${XML_NAMESPACE}" time="${intuitTime(epochMs)}">\n` +
    `  <Fault type="${escapeXml(type)}">\n` +
    `    <Error code="${escapeXml(error.code)}">\n` +
    `      <Message>${escapeXml(error.message)}</Message>\n` +
    `      <Detail>${escapeXml(error.detail)}</Detail>\n` +
    `    </Error>\n` +
    `  </Fault>\n` +
    `</IntuitResponse>`
  );
}

/** ThrottleExceeded comes back as XML even when JSON was asked for (routablehq/python-quickbooks#43). */
export function throttleXml(epochMs: number, status = 429): string {
  return xmlFault(
    "SERVICE",
    {
      message: `message=ThrottleExceeded; errorCode=003001; statusCode=${status}`,
      detail: "The request limit was reached.  Try again later",
      code: "3001",
    },
    epochMs,
  );
}

function toXmlElement(name: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((item) => toXmlElement(name, item)).join("");
  if (typeof value === "object") {
    const children = Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => toXmlElement(key, child))
      .join("");
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Entity bodies for clients that did not ask for JSON: Intuit's default representation is XML. */
export function xmlEntityResponse(body: Record<string, unknown>, epochMs: number): string {
  const inner = Object.entries(body)
    .map(([key, value]) => toXmlElement(key, value))
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<IntuitResponse xmlns="${XML_NAMESPACE}" time="${intuitTime(epochMs)}">${inner}</IntuitResponse>`
  );
}

export function wantsJson(request: Request): boolean {
  return (request.headers.get("accept") ?? "").toLowerCase().includes("json");
}
