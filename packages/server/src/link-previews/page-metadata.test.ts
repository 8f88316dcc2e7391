import { describe, expect, it } from "vitest";
import { headOf, parsePageMetadata } from "./page-metadata";

const url = "https://example.org/a/page.html";

describe("parsePageMetadata", () => {
  it("reads the Open Graph title, description, site name and image", () => {
    const html = `<!doctype html><html><head>
      <meta property="og:title" content="A title">
      <meta property='og:description' content='Some words'>
      <meta property=og:site_name content=Example>
      <meta content="/img/x.png" property="og:image">
      <title>Ignored</title></head><body></body></html>`;
    expect(parsePageMetadata(html, url)).toEqual({
      title: "A title",
      description: "Some words",
      siteName: "Example",
      image: "https://example.org/img/x.png",
    });
  });

  it("falls back to <title> and the meta description", () => {
    const html = `<head><TITLE>Plain &amp; simple</TITLE><meta name="Description" content="About it"></head>`;
    expect(parsePageMetadata(html, url)).toEqual({
      title: "Plain & simple",
      description: "About it",
    });
  });

  it("decodes named and numeric entities and keeps markup as text", () => {
    const html = `<meta property="og:title" content="&lt;b&gt;bold&lt;/b&gt; &#169; &#x263A; &eacute;">`;
    expect(parsePageMetadata(html, url).title).toBe("<b>bold</b> © ☺ é");
  });

  it("collapses whitespace and removes control characters", () => {
    const html = `<meta property="og:description" content="  one\n\ttwo\u0007three\u202e  ">`;
    expect(parsePageMetadata(html, url).description).toBe("one two three");
  });

  it("cuts long values with an ellipsis", () => {
    const html = `<meta property="og:title" content="${"x".repeat(500)}">`;
    const title = parsePageMetadata(html, url).title!;
    expect([...title]).toHaveLength(200);
    expect(title.endsWith("…")).toBe(true);
  });

  it("ignores metadata after the head, in comments and in scripts", () => {
    const html = `<head><!-- <meta property="og:title" content="comment"> -->
      <script>var s = '<meta property="og:title" content="script">';</script>
      </head><body><meta property="og:title" content="body"></body>`;
    expect(parsePageMetadata(html, url)).toEqual({});
  });

  it("keeps only http(s) image URLs", () => {
    const bad = `<meta property="og:image" content="javascript:alert(1)">`;
    expect(parsePageMetadata(bad, url).image).toBeUndefined();
    const data = `<meta property="og:image" content="data:image/png;base64,AAAA">`;
    expect(parsePageMetadata(data, url).image).toBeUndefined();
  });

  it("prefers property over name and the first of repeated keys", () => {
    const html = `<meta name="og:title" content="by name"><meta property="og:title" content="by property">
      <meta property="og:title" content="second">`;
    expect(parsePageMetadata(html, url).title).toBe("by name");
  });

  it("returns nothing for a page without metadata", () => {
    expect(parsePageMetadata("<html><body>hi</body></html>", url)).toEqual({});
  });
});

describe("headOf", () => {
  it("stops at </head> or <body", () => {
    expect(headOf("<head>a</head>b")).toBe("<head>a");
    expect(headOf("<title>a</title><body>b")).toBe("<title>a</title>");
    expect(headOf("no head")).toBe("no head");
  });
});
