// The emulator as a real HTTP server, for `npm run dev` and Playwright: the SAME MSW handlers as the tests,
// served through @mswjs/http-middleware (checked to work with msw 2.15: form POSTs, HTML, 302s, empty 200s).
//
//   npm run emulator            → Intuit emulator listening on http://localhost:4010
//
// Environment: EMULATOR_PORT (4010), EMULATOR_ORIGIN (http://localhost:<port>), EMULATOR_REDIRECT_URIS
// (comma-separated exact URIs; empty = any localhost URI), EMULATOR_ACCESS_TOKEN_TTL / EMULATOR_REFRESH_TOKEN_TTL
// (seconds), EMULATOR_CLIENT_ID / EMULATOR_CLIENT_SECRET (the development keys, for sandbox companies; default
// emulator-client-id / emulator-client-secret), EMULATOR_PRODUCTION_CLIENT_ID / EMULATOR_PRODUCTION_CLIENT_SECRET (the
// production keys, for production companies; default emulator-production-client-id / emulator-production-client-secret).
// Binds 127.0.0.1 only. Test control endpoints: see control-handlers.ts.

import { createServer as createMswApp } from "@mswjs/http-middleware";
import http, { type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { createIntuitEmulator, type EmulatorState, type IntuitEmulatorOptions } from "./handlers";

export interface EmulatorServerOptions extends Omit<IntuitEmulatorOptions, "origin"> {
  /** 0 (the default here) picks a free port. */
  port?: number;
  host?: string;
  /** The origin the emulator advertises, or a function of the bound port. Default http://<host>:<port>. */
  origin?: string | ((port: number) => string);
}

export interface EmulatorServer {
  /** The advertised origin, e.g. http://127.0.0.1:53121; discovery is at `${url}/.well-known/openid_sandbox_configuration`. */
  url: string;
  port: number;
  emulator: EmulatorState;
  close(): Promise<void>;
}

const DEFAULT_HOST = "127.0.0.1";

/**
 * Handlers match on the advertised origin. Express builds the request URL from the Host header, so a browser that
 * reached us as 127.0.0.1 while we advertise localhost (or the reverse) would get 404s: answer as the origin.
 */
function asOrigin(origin: string, app: RequestListener): RequestListener {
  const host = new URL(origin).host;
  return (req, res) => {
    req.headers.host = host;
    app(req, res);
  };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets would hold close() open for seconds; nothing in flight matters to an emulator.
    server.closeAllConnections();
  });
}

export async function startEmulatorServer(options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const { port: requestedPort = 0, host = DEFAULT_HOST, origin: requestedOrigin, ...emulatorOptions } = options;
  const server = http.createServer();
  const port = await listen(server, requestedPort, host);
  // The origin depends on the port, known only now; no request can arrive before the listener is attached
  // because nobody knows the port yet.
  const origin =
    typeof requestedOrigin === "function" ? requestedOrigin(port) : (requestedOrigin ?? `http://${host}:${port}`);
  const { handlers, state } = createIntuitEmulator({ ...emulatorOptions, origin });
  // The package ships no types for its Express return value; typing it as a Node listener is all we use.
  const app: RequestListener = createMswApp(...handlers);
  server.on("request", asOrigin(origin, app));
  return { url: state.origin, port, emulator: state, close: () => closeServer(server) };
}

const commaList = z
  .string()
  .optional()
  .transform((value) => (value ?? "").split(",").map((item) => item.trim()).filter(Boolean));

const envSchema = z.object({
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  EMULATOR_ORIGIN: z.url().optional(),
  EMULATOR_REDIRECT_URIS: commaList,
  EMULATOR_ACCESS_TOKEN_TTL: z.coerce.number().int().positive().optional(),
  EMULATOR_REFRESH_TOKEN_TTL: z.coerce.number().int().positive().optional(),
  EMULATOR_CLIENT_ID: z.string().min(1).optional(),
  EMULATOR_CLIENT_SECRET: z.string().min(1).optional(),
  EMULATOR_PRODUCTION_CLIENT_ID: z.string().min(1).optional(),
  EMULATOR_PRODUCTION_CLIENT_SECRET: z.string().min(1).optional(),
  EMULATOR_WEBHOOK_VERIFIER_TOKEN: z.string().min(1).optional(),
});

export function optionsFromEnv(env: NodeJS.ProcessEnv): EmulatorServerOptions {
  const parsed = envSchema.parse(env);
  return {
    port: parsed.EMULATOR_PORT,
    origin: parsed.EMULATOR_ORIGIN ?? ((port) => `http://localhost:${port}`),
    redirectUris: parsed.EMULATOR_REDIRECT_URIS,
    accessTokenTtlSeconds: parsed.EMULATOR_ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: parsed.EMULATOR_REFRESH_TOKEN_TTL,
    clientId: parsed.EMULATOR_CLIENT_ID,
    clientSecret: parsed.EMULATOR_CLIENT_SECRET,
    productionClientId: parsed.EMULATOR_PRODUCTION_CLIENT_ID,
    productionClientSecret: parsed.EMULATOR_PRODUCTION_CLIENT_SECRET,
    webhookVerifierToken: parsed.EMULATOR_WEBHOOK_VERIFIER_TOKEN,
  };
}

async function main(): Promise<void> {
  const running = await startEmulatorServer(optionsFromEnv(process.env));
  console.log(`Intuit emulator listening on ${running.url} (127.0.0.1:${running.port})`);
  const shutdown = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && import.meta.url === pathToFileURL(entry).href;
}

if (isEntryPoint()) {
  main().catch((error: unknown) => {
    console.error("Intuit emulator failed to start:", error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
