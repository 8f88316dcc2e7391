import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame } from "./codec";
import { encodingOf, SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, versionOf } from "./version";

describe("codec", () => {
  const frame = {
    o: 100,
    d: {
      c: 1,
      e: [{ s: 1, t: 1, ts: 1767225600000, a: 1, an: "alice", i: 9, x: "hé 👋", n: "n1" }],
    },
  };

  it.each(["json", "msgpack"] as const)("round-trips a frame in %s", (encoding) => {
    const encoded = encodeFrame(encoding, frame);
    expect(typeof encoded === "string").toBe(encoding === "json");
    expect(decodeFrame(encoding, encoded)).toEqual(frame);
  });

  it("makes MessagePack frames smaller than JSON ones", () => {
    const json = Buffer.byteLength(encodeFrame("json", frame) as string);
    const msgpack = (encodeFrame("msgpack", frame) as Uint8Array).byteLength;
    expect(msgpack).toBeLessThan(json);
  });

  it("rejects undecodable input", () => {
    expect(() => decodeFrame("json", "{")).toThrow();
    expect(() => decodeFrame("json", new Uint8Array([0xff, 0xfe]))).toThrow();
    expect(() => decodeFrame("msgpack", "text")).toThrow();
    expect(() => decodeFrame("msgpack", new Uint8Array([0x92, 0x01]))).toThrow();
  });

  it("names encodings and versions by subprotocol", () => {
    expect(encodingOf(SUBPROTOCOL_JSON)).toBe("json");
    expect(encodingOf(SUBPROTOCOL_MSGPACK)).toBe("msgpack");
    expect(encodingOf("chat")).toBeUndefined();
    expect(versionOf("parley.v7.msgpack")).toBe(7);
    expect(versionOf("parley.vx.json")).toBeUndefined();
  });
});
