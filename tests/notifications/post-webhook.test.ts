// postWebhook against a real receiver on 127.0.0.1 that verifies each delivery with the Standard Webhooks library's own
// verify(), as a tenant's receiver would: genuine deliveries pass (also during a secret rotation), tampered ones are
// refused, redirects are not followed, a silent receiver hits the time limit, and in production nothing connects to
// a local address, whether named literally or through a name that resolves to it.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postWebhook } from "@/lib/notifications/webhooks/post-webhook";
import { newEndpointSecret, signDelivery } from "@/lib/notifications/webhooks/signing";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  verified: unknown;
}

/** What happens to a delivery between sender and receiver: nothing, unless a test plays the network attacker. */
type Tamper = (delivery: { body: string; headers: Record<string, string> }) => { body: string; headers: Record<string, string> };

let server: Server;
let base: string;
let port: number;
let receiverSecrets: string[] = [];
let tamper: Tamper = (delivery) => delivery;
let received: Received[] = [];
let hits: Record<string, number> = {};
let connections = 0;
const sockets = new Set<Socket>();

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** The receiver: verifies with whichever secret it holds, 204 if any verifies, 400 otherwise. */
async function receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? "/", base).pathname;
  hits[path] = (hits[path] ?? 0) + 1;
  const raw = await readBody(request);
  switch (path) {
    case "/hook": {
      const delivery = tamper({ body: raw, headers: request.headers as Record<string, string> });
      let verified: unknown = undefined;
      for (const secret of receiverSecrets) {
        try {
          verified = new Webhook(secret).verify(delivery.body, delivery.headers);
          break;
        } catch {
          // not this secret
        }
      }
      if (verified === undefined) {
        response.writeHead(400).end("bad signature");
        return;
      }
      received.push({ path, headers: request.headers, body: raw, verified });
      response.writeHead(204).end();
      return;
    }
    case "/redirect":
      response.writeHead(302, { location: `${base}/target` }).end();
      return;
    case "/target":
      response.writeHead(200).end("followed");
      return;
    case "/error":
      response.writeHead(500, "Internal Server Error").end("boom");
      return;
    case "/big":
      // 4 MB: the sender reads 64 KB of it and hangs up.
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(Buffer.alloc(4 * 1024 * 1024, "x"));
      return;
    case "/silent":
      return; // never answers
    case "/slow-body":
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("partial"); // and never ends
      return;
    default:
      response.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer((request, response) => void receive(request, response));
  server.on("connection", (socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  receiverSecrets = [];
  tamper = (delivery) => delivery;
  received = [];
  hits = {};
  connections = 0;
});

const payload = {
  type: "connection.connected",
  version: 1,
  id: "dlv_01",
  timestamp: "2026-12-07T10:00:00.000Z",
  tenant: { id: "7d6f0c2e-2f6a-4a8e-9a55-0d3c1f1b2a10", name: "Acme Bookkeeping" },
  data: { environment: "production", realmId: "9130357992221046" },
};

const deliver = (url: string, secrets: string[], options: { timestamp?: Date; timeoutMs?: number; production?: boolean } = {}) =>
  postWebhook({ url, secrets, id: "dlv_01", timestamp: options.timestamp ?? new Date(), payload, timeoutMs: options.timeoutMs, production: options.production ?? false });

describe("signing", () => {
  it("makes secrets the library accepts, each different", () => {
    const secret = newEndpointSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(24);
    expect(() => new Webhook(secret)).not.toThrow();
    expect(newEndpointSecret()).not.toBe(secret);
  });

  it("signs with every secret given, and refuses to sign with none", () => {
    const [a, b] = [newEndpointSecret(), newEndpointSecret()];
    const timestamp = new Date("2026-12-07T10:00:00.900Z");
    const headers = signDelivery({ secrets: [a, b], id: "dlv_01", timestamp, body: "{}" });
    expect(headers["webhook-id"]).toBe("dlv_01");
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(timestamp.getTime() / 1000)));
    expect(headers["webhook-signature"].split(" ")).toEqual([new Webhook(a).sign("dlv_01", timestamp, "{}"), new Webhook(b).sign("dlv_01", timestamp, "{}")]);
    expect(() => signDelivery({ secrets: [], id: "dlv_01", timestamp, body: "{}" })).toThrow();
  });
});

describe("postWebhook", () => {
  it("delivers a signed JSON payload that the library verifies", async () => {
    const secret = newEndpointSecret();
    receiverSecrets = [secret];
    const result = await deliver(`${base}/hook`, [secret]);
    expect(result).toEqual({ ok: true, httpStatus: 204, durationMs: expect.any(Number), error: null });
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery?.verified).toEqual(payload);
    expect(delivery?.body).toBe(JSON.stringify(payload));
    expect(delivery?.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "QuickBooks-Connect-Webhooks/1",
      "webhook-id": "dlv_01",
      "webhook-timestamp": expect.stringMatching(/^\d{10}$/),
      "webhook-signature": expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
    });
  });

  it("during a rotation, signs with both secrets: either one alone verifies, a third does not", async () => {
    const [next, previous, unrelated] = [newEndpointSecret(), newEndpointSecret(), newEndpointSecret()];
    for (const held of [next, previous]) {
      receiverSecrets = [held];
      expect(await deliver(`${base}/hook`, [next, previous])).toMatchObject({ ok: true, httpStatus: 204 });
    }
    receiverSecrets = [unrelated];
    expect(await deliver(`${base}/hook`, [next, previous])).toMatchObject({ ok: false, httpStatus: 400, error: "Answered 400 Bad Request." });
    expect(received).toHaveLength(2);
    expect(String(received[0]?.headers["webhook-signature"]).split(" ")).toHaveLength(2);
  });

  it("is refused by the receiver when the body is altered on the way", async () => {
    const secret = newEndpointSecret();
    receiverSecrets = [secret];
    tamper = ({ body, headers }) => ({ body: body.replace("Acme Bookkeeping", "Evil Bookkeeping"), headers });
    expect(await deliver(`${base}/hook`, [secret])).toMatchObject({ ok: false, httpStatus: 400 });
    expect(hits["/hook"]).toBe(1);
    expect(received).toHaveLength(0);
  });

  it("is refused by the receiver when the timestamp is altered on the way, or is too old", async () => {
    const secret = newEndpointSecret();
    receiverSecrets = [secret];
    tamper = ({ body, headers }) => ({ body, headers: { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) + 1) } });
    expect(await deliver(`${base}/hook`, [secret])).toMatchObject({ ok: false, httpStatus: 400 });

    tamper = (delivery) => delivery;
    expect(await deliver(`${base}/hook`, [secret], { timestamp: new Date(Date.now() - 10 * 60_000) })).toMatchObject({ ok: false, httpStatus: 400 });
    expect(received).toHaveLength(0);
  });

  it("does not follow a redirect", async () => {
    const result = await deliver(`${base}/redirect`, [newEndpointSecret()]);
    expect(result).toMatchObject({ ok: false, httpStatus: 302, error: `Redirected to ${base}/target (not followed).` });
    expect(hits["/redirect"]).toBe(1);
    expect(hits["/target"]).toBeUndefined();
  });

  it("reports any other status as a failure", async () => {
    expect(await deliver(`${base}/error`, [newEndpointSecret()])).toMatchObject({ ok: false, httpStatus: 500, error: "Answered 500 Internal Server Error." });
    expect(await deliver(`${base}/nowhere`, [newEndpointSecret()])).toMatchObject({ ok: false, httpStatus: 404 });
  });

  it("reads only the start of a large answer", async () => {
    expect(await deliver(`${base}/big`, [newEndpointSecret()])).toMatchObject({ ok: true, httpStatus: 200, error: null });
  });

  it("gives up on a receiver that never answers, within the time limit", async () => {
    const result = await deliver(`${base}/silent`, [newEndpointSecret()], { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, httpStatus: null, error: "No answer within 0.3 s (timed out)." });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(1500);
    expect(hits["/silent"]).toBe(1);
  });

  it("counts the answer's body in the time limit", async () => {
    const result = await deliver(`${base}/slow-body`, [newEndpointSecret()], { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, httpStatus: null, error: "No answer within 0.3 s (timed out)." });
    expect(result.durationMs).toBeLessThan(1500);
  });

  it("reports a refused connection and a name that does not resolve", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await deliver(`http://127.0.0.1:${closedPort}/hook`, [newEndpointSecret()])).toMatchObject({ ok: false, httpStatus: null, error: "127.0.0.1 refused the connection." });
    expect(await deliver("http://no-such-host.invalid/hook", [newEndpointSecret()])).toMatchObject({ ok: false, httpStatus: null, error: "The name no-such-host.invalid could not be resolved." });
  });

  describe("in production", () => {
    it("refuses plain http", async () => {
      expect(await deliver(`${base}/hook`, [newEndpointSecret()], { production: true })).toMatchObject({ ok: false, httpStatus: null, error: "The address must start with https://." });
      expect(connections).toBe(0);
    });

    it.each([
      ["127.0.0.1", "127.0.0.1"],
      ["[::1]", "::1"],
      ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ])("refuses the literal local address %s without connecting", async (host, shown) => {
      const result = await deliver(`https://${host}:${port}/hook`, [newEndpointSecret()], { production: true });
      expect(result).toMatchObject({ ok: false, httpStatus: null, error: `The address points to ${shown}, a private or local network address, which is not allowed.` });
      expect(connections).toBe(0);
      expect(hits).toEqual({});
    });

    it("refuses a name that resolves to a local address, when it connects", async () => {
      const result = await deliver(`https://localhost:${port}/hook`, [newEndpointSecret()], { production: true });
      expect(result).toMatchObject({ ok: false, httpStatus: null, error: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), a private or local network address, which is not allowed\.$/) });
      expect(connections).toBe(0);
      expect(hits).toEqual({});
    });

    it("(the control: outside production the same name connects, and the counter sees it)", async () => {
      const result = await deliver(`https://localhost:${port}/hook`, [newEndpointSecret()]);
      expect(result.ok).toBe(false); // a TLS handshake with a plain-HTTP receiver
      expect(connections).toBe(1);
    });
  });
});
