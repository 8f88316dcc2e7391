import { describe, expect, it } from "vitest";
import { fileNameOf } from "./auth-api";

describe("fileNameOf", () => {
  it("reads a Content-Disposition's file name", () => {
    expect(fileNameOf('attachment; filename="parley-alice-2025-03-01.zip"', "x.zip")).toBe(
      "parley-alice-2025-03-01.zip",
    );
    expect(fileNameOf("attachment; filename=plain.zip", "x.zip")).toBe("plain.zip");
    expect(fileNameOf('attachment; filename="say \\"hi\\".zip"', "x.zip")).toBe('say "hi".zip');
  });

  it("prefers the encoded name, and falls back without one", () => {
    expect(
      fileNameOf("attachment; filename=\"caf.zip\"; filename*=UTF-8''caf%C3%A9.zip", "x.zip"),
    ).toBe("café.zip");
    expect(fileNameOf("attachment; filename*=UTF-8''%E0%A4%A.zip; filename=ok.zip", "x.zip")).toBe(
      "ok.zip",
    );
    expect(fileNameOf("attachment", "x.zip")).toBe("x.zip");
    expect(fileNameOf(null, "x.zip")).toBe("x.zip");
    expect(fileNameOf('attachment; filename=""', "x.zip")).toBe("x.zip");
  });

  it("keeps no folder in the name", () => {
    expect(fileNameOf('attachment; filename="../../etc/passwd"', "x.zip")).toBe("passwd");
    expect(fileNameOf('attachment; filename="..\\\\evil.zip"', "x.zip")).toBe("evil.zip");
    expect(fileNameOf('attachment; filename=".."', "x.zip")).toBe("x.zip");
  });
});
