// Issue 19, point 1: the liveness and readiness probes, without a session, saying which check failed and nothing more.
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as ready } from "@/app/api/ready/route";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { resetEnvForTests } from "@/lib/env";
import { useTestDatabase } from "../database";

useTestDatabase();

const setJobs = (value: "on" | "off") => {
  process.env.QBC_BACKGROUND_JOBS = value;
  resetEnvForTests();
};
afterAll(() => {
  delete process.env.QBC_BACKGROUND_JOBS;
  resetEnvForTests();
});

describe("the probes", () => {
  it("liveness answers 200 whatever the rest is doing, uncached", async () => {
    const response = health();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("readiness is 200 with the database answering and this build's migrations applied", async () => {
    setJobs("off");
    const response = await ready();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
  });

  it("readiness names the check that fails: a job runner that has not started", async () => {
    setJobs("on");
    const response = await ready();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "not_ready", failed: "jobs", error: { code: "not_ready", message: "This instance is not ready: its background job runner has not started." } });
    setJobs("off");
  });

  it("readiness says the migrations are behind when the database lacks this build's newest", async () => {
    const [newest] = rowsOf<{ id: number; hash: string; created_at: string }>(await db().execute(sql`select id, hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`));
    await db().execute(sql`delete from drizzle.__drizzle_migrations where id = ${newest!.id}`);
    try {
      const response = await ready();
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "not_ready", failed: "migrations", error: { code: "not_ready" } });
    } finally {
      await db().execute(sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${newest!.id}, ${newest!.hash}, ${newest!.created_at})`);
    }
    expect((await ready()).status).toBe(200);
  });
});
