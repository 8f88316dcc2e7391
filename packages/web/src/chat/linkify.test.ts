import { describe, expect, it } from "vitest";
import { splitLinks } from "./linkify";

describe("splitLinks", () => {
  it("returns plain text as one run", () => {
    expect(splitLinks("hello there")).toEqual([{ kind: "text", text: "hello there" }]);
  });

  it("finds http and https links between text", () => {
    expect(splitLinks("see https://example.com/a?b=1 and http://x.org")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { kind: "text", text: " and " },
      { kind: "link", text: "http://x.org", href: "http://x.org/" },
    ]);
  });

  it("leaves sentence punctuation and unbalanced brackets outside the link", () => {
    expect(splitLinks("(look: https://example.com/x).")).toEqual([
      { kind: "text", text: "(look: " },
      { kind: "link", text: "https://example.com/x", href: "https://example.com/x" },
      { kind: "text", text: ")." },
    ]);
  });

  it("keeps balanced brackets that belong to the URL", () => {
    const [, link] = splitLinks("wiki https://en.wikipedia.org/wiki/Foo_(bar)!");
    expect(link).toEqual({
      kind: "link",
      text: "https://en.wikipedia.org/wiki/Foo_(bar)",
      href: "https://en.wikipedia.org/wiki/Foo_(bar)",
    });
  });

  it("never links other schemes", () => {
    for (const text of ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://host/file"]) {
      expect(splitLinks(text)).toEqual([{ kind: "text", text }]);
    }
  });

  it("keeps markup as text", () => {
    const text = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    expect(splitLinks(text)).toEqual([{ kind: "text", text }]);
  });

  it("ignores a bare scheme", () => {
    expect(splitLinks("type https:// then the host")).toEqual([
      { kind: "text", text: "type https:// then the host" },
    ]);
  });
});
