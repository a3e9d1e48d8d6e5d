import { describe, expect, it } from "vitest";
import { databaseTimeoutCode } from "./timeouts";

const pgError = (code: string) => Object.assign(new Error("canceling statement"), { code });

describe("databaseTimeoutCode", () => {
  it("finds statement_timeout and lock_timeout through the driver error's wrapper", () => {
    expect(databaseTimeoutCode(new Error("Failed query", { cause: pgError("57014") }))).toBe("57014");
    expect(databaseTimeoutCode(pgError("55P03"))).toBe("55P03");
  });

  it("leaves every other error alone", () => {
    expect(databaseTimeoutCode(pgError("23505"))).toBeNull();
    expect(databaseTimeoutCode(new Error("CONNECTION_CLOSED"))).toBeNull();
    expect(databaseTimeoutCode("57014")).toBeNull();
    const loop: Error & { cause?: unknown } = new Error("loop");
    loop.cause = loop;
    expect(databaseTimeoutCode(loop)).toBeNull();
  });
});
