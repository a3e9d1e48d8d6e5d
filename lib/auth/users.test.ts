import { describe, expect, it } from "vitest";
import type { Executor } from "@/db";
import { findMembership } from "./users";

/** An executor that records whether a query was built, and answers no rows. */
function recordingExecutor() {
  const calls: string[] = [];
  const chain = {
    from: () => chain,
    innerJoin: () => chain,
    where: () => Promise.resolve([]),
  };
  const executor = { select: () => (calls.push("select"), chain) } as unknown as Executor;
  return { executor, calls };
}

const USER = "4d0f2a44-7f6b-4b8e-9a39-2f0d3a9c1e21";
const TENANT = "b3c1e7a2-0c4d-4e5f-8a6b-7c8d9e0f1a2b";

describe("findMembership", () => {
  it.each([
    ["not-a-uuid' or '1'='1", TENANT],
    [USER, "'; drop table tenants; --"],
    ["", TENANT],
    [USER, `${TENANT}x`],
    [`{${USER}}`, TENANT],
  ])("finds nothing for ids that are not uuids (%j, %j), without querying", async (userId, tenantId) => {
    const { executor, calls } = recordingExecutor();
    expect(await findMembership(executor, userId, tenantId)).toBeNull();
    expect(calls).toEqual([]);
  });

  it("queries for well-formed ids, in either case", async () => {
    const { executor, calls } = recordingExecutor();
    expect(await findMembership(executor, USER.toUpperCase(), TENANT)).toBeNull();
    expect(calls).toEqual(["select"]);
  });
});
