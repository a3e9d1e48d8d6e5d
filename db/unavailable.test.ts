import net from "node:net";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError, asDatabaseUnavailable, toErrorResponse } from "@/lib/errors";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/lib/service-unavailable";
import { databaseUnavailableCode, isDatabaseUnavailable } from "./unavailable";

/** A server error as postgres.js builds it (PostgresError carries the SQLSTATE as `code`). */
const serverError = (code: string) => Object.assign(new postgres.PostgresError(`server said ${code}`), { code });
/** What drizzle throws around the driver's error: the query text and parameters in its message, the cause kept. */
const wrapped = (cause: unknown) => Object.assign(new Error("Failed query: select secret from t where x = $1\nparams: hunter2"), { query: "select 1", params: [], cause });

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The error a real drizzle + postgres.js query gets from a server that is not there, or that hangs up. */
async function realQueryError(port: number): Promise<unknown> {
  const client = postgres(`postgres://postgres@127.0.0.1:${port}/none`, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await drizzle(client).execute(sql`select 1`);
    throw new Error("the query should have failed");
  } catch (error) {
    return error;
  } finally {
    await client.end({ timeout: 0 });
  }
}

describe("isDatabaseUnavailable", () => {
  afterEach(() => vi.restoreAllMocks());

  it("should recognise a refused connection, as drizzle and postgres.js really report it", async () => {
    const error = await realQueryError(await closedPort());
    expect(databaseUnavailableCode(error)).toBe("ECONNREFUSED");
  });

  it("should recognise a server that is starting up, as postgres.js reports its FATAL 57P03", async () => {
    // The ErrorResponse PostgreSQL sends to a new connection while it starts, recovers or shuts down.
    const fields = Buffer.from(["SFATAL", "VFATAL", "C57P03", "Mthe database system is starting up", ""].join("\0") + "\0");
    const head = Buffer.alloc(5);
    head.write("E", 0);
    head.writeInt32BE(fields.length + 4, 1);
    const server = net.createServer((socket) => socket.once("data", () => socket.end(Buffer.concat([head, fields]))));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const error = await realQueryError((server.address() as net.AddressInfo).port);
      expect(databaseUnavailableCode(error)).toBe("57P03");
    } finally {
      server.close();
    }
  });

  it.each(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND"])(
    "should recognise the driver or socket code %s, wrapped by drizzle",
    (code) => {
      expect(isDatabaseUnavailable(wrapped(Object.assign(new Error(code), { code })))).toBe(true);
    },
  );

  it.each(["08000", "08003", "08006", "08001", "08P01", "57P01", "57P02", "57P03", "53300"])("should recognise the SQLSTATE %s", (code) => {
    expect(isDatabaseUnavailable(wrapped(serverError(code)))).toBe(true);
  });

  it.each(["23505", "42P01", "40001", "57014", "53100", "22P02"])("should not take the SQLSTATE %s (a real error, not an outage) for one", (code) => {
    expect(isDatabaseUnavailable(wrapped(serverError(code)))).toBe(false);
  });

  it("should look inside an AggregateError (a connect that tried several addresses)", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" });
    expect(isDatabaseUnavailable(new AggregateError([refused], "connect failed"))).toBe(true);
  });

  it("should not take a failed outbound HTTP call (Intuit) for the database", () => {
    const fetchFailed = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    expect(isDatabaseUnavailable(fetchFailed)).toBe(false);
  });

  it("should not take ordinary failures, or values that are not errors, for one", () => {
    for (const value of [new Error("boom"), new AppError("conflict", 409, "x"), null, undefined, "ECONNREFUSED", 42, { code: 57 }]) {
      expect(isDatabaseUnavailable(value)).toBe(false);
    }
  });

  it("should end on a cause chain that loops", () => {
    const a: Error & { cause?: unknown } = new Error("a");
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe("toErrorResponse for a database out of reach", () => {
  afterEach(() => vi.restoreAllMocks());

  it("should answer 503 service_unavailable with Retry-After, logging the code only, never the query or its parameters", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = toErrorResponse(wrapped(Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" })));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("service_unavailable");
    expect(body.error.message).toMatch(/can't reach its database right now.*try again/i);
    expect(JSON.stringify(body)).not.toMatch(/select|hunter2|CONNECTION_CLOSED|5432/);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0])).not.toMatch(/select|hunter2/);
  });

  it("should leave other unknown errors a 500", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(toErrorResponse(new Error("boom")).status).toBe(500);
  });

  it("should tag a page's error with the digest its error boundary recognises, and leave others as they are", () => {
    const tagged = asDatabaseUnavailable(wrapped(serverError("57P01")));
    expect(tagged).toBeInstanceOf(AppError);
    expect((tagged as AppError).digest).toBe(DATABASE_UNAVAILABLE_DIGEST);
    const other = new Error("boom");
    expect(asDatabaseUnavailable(other)).toBe(other);
  });
});
