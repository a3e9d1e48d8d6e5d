import "server-only";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { checkEndpointUrl, isForbiddenAddress } from "./address-rules";
import { signDelivery } from "./signing";

// One delivery of a notification to a tenant's endpoint (issue 18): a signed POST with a time limit for the whole
// exchange, no redirects followed, and, in production, no connection to a loopback, private or link-local address,
// checked on the address actually connected to (a name that resolved publicly when the endpoint was saved may resolve
// to 127.0.0.1 now: DNS rebinding). Delivery problems are values, never exceptions; retries belong to the caller.

export const WEBHOOK_USER_AGENT = "QuickBooks-Connect-Webhooks/1";
/** The default time limit for a whole delivery: connection, request, status and the part of the answer read. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How much of an answer's body is read (and thrown away) before the connection is closed. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface PostWebhookInput {
  url: string;
  /** The endpoint's secrets: the current one, and the previous one during a rotation. */
  secrets: string[];
  /** The delivery's id, the same on every attempt (`webhook-id`): receivers deduplicate on it. */
  id: string;
  timestamp: Date;
  payload: unknown;
  timeoutMs?: number;
  /** In production only https is used and local addresses are refused; elsewhere a receiver on 127.0.0.1 is fine. */
  production: boolean;
}

export interface PostWebhookResult {
  /** The endpoint answered 2xx. */
  ok: boolean;
  /** The status the endpoint answered, or null when it did not answer. */
  httpStatus: number | null;
  durationMs: number;
  /** Why the delivery failed, in plain words, or null when it succeeded. */
  error: string | null;
}

/** A name that resolved to an address deliveries may not reach. */
class ForbiddenAddressError extends Error {
  readonly code = "FORBIDDEN_ADDRESS";
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, a private or local network address`);
    this.name = "ForbiddenAddressError";
  }
}

/**
 * The DNS lookup used for production connections: every address the name resolves to must be allowed, or none is
 * used. The socket then connects to one of exactly these addresses, so the check holds for the connection made.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, "");
    const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
    if (forbidden) return callback(new ForbiddenAddressError(hostname, forbidden.address), "");
    const [first] = addresses;
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
    if (options.all) return callback(null, addresses);
    callback(null, first.address, first.family);
  });
};

const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** A connection error in plain words. */
function describeError(error: unknown, url: URL, timeoutMs: number): string {
  if (error instanceof ForbiddenAddressError) return `${error.message}, which is not allowed.`;
  const code = (error as { code?: unknown } | null)?.code;
  const host = url.hostname;
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NODATA":
      return `The name ${host} could not be resolved.`;
    case "ECONNREFUSED":
      return `${host} refused the connection.`;
    case "ECONNRESET":
    case "EPIPE":
      return `${host} closed the connection before answering.`;
    case "ETIMEDOUT":
      return `No answer within ${formatSeconds(timeoutMs)} (timed out).`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${host} cannot be reached from here.`;
    case "ERR_INVALID_CHAR":
    case "ERR_INVALID_HTTP_TOKEN":
      return "The delivery's headers are not valid.";
  }
  if (typeof code !== "string") return `The request to ${host} failed.`;
  if (TLS_ERROR.test(code)) return `The TLS connection to ${host} failed (${code}).`;
  if (code.startsWith("HPE_")) return `${host} did not answer with valid HTTP.`;
  return `The request to ${host} failed (${code}).`;
}

const formatSeconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/** What an answer means: null for a success, the reason otherwise. */
function describeStatus(response: IncomingMessage): string | null {
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) {
    const location = response.headers.location;
    return location ? `Redirected to ${location.slice(0, 200)} (not followed).` : `Answered ${status}, a redirect without a location (not followed).`;
  }
  return `Answered ${status}${response.statusMessage ? ` ${response.statusMessage.slice(0, 100)}` : ""}.`;
}

/** Sends one request and reads at most MAX_RESPONSE_BYTES of the answer, all within `timeoutMs`. */
function exchange(url: URL, headers: OutgoingHttpHeaders, body: string, timeoutMs: number, production: boolean): Promise<{ httpStatus: number | null; error: string | null }> {
  return new Promise((resolve) => {
    let request: ClientRequest | undefined;
    let settled = false;
    const settle = (httpStatus: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whatever is still in flight (an unread body, a handshake) is dropped with its connection.
      request?.destroy();
      resolve({ httpStatus, error });
    };
    const timer = setTimeout(() => settle(null, `No answer within ${formatSeconds(timeoutMs)} (timed out).`), timeoutMs);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    try {
      // agent: false, one connection per delivery: no socket is shared with other code or reused past its check.
      request = send(url, { method: "POST", headers, agent: false, ...(production ? { lookup: guardedLookup } : {}) });
    } catch (error) {
      settle(null, describeError(error, url, timeoutMs));
      return;
    }
    request.on("error", (error) => settle(null, describeError(error, url, timeoutMs)));
    request.on("response", (response) => {
      const status = response.statusCode ?? null;
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) settle(status, describeStatus(response));
      });
      response.on("end", () => settle(status, describeStatus(response)));
      response.on("error", (error) => settle(null, describeError(error, url, timeoutMs)));
    });
    request.end(body);
  });
}

/**
 * POSTs `payload` as JSON to `url`, signed with every secret by the Standard Webhooks specification. Succeeds on a 2xx;
 * a redirect, any other status, a refused address, a connection failure or the time limit (10 s by default, for the
 * whole exchange) is `ok: false` with the reason. Throws only for a programming error (no secret, a malformed one, a
 * payload JSON cannot represent).
 */
export async function postWebhook(input: PostWebhookInput): Promise<PostWebhookResult> {
  const started = performance.now();
  const body = JSON.stringify(input.payload) as string | undefined;
  if (body === undefined) throw new TypeError("A webhook payload must be representable as JSON.");
  const headers: OutgoingHttpHeaders = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "user-agent": WEBHOOK_USER_AGENT,
    ...signDelivery({ secrets: input.secrets, id: input.id, timestamp: input.timestamp, body }),
  };
  const checked = checkEndpointUrl(input.url, { production: input.production });
  const outcome = checked.ok ? await exchange(checked.url, headers, body, input.timeoutMs ?? WEBHOOK_TIMEOUT_MS, input.production) : { httpStatus: null, error: checked.reason };
  return { ok: outcome.error === null, httpStatus: outcome.httpStatus, durationMs: Math.round(performance.now() - started), error: outcome.error };
}
