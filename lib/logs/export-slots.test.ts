import { describe, expect, it } from "vitest";
import { ExportSlots } from "./export-slots";

const limits = { perProcess: 3, perTenant: 2 };

describe("ExportSlots", () => {
  it("refuses a tenant's export above its limit while other tenants still get one", () => {
    const slots = new ExportSlots();
    expect(slots.take("acme", limits).ok).toBe(true);
    expect(slots.take("acme", limits).ok).toBe(true);
    expect(slots.take("acme", limits)).toEqual({ ok: false, limit: "tenant" });
    expect(slots.take("globex", limits).ok).toBe(true);
    expect(slots.inUse()).toBe(3);
    expect(slots.inUse("acme")).toBe(2);
  });

  it("refuses any export above the process's limit, whatever the tenant", () => {
    const slots = new ExportSlots();
    for (const tenant of ["a", "b", "c"]) expect(slots.take(tenant, limits).ok).toBe(true);
    expect(slots.take("d", limits)).toEqual({ ok: false, limit: "process" });
  });

  it("gives a slot back once, however many times it is released", () => {
    const slots = new ExportSlots();
    const first = slots.take("acme", limits);
    const second = slots.take("acme", limits);
    if (!first.ok || !second.ok) throw new Error("expected two slots");
    first.release();
    first.release();
    expect(slots.inUse("acme")).toBe(1);
    expect(slots.inUse()).toBe(1);
    expect(slots.take("acme", limits).ok).toBe(true);
    expect(slots.take("acme", limits).ok).toBe(false);
    second.release();
    expect(slots.inUse("acme")).toBe(1);
  });
});
