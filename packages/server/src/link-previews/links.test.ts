import { describe, expect, it } from "vitest";
import { linksOf } from "./links";

describe("linksOf", () => {
  it("finds http(s) links in order, without trailing punctuation", () => {
    expect(linksOf("see https://a.example/x. and (http://b.example/y), ok")).toEqual([
      "https://a.example/x",
      "http://b.example/y",
    ]);
  });

  it("keeps a parenthesis the URL opened", () => {
    expect(linksOf("https://en.example/wiki/A_(b)")).toEqual(["https://en.example/wiki/A_(b)"]);
  });

  it("takes the first three distinct links only", () => {
    const text =
      "http://1.example http://1.example http://2.example http://3.example http://4.example";
    expect(linksOf(text)).toEqual(["http://1.example", "http://2.example", "http://3.example"]);
  });

  it("ignores other schemes", () => {
    expect(linksOf("ftp://a.example javascript:alert(1) mailto:x@y.example")).toEqual([]);
  });
});
