import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { IntuitApiError } from "@/lib/intuit/faults";
import { describeError, installSafeErrorLogging } from "./describe-error";

const EMAIL = "someone@client.test";
const SEALED = "v1.k1.c2VhbGVkLXRva2VuLWJ5dGVz.dGFn";

/** What postgres.js throws for a unique violation: its fields, and the statement's parameters hung on it. */
function postgresUniqueViolation(): Error {
  const error = Object.assign(new Error(`duplicate key value violates unique constraint "users_email_key"`), {
    name: "PostgresError",
    severity: "ERROR",
    code: "23505",
    detail: `Key (email)=(${EMAIL}) already exists.`,
    schema_name: "public",
    table_name: "users",
    constraint_name: "users_email_key",
    routine: "_bt_check_unique",
  });
  Object.defineProperty(error, "parameters", { value: [EMAIL, SEALED], enumerable: false });
  return error;
}

/** What PGlite throws: named after the protocol message, with enumerable query and params. */
function pgliteInvalidText(): Error {
  return Object.assign(new Error(`invalid input syntax for type uuid: "${EMAIL}"`), {
    name: "error",
    severity: "ERROR",
    code: "22P02",
    routine: "string_to_uuid",
    query: "select * from users where id = $1",
    params: [EMAIL],
  });
}

describe("describeError", () => {
  it("describes a failed query by SQLSTATE, constraint and table, without the statement or its values", () => {
    const error = new DrizzleQueryError(`insert into "users" ("email", "name") values ($1, $2)`, [EMAIL, SEALED], postgresUniqueViolation());
    const line = describeError(error);
    expect(line).toBe("DrizzleQueryError ← DatabaseError [code=23505 constraint=users_email_key table=users routine=_bt_check_unique]");
    expect(line).not.toContain(EMAIL);
    expect(line).not.toContain(SEALED);
  });

  it("leaves out PostgreSQL's own first line too, which may quote a value", () => {
    const line = describeError(new DrizzleQueryError("select 1", [EMAIL], pgliteInvalidText()));
    expect(line).toBe("DrizzleQueryError ← DatabaseError [code=22P02 routine=string_to_uuid]");
  });

  it("keeps the code, status and message of the app's own errors and Intuit's", () => {
    expect(describeError(new AppError("sync_refused", 409, "The QuickBooks connection changed."))).toBe("AppError [code=sync_refused status=409]: The QuickBooks connection changed.");
    const intuit = new IntuitApiError({ kind: "throttled", status: 429, code: "3001", message: "ThrottleExceeded", detail: null, faultType: null, intuitTid: "tid-1" });
    expect(describeError(intuit)).toBe("IntuitApiError [code=3001 kind=throttled status=429 intuitTid=tid-1]: ThrottleExceeded");
  });

  it("follows causes (a failed fetch, a connect error), first lines only", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432\n    at somewhere"), { code: "ECONNREFUSED" });
    expect(describeError(new TypeError("fetch failed", { cause: refused }))).toBe("TypeError: fetch failed ← Error [code=ECONNREFUSED]: connect ECONNREFUSED 127.0.0.1:5432");
    expect(describeError(new AggregateError([refused], "all attempts failed"))).toBe("AggregateError: all attempts failed ← Error [code=ECONNREFUSED]: connect ECONNREFUSED 127.0.0.1:5432");
  });

  it("says only how many fields a validation error found, and nothing of a thrown non-error", () => {
    const parsed = z.object({ email: z.email() }).safeParse({ email: "not an email" });
    expect(describeError(parsed.error)).toBe("ZodError: 1 invalid field(s)");
    expect(describeError(`token ${SEALED}`)).toBe("thrown string");
    expect(describeError(undefined)).toBe("thrown undefined");
  });

  it("stops on a cause that points back", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(describeError(a)).toBe("Error: a ← Error: b");
  });
});

describe("installSafeErrorLogging", () => {
  it("turns every Error handed to the console into its description; strings pass", () => {
    const lines: unknown[][] = [];
    const target = { error: (...args: unknown[]) => lines.push(args), warn: () => {}, log: () => {}, info: () => {} } as unknown as Console;
    installSafeErrorLogging({ frames: false, target });
    installSafeErrorLogging({ frames: false, target });
    target.error("⨯", new DrizzleQueryError("insert …", [EMAIL], postgresUniqueViolation()), { digest: "1" });
    expect(lines).toEqual([["⨯", "DrizzleQueryError ← DatabaseError [code=23505 constraint=users_email_key table=users routine=_bt_check_unique]", { digest: "1" }]]);
  });
});
