import { describe, expect, it } from "vitest";
import { checkEndpointUrl, isForbiddenAddress } from "./address-rules";

describe("isForbiddenAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local (cloud metadata)"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "this network"],
    ["100.64.0.1", "shared (CGNAT)"],
    ["100.127.255.255", "shared (CGNAT)"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["::1", "IPv6 loopback"],
    ["0:0:0:0:0:0:0:1", "IPv6 loopback, long form"],
    ["::", "IPv6 unspecified"],
    ["fc00::1", "unique local"],
    ["fd12:3456:789a::1", "unique local"],
    ["fe80::1", "IPv6 link-local"],
    ["fe80::1%eth0", "IPv6 link-local with a zone"],
    ["febf::1", "IPv6 link-local, top of the range"],
    ["ff02::1", "IPv6 multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback, dotted"],
    ["::ffff:7f00:1", "IPv4-mapped loopback, hex"],
    ["::FFFF:A9FE:A9FE", "IPv4-mapped link-local, upper case"],
    ["::ffff:10.0.0.1", "IPv4-mapped private"],
    ["::127.0.0.1", "IPv4-compatible loopback"],
    ["64:ff9b::7f00:1", "NAT64 of loopback"],
    ["64:ff9b::192.168.0.1", "NAT64 of a private address"],
    ["64:ff9b:1::1", "local-use NAT64"],
    ["2002:7f00:1::", "6to4 of loopback"],
    ["2002:a9fe:a9fe::1", "6to4 of link-local"],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo of loopback"],
    ["[::1]", "bracketed"],
  ])("refuses %s (%s)", (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    ["8.8.8.8"],
    ["1.1.1.1"],
    ["93.184.216.34"],
    ["172.32.0.1"],
    ["172.15.255.255"],
    ["100.128.0.1"],
    ["192.0.2.10"], // documentation: allowed
    ["2606:4700:4700::1111"],
    ["2001:4860:4860::8888"],
    ["2001:db8::1"], // documentation: allowed
    ["::ffff:8.8.8.8"],
    ["64:ff9b::808:808"],
    ["2002:808:808::1"],
  ])("allows the public address %s", (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });

  it("refuses what is not an IP address", () => {
    expect(isForbiddenAddress("example.com")).toBe(true);
    expect(isForbiddenAddress("")).toBe(true);
    expect(isForbiddenAddress("999.1.1.1")).toBe(true);
  });
});

describe("checkEndpointUrl", () => {
  const production = { production: true };
  const development = { production: false };
  const reason = (url: string, options = production) => {
    const result = checkEndpointUrl(url, options);
    return result.ok ? null : result.reason;
  };

  it("accepts an https address with a name, a port, a path and a query", () => {
    const result = checkEndpointUrl("https://hooks.example.com:8443/quickbooks/events?tenant=a", production);
    expect(result.ok && result.url.href).toBe("https://hooks.example.com:8443/quickbooks/events?tenant=a");
  });

  it("accepts a name even if it might resolve somewhere local: that is checked when a delivery connects", () => {
    expect(checkEndpointUrl("https://internal.example.com/", production).ok).toBe(true);
    expect(checkEndpointUrl("https://localhost/", production).ok).toBe(true);
  });

  it("accepts public IP literals", () => {
    expect(checkEndpointUrl("https://93.184.216.34/hook", production).ok).toBe(true);
    expect(checkEndpointUrl("https://[2606:4700:4700::1111]/hook", production).ok).toBe(true);
  });

  it("requires https in production and allows http outside it", () => {
    expect(reason("http://hooks.example.com/")).toBe("The address must start with https://.");
    expect(reason("http://hooks.example.com/", development)).toBeNull();
    expect(reason("ftp://hooks.example.com/", development)).toBe("The address must start with https:// or http://.");
    expect(reason("javascript:alert(1)", development)).toBe("The address must start with https:// or http://.");
  });

  it("refuses credentials, fragments, garbage and overlong addresses", () => {
    expect(reason("https://user:pass@hooks.example.com/")).toBe("The address must not contain a user name or password.");
    expect(reason("https://user@hooks.example.com/")).toBe("The address must not contain a user name or password.");
    expect(reason("https://hooks.example.com/#part")).toBe("The address must not contain a fragment (#).");
    expect(reason("https://hooks.example.com/#")).toBe("The address must not contain a fragment (#).");
    expect(reason("not a url")).toBe("This is not a valid web address.");
    expect(reason("")).toBe("This is not a valid web address.");
    expect(reason(`https://hooks.example.com/${"a".repeat(2000)}`)).toBe("The address is longer than 2,000 characters.");
  });

  it.each([
    ["https://127.0.0.1/", "127.0.0.1"],
    ["https://10.0.0.5:8443/hook", "10.0.0.5"],
    ["https://169.254.169.254/latest/meta-data/", "169.254.169.254"],
    ["https://0.0.0.0/", "0.0.0.0"],
    ["https://2130706433/", "127.0.0.1"], // decimal
    ["https://0x7f.1/", "127.0.0.1"], // hex and short
    ["https://017700000001/", "127.0.0.1"], // octal
    ["https://127.1/", "127.0.0.1"], // short
    ["https://[::1]/", "::1"],
    ["https://[::ffff:127.0.0.1]/", "::ffff:7f00:1"],
    ["https://[::ffff:7f00:1]/", "::ffff:7f00:1"],
    ["https://[fd00::1]/", "fd00::1"],
  ])("refuses %s in production, a literal forbidden address", (url, host) => {
    expect(reason(url)).toBe(`The address points to ${host}, a private or local network address, which is not allowed.`);
  });

  it("refuses an IPv6 address with a zone, which is not a web address", () => {
    expect(reason("https://[fe80::1%25eth0]/")).toBe("This is not a valid web address.");
    expect(reason("http://[fe80::1%25eth0]/", development)).toBe("This is not a valid web address.");
  });

  it("allows local addresses outside production, for development and tests", () => {
    expect(reason("http://127.0.0.1:3001/hook", development)).toBeNull();
    expect(reason("http://[::1]:3001/hook", development)).toBeNull();
    expect(reason("http://localhost:3001/hook", development)).toBeNull();
  });
});
