// QuickBooks Online Accounting API calls. One request function (qboRequest) does what every endpoint needs: the base
// URL rule, Bearer auth, Accept JSON, minorversion, timeout, intuit_tid, fault parsing, zod. Each endpoint is a schema
// plus a few lines on top of it, in its own module: company-info.ts, change-data-capture.ts, account-query.ts.

import { z } from "zod";
import { IntuitApiError, parseIntuitError } from "./faults";
import { intuitFetch } from "../http/server-timing";
import { classifyTransportFailure, isPermittedEndpoint, readIntuitTid, timeoutSignal, type IntuitCallOptions } from "./http";

/** Since Aug 2025 Intuit ignores 1–74 and defaults to 75; send it explicitly anyway (intuit.md §4). */
export const QBO_MINOR_VERSION = 75;

export interface QboCallInput extends IntuitCallOptions {
  /** https://sandbox-quickbooks.api.intuit.com or https://quickbooks.api.intuit.com (or the emulator). */
  apiBaseUrl: string;
  realmId: string;
  accessToken: string;
  minorVersion?: number;
}

export interface QboRequest<S extends z.ZodType> {
  /** Path below /v3/company/{realmId}, e.g. "/companyinfo/123". */
  path: string;
  schema: S;
  method?: "GET" | "POST";
  query?: Record<string, string>;
  body?: unknown;
}

export interface QboResult<T> {
  data: T;
  intuitTid: string | null;
}

function apiUrl(input: QboCallInput, request: { path: string; query?: Record<string, string> }): URL {
  const base = input.apiBaseUrl.replace(/\/+$/, "");
  const url = new URL(`${base}/v3/company/${encodeURIComponent(input.realmId)}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
  url.searchParams.set("minorversion", String(input.minorVersion ?? QBO_MINOR_VERSION));
  return url;
}

function transportError(error: unknown): IntuitApiError {
  const failure = classifyTransportFailure(error);
  const kind = failure === "network" ? "network" : "timeout";
  const message = failure === "network" ? "QuickBooks could not be reached" : "QuickBooks did not answer in time";
  return new IntuitApiError({
    kind,
    status: null,
    code: failure === "aborted" ? "aborted" : null,
    message,
    detail: null,
    faultType: null,
    intuitTid: null,
    cause: failure === "network" ? error : undefined,
  });
}

function unexpected(status: number | null, intuitTid: string | null, message: string): IntuitApiError {
  return new IntuitApiError({ kind: "unexpected", status, code: null, message, detail: null, faultType: null, intuitTid });
}

async function send(url: URL, input: QboCallInput, method: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${input.accessToken}`,
    accept: "application/json",
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  try {
    return await (input.fetch ?? intuitFetch)(url.href, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
      signal: timeoutSignal(input),
    });
  } catch (error) {
    throw transportError(error);
  }
}

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw transportError(error);
  }
}

/** Calls one Accounting API endpoint; throws IntuitApiError for every failure, including a 2xx of the wrong shape. */
export async function qboRequest<S extends z.ZodType>(input: QboCallInput, request: QboRequest<S>): Promise<QboResult<z.infer<S>>> {
  const url = apiUrl(input, request);
  if (!isPermittedEndpoint(url)) throw unexpected(null, null, "QuickBooks API base URL must be https");
  const response = await send(url, input, request.method ?? "GET", request.body);
  const intuitTid = readIntuitTid(response.headers);
  const text = await readText(response);
  if (response.status < 200 || response.status >= 300) {
    throw parseIntuitError(response.status, response.headers, text, intuitTid);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unexpected(response.status, intuitTid, "QuickBooks answered with a body that is not JSON");
  }
  const parsed = request.schema.safeParse(json);
  if (!parsed.success) throw unexpected(response.status, intuitTid, "QuickBooks answered with an unexpected shape");
  return { data: parsed.data, intuitTid };
}
