import { describe, expect, it } from "vitest";
import { addressKey } from "./address-key";

describe("addressKey", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("groups IPv6 addresses by their /64, whatever their spelling", () => {
    const key = addressKey("2001:db8:aa:bb:1:2:3:4");
    expect(key).toBe("2001:db8:aa:bb::/64");
    expect(addressKey("2001:0DB8:00aa:00bb:ffff::1")).toBe(key);
    expect(addressKey("2001:db8:aa:bb::")).toBe(key);
    expect(addressKey("2001:db8:aa:bc::1")).not.toBe(key);
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("reads an IPv4-mapped IPv6 address as its IPv4 address", () => {
    expect(addressKey("::ffff:198.51.100.9")).toBe("198.51.100.9");
    expect(addressKey("::ffff:c633:6409")).toBe("198.51.100.9");
  });
});
