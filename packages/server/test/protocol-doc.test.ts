import { readFileSync } from "node:fs";
import { encodeFrame, LIMITS } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_RATE_RULES } from "../src/rate-limit/rate-limiter";
import { MemoryNode } from "./memory-node";

const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");

/** The welcome example of docs/protocol.md, its frame and the sizes the text states for it. */
function documentedWelcome() {
  const at = doc.indexOf("Welcome of an account");
  const intro = doc.slice(at, doc.indexOf("```json", at));
  const start = doc.indexOf("```json", at) + "```json".length;
  const frame = JSON.parse(doc.slice(start, doc.indexOf("```", start)));
  const sizes = intro.match(/([\d ]+) bytes in JSON\s+and ([\d ]+) bytes in MessagePack/);
  if (!sizes) throw new Error("the welcome example states no sizes");
  const bytes = (s: string) => Number(s.replace(/ /g, ""));
  return { frame, json: bytes(sizes[1]!), msgpack: bytes(sizes[2]!) };
}

describe("the welcome example of docs/protocol.md", () => {
  let node: MemoryNode;
  afterEach(() => node?.stop());

  it("carries the limits and rate buckets of this version, with their defaults", () => {
    const { frame } = documentedWelcome();
    expect(frame.d.lim).toEqual(LIMITS);
    expect(frame.d.rate).toEqual(DEFAULT_RATE_RULES);
  });

  it("lists the commands an account's welcome lists, and the keys a welcome has", async () => {
    node = await MemoryNode.start();
    const bob = await node.connect({ token: await node.register("bob") });
    const { frame } = documentedWelcome();
    expect(frame.d.cmd).toEqual(bob.welcome!.cmd);
    expect(Object.keys(frame.d).sort()).toEqual(Object.keys(bob.welcome!).sort());
  });

  it("names every limit of the welcome's lim in the limits table", () => {
    const table = doc.slice(doc.indexOf("## 12. Limits"), doc.indexOf("Server limits, set by"));
    const named = new Set([...table.matchAll(/`(\w+)`/g)].map((m) => m[1]));
    expect(Object.keys(LIMITS).filter((name) => !named.has(name))).toEqual([]);
  });

  it("states the example's real sizes in both encodings", () => {
    const { frame, json, msgpack } = documentedWelcome();
    expect([json, msgpack]).toEqual([
      encodeFrame("json", frame).length,
      encodeFrame("msgpack", frame).length,
    ]);
  });
});
