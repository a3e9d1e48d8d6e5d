import { describe, expect, it } from "vitest";
import { appWasDown, followUpTrigger, HEARTBEAT_GAP_MS, isDueForCatchUp, refusalEvidence, type CatchUpFacts } from "./catch-up-rules";

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const now = new Date("2026-12-08T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

const idle: CatchUpFacts = {
  status: "active",
  hasAccessToken: true,
  currentEnvironment: true,
  catchUpRequestedAt: null,
  catchUpAttemptedAt: ago(2 * HOUR),
  lastCatchUpAt: ago(2 * HOUR),
  connectedAt: ago(30 * DAY),
  factor: 1,
  readsBlocked: false,
};

describe("when the CDC catch-up runs", () => {
  it("not for an idle connection with webhooks flowing: only once a day has passed since its last catch-up (the floor)", () => {
    expect(isDueForCatchUp(idle, now)).toBe(false);
    expect(isDueForCatchUp({ ...idle, lastCatchUpAt: ago(DAY - MINUTE), catchUpAttemptedAt: ago(DAY - MINUTE) }, now)).toBe(false);
    expect(isDueForCatchUp({ ...idle, lastCatchUpAt: ago(DAY), catchUpAttemptedAt: ago(DAY) }, now)).toBe(true);
    // Never caught up: a day after it connected (webhooks flow from then).
    expect(isDueForCatchUp({ ...idle, lastCatchUpAt: null, catchUpAttemptedAt: null, connectedAt: ago(HOUR) }, now)).toBe(false);
    expect(isDueForCatchUp({ ...idle, lastCatchUpAt: null, catchUpAttemptedAt: null, connectedAt: ago(DAY) }, now)).toBe(true);
  });

  it("as soon as there is evidence, but never twice within the hour", () => {
    expect(isDueForCatchUp({ ...idle, catchUpRequestedAt: ago(MINUTE) }, now)).toBe(true);
    expect(isDueForCatchUp({ ...idle, catchUpRequestedAt: ago(MINUTE), catchUpAttemptedAt: ago(59 * MINUTE) }, now)).toBe(false);
  });

  it("stretched by the governor's factor, and not at all while Intuit blocks the app's reads", () => {
    const dayOld = { ...idle, lastCatchUpAt: ago(2 * DAY), catchUpAttemptedAt: ago(2 * DAY) };
    expect(isDueForCatchUp({ ...dayOld, factor: 3 }, now)).toBe(false);
    expect(isDueForCatchUp({ ...dayOld, factor: 2 }, now)).toBe(true);
    expect(isDueForCatchUp({ ...idle, catchUpRequestedAt: ago(MINUTE), catchUpAttemptedAt: ago(2 * HOUR), factor: 3 }, now)).toBe(false);
    expect(isDueForCatchUp({ ...dayOld, readsBlocked: true }, now)).toBe(false);
  });

  it("only for active connections with tokens, of the tenant's current environment", () => {
    const due = { ...idle, catchUpRequestedAt: ago(MINUTE) };
    expect(isDueForCatchUp({ ...due, status: "reauthorization_required" }, now)).toBe(false);
    expect(isDueForCatchUp({ ...due, hasAccessToken: false }, now)).toBe(false);
    expect(isDueForCatchUp({ ...due, currentEnvironment: false }, now)).toBe(false);
  });
});

describe("evidence that webhooks were missed", () => {
  it("the app was down: a heartbeat older than 15 minutes, not a restart of a few", () => {
    expect(appWasDown(null, now)).toBe(false);
    expect(appWasDown(ago(HEARTBEAT_GAP_MS), now)).toBe(false);
    expect(appWasDown(ago(HEARTBEAT_GAP_MS + 1), now)).toBe(true);
    expect(appWasDown(ago(6 * HOUR), now)).toBe(true);
  });

  it("refused deliveries: Intuit's own (signed) always; unsigned ones only when nothing was accepted meanwhile", () => {
    expect(refusalEvidence([], false)).toBeNull();
    expect(refusalEvidence([{ status: "malformed", signature: "valid" }], true)).toBe("signed");
    expect(refusalEvidence([{ status: "unsupported_media_type", signature: "valid" }, { status: "rejected_signature", signature: "invalid" }], true)).toBe("signed");
    expect(refusalEvidence([{ status: "rejected_signature", signature: "invalid" }], true)).toBeNull();
    expect(refusalEvidence([{ status: "rejected_signature", signature: "missing" }], false)).toBe("unsigned");
    expect(refusalEvidence([{ status: "not_configured", signature: "not_checked" }], false)).toBe("unsigned");
  });

  it("a catch-up that found changes no webhook announced asks for another, unless other evidence explains them", () => {
    expect(followUpTrigger("floor", { unannounced: 2, capped: [] })).toBe("webhooks_quiet");
    expect(followUpTrigger("webhooks_quiet", { unannounced: 1, capped: [] })).toBe("webhooks_quiet");
    expect(followUpTrigger("webhooks_quiet", { unannounced: 0, capped: [] })).toBeNull();
    expect(followUpTrigger("floor", { unannounced: 0, capped: [] })).toBeNull();
    // The app was down, deliveries were refused: of course no webhook came for those.
    for (const trigger of ["app_down", "webhook_refused", "webhook_failed", "webhook_redelivered"] as const) {
      expect(followUpTrigger(trigger, { unannounced: 5, capped: [] })).toBeNull();
    }
    // Cut short by Intuit's cap: go on.
    expect(followUpTrigger("app_down", { unannounced: 1000, capped: ["Invoice"] })).toBe("capped");
  });
});
