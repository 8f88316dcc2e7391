import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { type Mention, safeUrl, shownMentions } from "../chat/markdown";
import { personOf } from "../chat/people";
import { MessageText } from "./message-text";

/** The markup a message renders to, inside its `<bdi class="md">`. */
function render(text: string, mentions?: ReadonlyMap<string, Mention>): string {
  const html = renderToStaticMarkup(createElement(MessageText, { text, mentions }));
  const match = /^<bdi class="md">([\s\S]*)<\/bdi>$/.exec(html);
  if (!match) throw new Error(`not isolated in a bdi: ${html}`);
  return match[1] ?? "";
}

const link = (href: string, text = href) =>
  `<a href="${href}" target="_blank" rel="noopener noreferrer">${text}</a>`;

describe("MessageText", () => {
  it("renders plain text as text, inside a bdi, without a paragraph", () => {
    expect(render("hello there")).toBe("hello there");
  });

  it("renders bold, italic, strikethrough and inline code", () => {
    expect(render("**b** *i* _i_ ~~s~~ `c`")).toBe(
      "<strong>b</strong> <em>i</em> <em>i</em> <del>s</del> <code>c</code>",
    );
  });

  it("renders nested emphasis", () => {
    expect(render("***both*** and **bold *italic* bold**")).toBe(
      "<em><strong>both</strong></em> and <strong>bold <em>italic</em> bold</strong>",
    );
  });

  it("leaves a single tilde as text", () => {
    expect(render("~5 min or ~10 min~")).toBe("~5 min or ~10 min~");
  });

  it("renders a fenced code block without interpreting its content", () => {
    expect(render("look:\n\n```js\nconst a = **1** < 2;\n```")).toBe(
      '<p>look:</p>\n<pre><code class="language-js">const a = **1** &lt; 2;\n</code></pre>',
    );
  });

  it("renders block quotes and lists", () => {
    expect(render("> quoted\n\n- one\n- two\n\n1. first")).toBe(
      "<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n</ol>",
    );
  });

  it("renders links and autolinks to http(s) and mailto in a new tab", () => {
    expect(render("[docs](https://example.com/a?b=1)")).toBe(
      link("https://example.com/a?b=1", "docs"),
    );
    expect(render("see https://example.com/x and <http://x.org>")).toBe(
      `see ${link("https://example.com/x")} and ${link("http://x.org/", "http://x.org")}`,
    );
    expect(render("www.example.com")).toBe(link("http://www.example.com/", "www.example.com"));
    expect(render("mail bob@example.com")).toBe(
      `mail ${link("mailto:bob@example.com", "bob@example.com")}`,
    );
  });

  it("leaves sentence punctuation outside an autolink and keeps balanced brackets in it", () => {
    expect(render("(look: https://example.com/x).")).toBe(
      `(look: ${link("https://example.com/x")}).`,
    );
    expect(render("wiki https://en.wikipedia.org/wiki/Foo_(bar)!")).toBe(
      `wiki ${link("https://en.wikipedia.org/wiki/Foo_(bar)")}!`,
    );
  });

  it("renders a link to any other scheme as its text", () => {
    expect(render("[x](javascript:alert(1))")).toBe("x");
    expect(render("[x](data:text/html,<b>x</b>)")).toBe("x");
    expect(render("[x](data:text/html;base64,PHNjcmlwdD4=)")).toBe("x");
    expect(render("[x](/relative) [y](ftp://host/file)")).toBe("x y");
    expect(render("<javascript:alert(1)>")).toBe("javascript:alert(1)");
    expect(render("javascript:alert(1)")).toBe("javascript:alert(1)");
  });

  it("shows HTML in the source as text", () => {
    expect(render("<script>alert(1)</script>")).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(render("<img src=x onerror=alert(2)>")).toBe("&lt;img src=x onerror=alert(2)&gt;");
    expect(render("<div>\n*x*\n</div>")).toBe("&lt;div&gt;\n<em>x</em>\n&lt;/div&gt;");
  });

  it("never loads an image: it is a link to the image, or its text", () => {
    expect(render("![cat](http://example.com/cat.png)")).toBe(
      link("http://example.com/cat.png", "cat"),
    );
    expect(render("![](https://example.com/c.png)")).toBe(link("https://example.com/c.png"));
    expect(render("![x](javascript:alert(1))")).toBe("x");
    expect(render('![x](http://a.example/"onerror="alert(1))')).not.toContain("<img");
  });

  it("keeps headings, rules and indented lines as the text typed", () => {
    expect(render("# not a heading")).toBe("# not a heading");
    expect(render("title\n===")).toBe("title\n===");
    expect(render("---")).toBe("---");
    expect(render("    four spaces")).toBe("four spaces");
  });

  it("leaves tables, footnotes and task lists as text", () => {
    expect(render("| a | b |\n| - | - |\n| 1 | 2 |")).toBe("| a | b |\n| - | - |\n| 1 | 2 |");
    expect(render("note[^1]\n\n[^1]: the note")).not.toContain("id=");
    expect(render("- [ ] task")).toBe("<ul>\n<li>[ ] task</li>\n</ul>");
  });

  it("renders a 4,000-character message whole", () => {
    const text = `${"**word** ".repeat(444)}end`.slice(0, 4000);
    const html = render(text);
    expect(html.match(/<strong>word<\/strong>/g)).toHaveLength(444);
    expect(html.replace(/<[^>]+>/g, "")).toBe(text.replaceAll("**", ""));
  });

  it("renders pathological nesting in bounded time without elements it does not allow", () => {
    const text = `${"*".repeat(2000)}${"[".repeat(1000)}${"> ".repeat(500)}x`;
    const html = render(text);
    expect(html).not.toMatch(/<(?!\/?(p|strong|em|blockquote|br)\b)/);
  });
});

describe("safeUrl", () => {
  it("accepts http(s) with a host and mailto with an address", () => {
    expect(safeUrl("https://example.com")).toBe("https://example.com/");
    expect(safeUrl("mailto:a@b.example")).toBe("mailto:a@b.example");
  });

  it("refuses every other address", () => {
    for (const url of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      " javascript:alert(1)",
      "data:text/html,x",
      "vbscript:x",
      "file:///etc/passwd",
      "https://",
      "mailto:",
      "/relative",
      "",
    ])
      expect(safeUrl(url), url).toBeUndefined();
  });
});

describe("MessageText with mentions", () => {
  const me = { i: 1, n: "Alice" };
  const names = new Map([
    [2, "Bob"],
    [3, "carol"],
  ]);
  const pill = (text: string, own = false) =>
    `<span class="mention${own ? " mention-me" : ""}">${text}</span>`;

  it("makes the resolved names pills, the reader's own one stronger, and leaves the rest text", () => {
    const kinds = shownMentions({ mn: [1, 2] }, names, me);
    expect(render("@bob and @ALICE, not @carol or @dave", kinds)).toBe(
      `${pill("@bob")} and ${pill("@ALICE", true)}, not @carol or @dave`,
    );
  });

  it("never makes a pill inside code, a link or an e-mail address", () => {
    const kinds = shownMentions({ mn: [2] }, names, me);
    expect(render("`@bob` **@bob** bob@example.com", kinds)).toBe(
      `<code>@bob</code> <strong>${pill("@bob")}</strong> ${link("mailto:bob@example.com", "bob@example.com")}`,
    );
  });

  it("shows group names as pills only when the server made a group mention", () => {
    expect(render("@here now", shownMentions({}, names, me))).toBe("@here now");
    expect(render("@here now", shownMentions({ mg: "here" }, names, me))).toBe(
      `${pill("@here")} now`,
    );
  });

  it("keeps a name's markup as text, never as HTML", () => {
    const kinds = new Map<string, Mention>([["x_y", { kind: "user" }]]);
    expect(render("<b>@x_y</b>", kinds)).toBe(`&lt;b&gt;${pill("@x_y")}&lt;/b&gt;`);
  });

  it("shows a person's display name in the pill, with their @username as its title", () => {
    const members = [
      { i: 2, n: "Bob", dn: "Robert <Bobby> Tables" },
      { i: 3, n: "carol", dn: "carol" },
    ];
    const person = personOf(members, {}, {});
    const kinds = shownMentions({ mn: [1, 2, 3] }, names, { ...me, dn: "Al" }, person);
    expect(render("@bob, @alice and @carol", kinds)).toBe(
      `<span class="mention" title="@Bob">@Robert &lt;Bobby&gt; Tables</span>, ` +
        `<span class="mention mention-me" title="@Alice">@Al</span> and ${pill("@carol")}`,
    );
    // A new display name is shown as soon as the people it is read from have it.
    const renamed = personOf([{ i: 2, n: "Bob", dn: "Rob" }], {}, {});
    expect(render("@bob", shownMentions({ mn: [2] }, names, me, renamed))).toBe(
      `<span class="mention" title="@Bob">@Rob</span>`,
    );
  });
});
