import { BlockList, isIP } from "node:net";

// Where a tenant's notification endpoint may point (issue 18). In production a delivery never reaches the
// deployment's own network: loopback, private, link-local, shared (CGNAT), unspecified, multicast and reserved
// addresses are refused, whether the endpoint names them literally or through DNS. The URL is checked when it is
// saved and again when it is sent to (the name may resolve elsewhere by then); the address actually connected to is
// checked in post-webhook.ts with isForbiddenAddress. Pure: no DNS here.

/** The longest endpoint URL accepted. */
export const MAX_ENDPOINT_URL_LENGTH = 2000;

const IPV4_RANGES: [string, number][] = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // shared address space (carrier-grade NAT)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // network benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255 (broadcast)
];

const IPV6_RANGES: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use NAT64 (RFC 8215)
  ["fc00::", 7], // unique local (private)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated, still private)
  ["ff00::", 8], // multicast
];

const ipv4Rules = new BlockList();
for (const [network, prefix] of IPV4_RANGES) ipv4Rules.addSubnet(network, prefix, "ipv4");
const ipv6Rules = new BlockList();
for (const [network, prefix] of IPV6_RANGES) ipv6Rules.addSubnet(network, prefix, "ipv6");

/** An IPv6 address's eight 16-bit groups (the address is known to be valid, without a zone). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    // A trailing dotted quad (::ffff:127.0.0.1) is the last two groups.
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const front = parse(head);
  const back = rest === undefined ? [] : parse(rest);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

const ipv4From = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 address carries, for the forms that reach it: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::) and Teredo (its client address,
 * stored inverted). Null for any other address.
 */
function embeddedIpv4(groups: number[]): string | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroUpTo5 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroUpTo5 && (g5 === 0xffff || g5 === 0)) return ipv4From(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return ipv4From(g6, g7);
  if (g0 === 0x2002) return ipv4From(g1, g2);
  if (g0 === 0x2001 && g1 === 0) return ipv4From(g6 ^ 0xffff, g7 ^ 0xffff);
  return null;
}

/**
 * Whether a delivery must not go to this IP address: loopback, private, link-local, shared (CGNAT), unspecified,
 * multicast, broadcast or reserved, in IPv4 or IPv6, including an IPv6 form that carries such an IPv4 address.
 * Anything that is not an IP address is refused too: a caller that cannot say where it connects does not connect.
 */
export function isForbiddenAddress(ip: string): boolean {
  // A zone index (fe80::1%eth0) names an interface; the address is what comes before it.
  const address = ip.trim().replace(/^\[(.*)\]$/, "$1").split("%")[0] ?? "";
  const version = isIP(address);
  if (version === 4) return ipv4Rules.check(address, "ipv4");
  if (version !== 6) return true;
  if (ipv6Rules.check(address, "ipv6")) return true;
  const ipv4 = embeddedIpv4(ipv6Groups(address.toLowerCase()));
  return ipv4 !== null && ipv4Rules.check(ipv4, "ipv4");
}

export type EndpointUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Whether a URL can be a notification endpoint: a web address (https only in production; http too in development),
 * with no user name, password or fragment, at most 2,000 characters, and in production not a literal forbidden IP
 * address. A name is not resolved here; the address it resolves to is checked when a delivery connects.
 */
export function checkEndpointUrl(url: string, options: { production: boolean }): EndpointUrlCheck {
  if (url.length > MAX_ENDPOINT_URL_LENGTH) return { ok: false, reason: `The address is longer than ${MAX_ENDPOINT_URL_LENGTH.toLocaleString("en-US")} characters.` };
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { ok: false, reason: "This is not a valid web address." };
  }
  if (options.production && parsed.protocol !== "https:") return { ok: false, reason: "The address must start with https://." };
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return { ok: false, reason: "The address must start with https:// or http://." };
  if (parsed.username !== "" || parsed.password !== "") return { ok: false, reason: "The address must not contain a user name or password." };
  if (parsed.href.includes("#")) return { ok: false, reason: "The address must not contain a fragment (#)." };
  // The URL parser has already turned 2130706433, 0x7f.1 and 017700000001 into 127.0.0.1, and IPv6 into its
  // shortest form in brackets.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (options.production && isIP(host) !== 0 && isForbiddenAddress(host)) {
    return { ok: false, reason: `The address points to ${host}, a private or local network address, which is not allowed.` };
  }
  return { ok: true, url: parsed };
}
