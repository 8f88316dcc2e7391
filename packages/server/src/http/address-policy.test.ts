import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import {
  addressAllowed,
  classifyAddress,
  guardedLookup,
  RefusedAddressError,
  type Resolver,
  urlRefusal,
} from "./address-policy";

describe("address policy", () => {
  describe("classifyAddress", () => {
    it.each([
      ["127.0.0.1", "loopback"],
      ["127.255.0.9", "loopback"],
      ["::1", "loopback"],
      ["10.1.2.3", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.1.1", "private"],
      ["fc00::1", "private"],
      ["fd12:3456::1", "private"],
      ["169.254.169.254", "link-local"],
      ["fe80::1", "link-local"],
      ["[fe80::1%eth0]", "link-local"],
      ["224.0.0.1", "multicast"],
      ["239.255.255.250", "multicast"],
      ["ff02::1", "multicast"],
      ["0.0.0.0", "unspecified"],
      ["::", "unspecified"],
      ["100.64.0.1", "cgnat"],
      ["100.127.255.254", "cgnat"],
      ["255.255.255.255", "reserved"],
      ["64:ff9b::a00:1", "reserved"],
    ])("classes %s as %s", (ip, cls) => {
      expect(classifyAddress(ip)).toBe(cls);
    });

    it.each([
      ["::ffff:127.0.0.1", "loopback"],
      ["::ffff:7f00:1", "loopback"],
      ["::ffff:10.0.0.1", "private"],
      ["::ffff:169.254.169.254", "link-local"],
      ["::ffff:100.64.0.1", "cgnat"],
      ["::ffff:8.8.8.8", "public"],
    ])("classes the IPv4-mapped %s as the address it maps (%s)", (ip, cls) => {
      expect(classifyAddress(ip)).toBe(cls);
    });

    it.each([
      "8.8.8.8",
      "172.15.255.255",
      "172.32.0.0",
      "100.63.255.255",
      "100.128.0.0",
      "2001:4860:4860::8888",
      "2a00:1450::1",
    ])("classes %s as public", (ip) => {
      expect(classifyAddress(ip)).toBe("public");
      expect(addressAllowed(ip)).toBe(true);
    });

    it("throws for a host name", () => {
      expect(() => classifyAddress("example.com")).toThrow(TypeError);
    });
  });

  describe("urlRefusal", () => {
    it("allows an https URL with a public host name", () => {
      expect(urlRefusal("https://fcm.googleapis.com/fcm/send/abc")).toBeNull();
    });

    it.each([
      ["http://push.example.com/x", "not https"],
      ["https://127.0.0.1/x", "an IP address, not a host name"],
      ["https://[::1]/x", "an IP address, not a host name"],
      ["https://2130706433/x", "an IP address, not a host name"],
      ["https://0x7f.1/x", "an IP address, not a host name"],
      ["https://93.184.216.34/x", "an IP address, not a host name"],
      ["https://localhost/x", "not a public host name"],
      ["https://user:pw@push.example.com/x", "credentials in the URL"],
      ["ftp://push.example.com/x", "not https"],
      ["nonsense", "not a URL"],
    ])("refuses %s (%s)", (url, why) => {
      expect(urlRefusal(url)).toBe(why);
    });

    it("allows http on a loopback address only with the insecure local flag", () => {
      const local = "http://127.0.0.1:4321/push/1";
      expect(urlRefusal(local)).toBe("not https");
      expect(urlRefusal(local, { allowInsecureLocal: true })).toBeNull();
      expect(urlRefusal("http://10.0.0.1/x", { allowInsecureLocal: true })).toBe("not https");
      expect(urlRefusal("https://10.0.0.1/x", { allowInsecureLocal: true })).toBe(
        "an IP address, not a host name",
      );
    });
  });

  describe("guardedLookup", () => {
    /** A resolver that answers every name with `addresses`. */
    const answering =
      (...addresses: string[]): Resolver =>
      (_host, _options, callback) =>
        callback(
          null,
          addresses.map(
            (address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }),
          ),
        );
    const run = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
      new Promise<{ err: Error | null; address: unknown }>((done) =>
        lookup("push.example.com", { all }, (err, address) => done({ err, address })),
      );

    it("passes a name that resolves only to public addresses", async () => {
      const lookup = guardedLookup({}, answering("93.184.216.34", "2606:2800:220:1::1"));
      expect(await run(lookup, false)).toEqual({ err: null, address: "93.184.216.34" });
      expect((await run(lookup, true)).address).toHaveLength(2);
    });

    it("refuses a name when any of its addresses is not public", async () => {
      const { err } = await run(guardedLookup({}, answering("93.184.216.34", "10.0.0.5")), true);
      expect(err).toBeInstanceOf(RefusedAddressError);
      expect(err?.message).toContain("10.0.0.5 (private)");
    });

    it("refuses a name that resolves to a mapped loopback address", async () => {
      const { err } = await run(guardedLookup({}, answering("::ffff:127.0.0.1")), false);
      expect(err).toBeInstanceOf(RefusedAddressError);
    });

    it("refuses a real DNS name that resolves to 127.0.0.1 without the test flag", async () => {
      const lookup = guardedLookup();
      const refused = await new Promise<Error | null>((done) =>
        lookup("localhost", { family: 4 }, (err) => done(err)),
      );
      expect(refused).toBeInstanceOf(RefusedAddressError);
      expect(refused?.message).toMatch(/^localhost resolves to 127\.0\.0\.1 \(loopback\)/);
      const allowed = await new Promise<unknown>((done) =>
        guardedLookup({ allowInsecureLocal: true })("localhost", { family: 4 }, (err, address) =>
          done(err ?? address),
        ),
      );
      expect(allowed).toBe("127.0.0.1");
    });

    it("passes a resolver's error on", async () => {
      const failing: Resolver = (_h, _o, callback) =>
        callback(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }), []);
      const { err } = await run(guardedLookup({}, failing), false);
      expect(err?.message).toBe("ENOTFOUND");
    });
  });
});
