import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";

/**
 * What an IP address is, for a server that connects to URLs its users give it (Web Push
 * endpoints; later link previews): only `public` is fit to connect to. An IPv4-mapped IPv6
 * address (`::ffff:10.0.0.1`) is classed as the IPv4 address it maps.
 */
export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "multicast"
  | "unspecified"
  | "cgnat"
  | "reserved";

/** The ranges that are not `public`, most specific first. */
const RANGES: [AddressClass, string, number, "ipv4" | "ipv6"][] = [
  ["unspecified", "0.0.0.0", 8, "ipv4"],
  ["unspecified", "::", 128, "ipv6"],
  ["loopback", "127.0.0.0", 8, "ipv4"],
  ["loopback", "::1", 128, "ipv6"],
  ["private", "10.0.0.0", 8, "ipv4"],
  ["private", "172.16.0.0", 12, "ipv4"],
  ["private", "192.168.0.0", 16, "ipv4"],
  ["private", "fc00::", 7, "ipv6"],
  ["link-local", "169.254.0.0", 16, "ipv4"],
  ["link-local", "fe80::", 10, "ipv6"],
  ["multicast", "224.0.0.0", 4, "ipv4"],
  ["multicast", "ff00::", 8, "ipv6"],
  ["cgnat", "100.64.0.0", 10, "ipv4"],
  // IETF protocol assignments, documentation, benchmarking, reserved and broadcast: nothing a
  // push service or a web page lives on.
  ["reserved", "192.0.0.0", 24, "ipv4"],
  ["reserved", "192.0.2.0", 24, "ipv4"],
  ["reserved", "198.18.0.0", 15, "ipv4"],
  ["reserved", "198.51.100.0", 24, "ipv4"],
  ["reserved", "203.0.113.0", 24, "ipv4"],
  ["reserved", "240.0.0.0", 4, "ipv4"],
  ["reserved", "2001:db8::", 32, "ipv6"],
  // IPv4-compatible (deprecated) and NAT64 forms could reach any IPv4 address, private ones too.
  ["reserved", "::", 96, "ipv6"],
  ["reserved", "64:ff9b::", 96, "ipv6"],
];

const LISTS = new Map<AddressClass, BlockList>();
for (const [cls, network, prefix, family] of RANGES) {
  let list = LISTS.get(cls);
  if (!list) {
    list = new BlockList();
    LISTS.set(cls, list);
  }
  list.addSubnet(network, prefix, family);
}

/** The class of an IP address (`[…]` brackets and a `%zone` allowed); throws for a non-address. */
export function classifyAddress(ip: string): AddressClass {
  const address = ip.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const family = isIP(address);
  if (family === 0) throw new TypeError(`not an IP address: ${ip}`);
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [cls, list] of LISTS) if (list.check(address, type)) return cls;
  return "public";
}

/** How far the policy is relaxed. */
export interface AddressPolicyOptions {
  /**
   * Tests and development only: also allow loopback addresses, over `http:` too (a local
   * stand-in for a push service on `http://127.0.0.1:PORT/`).
   */
  allowInsecureLocal?: boolean;
}

/** Why an outgoing URL is refused, or null when it may be connected to (its address still to check). */
export function urlRefusal(url: string, options: AddressPolicyOptions = {}): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not a URL";
  }
  if (parsed.username || parsed.password) return "credentials in the URL";
  const host = parsed.hostname;
  const literal = isIP(host.replace(/^\[(.*)\]$/, "$1")) !== 0;
  if (options.allowInsecureLocal && literal && classifyAddress(host) === "loopback") {
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? null : "not http(s)";
  }
  if (parsed.protocol !== "https:") return "not https";
  if (literal) return "an IP address, not a host name";
  if (!host.includes(".")) return "not a public host name";
  return null;
}

/** Whether an address may be connected to under the policy. */
export function addressAllowed(ip: string, options: AddressPolicyOptions = {}): boolean {
  const cls = classifyAddress(ip);
  return cls === "public" || (options.allowInsecureLocal === true && cls === "loopback");
}

/** Thrown (as the connection's error) when a host name resolves to a refused address. */
export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
  readonly code = "ERR_REFUSED_ADDRESS";
}

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true`). */
export type Resolver = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.Agent`/`net.connect` that resolves a host name and refuses the connection
 * when any of its addresses is refused by {@link addressAllowed}: checked at connect time, on
 * the addresses actually connected to, so a name that changes its answer between a check and
 * the connection (DNS rebinding) gains nothing. `resolve` is the resolver (tests pass their own).
 */
export function guardedLookup(
  options: AddressPolicyOptions = {},
  resolve: Resolver = (hostname, opts, cb) => dnsLookup(hostname, { ...opts, all: true }, cb),
) {
  return (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, lookupOptions, (err, list) => {
      if (err) {
        callback(err, []);
        return;
      }
      const refused = list.find((a) => !addressAllowed(a.address, options));
      if (list.length === 0 || refused) {
        const what = refused
          ? `${refused.address} (${classifyAddress(refused.address)})`
          : "nothing";
        callback(new RefusedAddressError(`${hostname} resolves to ${what}`), []);
        return;
      }
      if (lookupOptions.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
