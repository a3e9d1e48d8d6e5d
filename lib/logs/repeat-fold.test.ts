import { describe, expect, it } from "vitest";
import { addressBucket, FOLD_WINDOW_MS, foldKey, foldWindowStart } from "./repeat-fold";

describe("addressBucket", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket(" 203.0.113.7 ")).toBe("203.0.113.7");
  });

  it("folds an IPv6 address to its /64, however it is written", () => {
    const expected = "2001:db8:1:2::/64";
    expect(addressBucket("2001:db8:1:2::1")).toBe(expected);
    expect(addressBucket("2001:0DB8:0001:0002:ffff:ffff:ffff:fffe")).toBe(expected);
    expect(addressBucket("[2001:db8:1:2:a:b:c:d]")).toBe(expected);
    expect(addressBucket("2001:db8:1:2::5%eth0")).toBe(expected);
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("2001:db8:1:3::1")).not.toBe(expected);
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 client it is", () => {
    expect(addressBucket("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket("::ffff:cb00:7107")).toBe("203.0.113.7");
    expect(addressBucket("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("puts every missing or malformed value in one bucket each, so a forged header cannot mint new sources", () => {
    expect(addressBucket(null)).toBe("unknown");
    expect(addressBucket("")).toBe("unknown");
    expect(addressBucket("not an address")).toBe("not-an-address");
    expect(addressBucket("x".repeat(64))).toBe("not-an-address");
    expect(addressBucket("999.1.1.1")).toBe("not-an-address");
  });
});

describe("foldKey", () => {
  const at = new Date("2026-06-01T12:03:00.000Z");

  it("is the same for the same log, source, parts and window", () => {
    const later = new Date(at.getTime() + 5 * 60 * 1000);
    expect(foldKey("callback", "203.0.113.7", ["state_unknown", null], at)).toBe(foldKey("callback", "203.0.113.7", ["state_unknown", undefined], later));
    expect(foldKey("callback", "2001:db8::1", ["x"], at)).toBe(foldKey("callback", "2001:db8::2", ["x"], at));
  });

  it("differs by log, source, any part, and window", () => {
    const base = foldKey("callback", "203.0.113.7", ["state_unknown"], at);
    expect(foldKey("webhook", "203.0.113.7", ["state_unknown"], at)).not.toBe(base);
    expect(foldKey("callback", "203.0.113.8", ["state_unknown"], at)).not.toBe(base);
    expect(foldKey("callback", "203.0.113.7", ["missing_state"], at)).not.toBe(base);
    expect(foldKey("callback", "203.0.113.7", ["state_unknown", "tenant"], at)).not.toBe(base);
    expect(foldKey("callback", "203.0.113.7", ["state_unknown"], new Date(at.getTime() + FOLD_WINDOW_MS))).not.toBe(base);
  });

  it("cannot be confused by a separator inside a part", () => {
    expect(foldKey("a", null, ["b,c"], at)).not.toBe(foldKey("a", null, ["b", "c"], at));
  });
});

describe("foldWindowStart", () => {
  it("aligns windows to the UTC clock", () => {
    expect(foldWindowStart(new Date("2026-06-01T12:09:59.999Z")).toISOString()).toBe("2026-06-01T12:00:00.000Z");
    expect(foldWindowStart(new Date("2026-06-01T12:10:00.000Z")).toISOString()).toBe("2026-06-01T12:10:00.000Z");
  });
});
