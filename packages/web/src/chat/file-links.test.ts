import type { FileUrlReply } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { FileLinkCache, LINK_MARGIN_MS } from "./file-links";

function setup() {
  let now = 1_000_000;
  const asked: string[] = [];
  let fail = false;
  const cache = new FileLinkCache(
    async (id): Promise<FileUrlReply> => {
      asked.push(id);
      if (fail) throw new Error("offline");
      return { url: `/f/${id}?n=${asked.length}`, exp: now + 300_000 };
    },
    () => now,
  );
  return {
    cache,
    asked,
    advance: (ms: number) => {
      now += ms;
    },
    failing: (on: boolean) => {
      fail = on;
    },
  };
}

describe("FileLinkCache", () => {
  it("reads a file's link once and serves it from the cache while it is fresh", async () => {
    const { cache, asked, advance } = setup();
    const first = await cache.get("a");
    advance(300_000 - LINK_MARGIN_MS - 1);
    expect(await cache.get("a")).toBe(first);
    expect(asked).toEqual(["a"]);
  });

  it("shares one request between concurrent asks for the same file", async () => {
    const { cache, asked } = setup();
    const [x, y] = await Promise.all([cache.get("a"), cache.get("a")]);
    expect(x).toBe(y);
    expect(asked).toEqual(["a"]);
  });

  it("asks again once the link is within the margin of its expiry", async () => {
    const { cache, asked, advance } = setup();
    const first = await cache.get("a");
    advance(300_000 - LINK_MARGIN_MS);
    const second = await cache.get("a");
    expect(second).not.toBe(first);
    expect(asked).toEqual(["a", "a"]);
  });

  it("keeps each file's links apart", async () => {
    const { cache, asked } = setup();
    expect((await cache.get("a")).url).toContain("/f/a");
    expect((await cache.get("b")).url).toContain("/f/b");
    expect(asked).toEqual(["a", "b"]);
  });

  it("does not keep a failed request, so the next ask tries again", async () => {
    const { cache, asked, failing } = setup();
    failing(true);
    await expect(cache.get("a")).rejects.toThrow("offline");
    failing(false);
    expect((await cache.get("a")).url).toContain("/f/a");
    expect(asked).toEqual(["a", "a"]);
  });

  it("forgets everything on clear", async () => {
    const { cache, asked } = setup();
    await cache.get("a");
    cache.clear();
    await cache.get("a");
    expect(asked).toEqual(["a", "a"]);
  });
});
