// Intuit API errors in every dialect Intuit uses, reduced to one typed error (intuit.md §4):
//   (a) data service, capitalised:  {"Fault":{"Error":[{"Message","Detail","code"}],"type":"ValidationFault"}}
//   (b) API gateway, lowercase:     {"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; …"}]}}
//   (c) XML, even when JSON was asked for: <IntuitResponse><Fault type><Error code><Message/><Detail/></Error></Fault>
//   plus empty or garbage bodies, where only the HTTP status is left to go on.

import { redactSecrets } from "./http";
import { gatewayFaultSchema, serviceFaultSchema } from "./schemas";

export type IntuitApiErrorKind =
  | "authentication"
  | "authorization"
  | "validation"
  | "throttled"
  // Intuit's monthly CorePlus quota of the app's workspace is used up: reads are blocked until the next month
  // (intuit.md §9). Not a throttle: waiting minutes does not help, and retrying spends nothing but time.
  | "quota_exhausted"
  | "not_found"
  | "server"
  | "unexpected"
  // No answer at all: the call timed out or never reached Intuit.
  | "timeout"
  | "network";

export interface IntuitApiErrorInit {
  kind: IntuitApiErrorKind;
  status: number | null;
  /** Intuit's error code without leading zeros, e.g. "3200", "3001", "610". */
  code: string | null;
  message: string;
  detail: string | null;
  /** Intuit's fault type, e.g. "AUTHENTICATION", "ValidationFault", "SERVICE". */
  faultType: string | null;
  intuitTid: string | null;
  /** From a Retry-After header (seconds or an HTTP date), when Intuit sent one. */
  retryAfterMs?: number | null;
  /** When the refusal ends, when it is known: a monthly quota block lasts until the quota month turns. */
  resumesAt?: Date | null;
  cause?: unknown;
}

export class IntuitApiError extends Error {
  override readonly name = "IntuitApiError";
  readonly kind: IntuitApiErrorKind;
  readonly status: number | null;
  readonly code: string | null;
  readonly detail: string | null;
  readonly faultType: string | null;
  readonly intuitTid: string | null;
  readonly retryAfterMs: number | null;
  readonly resumesAt: Date | null;

  constructor(init: IntuitApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.faultType = init.faultType;
    this.intuitTid = init.intuitTid;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.resumesAt = init.resumesAt ?? null;
  }

  /** Throttling, Intuit outages and transport failures pass; a rejected token or request does not. */
  get retryable(): boolean {
    return this.kind === "throttled" || this.kind === "server" || this.kind === "timeout" || this.kind === "network";
  }
}

/** One error entry, whatever the dialect. */
interface FaultEntry {
  message: string | null;
  detail: string | null;
  code: string | null;
  type: string | null;
}

const MAX_DETAIL_LENGTH = 500;

// ---------------------------------------------------------------- reading the three dialects

function asText(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === "" ? null : text;
}

function fromJson(body: unknown): FaultEntry | null {
  const service = serviceFaultSchema.safeParse(body);
  if (service.success) {
    const first = service.data.Fault.Error[0];
    return {
      message: asText(first?.Message),
      detail: asText(first?.Detail),
      code: asText(first?.code),
      type: asText(service.data.Fault.type),
    };
  }
  const gateway = gatewayFaultSchema.safeParse(body);
  if (gateway.success) {
    const first = gateway.data.fault.error[0];
    return {
      message: asText(first?.message),
      detail: asText(first?.detail),
      code: asText(first?.code),
      type: asText(gateway.data.fault.type),
    };
  }
  return null;
}

function decodeXmlEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, digits: string) => String.fromCharCode(Number(digits)))
    .replace(/&amp;/g, "&");
}

function xmlElement(xml: string, name: string): string | null {
  const match = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`).exec(xml);
  return match?.[1] === undefined ? null : asText(decodeXmlEntities(match[1]));
}

function xmlAttribute(xml: string, element: string, attribute: string): string | null {
  const match = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*\\b${attribute}="([^"]*)"`).exec(xml);
  return match?.[1] === undefined ? null : asText(decodeXmlEntities(match[1]));
}

/** A small regex reading of Intuit's XML fault; no XML parser needed for four fields. */
function fromXml(text: string): FaultEntry | null {
  if (!/<(?:\w+:)?Fault\b/.test(text)) return null;
  return {
    message: xmlElement(text, "Message"),
    detail: xmlElement(text, "Detail"),
    code: xmlAttribute(text, "Error", "code"),
    type: xmlAttribute(text, "Fault", "type"),
  };
}

function readFault(bodyText: string): FaultEntry | null {
  const trimmed = bodyText.trim();
  if (trimmed.startsWith("{")) {
    try {
      return fromJson(JSON.parse(trimmed));
    } catch {
      return null;
    }
  }
  if (trimmed.startsWith("<")) return fromXml(trimmed);
  return null;
}

// ---------------------------------------------------------------- interpreting a fault

/** "message=AuthenticationFailed; errorCode=003200; statusCode=401" → { message: "AuthenticationFailed", … } */
function gatewayParts(message: string | null): Record<string, string> {
  const parts: Record<string, string> = {};
  if (!message?.includes("=")) return parts;
  for (const piece of message.split(";")) {
    const [key, ...rest] = piece.split("=");
    if (key && rest.length > 0) parts[key.trim()] = rest.join("=").trim();
  }
  return parts;
}

function withoutLeadingZeros(code: string): string {
  return /^\d+$/.test(code) ? String(Number(code)) : code;
}

/** "AuthenticationFailed" → "Authentication failed" */
function humanise(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Whether a refusal names the monthly limit (intuit.md §9: Intuit blocks reads past the workspace's monthly quota with
 * a 429 whose fault names it). By its words, not a code: Intuit has not published one, and the per-minute
 * ThrottleExceeded (003001) must not be mistaken for it.
 */
function namesMonthlyLimit(status: number, fault: FaultEntry | null, name: string | null): boolean {
  if (status !== 429 && status !== 403) return false;
  const text = [name, fault?.message, fault?.detail].filter(Boolean).join(" ");
  return /month/i.test(text) && /limit|quota/i.test(text);
}

function classify(status: number, code: string | null, type: string | null, name: string | null): IntuitApiErrorKind {
  const faultType = type?.toLowerCase() ?? "";
  // Throttling first: Intuit has reported it with statusCode=403 as well as 429.
  if (status === 429 || code === "3001" || name === "ThrottleExceeded") return "throttled";
  if (status === 401 || code === "3200" || faultType === "authentication" || faultType === "authenticationfault") {
    return "authentication";
  }
  if (status === 403 || code === "3100" || faultType === "authorizationfault") return "authorization";
  if (status === 404 || code === "610") return "not_found";
  if (status >= 500 || faultType === "systemfault") return "server";
  if (status >= 400) return "validation";
  return "unexpected";
}

/** With nothing readable, the media type still tells an HTML proxy page from an empty answer. */
function fallbackMessage(status: number, contentType: string): string {
  const mediaType = contentType.split(";")[0]?.trim();
  const what = mediaType ? ` (${mediaType})` : "";
  return `QuickBooks answered HTTP ${status}${what} without a readable error`;
}

/** Longest wait a Retry-After header may ask for; beyond it the caller's own backoff decides. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMsOf(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  // An HTTP date names its weekday and month; without letters, "-5" would parse as the year -5.
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : /[a-z]/i.test(trimmed) ? Date.parse(trimmed) - now : Number.NaN;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

function contentTypeOf(headersOrContentType: Headers | string | null | undefined): string {
  if (!headersOrContentType) return "";
  return typeof headersOrContentType === "string" ? headersOrContentType : (headersOrContentType.get("content-type") ?? "");
}

/**
 * Reads any Intuit error response into an IntuitApiError (returned, not thrown). The body's first character picks
 * the dialect, not the content type: Intuit sends XML when JSON was asked for. The content type only names what
 * came back when nothing in it was readable.
 */
export function parseIntuitError(
  status: number,
  headersOrContentType: Headers | string | null | undefined,
  bodyText: string,
  intuitTid: string | null,
): IntuitApiError {
  const fault = readFault(bodyText);
  const parts = gatewayParts(fault?.message ?? null);
  const name = parts.message ?? null;
  const rawCode = fault?.code ?? parts.errorCode ?? null;
  const code = rawCode === null ? null : withoutLeadingZeros(rawCode);
  const message = name ? humanise(name) : (fault?.message ?? fallbackMessage(status, contentTypeOf(headersOrContentType)));
  const detail = fault?.detail ? redactSecrets(fault.detail).slice(0, MAX_DETAIL_LENGTH) : null;
  return new IntuitApiError({
    kind: namesMonthlyLimit(status, fault, name) ? "quota_exhausted" : classify(status, code, fault?.type ?? null, name),
    status,
    code,
    message: redactSecrets(message),
    detail,
    faultType: fault?.type ?? null,
    intuitTid,
    retryAfterMs: typeof headersOrContentType === "string" ? null : retryAfterMsOf(headersOrContentType?.get("retry-after")),
  });
}
