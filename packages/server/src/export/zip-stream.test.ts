import { text } from "node:stream/consumers";
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { entryName, ZipStream } from "./zip-stream";

async function bytesOf(zip: ZipStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of zip.readable) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

describe("ZipStream", () => {
  it("writes entries from strings, bytes and pages, readable by any unzip", async () => {
    const zip = new ZipStream();
    const read = bytesOf(zip);
    await zip.json("a.json", { hello: "wörld" });
    await zip.jsonArray(
      "list.json",
      (async function* () {
        yield [1, 2];
        yield [];
        yield [3];
      })(),
    );
    await zip.jsonArray("empty.json", (async function* () {})());
    await zip.add("raw.bin", [new Uint8Array([0, 255, 7])], false);
    zip.end();
    const entries = unzipSync(await read);
    expect(Object.keys(entries)).toEqual(["a.json", "list.json", "empty.json", "raw.bin"]);
    expect(JSON.parse(strFromU8(entries["a.json"]!))).toEqual({ hello: "wörld" });
    expect(JSON.parse(strFromU8(entries["list.json"]!))).toEqual([1, 2, 3]);
    expect(JSON.parse(strFromU8(entries["empty.json"]!))).toEqual([]);
    expect([...entries["raw.bin"]!]).toEqual([0, 255, 7]);
  });

  it("stops the writer when the reader goes away, and ends a failed archive with the error", async () => {
    const zip = new ZipStream();
    zip.readable.destroy();
    let pulled = 0;
    const endless = (function* () {
      for (;;) {
        pulled++;
        yield "x".repeat(1000);
      }
    })();
    await expect(zip.add("big.txt", endless)).rejects.toThrow("reader went away");
    expect(pulled).toBe(1);

    const failing = new ZipStream();
    const read = text(failing.readable);
    failing.fail(new Error("database gone"));
    await expect(read).rejects.toThrow("database gone");
  });
});

describe("entryName", () => {
  it("keeps a file's name inside the archive's folder", () => {
    expect(entryName("../../etc/passwd")).toBe("_.._etc_passwd");
    expect(entryName("..\\..\\boot.ini")).toBe("_.._boot.ini");
    expect(entryName(".hidden")).toBe("hidden");
    expect(entryName("a\u0000b\u202ec\nd.txt")).toBe("abcd.txt");
    expect(entryName("C:evil")).toBe("C_evil");
    expect(entryName("...")).toBe("file");
    expect(entryName("photo.jpg")).toBe("photo.jpg");
    expect(entryName("x".repeat(300))).toHaveLength(100);
  });
});
